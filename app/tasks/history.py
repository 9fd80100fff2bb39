"""Who changed a task, and what it was before: the history every write records.

Every store mutation is given `by=`: an Origin (where the change came from) or a Step (several
changes that are undone together: one agent answer, one import, one bulk action in the window).
The store writes one history row per task it changes, in the transaction of the change, with
the task's snapshot before and after (None where the task did not exist).

A list's creation, rename and removal are history rows too, so that undo takes them back in the
same step as the task moves they came with. Their `task_id` is the list's id negated (SQLite
ids are positive, so the two never meet) and their snapshots are {"name", "created_at"}.
"""

import json
import sqlite3
from collections import namedtuple
from typing import Any

from app.common.errors import UserError

# window: the task panel and editor; quick_ask and agent: the assistant's tools, with the
# conversation; cli: `task-assistant tasks`; import: an import file; mcp, sync: later front ends.
ORIGIN_KINDS = ("window", "quick_ask", "agent", "cli", "import", "mcp", "sync", "routine")
# What a history row says happened. `undone` and `redone` are the rows an undo or redo writes.
ACTIONS = ("added", "edited", "completed", "reopened", "deleted", "restored", "imported",
           "renamed", "removed", "undone", "redone")  # renamed, removed: lists only
ORIGIN_WORDS = {"window": "in the window", "quick_ask": "by the assistant (quick ask)",
                "agent": "by the assistant", "cli": "from the command line",
                "import": "by an import", "mcp": "by an MCP client", "sync": "by sync",
                "routine": "by a routine"}


def list_subject(list_id: int) -> int:
    """The `task_id` a list's history rows carry."""
    return -list_id


def is_list(subject: int) -> bool:
    return subject < 0


class Origin(namedtuple("Origin", ("kind", "conversation_id"), defaults=(None,))):
    """Where a change came from; the agent's (and quick ask's) carry their conversation, an MCP
    client's its `mcp serve` session (the column is shared: both scope "undo" to the caller)."""

    __slots__ = ()

    def __new__(cls, kind: str, conversation_id: str | None = None) -> "Origin":
        if kind not in ORIGIN_KINDS:
            raise ValueError(f"unknown origin {kind!r}")
        return super().__new__(cls, kind, conversation_id)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "conversation_id": self.conversation_id}

    @property
    def words(self) -> str:
        return ORIGIN_WORDS[self.kind]

    @property
    def scope_name(self) -> str:
        """What its conversation_id names, for people: "conversation", or "MCP session"."""
        return "MCP session" if self.kind == "mcp" else "conversation"


class Step:
    """Changes that are undone together. Its row is written with its first change, so a step
    that changed nothing leaves no trace; `change_ids` are the history rows it wrote so far."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.id: int | None = None
        self.change_ids: list[int] = []


class Change(namedtuple("Change", ("id", "step", "at", "task_id", "action", "before", "after",
                                   "origin", "reverts", "undone_by"))):
    """One history row: `before` and `after` are snapshots (dicts) or None."""

    __slots__ = ()

    @property
    def title(self) -> str:
        """The task's title, or the list's name."""
        snapshot = self.after or self.before or {}
        return str(snapshot.get("name" if is_list(self.task_id) else "title", "?"))

    @property
    def fields(self) -> list[str]:
        """The fields that differ, `updated_at` left out (it changes with every write)."""
        if self.before is None or self.after is None:
            return []  # the whole task appeared or went
        before, after = self.before, self.after
        return [name for name in dict.fromkeys([*before, *after])
                if name != "updated_at" and before.get(name) != after.get(name)]

    def to_dict(self) -> dict[str, Any]:
        a_list = is_list(self.task_id)  # JSON says which list, not the negated id
        return {"id": self.id, "step": self.step, "at": self.at,
                "task_id": None if a_list else self.task_id,
                "list_id": -self.task_id if a_list else None, "action": self.action,
                "fields": self.fields, "before": self.before,
                "after": self.after, "origin": self.origin.to_dict(), "reverts": self.reverts,
                "undone": self.undone_by is not None}


_CHANGE_COLUMNS = ("history.id, step, history_steps.at, task_id, action, before, after, origin, "
                   "conversation_id, reverts, undone_by")
_FROM = "history JOIN history_steps ON history_steps.id = history.step"


def _change(row: tuple[Any, ...]) -> Change:
    return Change(row[0], row[1], row[2], row[3], row[4],
                  json.loads(row[5]) if row[5] is not None else None,
                  json.loads(row[6]) if row[6] is not None else None,
                  Origin(row[7], row[8]), row[9], row[10])


def _dump(snapshot: dict[str, Any] | None) -> str | None:
    return None if snapshot is None else json.dumps(snapshot, ensure_ascii=False,
                                                   separators=(",", ":"))


class Recorder:
    """Writes the history rows of one transaction; the step learns its ids only on commit."""

    def __init__(self, conn: sqlite3.Connection, step: Step, at: str) -> None:
        self._conn = conn
        self._step = step
        self._at = at
        self._step_id = step.id
        self._ids: list[int] = []

    def record(self, task_id: int, action: str, before: dict[str, Any] | None,
               after: dict[str, Any] | None, reverts: int | None = None) -> int:
        if self._step_id is None:
            origin = self._step.origin
            self._step_id = self._conn.execute(
                "INSERT INTO history_steps (at, origin, conversation_id) VALUES (?, ?, ?)",
                (self._at, origin.kind, origin.conversation_id)).lastrowid
        change_id = self._conn.execute(
            "INSERT INTO history (step, task_id, action, before, after, reverts) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (self._step_id, task_id, action, _dump(before), _dump(after), reverts)).lastrowid
        assert change_id is not None  # an INSERT always has one
        self._ids.append(change_id)
        return change_id

    @property
    def step_id(self) -> int | None:
        return self._step_id

    def committed(self) -> None:
        self._step.id = self._step_id
        self._step.change_ids += self._ids


class HistoryLog:
    """Reading the history, and the bookkeeping undo and redo need."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def changes(self, task_id: int | None = None, *, limit: int | None = None) -> list[Change]:
        """Newest first; all of them, or one task's."""
        sql = f"SELECT {_CHANGE_COLUMNS} FROM {_FROM}"
        params: list[object] = []
        if task_id is not None:
            sql += " WHERE task_id = ?"
            params.append(task_id)
        sql += " ORDER BY history.id DESC"
        if limit is not None:
            sql += f" LIMIT {max(0, int(limit))}"
        return [_change(row) for row in self._conn.execute(sql, params)]

    def change(self, change_id: int) -> Change:
        row = self._conn.execute(f"SELECT {_CHANGE_COLUMNS} FROM {_FROM} WHERE history.id = ?",
                                 (change_id,)).fetchone()
        if row is None:
            raise UserError(f"There is no change {change_id} in the history.")
        return _change(row)

    def live_changes_of_step(self, step_id: int) -> list[Change]:
        """The step's changes that no undo or redo has reverted, oldest first."""
        return [_change(row) for row in self._conn.execute(
            f"SELECT {_CHANGE_COLUMNS} FROM {_FROM} WHERE step = ? AND undone_by IS NULL "
            "ORDER BY history.id", (step_id,))]

    def standing_changes_of_step(self, step_id: int) -> list[Change] | None:
        """What of the step is in place now, oldest first, or None if there is no such step.

        Each of its changes followed through the undos and redos since, to the row whose effect
        stands for it: itself, or the redo that put it back after an undo. A change whose chain
        ends reverted (an odd number of hops: undone, or redone then undone again) is left out;
        a row that stands for several of them (an undo reverts all of a task's changes in a step
        with one row) comes once."""
        changes = [_change(row) for row in self._conn.execute(
            f"SELECT {_CHANGE_COLUMNS} FROM {_FROM} WHERE step = ? ORDER BY history.id",
            (step_id,))]
        if not changes:
            return None
        standing: dict[int, Change] = {}
        for change in changes:
            end, hops = change, 0
            while end.undone_by is not None:
                end, hops = self.change(end.undone_by), hops + 1
            if hops % 2 == 0:
                standing.setdefault(end.id, end)
        return sorted(standing.values(), key=lambda change: change.id)

    def newest_step(self, *, undo: bool, conversation_id: str | None = None,
                    origin: str | tuple[str, ...] | None = None,
                    skip_step: int | None = None) -> int | None:
        """The step undo would take (the newest with a change not yet undone), or redo's (the
        newest undo not yet redone); optionally only one conversation's, or one origin's (or
        one of several origins')."""
        sql = ("SELECT step FROM history INDEXED BY history_live JOIN history_steps ON "
               "history_steps.id = history.step WHERE undone_by IS NULL AND "
               + ("action != 'undone'" if undo else "action = 'undone'"))
        params: list[object] = []
        if conversation_id is not None:
            sql += " AND conversation_id = ?"
            params.append(conversation_id)
        if origin is not None:
            kinds = (origin,) if isinstance(origin, str) else origin
            sql += f" AND origin IN ({', '.join('?' * len(kinds))})"
            params.extend(kinds)
        if skip_step is not None:
            sql += " AND step != ?"
            params.append(skip_step)
        row = self._conn.execute(sql + " ORDER BY history.id DESC LIMIT 1", params).fetchone()
        return row[0] if row else None

    def latest_change_after(self, task_id: int, change_id: int) -> Change | None:
        row = self._conn.execute(
            f"SELECT {_CHANGE_COLUMNS} FROM {_FROM} WHERE task_id = ? AND history.id > ? "
            "ORDER BY history.id DESC LIMIT 1", (task_id, change_id)).fetchone()
        return _change(row) if row else None

    def live_end(self, change: Change) -> Change:
        """Follow undo and redo: the change whose effect is in place now for this one's."""
        while change.undone_by is not None:
            change = self.change(change.undone_by)
        return change

    def mark_undone(self, change_ids: list[int], by_change: int) -> None:
        self._conn.executemany("UPDATE history SET undone_by = ? WHERE id = ?",
                               [(by_change, change_id) for change_id in change_ids])

    def forget_tasks(self, task_ids: list[int]) -> None:
        """A task deleted for good leaves no copy of itself in the history either."""
        self._conn.executemany("DELETE FROM history WHERE task_id = ?",
                               [(task_id,) for task_id in task_ids])
        self._conn.execute("DELETE FROM history_steps WHERE NOT EXISTS "
                           "(SELECT 1 FROM history WHERE history.step = history_steps.id)")
