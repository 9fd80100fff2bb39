"""TaskStore: every read and write of tasks, and the one place changes are announced."""

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator

from app.common import clock
from app.common.errors import UserError
from app.common.listeners import Listeners
from app.tasks import validate
from app.common.database import (OutsideWrites, file_identity, guarded, open_database,
                                 transaction)
from app.tasks.when.dates import (Due, local_instant, local_midnight, local_today, timestamp,
                             today_ends, wall_clock)
from app.tasks.filters import TaskFilter
from app.tasks.tree import flattened_parents
from app.tasks.migrations import MIGRATIONS
from app.tasks import undo
from app.tasks.backups import write_lock
from app.tasks.history import (ORIGIN_WORDS, Change, HistoryLog, Origin, Recorder, Step, is_list,
                               list_subject)
from app.tasks.model import (INBOX, MAX_DEPTH, NEW_FIELD_DEFAULTS, PRIORITIES, Reverted, Task,
                              TaskChange, TaskList, TrashedTask)
from app.tasks.when import repeat as repeats
from app.tasks.when.natural_dates import read_due
from app.tasks.when.reminder_time import before as reminder_before, read_remind

Listener = Callable[[TaskChange], None]
_UNCHANGED = object()  # "leave this field as it is" in update()

_COLUMNS = ("tasks.id, tasks.title, tasks.notes, tasks.due, tasks.priority, tasks.status, "
            "tasks.tags, tasks.created_at, tasks.updated_at, tasks.completed_at, "
            "(SELECT name FROM lists WHERE lists.id = tasks.list_id), tasks.parent_id, "
            "tasks.repeat, tasks.repeat_after_done, tasks.remind_at, tasks.remind_before, "
            "tasks.uid, tasks.due_zone")
_NEW_FIELDS = dict(zip(("list", "parent_id", "repeat", "repeat_after_done", "remind_at",
                        "remind_before", "uid", "due_zone"), NEW_FIELD_DEFAULTS))
# Every task below :root at any depth. UNION, not UNION ALL: on a damaged file with a loop of
# parents the walk still ends (each task is visited once), and the root is never its own child.
_DESCENDANTS = ("WITH RECURSIVE sub(id) AS (SELECT id FROM tasks WHERE parent_id = :root "
                "UNION SELECT tasks.id FROM tasks JOIN sub ON tasks.parent_id = sub.id) "
                "SELECT id FROM sub WHERE id != :root")
# How many levels are below a task, counted no further than one past the most there may be.
_LEVELS_BELOW = ("WITH RECURSIVE sub(id, depth) AS (SELECT id, 1 FROM tasks WHERE parent_id = ? "
                 "UNION SELECT tasks.id, sub.depth + 1 FROM tasks JOIN sub "
                 f"ON tasks.parent_id = sub.id WHERE sub.depth <= {MAX_DEPTH}) "
                 "SELECT max(depth) FROM sub")
_LIST_COUNTS = ("SELECT lists.name, count(CASE WHEN tasks.status = 'open' THEN 1 END), "
                "count(CASE WHEN tasks.status = 'done' THEN 1 END) FROM lists "
                "LEFT JOIN tasks ON tasks.list_id = lists.id")
_ORDER = "ORDER BY due_key, priority DESC, id"  # matches the indexes: no sort step
# Due.is_overdue in SQL: a day once it is over (its key is before today's midnight), a time
# as soon as it has passed (its key is before now). Parameters: now, today's midnight.
_OVERDUE = "(due_key < ? AND (due_has_time OR due_key < ?))"
NO_DUE = float("inf")
RANKED_AT_MOST = 2_000
TRASH_DAYS = 30


class TaskNotFoundError(UserError):
    pass


class TreeError(UserError):
    """A write that would put a task under itself or its own subtask, or too deep."""


# What the tree's triggers (migrations.TREE_TRIGGERS) say, as sentences.
_TREE_SENTENCES = {
    "task tree: cycle": "A task cannot be a subtask of itself or of its own subtasks; nothing "
                        "was changed.",
    "task tree: too deep": f"Subtasks go at most {MAX_DEPTH} levels deep; nothing was changed.",
}


def _task(row: tuple) -> Task:
    return Task(row[0], row[1], row[2], row[3], PRIORITIES[row[4]], row[5],
                tuple(json.loads(row[6])), row[7], row[8], row[9], row[10] or INBOX, row[11],
                row[12], bool(row[13]), row[14], row[15], row[16], row[17])


def _complete(snapshot: dict) -> dict:
    """A snapshot with the fields schemas 3 and 4 added (older history rows lack them)."""
    return {**_NEW_FIELDS, **snapshot}


def _task_of(snapshot: dict) -> Task:
    return Task(**{**_complete(snapshot), "tags": tuple(snapshot["tags"])})


def _snapshot(task_id: int, row: dict, list_name: str) -> dict:
    """What the history keeps of a row just written: the task's public fields."""
    return {"id": task_id, "title": row["title"], "notes": row["notes"], "due": row["due"],
            "priority": PRIORITIES[row["priority"]], "status": row["status"],
            "tags": json.loads(row["tags"]), "created_at": row["created_at"],
            "updated_at": row["updated_at"], "completed_at": row["completed_at"],
            "list": list_name, "parent_id": row["parent_id"], "repeat": row["repeat"],
            "repeat_after_done": bool(row["repeat_after_done"]), "remind_at": row["remind_at"],
            "remind_before": row["remind_before"], "uid": row["uid"],
            "due_zone": row["due_zone"]}


def _due(value: str | None) -> Due | None:
    """A due date given to add() or update(): None, "" and "none" mean no due date; people's
    words ("next friday", "tomorrow 5pm") are read too, ISO without loading the parser."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UserError("A due date must be text, like 2026-11-27 or 'tomorrow 5pm'.")
    return None if not value.strip() or value.strip().lower() == "none" else read_due(value)


def _new_uid() -> str:
    import uuid

    return f"{uuid.uuid4().hex}@task-assistant"


def _due_columns(due: Due | None, zone: str | None = None) -> dict:
    """The due's columns. A due a person types is in their own zone (`zone` None); only an
    imported event's, and its next occurrences, keep a zone of their own, and only with a time."""
    return {"due": due.iso if due else None, "due_key": due.key if due else NO_DUE,
            "due_has_time": int(due.has_time) if due else 0,
            "due_zone": zone if due and due.has_time else None}


def _remind_columns(at: Due | None, minutes: int | None) -> dict:
    return {"remind_at": at.iso if at else None, "remind_key": at.key if at else NO_DUE,
            "remind_before": minutes if at else None}


def _nothing_to(verb: str, by: Origin | Step, conversation_id: str | None,
               origin: str | tuple[str, ...] | None) -> str:
    """Why undo or redo found nothing, in one sentence naming where it looked."""
    if conversation_id:
        caller = by.origin if isinstance(by, Step) else by
        if caller.kind == "mcp":
            return (f"There is nothing to {verb} from this MCP session; changes made by other "
                    f"MCP clients or in the app are not this session's to {verb}.")
        return f"There is nothing to {verb} in this {caller.scope_name}."
    if origin:
        what = "changed" if verb == "undo" else "undone"
        kinds = (origin,) if isinstance(origin, str) else origin
        return f"There is nothing to {verb} that was {what} " \
               f"{' or '.join(dict.fromkeys(ORIGIN_WORDS[kind] for kind in kinds))}."
    return f"There is nothing to {verb}."


@guarded  # damaged, full, read-only and busy files: one sentence each
class TaskStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._open()
        self._replaced_since_poll = False
        self._listeners = Listeners("task store")
        self._trash_checked = False  # expired trash is emptied with the first write
        self.last_skipped = 0  # duplicates the last import_tasks(skip_duplicates=True) left out
        self.last_flattened = 0  # subtask links the last import moved up (too deep, or a loop)

    # -- lifecycle and announcements -------------------------------------------------------

    def _open(self) -> None:
        self._conn = open_database(self.path, MIGRATIONS)
        self._file = file_identity(self.path)
        self._outside_writes = OutsideWrites(self._conn)
        self._history = HistoryLog(self._conn)

    def _follow_replaced_file(self) -> None:
        """`backups restore` puts a new file at the path while a window, `ask` or `mcp serve`
        has the old one open. Called before every public method (see `guarded`), so no read
        comes from, and no write goes to, the file moved aside; never inside a transaction."""
        now = file_identity(self.path)
        if now is None or now == self._file or self._conn.in_transaction:
            return
        replaced = self._conn
        self._open()  # if the new file cannot be opened, this raises and the old one stays
        replaced.close()
        self._replaced_since_poll = True

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
        """Announce `external` if another connection (the CLI, another window) wrote the file,
        or a backup was restored in its place."""
        replaced, self._replaced_since_poll = self._replaced_since_poll, False
        if not self._outside_writes.happened() and not replaced:
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
            params.append(read_due(filters.due_before).key)  # a day: before it starts
        if filters.due_after:
            bound = read_due(filters.due_after)
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
        if filters.list:
            where.append("list_id = ?")
            params.append(self._list_id(filters.list))
        return where, params

    @staticmethod
    def _overdue_params(now: datetime | None) -> list[float]:
        return [(now or clock.now()).timestamp(), local_midnight(local_today(now))]

    def count_due_today(self, *, now: datetime | None = None) -> int:
        """How many open tasks the Today list holds: the number the tray shows."""
        return self.count_matching(TaskFilter(due_today=True), now=now)

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
        status_filter, params = "", [match]
        if status != "all":
            status_filter = " AND tasks.status = ?"
            params.append(validate.status(status))
        rows = max(0, int(limit)) if limit is not None else -1  # SQLite: LIMIT -1 is no limit
        # The newest matches first, one more than is ever ranked: a query that fills them is
        # broad, and its first rows are already the answer. One pass over the matches (a
        # prefix query gathers all of them in memory, 82k for the commonest word), not two.
        newest = self._conn.execute(
            "SELECT tasks_fts.rowid FROM tasks_fts JOIN tasks ON tasks.id = tasks_fts.rowid "
            f"WHERE tasks_fts MATCH ?{status_filter} ORDER BY tasks_fts.rowid DESC LIMIT ?",
            (*params, RANKED_AT_MOST + 1)).fetchall()
        broad = len(newest) > RANKED_AT_MOST
        if broad and 0 <= rows <= len(newest):
            return self._tasks_by_id([task_id for task_id, in newest[:rows]])
        sql = (f"SELECT {_COLUMNS} FROM tasks_fts JOIN tasks ON tasks.id = tasks_fts.rowid "
               f"WHERE tasks_fts MATCH ?{status_filter}")
        sql += " ORDER BY tasks_fts.rowid DESC" if broad else " ORDER BY bm25(tasks_fts, 10.0, 1.0, 5.0)"
        sql += f" LIMIT {rows}"
        return [_task(row) for row in self._conn.execute(sql, params)]

    def _tasks_by_id(self, ids: list[int]) -> list[Task]:
        """The tasks `ids`, in that order."""
        if not ids:
            return []
        found = {row[0]: _task(row) for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM tasks WHERE id IN ({','.join('?' * len(ids))})", ids)}
        # A match trashed by another process between the two reads is left out.
        return [found[task_id] for task_id in ids if task_id in found]

    def count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM tasks").fetchone()[0]

    def count_matching(self, filters: TaskFilter, *, now: datetime | None = None) -> int:
        """How many tasks list_tasks(filters) would return (the window's sidebar counts)."""
        where, params = self._where(filters, now)
        sql = "SELECT count(*) FROM tasks"
        if filters.tag:
            sql += " JOIN task_tags ON task_tags.task_id = tasks.id AND task_tags.tag = ?"
            params.insert(0, filters.tag.strip().lstrip("#"))
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._conn.execute(sql, params).fetchone()[0]

    # -- lists -----------------------------------------------------------------------------

    def lists(self) -> list[TaskList]:
        """Every list with its open and done counts: Inbox first, then by name."""
        rows = self._conn.execute(
            f"{_LIST_COUNTS} GROUP BY lists.id "
            "ORDER BY lists.id != 1, lists.name COLLATE NOCASE").fetchall()
        return [TaskList(*row) for row in rows]

    def list_info(self, name: str) -> TaskList:
        """One list, named as it is stored, with its counts; a sentence if there is none."""
        row = self._conn.execute(f"{_LIST_COUNTS} WHERE lists.id = ? GROUP BY lists.id",
                                 (self._list_id(name),)).fetchone()
        return TaskList(*row)

    def list_names(self) -> dict[int, str]:
        """Every list's name by its id: an id stays with its list through renames (sync follows
        a renamed list by it), and a removed list's id is never given to another."""
        return dict(self._conn.execute("SELECT id, name FROM lists").fetchall())

    def _list_id(self, name: object, *, create: bool = False) -> int:
        cleaned = validate.list_name(name)
        row = self._conn.execute("SELECT id FROM lists WHERE name = ?", (cleaned,)).fetchone()
        if row:
            return row[0]
        if create:
            return self._conn.execute("INSERT INTO lists (name, created_at) VALUES (?, ?)",
                                      (cleaned, timestamp())).lastrowid
        names = ", ".join(item.name for item in self.lists())
        raise UserError(f"There is no list '{cleaned}' (lists: {names}); add it first with "
                        f"`task-assistant lists add \"{cleaned}\"`.")

    def _list_state(self, list_id: int) -> dict | None:
        """What the history keeps of a list (see history.py), or None if there is none."""
        row = self._conn.execute("SELECT name, created_at FROM lists WHERE id = ?",
                                 (list_id,)).fetchone()
        return {"name": row[0], "created_at": row[1]} if row else None

    def add_list(self, name: str, *, by: Origin | Step) -> TaskList:
        cleaned = validate.list_name(name)
        with self._writing(by) as history:
            taken = self._conn.execute("SELECT name FROM lists WHERE name = ?",
                                       (cleaned,)).fetchone()
            if taken:  # named as it is ("inbox" is Inbox: names are unique whatever the case)
                raise UserError(f"There is already a list '{taken[0]}'.")
            list_id = self._list_id(cleaned, create=True)
            history.record(list_subject(list_id), "added", None, self._list_state(list_id))
        self._announce("lists", ())
        return TaskList(cleaned, 0, 0)

    def rename_list(self, old: str, new: str, *, by: Origin | Step) -> str:
        """Returns the new name as stored."""
        list_id = self._list_id(old)
        cleaned = validate.list_name(new)
        if list_id == 1:
            raise UserError("Inbox is where tasks go by default; it cannot be renamed.")
        with self._writing(by) as history:
            other = self._conn.execute("SELECT id, name FROM lists WHERE name = ?",
                                       (cleaned,)).fetchone()
            if other and other[0] != list_id:
                raise UserError(f"There is already a list '{other[1]}'.")
            before = self._list_state(list_id)
            if before["name"] == cleaned:
                return cleaned  # the same name: nothing to record
            self._conn.execute("UPDATE lists SET name = ? WHERE id = ?", (cleaned, list_id))
            history.record(list_subject(list_id), "renamed", before, self._list_state(list_id))
        self._announce("lists", ())
        return cleaned

    def remove_list(self, name: str, *, by: Origin | Step, move_to: str | None = None) -> int:
        """Remove a list; its tasks (open, done) move to `move_to`, which a list with tasks
        needs. Returns how many moved."""
        list_id = self._list_id(name)
        if list_id == 1:
            raise UserError("Inbox is where tasks go by default; it cannot be removed.")
        ids = [row[0] for row in self._conn.execute("SELECT id FROM tasks WHERE list_id = ?",
                                                    (list_id,))]
        if ids and move_to is None:
            raise UserError(f"List '{validate.list_name(name)}' has {len(ids)} task"
                            f"{'s' if len(ids) != 1 else ''}: say where they go with "
                            "--move-to LIST (Inbox, say).")
        target = self._list_id(move_to) if move_to is not None else None
        if target == list_id:
            raise UserError("Move the tasks to another list than the one being removed.")
        with self._writing(by) as history:
            for task_id in ids:
                before = self.get(task_id).to_dict()
                self._conn.execute("UPDATE tasks SET list_id = ?, updated_at = ? WHERE id = ?",
                                   (target, timestamp(), task_id))
                history.record(task_id, "edited", before, self.get(task_id).to_dict())
            before = self._list_state(list_id)
            self._conn.execute("DELETE FROM lists WHERE id = ?", (list_id,))
            # After the moves: undo brings the list back before its tasks return to it.
            history.record(list_subject(list_id), "removed", before, None)
        self._announce("lists", ids)
        return len(ids)

    # -- writes: each records its history in its own transaction ---------------------------

    def add(self, title: str, *, by: Origin | Step, notes: str | None = None,
            due: str | None = None, priority: str | None = None,
            tags: Iterable[str] | None = None, list: str | None = None,
            parent_id: int | str | None = None, repeat: str | None = None,
            remind: str | None = None) -> Task:
        """`due` and `remind` take people's words too; `repeat` an RRULE or a phrase."""
        row = self._row(title=title, notes=notes, due=due, priority=priority,
                        tags=[*tags] if tags is not None else None)
        row.update(self._placement(row, list, parent_id))
        self._plan_repeat(row, repeat, remind)
        with self._writing(by) as history:
            task_id = self._insert(row)
            history.record(task_id, "added", None, self.get(task_id).to_dict())
        self._announce("added", [task_id])
        return self.get(task_id)

    def update(self, task_id: int | str, *, by: Origin | Step, title=_UNCHANGED,
               notes=_UNCHANGED, due=_UNCHANGED, priority=_UNCHANGED, tags=_UNCHANGED,
               list=_UNCHANGED, parent_id=_UNCHANGED, repeat=_UNCHANGED,
               remind=_UNCHANGED) -> Task:
        """Change the given fields; `due=None` (or "none") clears the due date, `repeat="none"`
        the repeat rule, `remind="none"` the reminder, `parent_id=None` makes it a task of its
        own. A reminder given as "30m before" moves with the due."""
        current = self.get(task_id)
        changes: dict[str, object] = {}
        if title is not _UNCHANGED:
            changes["title"] = validate.title(title)
        if notes is not _UNCHANGED:
            changes["notes"] = validate.notes(notes)
        if priority is not _UNCHANGED:
            changes["priority"] = PRIORITIES.index(validate.priority(priority))
        if tags is not _UNCHANGED:
            changes["tags"] = json.dumps(validate.tags([*tags] if tags is not None else None))
        if due is not _UNCHANGED:
            changes.update(_due_columns(_due(due)))
        moved_subtree = False
        if list is not _UNCHANGED or parent_id is not _UNCHANGED:
            placed = self._placement(
                {}, current.list if list is _UNCHANGED else list,
                current.parent_id if parent_id is _UNCHANGED else parent_id, moving=current.id,
                explicit_list=list is not _UNCHANGED)
            changes.update(placed)
            moved_subtree = placed["list_id"] != self._list_id(current.list)
        state = {"due": changes.get("due", current.due),
                 "repeat": current.repeat, "repeat_after_done": current.repeat_after_done,
                 "remind_at": current.remind_at, "remind_before": current.remind_before}
        self._plan_repeat(state, repeat if repeat is not _UNCHANGED else None,
                          remind if remind is not _UNCHANGED else None,
                          keep_repeat=repeat is _UNCHANGED, due_changed="due" in changes,
                          keep_remind=remind is _UNCHANGED)
        for name in ("due", "due_key", "due_has_time", "due_zone", "repeat",
                     "repeat_after_done", "remind_at", "remind_key", "remind_before"):
            if name in state and (name != "due" or "due" in changes or repeat is not _UNCHANGED):
                changes[name] = state[name]
        if not changes:
            return current
        changes["updated_at"] = timestamp()
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self._writing(by) as history:
            self._conn.execute(f"UPDATE tasks SET {assignments} WHERE id = ?",
                               [*changes.values(), current.id])
            after = self.get(current.id)
            if after.to_dict() != current.to_dict():
                history.record(current.id, "edited", current.to_dict(), after.to_dict())
            if moved_subtree:  # a subtask lives in its parent's list
                for child in self._descendants(current.id):
                    self._edit_in_step(history, child, list_id=changes["list_id"])
        self._announce("updated", [current.id])
        return after

    def _edit_in_step(self, history: Recorder, task_id: int, **columns) -> None:
        before = self.get(task_id).to_dict()
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._conn.execute(f"UPDATE tasks SET {assignments}, updated_at = ? WHERE id = ?",
                           [*columns.values(), timestamp(), task_id])
        history.record(task_id, "edited", before, self.get(task_id).to_dict())

    def _placement(self, row: dict, list_name, parent_id, *, moving: int | None = None,
                   explicit_list: bool = True) -> dict:
        """list_id and parent_id for a task: a subtask is in its parent's list; at most
        MAX_DEPTH levels; never under itself or its own subtasks."""
        parent = None
        if parent_id not in (None, "", 0, "0", "none"):
            parent = self.get(parent_id)
            if moving is not None:
                below = set(self._descendants(moving))
                if parent.id == moving or parent.id in below:
                    raise UserError(f"Task {moving} cannot be a subtask of itself or of its "
                                    "own subtasks.")
            # The deepest level it and its subtasks would reach under that parent.
            depth = self._depth(parent.id) + (self._height(moving) if moving else 1)
            if depth > MAX_DEPTH:
                raise UserError(f"Subtasks go at most {MAX_DEPTH} levels deep; task "
                                f"{parent.id} is already at level {self._depth(parent.id)}.")
            # Compared by id: "--list inbox" names Inbox. An edit says so too (not a no-op).
            if explicit_list and list_name is not None \
                    and self._list_id(list_name) != self._list_id(parent.list):
                hint = ("leave out --list or move the parent" if moving is None else
                        "move the parent instead, or make it a task of its own (--parent none)")
                raise UserError(f"A subtask is in its parent's list ('{parent.list}'); {hint}.")
        list_id = self._list_id(parent.list if parent else (list_name or INBOX))
        return {"list_id": list_id, "parent_id": parent.id if parent else None}

    def _depth(self, task_id: int) -> int:
        """1 for a top-level task, 2 for its subtask, …"""
        depth, current = 1, self.get(task_id).parent_id
        while current is not None and depth <= MAX_DEPTH + 1:
            depth += 1
            row = self._conn.execute("SELECT parent_id FROM tasks WHERE id = ?",
                                     (current,)).fetchone()
            current = row[0] if row else None
        return depth

    def _height(self, task_id: int) -> int:
        """1 for a task without subtasks, 2 with subtasks, 3 with sub-subtasks."""
        below = self._conn.execute(_LEVELS_BELOW, (task_id,)).fetchone()[0]
        return 1 + (below or 0)

    def _descendants(self, task_id: int) -> list[int]:
        return [child for child, in self._conn.execute(_DESCENDANTS, {"root": task_id})]

    def _plan_repeat(self, row: dict, repeat: str | None, remind: str | None, *,
                     keep_repeat: bool = False, due_changed: bool = True,
                     keep_remind: bool = False) -> None:
        """Fill the repeat and reminder columns of `row` (which has `due`)."""
        due = Due.stored(row.get("due"))
        if not keep_repeat:
            if isinstance(repeat, repeats.Repeat):  # already read (quick add)
                parsed, at = repeats.Repeat(repeats.check_rule(repeat.rule),
                                            repeat.after_done), None
            else:
                parsed, at = repeats.read_repeat(repeat) if repeat is not None else (None, None)
            if parsed is not None:
                if due is None:
                    due = repeats.first_due(parsed, at)
                elif at is not None and not due.has_time:
                    due = Due.parse(datetime.combine(due.day, at).astimezone().isoformat())
                parsed = repeats.pin(parsed, due)
                repeats.check_continues(parsed, due)
                row.update(_due_columns(due))
            row["repeat"] = parsed.rule if parsed else None
            row["repeat_after_done"] = int(bool(parsed and parsed.after_done))
        elif row.get("repeat") and due is None:
            raise UserError("A repeating task needs a due date; clear the repeat first "
                            "(--repeat none).")
        if not keep_remind:
            if remind is None or str(remind).strip().lower() in ("", "none", "off", "no"):
                row.update(_remind_columns(None, None))
            else:
                row.update(_remind_columns(*read_remind(remind, due)))
        elif row.get("remind_before") is not None and due_changed:
            if due is None:
                row.update(_remind_columns(None, None))
            else:
                row.update(_remind_columns(reminder_before(due, row["remind_before"]),
                                           row["remind_before"]))
        elif row.get("remind_at"):
            row["remind_key"] = Due.parse(row["remind_at"]).key

    def open_subtasks(self, task_id: int | str) -> list[int]:
        """The open tasks under this one, at any depth (what completing it would refuse)."""
        number = validate.task_id(task_id)
        return [child for child in self._descendants(number)
                if self.get(child).status == "open"]

    def complete(self, task_id: int | str, *, by: Origin | Step,
                 with_subtasks: bool = False) -> Task:
        """Mark done. A task with open subtasks is refused unless `with_subtasks` (they are
        completed too). A repeating task records the done occurrence and moves to its next."""
        current = self.get(task_id)
        if current.status == "done":
            return current
        open_below = self.open_subtasks(current.id)
        if open_below and not with_subtasks:
            raise UserError(f"Task {current.id} '{current.title}' has {len(open_below)} open "
                            f"subtask{'s' if len(open_below) != 1 else ''}: complete "
                            f"{'them' if len(open_below) != 1 else 'it'} first, or complete "
                            "all together (--with-subtasks).")
        due = Due.stored(current.due)
        following = None
        if current.repeat and due is not None:
            following = repeats.next_due(repeats.Repeat(current.repeat,
                                                        current.repeat_after_done), due,
                                         zone=current.due_zone)
        if following is None:
            with self._writing(by) as history:
                for child in open_below:
                    self._status_in_step(history, child, "done")
                after = self._status_in_step(history, current.id, "done")
            self._announce("completed", [current.id, *open_below])
            return after
        with self._writing(by) as history:
            columns = {**_due_columns(following, current.due_zone), "updated_at": timestamp()}
            if current.remind_at:
                columns.update(self._moved_reminder(current, due, following))
            assignments = ", ".join(f"{name} = ?" for name in columns)
            self._conn.execute(f"UPDATE tasks SET {assignments} WHERE id = ?",
                               [*columns.values(), current.id])
            after = self.get(current.id)
            # The occurrence done, the same task moved on: one history row says both.
            history.record(current.id, "completed", current.to_dict(), after.to_dict())
            # Its subtasks start afresh for the next occurrence, like a checklist.
            for child in self._descendants(current.id):
                if self.get(child).status == "done":
                    self._status_in_step(history, child, "open")
        self._announce("completed", [current.id])
        return after

    @staticmethod
    def _moved_reminder(task: Task, old: Due, new: Due) -> dict:
        if task.remind_before is not None:
            return _remind_columns(reminder_before(new, task.remind_before), task.remind_before)
        # An absolute reminder keeps its distance from the due, in the due's wall-clock time.
        zone = task.due_zone if new.has_time else None
        shift = repeats.wall_start(new, zone) - repeats.wall_start(old, zone)
        moved = local_instant(wall_clock(datetime.fromisoformat(task.remind_at), zone) + shift,
                              zone)
        return _remind_columns(Due.parse(moved.isoformat(timespec="seconds")), None)

    def snooze(self, task_id: int | str, until: str, *, by: Origin | Step) -> Task:
        """Remind again at `until` ("10 min", "1h", "in 2 hours", "tomorrow 9am"): a reminder
        of its own. A distance counts in real time (read_due reads it with app/tasks/elapsed),
        so an hour is an hour across a DST change."""
        return self.update(task_id, by=by, remind=until)

    def reopen(self, task_id: int | str, *, by: Origin | Step) -> Task:
        current = self.get(task_id)
        if current.status == "open":
            return current
        with self._writing(by) as history:
            after = self._status_in_step(history, current.id, "open")
        self._announce("reopened", [current.id])
        return after

    def _status_in_step(self, history: Recorder, task_id: int, status: str) -> Task:
        before = self.get(task_id)
        stamp = timestamp()
        self._conn.execute(
            "UPDATE tasks SET status = ?, completed_at = ?, updated_at = ? WHERE id = ?",
            (status, stamp if status == "done" else None, stamp, task_id))
        after = self.get(task_id)
        history.record(task_id, "completed" if status == "done" else "reopened",
                       before.to_dict(), after.to_dict())
        return after

    def delete(self, task_id: int | str, *, by: Origin | Step) -> Task:
        """Move the task, and its subtasks with it, to the trash for TRASH_DAYS days."""
        current = self.get(task_id)
        stamp = timestamp()
        with self._writing(by) as history:
            below = self._descendants(current.id)
            for number in [current.id, *below]:
                before = self.get(number).to_dict()
                after = {**before, "trashed_at": stamp}
                self._put(number, before, after)
                history.record(number, "deleted", before, after)
        self._announce("deleted", [current.id, *below])
        return current

    def import_tasks(self, records: list[dict], *, by: Origin | Step,
                     skip_duplicates: bool = False) -> list[int]:
        """Add every record (export's shape) as a new task, or none at all if one is bad.
        `parent_id` refers to another record's `id` in the same file. With `skip_duplicates`,
        a record the store already has (same UID, or same title and due) is left out and
        `last_skipped` says how many; otherwise it is added with a UID of its own."""
        rows = []
        for number, record in enumerate(records, start=1):
            try:
                rows.append(self._imported_row(record))
            except UserError as error:
                raise UserError(f"Task {number} in the file: {error}") from None
        self.last_skipped = 0
        kept, seen_uids = [], set()
        for row in rows:
            known = self.find_duplicate(row["uid"], row["title"], row["due"])
            if known is not None and skip_duplicates:
                self.last_skipped += 1
                continue
            if known is not None or row["uid"] in seen_uids:
                row["uid"] = _new_uid()
            seen_uids.add(row["uid"])
            kept.append(row)
        rows = kept
        parents, self.last_flattened = flattened_parents(
            [(row["_file_id"], row["_file_parent"]) for row in rows])
        with self._writing(by) as history:
            ids, new_ids, lists = [], {}, {}
            for row in rows:
                file_id, file_parent = row.pop("_file_id"), row.pop("_file_parent")
                name = row.pop("_list")
                if name not in lists:
                    lists[name] = self._list_id(name, create=True)
                row["list_id"] = lists[name]
                task_id = self._insert(row)
                if file_id is not None:
                    new_ids[file_id] = task_id
                ids.append((task_id, row, name, file_parent))
            for (task_id, row, name, _), file_parent in zip(ids, parents):
                if file_parent is not None and file_parent in new_ids:
                    row["parent_id"] = new_ids[file_parent]
                    self._conn.execute("UPDATE tasks SET parent_id = ? WHERE id = ?",
                                       (row["parent_id"], task_id))
                history.record(task_id, "imported", None, _snapshot(task_id, row, name))
            if len(ids) >= 1_000:
                # A bulk insert leaves the search index in many small segments; merging them
                # now (~0.1 s per 100k tasks) keeps every later search fast from a cold start.
                self._conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('optimize')")
        self._announce("imported", [task_id for task_id, *_ in ids])
        return [task_id for task_id, *_ in ids]

    def find_duplicate(self, uid: str | None, title: str, due: str | None) -> int | None:
        """The task an imported one repeats: the same UID, or the same title and due."""
        if uid:
            row = self._conn.execute("SELECT id FROM tasks WHERE uid = ?", (uid,)).fetchone()
            if row:
                return row[0]
        row = self._conn.execute("SELECT id FROM tasks WHERE title = ? AND due IS ?",
                                 (title, due)).fetchone()
        return row[0] if row else None

    def reminders_between(self, start: datetime | None, end: datetime) -> list[Task]:
        """Open tasks with a reminder of their own at or after `start` and before `end`."""
        sql = (f"SELECT {_COLUMNS} FROM tasks WHERE remind_at IS NOT NULL AND remind_key < ? "
               "AND status = 'open'")
        params: list = [end.timestamp()]
        if start is not None:
            sql += " AND remind_key >= ?"
            params.append(start.timestamp())
        return [_task(row) for row in self._conn.execute(sql + " ORDER BY remind_key", params)]

    @contextmanager
    def _writing(self, by: Origin | Step) -> Iterator[Recorder]:
        """One write transaction and its history; the step learns its ids once committed.
        Held under the write lock a restore takes too: a write waiting for a restore goes to
        the restored file, never to the one set aside (whose ids the restore already read)."""
        with write_lock(self.path):
            self._follow_replaced_file()
            try:
                with transaction(self._conn):
                    recorder = Recorder(self._conn, by if isinstance(by, Step) else Step(by),
                                        timestamp())
                    if not self._trash_checked:
                        self._empty_trash(older_than=clock.now() - timedelta(days=TRASH_DAYS))
                    yield recorder
            except sqlite3.IntegrityError as error:
                sentence = _TREE_SENTENCES.get(str(error))
                if sentence is None:
                    raise
                raise TreeError(sentence) from None
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

    def trash_count(self) -> int:
        cutoff = timestamp(clock.now() - timedelta(days=TRASH_DAYS))
        return self._conn.execute("SELECT count(*) FROM trash WHERE trashed_at >= ?",
                                  (cutoff,)).fetchone()[0]

    def restore(self, task_id: int | str, *, by: Origin | Step) -> Task:
        """Bring a task back from the trash with its id and every field as they were."""
        number = validate.task_id(task_id)
        with self._writing(by) as history:
            before = self._state(number)
            if before is None:
                raise TaskNotFoundError(f"There is no task {number} in the trash.")
            if "trashed_at" not in before:
                raise UserError(f"Task {number} is not in the trash; it is in the task list.")
            restored = [number]
            self._restore_one(history, number, before)
            # The subtasks trashed together with it come back with it.
            for child, child_before in self._trashed_children(number, before["trashed_at"]):
                self._restore_one(history, child, child_before)
                restored.append(child)
        self._announce("restored", restored)
        return self.get(number)

    def _restore_one(self, history: Recorder, number: int, before: dict) -> None:
        after = {name: value for name, value in _complete(before).items() if name != "trashed_at"}
        parent = after.get("parent_id")
        if parent is not None and not self._conn.execute(
                "SELECT 1 FROM tasks WHERE id = ?", (parent,)).fetchone():
            after["parent_id"] = None  # its parent is not in the list: it stands on its own
        self._put(number, before, after)
        history.record(number, "restored", before, after)

    def _trashed_children(self, parent: int, trashed_at: str) -> list[tuple[int, dict]]:
        found, queue, seen = [], [parent], {parent}  # seen: a loop in the trash ends too
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

    def empty_trash(self, only: Iterable[int] | None = None) -> int:
        """Delete every task in the trash for good, with its history; returns how many.
        `only`: just these ids (the ones the user was shown when asked); others stay, and an
        id no longer in the trash (restored meanwhile) is left alone."""
        with transaction(self._conn):
            count = self._empty_trash(only=only)
        self._announce("trash_emptied", ())
        return count

    def _empty_trash(self, older_than: datetime | None = None,
                     only: Iterable[int] | None = None) -> int:
        sql, params = "SELECT id FROM trash", []
        if older_than is not None:
            sql += " WHERE trashed_at < ?"
            params.append(timestamp(older_than))
        ids = [row[0] for row in self._conn.execute(sql, params)]
        if only is not None:
            chosen = set(only)
            ids = [number for number in ids if number in chosen]
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
             conversation_id: str | None = None, origin: str | tuple[str, ...] | None = None,
             skip_step: int | None = None) -> Reverted:
        """Undo the newest step not yet undone (of one conversation or MCP session, or one kind
        of origin such as "mcp", or one of several kinds, if given)."""
        step = self._history.newest_step(undo=True, conversation_id=conversation_id,
                                         origin=origin, skip_step=skip_step)
        if step is None:
            raise UserError(_nothing_to("undo", by, conversation_id, origin))
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
        return self._revert([end, *self._moved_with(end)], by, force, undoing=True)

    def _moved_with(self, change: Change) -> list[Change]:
        """A list's removal came with its tasks' moves out of it (in its step): undoing the
        one change (a tool line's Undo) takes back both, or the list would come back empty."""
        if not is_list(change.task_id) or change.before is None or change.after is not None:
            return []
        name = change.before["name"]
        return [other for other in self._history.live_changes_of_step(change.step)
                if not is_list(other.task_id) and other.before and other.after
                and other.before.get("list") == name and other.after.get("list") != name]

    def redo(self, *, by: Origin | Step, force: bool = False,
             conversation_id: str | None = None, origin: str | None = None) -> Reverted:
        """Redo the newest undo not yet redone (of those made in one conversation or MCP
        session, or by one kind of origin, if given)."""
        step = self._history.newest_step(undo=False, conversation_id=conversation_id,
                                         origin=origin)
        if step is None:
            raise UserError(_nothing_to("redo", by, conversation_id, origin))
        return self._revert(self._history.live_changes_of_step(step), by, force, undoing=False)

    def _revert(self, changes: list[Change], by: Origin | Step, force: bool,
                undoing: bool) -> Reverted:
        verb = "undo" if undoing else "redo"
        reverts = undo.in_order(undo.plan(changes))
        outcomes, list_outcomes = [], []
        try:
            with self._writing(by) as history:
                self._revert_in(history, reverts, force, undoing, outcomes, list_outcomes)
        except TreeError as error:
            reason = str(error)
            raise UserError(f"Cannot {verb}: {reason[0].lower()}{reason[1:]}") from None
        ids = [revert.task_id for revert in reverts if not is_list(revert.task_id)]
        self._announce("undone" if undoing else "redone", ids)
        return Reverted(undo.summary(undoing, changes, outcomes,
                                     list_outcomes), tuple(ids), history.step_id)

    def _revert_in(self, history: Recorder, reverts: list, force: bool, undoing: bool,
                   outcomes: list[str], list_outcomes: list[str]) -> None:
        verb = "undo" if undoing else "redo"
        for revert in reverts:
            a_list = is_list(revert.task_id)
            current = self._list_state(-revert.task_id) if a_list else \
                self._state(revert.task_id)
            if self._comparable(revert.task_id, current) != \
                    self._comparable(revert.task_id, revert.expected) and not force:
                later = self._history.latest_change_after(revert.task_id, revert.last_id)
                raise undo.UndoConflictError(undo.conflict(revert, later, verb, current))
            (list_outcomes if a_list else outcomes).append(undo.outcome(revert, current))
            if a_list:
                self._put_list(-revert.task_id, revert.desired, verb)
            else:
                self._put(revert.task_id, current, revert.desired)
            change_id = history.record(revert.task_id, "undone" if undoing else "redone",
                                       current, revert.desired, reverts=revert.last_id)
            self._history.mark_undone(revert.change_ids, change_id)
        self._refuse_orphans(reverts, verb)

    def _refuse_orphans(self, reverts: list, verb: str) -> None:
        """A task an undo or redo takes away (its creation undone, say) that has got a subtask
        since would leave that subtask under a task that is not there: refused, with the
        reason, rather than moving the subtask somewhere the user did not put it."""
        for revert in reverts:
            if is_list(revert.task_id) or (revert.desired is not None
                                           and "trashed_at" not in revert.desired):
                continue
            child = self._conn.execute("SELECT id, title FROM tasks WHERE parent_id = ? "
                                       "ORDER BY id LIMIT 1", (revert.task_id,)).fetchone()
            if child:
                raise UserError(
                    f"Cannot {verb}: task {revert.task_id} '{revert.title}' has a subtask now "
                    f"(task {child[0]} '{child[1]}'); make it a task of its own or delete it "
                    "first.")

    @staticmethod
    def _comparable(subject: int, snapshot: dict | None) -> dict | None:
        return _complete(snapshot) if snapshot and not is_list(subject) else snapshot

    def _put_list(self, list_id: int, desired: dict | None, verb: str) -> None:
        """Bring a list back (with its id, which sync follows), rename it, or remove it; a list
        still holding tasks, or a name another list has taken since, is refused."""
        current = self._list_state(list_id)
        if desired is None:
            held = self._conn.execute("SELECT count(*) FROM tasks WHERE list_id = ?",
                                      (list_id,)).fetchone()[0]
            if held:
                raise UserError(  # not a conflict --force could override: no task is dropped
                    f"Cannot {verb}: list '{current['name']}' holds {held} task"
                    f"{'s' if held != 1 else ''} now; move {'them' if held != 1 else 'it'} to "
                    "another list first.")
            self._conn.execute("DELETE FROM lists WHERE id = ?", (list_id,))
            return
        if self._conn.execute("SELECT 1 FROM lists WHERE name = ? AND id != ?",
                              (desired["name"], list_id)).fetchone():
            raise UserError(
                f"Cannot {verb}: there is another list '{desired['name']}' now; rename or "
                "remove it first.")
        if current is None:
            self._conn.execute("INSERT INTO lists (id, name, created_at) VALUES (?, ?, ?)",
                               (list_id, desired["name"], desired["created_at"]))
        else:
            self._conn.execute("UPDATE lists SET name = ? WHERE id = ?",
                               (desired["name"], list_id))

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
            self._insert({"id": task_id, **self._stored_row(fields)})

    # -- rows ------------------------------------------------------------------------------

    def _row(self, *, title, notes=None, due=None, priority=None, tags=None) -> dict:
        parsed = _due(due)
        stamp = timestamp()
        return {
            "title": validate.title(title), "notes": validate.notes(notes),
            **_due_columns(parsed),
            "priority": PRIORITIES.index(validate.priority(priority)),
            "status": "open", "tags": json.dumps(validate.tags(tags)),
            "created_at": stamp, "updated_at": stamp, "completed_at": None,
            "list_id": 1, "parent_id": None, "repeat": None, "repeat_after_done": 0,
            **_remind_columns(None, None), "uid": _new_uid(),
        }

    def _stored_row(self, snapshot: dict) -> dict:
        """A snapshot as the columns of `tasks` (for undo and restore); a list removed since
        is made again."""
        snapshot = _complete(snapshot)
        row = self._row(title=snapshot["title"], notes=snapshot["notes"], due=snapshot["due"],
                        priority=snapshot["priority"], tags=snapshot["tags"])
        row.update(status=snapshot["status"], created_at=snapshot["created_at"],
                   updated_at=snapshot["updated_at"], completed_at=snapshot["completed_at"],
                   list_id=self._list_id(snapshot["list"] or INBOX, create=True),
                   parent_id=snapshot["parent_id"], repeat=snapshot["repeat"],
                   repeat_after_done=int(bool(snapshot["repeat_after_done"])),
                   uid=snapshot["uid"] or row["uid"],
                   due_zone=snapshot["due_zone"] if row["due_has_time"] else None)
        if snapshot["remind_at"]:
            row.update(_remind_columns(Due.parse(snapshot["remind_at"]),
                                       snapshot["remind_before"]))
        return row

    _IMPORTED = {"id", "title", "notes", "due", "priority", "status", "tags", "created_at",
                 "updated_at", "completed_at", "list", "parent_id", "repeat",
                 "repeat_after_done", "remind_at", "remind_before", "uid", "due_zone"}

    def _imported_row(self, record: object) -> dict:
        if not isinstance(record, dict):
            raise UserError("each task must be a JSON object.")
        unknown = set(record) - self._IMPORTED
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
        rule = record.get("repeat")
        if rule is not None:
            if not isinstance(rule, str):
                raise UserError("'repeat' must be an RRULE or null.")
            if row["due"] is None:
                raise UserError("a repeating task needs a due date.")
            row["repeat"] = repeats.check_rule(rule)
            repeats.check_produces(row["repeat"], Due.parse(row["due"]))
            row["repeat_after_done"] = int(bool(record.get("repeat_after_done")))
        remind_at = record.get("remind_at")
        if remind_at is not None:
            if not isinstance(remind_at, str):
                raise UserError("'remind_at' must be an ISO 8601 date-time or null.")
            before = record.get("remind_before")
            if before is not None and (not isinstance(before, int) or isinstance(before, bool)):
                raise UserError("'remind_before' must be whole minutes or null.")
            row.update(_remind_columns(Due.parse(remind_at), before))
        uid = record.get("uid")
        if uid is not None:
            row["uid"] = validate.uid(uid)
        zone = record.get("due_zone")
        if zone is not None and row["due_has_time"]:
            row["due_zone"] = validate.zone_name(zone)
        for name in ("id", "parent_id"):  # another record's id: a number, or a UID from .ics
            value = record.get(name)
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, (int, str))):
                raise UserError(f"'{name}' must be a number or text.")
        row["_file_id"] = record.get("id")
        row["_file_parent"] = record.get("parent_id")
        row["_list"] = validate.list_name(record.get("list") or INBOX)
        return row

    def _insert(self, row: dict) -> int:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self._conn.execute(f"INSERT INTO tasks ({names}) VALUES ({marks})",
                                    list(row.values()))
        return cursor.lastrowid
