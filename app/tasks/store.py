"""TaskStore: every read and write of tasks, and the one place changes are announced."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from collections.abc import Callable, Iterable

from app.common import clock
from app.common.errors import UserError
from app.common.listeners import Listeners
from app.tasks import validate
from app.common.database import OutsideWrites, guarded, open_database, transaction
from app.tasks.dates import Due, local_midnight, local_today, timestamp, today_ends
from app.tasks.filters import TaskFilter
from app.tasks.migrations import MIGRATIONS
from app.tasks.model import PRIORITIES, Task, TaskChange

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


class TaskNotFoundError(UserError):
    pass


def _task(row: tuple) -> Task:
    return Task(row[0], row[1], row[2], row[3], PRIORITIES[row[4]], row[5],
                tuple(json.loads(row[6])), row[7], row[8], row[9])


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

    # -- writes ----------------------------------------------------------------------------

    def add(self, title: str, *, notes: str | None = None, due: str | None = None,
            priority: str | None = None, tags: Iterable[str] | None = None) -> Task:
        row = self._row(title=title, notes=notes, due=due, priority=priority,
                        tags=list(tags) if tags is not None else None)
        with transaction(self._conn):
            task_id = self._insert(row)
        self._announce("added", [task_id])
        return self.get(task_id)

    def update(self, task_id: int | str, *, title=_UNCHANGED, notes=_UNCHANGED, due=_UNCHANGED,
               priority=_UNCHANGED, tags=_UNCHANGED) -> Task:
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
        with transaction(self._conn):
            self._conn.execute(f"UPDATE tasks SET {assignments} WHERE id = ?",
                               [*changes.values(), current.id])
        self._announce("updated", [current.id])
        return self.get(current.id)

    def complete(self, task_id: int | str) -> Task:
        return self._set_status(task_id, "done")

    def reopen(self, task_id: int | str) -> Task:
        return self._set_status(task_id, "open")

    def _set_status(self, task_id: int | str, status: str) -> Task:
        current = self.get(task_id)
        if current.status == status:
            return current
        stamp = timestamp()
        with transaction(self._conn):
            self._conn.execute(
                "UPDATE tasks SET status = ?, completed_at = ?, updated_at = ? WHERE id = ?",
                (status, stamp if status == "done" else None, stamp, current.id))
        self._announce("completed" if status == "done" else "reopened", [current.id])
        return self.get(current.id)

    def delete(self, task_id: int | str) -> Task:
        current = self.get(task_id)
        with transaction(self._conn):
            self._conn.execute("DELETE FROM tasks WHERE id = ?", (current.id,))
        self._announce("deleted", [current.id])
        return current

    def import_tasks(self, records: list[dict]) -> list[int]:
        """Add every record (export's shape) as a new task, or none at all if one is bad."""
        rows = []
        for number, record in enumerate(records, start=1):
            try:
                rows.append(self._imported_row(record))
            except UserError as error:
                raise UserError(f"Task {number} in the file: {error}") from None
        with transaction(self._conn):
            ids = [self._insert(row) for row in rows]
            if len(ids) >= 1_000:
                # A bulk insert leaves the search index in many small segments; merging them
                # now (~0.1 s per 100k tasks) keeps every later search fast from a cold start.
                self._conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('optimize')")
        self._announce("imported", ids)
        return ids

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
