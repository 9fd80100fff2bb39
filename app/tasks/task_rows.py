"""The `tasks` and `lists` tables as rows: a row read by column name into a Task, a Task's
snapshot back into columns, and a task's state wherever it is (list, trash, gone).

TaskRows works on the store's connection and never opens a transaction: the store, its trash,
its import and its undo call it from inside theirs.
"""

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from app.common.errors import UserError
from app.tasks import validate
from app.tasks.model import INBOX, NEW_FIELD_DEFAULTS, PRIORITIES, Task
from app.tasks.when.dates import Due, timestamp
from app.tasks.when.natural_dates import read_due

Snapshot = dict[str, Any]  # a task's public fields as the history keeps them (Task.to_dict)
Row = dict[str, Any]       # the columns of one `tasks` row, by name

# Named, so a row is read by name (sqlite3.Row), whatever the order here.
COLUMNS = ("tasks.id AS id, tasks.title AS title, tasks.notes AS notes, tasks.due AS due, "
           "tasks.priority AS priority, tasks.status AS status, tasks.tags AS tags, "
           "tasks.created_at AS created_at, tasks.updated_at AS updated_at, "
           "tasks.completed_at AS completed_at, "
           "(SELECT name FROM lists WHERE lists.id = tasks.list_id) AS list, "
           "tasks.parent_id AS parent_id, tasks.repeat AS repeat, "
           "tasks.repeat_after_done AS repeat_after_done, tasks.remind_at AS remind_at, "
           "tasks.remind_before AS remind_before, tasks.uid AS uid, tasks.due_zone AS due_zone")
NO_DUE = float("inf")
_NEW_FIELDS = dict(zip(("list", "parent_id", "repeat", "repeat_after_done", "remind_at",
                        "remind_before", "uid", "due_zone"), NEW_FIELD_DEFAULTS, strict=True))


class TaskNotFoundError(UserError):
    pass


def task_of_row(row: sqlite3.Row) -> Task:
    return Task(id=row["id"], title=row["title"], notes=row["notes"], due=row["due"],
                priority=PRIORITIES[row["priority"]], status=row["status"],
                tags=tuple(json.loads(row["tags"])), created_at=row["created_at"],
                updated_at=row["updated_at"], completed_at=row["completed_at"],
                list=row["list"] or INBOX, parent_id=row["parent_id"], repeat=row["repeat"],
                repeat_after_done=bool(row["repeat_after_done"]), remind_at=row["remind_at"],
                remind_before=row["remind_before"], uid=row["uid"], due_zone=row["due_zone"])


def complete(snapshot: Snapshot) -> Snapshot:
    """A snapshot with the fields schemas 3 and 4 added (older history rows lack them)."""
    return {**_NEW_FIELDS, **snapshot}


def task_of(snapshot: Snapshot) -> Task:
    return Task(**{**complete(snapshot), "tags": tuple(snapshot["tags"])})


def snapshot_of(task_id: int, row: Row, list_name: str) -> Snapshot:
    """What the history keeps of a row just written: the task's public fields."""
    return {"id": task_id, "title": row["title"], "notes": row["notes"], "due": row["due"],
            "priority": PRIORITIES[row["priority"]], "status": row["status"],
            "tags": json.loads(row["tags"]), "created_at": row["created_at"],
            "updated_at": row["updated_at"], "completed_at": row["completed_at"],
            "list": list_name, "parent_id": row["parent_id"], "repeat": row["repeat"],
            "repeat_after_done": bool(row["repeat_after_done"]), "remind_at": row["remind_at"],
            "remind_before": row["remind_before"], "uid": row["uid"],
            "due_zone": row["due_zone"]}


def given_due(value: object) -> Due | None:
    """A due date given to add() or update(): None, "" and "none" mean no due date; people's
    words ("next friday", "tomorrow 5pm") are read too, ISO without loading the parser."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UserError("A due date must be text, like 2026-11-27 or 'tomorrow 5pm'.")
    return None if not value.strip() or value.strip().lower() == "none" else read_due(value)


def new_uid() -> str:
    import uuid  # only when a task is made: `tasks list` starts without it

    return f"{uuid.uuid4().hex}@task-assistant"


def due_columns(due: Due | None, zone: str | None = None) -> Row:
    """The due's columns. A due a person types is in their own zone (`zone` None); only an
    imported event's, and its next occurrences, keep a zone of their own, and only with a time."""
    return {"due": due.iso if due else None, "due_key": due.key if due else NO_DUE,
            "due_has_time": int(due.has_time) if due else 0,
            "due_zone": zone if due and due.has_time else None}


def remind_columns(at: Due | None, minutes: int | None) -> Row:
    return {"remind_at": at.iso if at else None, "remind_key": at.key if at else NO_DUE,
            "remind_before": minutes if at else None}


def new_row(*, title: object, notes: object = None, due: object = None,
            priority: object = None, tags: object = None) -> Row:
    """A new open task's columns, every given field checked."""
    stamp = timestamp()
    return {
        "title": validate.title(title), "notes": validate.notes(notes),
        **due_columns(given_due(due)),
        "priority": PRIORITIES.index(validate.priority(priority)),
        "status": "open", "tags": json.dumps(validate.tags(tags)),
        "created_at": stamp, "updated_at": stamp, "completed_at": None,
        "list_id": 1, "parent_id": None, "repeat": None, "repeat_after_done": 0,
        **remind_columns(None, None), "uid": new_uid(),
    }


class TaskRows:
    """Reads and writes of single rows on one connection (the caller holds the transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def select(self, sql: str, params: Sequence[object] = ()) -> list[Task]:
        """The tasks a query of COLUMNS returns, each row read by column name."""
        cursor = self._conn.cursor()
        cursor.row_factory = sqlite3.Row  # this cursor only: other readers share the connection
        return [task_of_row(row) for row in cursor.execute(sql, params)]

    def task(self, number: int) -> Task:
        found = self.select(f"SELECT {COLUMNS} FROM tasks WHERE id = ?", (number,))
        if not found:
            raise TaskNotFoundError(f"There is no task {number}.")
        return found[0]

    def list_id(self, name: object, *, create: bool = False) -> int:
        cleaned = validate.list_name(name)
        row = self._conn.execute("SELECT id FROM lists WHERE name = ?", (cleaned,)).fetchone()
        if row:
            return int(row[0])
        if create:
            cursor = self._conn.execute("INSERT INTO lists (name, created_at) VALUES (?, ?)",
                                        (cleaned, timestamp()))
            return int(cursor.lastrowid or 0)
        names = ", ".join(name for name, in self._conn.execute(
            "SELECT name FROM lists ORDER BY id != 1, name COLLATE NOCASE"))
        raise UserError(f"There is no list '{cleaned}' (lists: {names}); add it first with "
                        f"`task-assistant lists add \"{cleaned}\"`.")

    def list_state(self, list_id: int) -> Snapshot | None:
        """What the history keeps of a list (see history.py), or None if there is none."""
        row = self._conn.execute("SELECT name, created_at FROM lists WHERE id = ?",
                                 (list_id,)).fetchone()
        return {"name": row[0], "created_at": row[1]} if row else None

    def state(self, task_id: int) -> Snapshot | None:
        """The task's snapshot: in the list, in the trash (with `trashed_at`), or None."""
        found = self.select(f"SELECT {COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        if found:
            return found[0].to_dict()
        row = self._conn.execute("SELECT task, trashed_at FROM trash WHERE id = ?",
                                 (task_id,)).fetchone()
        return {**json.loads(row[0]), "trashed_at": row[1]} if row else None

    def put(self, task_id: int, current: Snapshot | None, desired: Snapshot | None) -> None:
        """Move the task from its current state to the desired one."""
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
            self.insert({"id": task_id, **self.stored_row(fields)})

    def stored_row(self, snapshot: Snapshot) -> Row:
        """A snapshot as the columns of `tasks` (for undo and restore); a list removed since
        is made again."""
        snapshot = complete(snapshot)
        row = new_row(title=snapshot["title"], notes=snapshot["notes"], due=snapshot["due"],
                      priority=snapshot["priority"], tags=snapshot["tags"])
        row.update(status=snapshot["status"], created_at=snapshot["created_at"],
                   updated_at=snapshot["updated_at"], completed_at=snapshot["completed_at"],
                   list_id=self.list_id(snapshot["list"] or INBOX, create=True),
                   parent_id=snapshot["parent_id"], repeat=snapshot["repeat"],
                   repeat_after_done=int(bool(snapshot["repeat_after_done"])),
                   uid=snapshot["uid"] or row["uid"],
                   due_zone=snapshot["due_zone"] if row["due_has_time"] else None)
        if snapshot["remind_at"]:
            row.update(remind_columns(Due.parse(snapshot["remind_at"]),
                                      snapshot["remind_before"]))
        return row

    def insert(self, row: Row) -> int:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self._conn.execute(f"INSERT INTO tasks ({names}) VALUES ({marks})",
                                    list(row.values()))
        return int(cursor.lastrowid or 0)
