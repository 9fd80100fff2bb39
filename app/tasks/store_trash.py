"""The trash: a deleted task (and its subtasks) waits TRASH_DAYS days, comes back whole with
its id, or is deleted for good with its history. TaskStore holds the transaction and announces."""

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta

from app.common import clock
from app.common.errors import UserError
from app.tasks.history import HistoryLog, Recorder
from app.tasks.model import TrashedTask
from app.tasks.task_rows import Snapshot, TaskNotFoundError, TaskRows, complete, task_of
from app.tasks.when.dates import timestamp

TRASH_DAYS = 30


class TaskTrash:
    def __init__(self, conn: sqlite3.Connection, rows: TaskRows, log: HistoryLog) -> None:
        self._conn = conn
        self._rows = rows
        self._log = log

    def tasks(self) -> list[TrashedTask]:
        """Most recently deleted first; expired ones are not shown."""
        return [TrashedTask(task_of(json.loads(task)), trashed_at)
                for task, trashed_at in self._conn.execute(
                    "SELECT task, trashed_at FROM trash WHERE trashed_at >= ? "
                    "ORDER BY trashed_at DESC, id DESC", (self._cutoff(),))]

    def count(self) -> int:
        row = self._conn.execute("SELECT count(*) FROM trash WHERE trashed_at >= ?",
                                 (self._cutoff(),)).fetchone()
        return int(row[0])

    @staticmethod
    def _cutoff() -> str:
        return timestamp(clock.now() - timedelta(days=TRASH_DAYS))

    def put_in(self, history: Recorder, numbers: list[int]) -> None:
        """Move these tasks to the trash, all with one stamp (restore finds them together)."""
        stamp = timestamp()
        for number in numbers:
            before = self._rows.task(number).to_dict()
            after = {**before, "trashed_at": stamp}
            self._rows.put(number, before, after)
            history.record(number, "deleted", before, after)

    def restore(self, history: Recorder, number: int) -> list[int]:
        """Bring a task back with the subtasks trashed together with it; returns their ids."""
        before = self._rows.state(number)
        if before is None:
            raise TaskNotFoundError(f"There is no task {number} in the trash.")
        if "trashed_at" not in before:
            raise UserError(f"Task {number} is not in the trash; it is in the task list.")
        restored = [number]
        self._restore_one(history, number, before)
        for child, child_before in self._trashed_children(number, before["trashed_at"]):
            self._restore_one(history, child, child_before)
            restored.append(child)
        return restored

    def _restore_one(self, history: Recorder, number: int, before: Snapshot) -> None:
        after = {name: value for name, value in complete(before).items() if name != "trashed_at"}
        parent = after.get("parent_id")
        if parent is not None and not self._conn.execute(
                "SELECT 1 FROM tasks WHERE id = ?", (parent,)).fetchone():
            after["parent_id"] = None  # its parent is not in the list: it stands on its own
        self._rows.put(number, before, after)
        history.record(number, "restored", before, after)

    def _trashed_children(self, parent: int, trashed_at: str) -> list[tuple[int, Snapshot]]:
        found: list[tuple[int, Snapshot]] = []
        queue, seen = [parent], {parent}  # seen: a loop in the trash ends too
        while queue:
            current = queue.pop(0)
            for task_id, task, at in self._conn.execute(
                    "SELECT id, task, trashed_at FROM trash WHERE trashed_at = ? AND "
                    "json_extract(task, '$.parent_id') = ?", (trashed_at, current)).fetchall():
                if task_id in seen:
                    continue
                seen.add(task_id)
                found.append((task_id, {**json.loads(task), "trashed_at": at}))
                queue.append(task_id)
        return found

    def empty(self, older_than: datetime | None = None,
              only: Iterable[int] | None = None) -> int:
        """Delete tasks in the trash for good, with their history; returns how many."""
        sql, params = "SELECT id FROM trash", []
        if older_than is not None:
            sql += " WHERE trashed_at < ?"
            params.append(timestamp(older_than))
        ids: list[int] = [row[0] for row in self._conn.execute(sql, params)]
        if only is not None:
            chosen = set(only)
            ids = [number for number in ids if number in chosen]
        if ids:
            self._conn.executemany("DELETE FROM trash WHERE id = ?", [(i,) for i in ids])
            self._log.forget_tasks(ids)
        return len(ids)

    def empty_expired(self) -> int:
        return self.empty(older_than=clock.now() - timedelta(days=TRASH_DAYS))
