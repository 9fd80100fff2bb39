"""TaskStore: every read and write of tasks, and the one place changes are announced."""

import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator

from app.common import clock
from app.common.errors import UserError
from app.common.listeners import Listeners
from app.tasks import validate
from app.common.database import OutsideWrites, guarded, open_database, transaction
from app.tasks.dates import Due, local_midnight, local_today, timestamp, today_ends
from app.tasks.filters import TaskFilter
from app.tasks.migrations import MIGRATIONS
from app.tasks import undo
from app.tasks.history import Change, HistoryLog, Origin, Recorder, Step
from app.tasks.model import PRIORITIES, Reverted, Task, TaskChange, TrashedTask

Listener = Callable[[TaskChange], None]
_UNCHANGED = object()  # "leave this field as it is" in update()

_COLUMNS = ("id, title, notes, due, priority, status, tags, created_at, updated_at, "
            "completed_at")
_ORDER = "ORDER BY due_key, priority DESC, id"  # matches the indexes: no sort step
# Due.is_overdue in SQL: a day once it is over (its key is before today's midnight), a time
# as soon as it has passed (its key is before now). Parameters: now, today's midnight.
_OVERDUE = "(due_key < ? AND (due_has_time OR due_key < ?))"
NO_DUE = float("inf")
RANKED_AT_MOST = 2_000
TRASH_DAYS = 30


class TaskNotFoundError(UserError):
    pass


def _task(row: tuple) -> Task:
    return Task(row[0], row[1], row[2], row[3], PRIORITIES[row[4]], row[5],
                tuple(json.loads(row[6])), row[7], row[8], row[9])


def _task_of(snapshot: dict) -> Task:
    return Task(**{**snapshot, "tags": tuple(snapshot["tags"])})


def _snapshot(task_id: int, row: dict) -> dict:
    """What the history keeps of a row just written: the task's public fields."""
    return {"id": task_id, "title": row["title"], "notes": row["notes"], "due": row["due"],
            "priority": PRIORITIES[row["priority"]], "status": row["status"],
            "tags": json.loads(row["tags"]), "created_at": row["created_at"],
            "updated_at": row["updated_at"], "completed_at": row["completed_at"]}


def _stored_row(snapshot: dict) -> dict:
    """A snapshot as the columns of `tasks` (the inverse of _snapshot)."""
    due = Due.stored(snapshot["due"])
    return {"title": snapshot["title"], "notes": snapshot["notes"],
            "due": due.iso if due else None, "due_key": due.key if due else NO_DUE,
            "due_has_time": int(due.has_time) if due else 0,
            "priority": PRIORITIES.index(snapshot["priority"]), "status": snapshot["status"],
            "tags": json.dumps(snapshot["tags"]), "created_at": snapshot["created_at"],
            "updated_at": snapshot["updated_at"], "completed_at": snapshot["completed_at"]}


def _due(value: str | None) -> Due | None:
    """A due date given to add() or update(): None, "" and "none" mean no due date."""
    return None if value is None or not value.strip() or value.strip().lower() == "none" \
        else Due.parse(value)


@guarded  # damaged, full, read-only and busy files: one sentence each
class TaskStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn = open_database(self.path, MIGRATIONS)
        self._listeners = Listeners("task store")
        self._outside_writes = OutsideWrites(self._conn)
        self._history = HistoryLog(self._conn)
        self._trash_checked = False  # expired trash is emptied with the first write

    # -- lifecycle and announcements -------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "TaskStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(TaskChange)` after every committed change; returns the way to stop."""
        return self._listeners.subscribe(listener)

    def _announce(self, kind: str, ids: Iterable[int]) -> None:
        self._listeners.notify(TaskChange(kind, tuple(ids)))

    def poll_external_changes(self) -> bool:
        """Announce `external` if another connection (the CLI, another window) wrote the file."""
        if not self._outside_writes.happened():
            return False
        self._announce("external", ())
        return True

    # -- reads -----------------------------------------------------------------------------

    def get(self, task_id: int | str) -> Task:
        number = validate.task_id(task_id)
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM tasks WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise TaskNotFoundError(f"There is no task {number}.")
        return _task(row)

    def list_tasks(self, filters: TaskFilter = TaskFilter(), *, now: datetime | None = None) -> list[Task]:
        where, params = self._where(filters, now)
        sql = f"SELECT {_COLUMNS} FROM tasks"
        if filters.tag:
            sql += " JOIN task_tags ON task_tags.task_id = tasks.id AND task_tags.tag = ?"
            params.insert(0, filters.tag.strip().lstrip("#"))
        if where:
            sql += " WHERE " + " AND ".join(where)
        if filters.due_today:  # overdue tasks first, then today's
            sql += f" ORDER BY NOT {_OVERDUE}, due_key, priority DESC, id"
            params += self._overdue_params(now)
        else:
            sql += " " + _ORDER
        if filters.limit is not None:
            sql += f" LIMIT {max(0, int(filters.limit))}"
        return [_task(row) for row in self._conn.execute(sql, params)]

    def _where(self, filters: TaskFilter, now: datetime | None) -> tuple[list[str], list]:
        where: list[str] = []
        params: list = []
        if filters.status != "all":
            where.append("status = ?")
            params.append(validate.status(filters.status))
        if filters.priority:
            where.append("priority = ?")
            params.append(PRIORITIES.index(validate.priority(filters.priority)))
        if filters.due_before:
            where.append("due_key < ?")
            params.append(Due.parse(filters.due_before).key)  # a day: before it starts
        if filters.due_after:
            bound = Due.parse(filters.due_after)
            if bound.has_time:
                where.append("due_key > ?")
                params.append(bound.key)
            else:  # "after a day" means from the next day on
                where.append("due_key >= ?")
                params.append(local_midnight(bound.day + timedelta(days=1)))
            where.append("due IS NOT NULL")  # undated tasks sort at +infinity, not "after"
        if filters.overdue:
            where.append(_OVERDUE)
            params += self._overdue_params(now)
        if filters.due_today:  # Due.is_for_today: today's tasks and the overdue ones
            where.append("due_key < ?")
            params.append(today_ends(now))
        return where, params

    @staticmethod
    def _overdue_params(now: datetime | None) -> list[float]:
        return [(now or clock.now()).timestamp(), local_midnight(local_today(now))]

    def count_due_today(self, *, now: datetime | None = None) -> int:
        """How many open tasks the Today list holds: the number the tray shows."""
        where, params = self._where(TaskFilter(due_today=True), now)
        return self._conn.execute(f"SELECT count(*) FROM tasks WHERE {' AND '.join(where)}",
                                  params).fetchone()[0]

    def search(self, query: str, *, status: str = "all", limit: int | None = 50) -> list[Task]:
        """Full-text search over title, notes and tags; every word must match (as a prefix).

        Best matches first (title counts most); but a query so broad that it matches more than
        RANKED_AT_MOST tasks lists the newest first, because ranking them all costs ~1 ms per
        thousand matches and says little when nearly everything matches.
        """
        words = query.split()
        if not words:
            raise UserError("Search for at least one word.")
        # Each word quoted: punctuation in user input never becomes FTS5 syntax.
        match = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
        broad = self._conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM tasks_fts WHERE tasks_fts MATCH ? LIMIT ?)",
            (match, RANKED_AT_MOST + 1)).fetchone()[0] > RANKED_AT_MOST
        columns = ", ".join("tasks." + column.strip() for column in _COLUMNS.split(","))
        sql = (f"SELECT {columns} FROM tasks_fts JOIN tasks ON tasks.id = tasks_fts.rowid "
               "WHERE tasks_fts MATCH ?")
        params: list = [match]
        if status != "all":
            sql += " AND tasks.status = ?"
            params.append(validate.status(status))
        sql += " ORDER BY tasks_fts.rowid DESC" if broad else " ORDER BY bm25(tasks_fts, 10.0, 1.0, 5.0)"
        if limit is not None:
            sql += f" LIMIT {max(0, int(limit))}"
        return [_task(row) for row in self._conn.execute(sql, params)]

    def count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM tasks").fetchone()[0]

    # -- writes: each records its history in its own transaction ---------------------------

    def add(self, title: str, *, by: Origin | Step, notes: str | None = None,
            due: str | None = None, priority: str | None = None,
            tags: Iterable[str] | None = None) -> Task:
        row = self._row(title=title, notes=notes, due=due, priority=priority,
                        tags=list(tags) if tags is not None else None)
        with self._writing(by) as history:
            task_id = self._insert(row)
            history.record(task_id, "added", None, _snapshot(task_id, row))
        self._announce("added", [task_id])
        return self.get(task_id)

    def update(self, task_id: int | str, *, by: Origin | Step, title=_UNCHANGED,
               notes=_UNCHANGED, due=_UNCHANGED, priority=_UNCHANGED, tags=_UNCHANGED) -> Task:
        """Change the given fields; `due=None` (or "none") clears the due date."""
        current = self.get(task_id)
        changes: dict[str, object] = {}
        if title is not _UNCHANGED:
            changes["title"] = validate.title(title)
        if notes is not _UNCHANGED:
            changes["notes"] = validate.notes(notes)
        if priority is not _UNCHANGED:
            changes["priority"] = PRIORITIES.index(validate.priority(priority))
        if tags is not _UNCHANGED:
            changes["tags"] = json.dumps(validate.tags(list(tags) if tags is not None else None))
        if due is not _UNCHANGED:
            parsed = _due(due)
            changes.update(due=parsed.iso if parsed else None,
                           due_key=parsed.key if parsed else NO_DUE,
                           due_has_time=int(parsed.has_time) if parsed else 0)
        if not changes:
            return current
        changes["updated_at"] = timestamp()
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self._writing(by) as history:
            self._conn.execute(f"UPDATE tasks SET {assignments} WHERE id = ?",
                               [*changes.values(), current.id])
            after = self.get(current.id)
            history.record(current.id, "edited", current.to_dict(), after.to_dict())
        self._announce("updated", [current.id])
        return after

    def complete(self, task_id: int | str, *, by: Origin | Step) -> Task:
        return self._set_status(task_id, "done", by)

    def reopen(self, task_id: int | str, *, by: Origin | Step) -> Task:
        return self._set_status(task_id, "open", by)

    def _set_status(self, task_id: int | str, status: str, by: Origin | Step) -> Task:
        current = self.get(task_id)
        if current.status == status:
            return current
        stamp = timestamp()
        action = "completed" if status == "done" else "reopened"
        with self._writing(by) as history:
            self._conn.execute(
                "UPDATE tasks SET status = ?, completed_at = ?, updated_at = ? WHERE id = ?",
                (status, stamp if status == "done" else None, stamp, current.id))
            after = self.get(current.id)
            history.record(current.id, action, current.to_dict(), after.to_dict())
        self._announce(action, [current.id])
        return after

    def delete(self, task_id: int | str, *, by: Origin | Step) -> Task:
        """Move the task to the trash, where it stays TRASH_DAYS days."""
        current = self.get(task_id)
        before = current.to_dict()
        with self._writing(by) as history:
            after = {**before, "trashed_at": timestamp()}
            self._put(current.id, before, after)
            history.record(current.id, "deleted", before, after)
        self._announce("deleted", [current.id])
        return current

    def import_tasks(self, records: list[dict], *, by: Origin | Step) -> list[int]:
        """Add every record (export's shape) as a new task, or none at all if one is bad."""
        rows = []
        for number, record in enumerate(records, start=1):
            try:
                rows.append(self._imported_row(record))
            except UserError as error:
                raise UserError(f"Task {number} in the file: {error}") from None
        with self._writing(by) as history:
            ids = []
            for row in rows:
                task_id = self._insert(row)
                history.record(task_id, "imported", None, _snapshot(task_id, row))
                ids.append(task_id)
            if len(ids) >= 1_000:
                # A bulk insert leaves the search index in many small segments; merging them
                # now (~0.1 s per 100k tasks) keeps every later search fast from a cold start.
                self._conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('optimize')")
        self._announce("imported", ids)
        return ids

    @contextmanager
    def _writing(self, by: Origin | Step) -> Iterator[Recorder]:
        """One write transaction and its history; the step learns its ids once committed."""
        recorder = Recorder(self._conn, by if isinstance(by, Step) else Step(by), timestamp())
        with transaction(self._conn):
            if not self._trash_checked:
                self._empty_trash(older_than=clock.now() - timedelta(days=TRASH_DAYS))
            yield recorder
        self._trash_checked = True
        recorder.committed()

    # -- trash -----------------------------------------------------------------------------

    def trash(self) -> list[TrashedTask]:
        """The tasks in the trash, most recently deleted first (expired ones are not shown)."""
        cutoff = timestamp(clock.now() - timedelta(days=TRASH_DAYS))
        return [TrashedTask(_task_of(json.loads(task)), trashed_at)
                for task, trashed_at in self._conn.execute(
                    "SELECT task, trashed_at FROM trash WHERE trashed_at >= ? "
                    "ORDER BY trashed_at DESC, id DESC", (cutoff,))]

    def restore(self, task_id: int | str, *, by: Origin | Step) -> Task:
        """Bring a task back from the trash with its id and every field as they were."""
        number = validate.task_id(task_id)
        with self._writing(by) as history:
            before = self._state(number)
            if before is None:
                raise TaskNotFoundError(f"There is no task {number} in the trash.")
            if "trashed_at" not in before:
                raise UserError(f"Task {number} is not in the trash; it is in the task list.")
            after = {name: value for name, value in before.items() if name != "trashed_at"}
            self._put(number, before, after)
            history.record(number, "restored", before, after)
        self._announce("restored", [number])
        return self.get(number)

    def empty_trash(self) -> int:
        """Delete every task in the trash for good, with its history; returns how many."""
        with transaction(self._conn):
            count = self._empty_trash()
        self._announce("trash_emptied", ())
        return count

    def _empty_trash(self, older_than: datetime | None = None) -> int:
        sql, params = "SELECT id FROM trash", []
        if older_than is not None:
            sql += " WHERE trashed_at < ?"
            params.append(timestamp(older_than))
        ids = [row[0] for row in self._conn.execute(sql, params)]
        if ids:
            self._conn.executemany("DELETE FROM trash WHERE id = ?", [(i,) for i in ids])
            self._history.forget_tasks(ids)
        return len(ids)

    # -- history, undo and redo ------------------------------------------------------------

    def history(self, task_id: int | str | None = None, *,
                limit: int | None = None) -> list[Change]:
        """Every recorded change, newest first; or one task's (in the trash, or gone, too)."""
        number = None if task_id is None else validate.task_id(task_id)
        return self._history.changes(number, limit=limit)

    def is_undone(self, change_id: int) -> bool:
        """Whether an undo has reverted this change (and no redo brought it back)."""
        end = self._history.live_end(self._history.change(change_id))
        return end.id != change_id and end.action == "undone"

    def step_of(self, change_id: int) -> int:
        return self._history.change(change_id).step

    def undo(self, *, by: Origin | Step, force: bool = False,
             conversation_id: str | None = None, skip_step: int | None = None) -> Reverted:
        """Undo the newest step not yet undone (of one conversation, if given)."""
        step = self._history.newest_step(undo=True, conversation_id=conversation_id,
                                         skip_step=skip_step)
        if step is None:
            raise UserError("There is nothing to undo" + (" in this conversation." if
                                                         conversation_id else "."))
        return self.undo_step(step, by=by, force=force)

    def undo_step(self, step_id: int, *, by: Origin | Step, force: bool = False) -> Reverted:
        changes = self._history.live_changes_of_step(step_id)
        if not changes:
            raise UserError("That was already undone.")
        return self._revert(changes, by, force, undoing=changes[0].action != "undone")

    def undo_change(self, change_id: int, *, by: Origin | Step, force: bool = False) -> Reverted:
        """Undo one change (one tool line of the agent), wherever undo and redo have left it."""
        end = self._history.live_end(self._history.change(change_id))
        if end.id != change_id and end.action == "undone":
            raise UserError("That was already undone.")
        return self._revert([end], by, force, undoing=True)

    def redo(self, *, by: Origin | Step, force: bool = False) -> Reverted:
        """Redo the newest undo not yet redone."""
        step = self._history.newest_step(undo=False)
        if step is None:
            raise UserError("There is nothing to redo.")
        return self._revert(self._history.live_changes_of_step(step), by, force, undoing=False)

    def _revert(self, changes: list[Change], by: Origin | Step, force: bool,
                undoing: bool) -> Reverted:
        verb = "undo" if undoing else "redo"
        reverts = undo.plan(changes)
        outcomes = []
        with self._writing(by) as history:
            for revert in reverts:
                current = self._state(revert.task_id)
                if current != revert.expected and not force:
                    later = self._history.latest_change_after(revert.task_id, revert.last_id)
                    raise undo.UndoConflictError(undo.conflict(revert, later, verb, current))
                outcomes.append(undo.outcome(revert, current))
                self._put(revert.task_id, current, revert.desired)
                change_id = history.record(revert.task_id, "undone" if undoing else "redone",
                                           current, revert.desired, reverts=revert.last_id)
                self._history.mark_undone(revert.change_ids, change_id)
        ids = [revert.task_id for revert in reverts]
        self._announce("undone" if undoing else "redone", ids)
        return Reverted(undo.summary("Undone:" if undoing else "Redone:", changes, outcomes),
                        tuple(ids), history.step_id)

    # -- a task's state, wherever it is --------------------------------------------------------

    def _state(self, task_id: int) -> dict | None:
        """The task's snapshot: in the list, in the trash (with `trashed_at`), or None."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM tasks WHERE id = ?",
                                 (task_id,)).fetchone()
        if row is not None:
            return _task(row).to_dict()
        row = self._conn.execute("SELECT task, trashed_at FROM trash WHERE id = ?",
                                 (task_id,)).fetchone()
        return {**json.loads(row[0]), "trashed_at": row[1]} if row else None

    def _put(self, task_id: int, current: dict | None, desired: dict | None) -> None:
        """Move the task from its current state to the desired one (inside a transaction)."""
        if current is not None:
            table = "trash" if "trashed_at" in current else "tasks"
            self._conn.execute(f"DELETE FROM {table} WHERE id = ?", (task_id,))
        if desired is None:
            return
        fields = {name: value for name, value in desired.items() if name != "trashed_at"}
        if "trashed_at" in desired:
            self._conn.execute("INSERT INTO trash (id, trashed_at, task) VALUES (?, ?, ?)",
                               (task_id, desired["trashed_at"],
                                json.dumps(fields, ensure_ascii=False)))
        else:
            self._insert({"id": task_id, **_stored_row(fields)})

    # -- rows ------------------------------------------------------------------------------

    def _row(self, *, title, notes=None, due=None, priority=None, tags=None) -> dict:
        parsed = _due(due)
        stamp = timestamp()
        return {
            "title": validate.title(title), "notes": validate.notes(notes),
            "due": parsed.iso if parsed else None, "due_key": parsed.key if parsed else NO_DUE,
            "due_has_time": int(parsed.has_time) if parsed else 0,
            "priority": PRIORITIES.index(validate.priority(priority)),
            "status": "open", "tags": json.dumps(validate.tags(tags)),
            "created_at": stamp, "updated_at": stamp, "completed_at": None,
        }

    def _imported_row(self, record: object) -> dict:
        if not isinstance(record, dict):
            raise UserError("each task must be a JSON object.")
        unknown = set(record) - {"id", "title", "notes", "due", "priority", "status", "tags",
                                 "created_at", "updated_at", "completed_at"}
        if unknown:
            raise UserError(f"unknown field {sorted(unknown)[0]!r}.")
        due = record.get("due")
        if due is not None and not isinstance(due, str):
            raise UserError("'due' must be an ISO 8601 date or null.")
        row = self._row(title=record.get("title"), notes=record.get("notes"), due=due,
                        priority=record.get("priority"), tags=record.get("tags"))
        row["status"] = validate.status(record.get("status", "open"))
        for name in ("created_at", "updated_at", "completed_at"):
            value = record.get(name)
            if value is not None:
                if not isinstance(value, str):
                    raise UserError(f"'{name}' must be an ISO 8601 date-time.")
                row[name] = Due.parse(value).iso
        if row["status"] == "open":
            row["completed_at"] = None
        elif row["completed_at"] is None:
            row["completed_at"] = row["updated_at"]
        return row

    def _insert(self, row: dict) -> int:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self._conn.execute(f"INSERT INTO tasks ({names}) VALUES ({marks})",
                                    list(row.values()))
        return cursor.lastrowid
