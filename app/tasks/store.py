"""TaskStore: every read and write of tasks, and the one place changes are announced.

The trash (store_trash.py), import (store_import.py) and undo/redo (store_undo.py) are its
collaborators: each works inside a transaction this class opens, and this class announces."""

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Final

from app.common import clock
from app.common.database import (
    OutsideWrites,
    file_identity,
    guarded,
    open_database,
    transaction,
)
from app.common.errors import UserError
from app.common.listeners import Listeners
from app.tasks import undo, validate
from app.tasks.backups import write_lock
from app.tasks.filters import TaskFilter
from app.tasks.history import Change, HistoryLog, Origin, Recorder, Step, is_list, list_subject
from app.tasks.migrations import MIGRATIONS
from app.tasks.model import (
    INBOX,
    MAX_DEPTH,
    PRIORITIES,
    Reverted,
    Task,
    TaskChange,
    TaskList,
    TrashedTask,
)
from app.tasks.store_import import find_duplicate, plan_import, write_import
from app.tasks.store_trash import TRASH_DAYS, TaskTrash
from app.tasks.store_undo import Reverting, moved_with, nothing_to
from app.tasks.task_rows import (
    COLUMNS,
    NO_DUE,
    Row,
    Snapshot,
    TaskNotFoundError,
    TaskRows,
    due_columns,
    given_due,
    new_row,
    remind_columns,
)
from app.tasks.when import repeat as repeats
from app.tasks.when.dates import (
    Due,
    local_instant,
    local_midnight,
    local_today,
    timestamp,
    today_ends,
    wall_clock,
)
from app.tasks.when.natural_dates import read_due
from app.tasks.when.reminder_time import before as reminder_before
from app.tasks.when.reminder_time import read_remind

# Named here too: callers and sync import them from the store.
__all__ = ["NO_DUE", "RANKED_AT_MOST", "TRASH_DAYS", "TaskNotFoundError", "TaskStore",
           "TreeError"]

Listener = Callable[[TaskChange], None]


class _Keep(Enum):
    """"Leave this field as it is" in update(): None means "clear it" there."""

    FIELD = "unchanged"


_UNCHANGED: Final = _Keep.FIELD

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
RANKED_AT_MOST = 2_000


class TreeError(UserError):
    """A write that would put a task under itself or its own subtask, or too deep."""


# What the tree's triggers (migrations.TREE_TRIGGERS) say, as sentences.
_TREE_SENTENCES = {
    "task tree: cycle": "A task cannot be a subtask of itself or of its own subtasks; nothing "
                        "was changed.",
    "task tree: too deep": f"Subtasks go at most {MAX_DEPTH} levels deep; nothing was changed.",
}



@guarded  # damaged, full, read-only and busy files: one sentence each
class TaskStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._open()
        self._replaced_since_poll = False
        self._listeners = Listeners("task store")
        self._trash_checked = False  # expired trash is emptied with the first write
        self.last_skipped = 0  # duplicates the last import_tasks(skip_duplicates=True) left out
        self.last_flattened = 0  # subtask links the last import moved up (too deep, or a loop)

    # -- lifecycle and announcements -------------------------------------------------------

    def _open(self) -> None:
        # Under the write lock, which a restore holds while it swaps the file: an opening in
        # between failed ("disk I/O error", "read-only"). Where the lock cannot be made, the
        # identity check keeps this store off a file set aside (its ids are handed out again).
        while True:
            with write_lock(self.path, opening=True):
                before = file_identity(self.path)
                conn = open_database(self.path, MIGRATIONS)
                if file_identity(self.path) == before:
                    break
            conn.close()
        self._conn, self._file = conn, before
        self._outside_writes = OutsideWrites(self._conn)
        self._history = HistoryLog(self._conn)
        self._rows = TaskRows(self._conn)
        self._trash = TaskTrash(self._conn, self._rows, self._history)

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
        return self._rows.task(validate.task_id(task_id))

    def list_tasks(self, filters: TaskFilter | None = None, *,
                   now: datetime | None = None) -> list[Task]:
        filters = filters or TaskFilter()
        where, params = self._where(filters, now)
        sql = f"SELECT {COLUMNS} FROM tasks"
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
        return self._rows.select(sql, params)

    def _where(self, filters: TaskFilter,
               now: datetime | None) -> tuple[list[str], list[object]]:
        where: list[str] = []
        params: list[object] = []
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
        sql = (f"SELECT {COLUMNS} FROM tasks_fts JOIN tasks ON tasks.id = tasks_fts.rowid "
               f"WHERE tasks_fts MATCH ?{status_filter}")
        sql += " ORDER BY tasks_fts.rowid DESC" if broad else \
            " ORDER BY bm25(tasks_fts, 10.0, 1.0, 5.0)"
        sql += f" LIMIT {rows}"
        return self._rows.select(sql, params)

    def _tasks_by_id(self, ids: list[int]) -> list[Task]:
        """The tasks `ids`, in that order."""
        if not ids:
            return []
        found = {task.id: task for task in self._rows.select(
            f"SELECT {COLUMNS} FROM tasks WHERE id IN ({','.join('?' * len(ids))})", ids)}
        # A match trashed by another process between the two reads is left out.
        return [found[task_id] for task_id in ids if task_id in found]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM tasks").fetchone()[0])

    def count_matching(self, filters: TaskFilter, *, now: datetime | None = None) -> int:
        """How many tasks list_tasks(filters) would return (the window's sidebar counts)."""
        where, params = self._where(filters, now)
        sql = "SELECT count(*) FROM tasks"
        if filters.tag:
            sql += " JOIN task_tags ON task_tags.task_id = tasks.id AND task_tags.tag = ?"
            params.insert(0, filters.tag.strip().lstrip("#"))
        if where:
            sql += " WHERE " + " AND ".join(where)
        return int(self._conn.execute(sql, params).fetchone()[0])

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
        return self._rows.list_id(name, create=create)

    def _list_state(self, list_id: int) -> Snapshot | None:
        return self._rows.list_state(list_id)

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
            if before is not None and before["name"] == cleaned:
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
            removed = self._list_state(list_id)
            self._conn.execute("DELETE FROM lists WHERE id = ?", (list_id,))
            # After the moves: undo brings the list back before its tasks return to it.
            history.record(list_subject(list_id), "removed", removed, None)
        self._announce("lists", ids)
        return len(ids)

    # -- writes: each records its history in its own transaction ---------------------------

    def add(self, title: str, *, by: Origin | Step, notes: str | None = None,
            due: str | None = None, priority: str | None = None,
            tags: Iterable[str] | None = None, list: str | None = None,
            parent_id: int | str | None = None, repeat: str | None = None,
            remind: str | None = None) -> Task:
        """`due` and `remind` take people's words too; `repeat` an RRULE or a phrase."""
        row = new_row(title=title, notes=notes, due=due, priority=priority,
                      tags=[*tags] if tags is not None else None)
        row.update(self._placement(row, list, parent_id))
        self._plan_repeat(row, repeat, remind)
        with self._writing(by) as history:
            task_id = self._rows.insert(row)
            history.record(task_id, "added", None, self.get(task_id).to_dict())
        self._announce("added", [task_id])
        return self.get(task_id)

    def update(self, task_id: int | str, *, by: Origin | Step,
               title: object = _UNCHANGED, notes: object = _UNCHANGED,
               due: object = _UNCHANGED, priority: object = _UNCHANGED,
               tags: object = _UNCHANGED, list: object = _UNCHANGED,
               parent_id: object = _UNCHANGED,
               repeat: str | repeats.Repeat | None | _Keep = _UNCHANGED,
               remind: str | None | _Keep = _UNCHANGED) -> Task:
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
            listed = [*tags] if isinstance(tags, Iterable) else tags  # a generator, a tuple
            changes["tags"] = json.dumps(validate.tags(listed))
        if due is not _UNCHANGED:
            changes.update(due_columns(given_due(due)))
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
        self._plan_repeat(state, None if repeat is _UNCHANGED else repeat,
                          None if remind is _UNCHANGED else remind,
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

    def _edit_in_step(self, history: Recorder, task_id: int, **columns: object) -> None:
        before = self.get(task_id).to_dict()
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._conn.execute(f"UPDATE tasks SET {assignments}, updated_at = ? WHERE id = ?",
                           [*columns.values(), timestamp(), task_id])
        history.record(task_id, "edited", before, self.get(task_id).to_dict())

    def _placement(self, row: Row, list_name: object, parent_id: object, *,
                   moving: int | None = None, explicit_list: bool = True) -> Row:
        """list_id and parent_id for a task: a subtask is in its parent's list; at most
        MAX_DEPTH levels; never under itself or its own subtasks."""
        parent = None
        if parent_id not in (None, "", 0, "0", "none"):
            parent = self._rows.task(validate.task_id(parent_id))
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

    def _plan_repeat(self, row: Row, repeat: str | repeats.Repeat | None, remind: str | None, *,
                     keep_repeat: bool = False, due_changed: bool = True,
                     keep_remind: bool = False) -> None:
        """Fill the repeat and reminder columns of `row` (which has `due`)."""
        due = Due.stored(row.get("due"))
        if not keep_repeat:
            parsed: repeats.Repeat | None
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
                row.update(due_columns(due))
            row["repeat"] = parsed.rule if parsed else None
            row["repeat_after_done"] = int(bool(parsed and parsed.after_done))
        elif row.get("repeat") and due is None:
            raise UserError("A repeating task needs a due date: take its repeat off first, "
                            "then its date.")
        if not keep_remind:
            if remind is None or str(remind).strip().lower() in ("", "none", "off", "no"):
                row.update(remind_columns(None, None))
            else:
                row.update(remind_columns(*read_remind(remind, due)))
        elif row.get("remind_before") is not None and due_changed:
            if due is None:
                row.update(remind_columns(None, None))
            else:
                row.update(remind_columns(reminder_before(due, row["remind_before"]),
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
        if following is None or due is None:
            with self._writing(by) as history:
                for child in open_below:
                    self._status_in_step(history, child, "done")
                after = self._status_in_step(history, current.id, "done")
            self._announce("completed", [current.id, *open_below])
            return after
        with self._writing(by) as history:
            columns = {**due_columns(following, current.due_zone), "updated_at": timestamp()}
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
    def _moved_reminder(task: Task, old: Due, new: Due) -> Row:
        if task.remind_before is not None:
            return remind_columns(reminder_before(new, task.remind_before), task.remind_before)
        # An absolute reminder keeps its distance from the due, in the due's wall-clock time.
        zone = task.due_zone if new.has_time else None
        shift = repeats.wall_start(new, zone) - repeats.wall_start(old, zone)
        moved = local_instant(wall_clock(datetime.fromisoformat(task.remind_at), zone) + shift,
                              zone)
        return remind_columns(Due.parse(moved.isoformat(timespec="seconds")), None)

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
        with self._writing(by) as history:
            below = self._descendants(current.id)
            self._trash.put_in(history, [current.id, *below])
        self._announce("deleted", [current.id, *below])
        return current

    def import_tasks(self, records: list[object], *, by: Origin | Step,
                     skip_duplicates: bool = False) -> list[int]:
        """Add every record (export's shape) as a new task, or none at all if one is bad.
        `parent_id` refers to another record's `id` in the same file. With `skip_duplicates`,
        a record the store already has (same UID, or same title and due) is left out and
        `last_skipped` says how many; otherwise it is added with a UID of its own."""
        plan = plan_import(self._conn, records, skip_duplicates=skip_duplicates)
        self.last_skipped, self.last_flattened = plan.skipped, plan.flattened
        with self._writing(by) as history:
            ids = write_import(self._conn, self._rows, history, plan)
        self._announce("imported", ids)
        return ids

    def find_duplicate(self, uid: str | None, title: str, due: str | None) -> int | None:
        """The task an imported one repeats: the same UID, or the same title and due."""
        return find_duplicate(self._conn, uid, title, due)

    def reminders_between(self, start: datetime | None, end: datetime) -> list[Task]:
        """Open tasks with a reminder of their own at or after `start` and before `end`."""
        sql = (f"SELECT {COLUMNS} FROM tasks WHERE remind_at IS NOT NULL AND remind_key < ? "
               "AND status = 'open'")
        params: list[object] = [end.timestamp()]
        if start is not None:
            sql += " AND remind_key >= ?"
            params.append(start.timestamp())
        return self._rows.select(sql + " ORDER BY remind_key", params)

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
                        self._trash.empty_expired()
                    yield recorder
            except sqlite3.IntegrityError as error:
                sentence = _TREE_SENTENCES.get(str(error))
                if sentence is None:
                    raise
                raise TreeError(sentence) from None
        self._trash_checked = True
        recorder.committed()

    # -- trash (store_trash.py) -----------------------------------------------------------

    def trash(self) -> list[TrashedTask]:
        """The tasks in the trash, most recently deleted first (expired ones are not shown)."""
        return self._trash.tasks()

    def trash_count(self) -> int:
        return self._trash.count()

    def restore(self, task_id: int | str, *, by: Origin | Step) -> Task:
        """Bring a task back from the trash with its id and every field as they were."""
        number = validate.task_id(task_id)
        with self._writing(by) as history:
            restored = self._trash.restore(history, number)
        self._announce("restored", restored)
        return self.get(number)

    def empty_trash(self, only: Iterable[int] | None = None) -> int:
        """Delete every task in the trash for good, with its history; returns how many.
        `only`: just these ids (the ones the user was shown when asked); others stay, and an
        id no longer in the trash (restored meanwhile) is left alone."""
        with write_lock(self.path):
            self._follow_replaced_file()
            with transaction(self._conn):
                count = self._trash.empty(only=only)
        self._announce("trash_emptied", ())
        return count

    # -- history, undo and redo ------------------------------------------------------------

    def history(self, task_id: int | str | None = None, *,
                limit: int | None = None) -> list[Change]:
        """Every recorded change, newest first; or one task's (in the trash, or gone, too)."""
        number = None if task_id is None else validate.task_id(task_id)
        return self._history.changes(number, limit=limit)

    def is_undone(self, change_id: int) -> bool:
        """Whether an undo has reverted this change (and no redo brought it back)."""
        end = self._history.live_end(self._history.change(change_id))
        return bool(end.id != change_id and end.action == "undone")

    def step_of(self, change_id: int) -> int:
        return int(self._history.change(change_id).step)

    def undo(self, *, by: Origin | Step, force: bool = False,
             conversation_id: str | None = None, origin: str | tuple[str, ...] | None = None,
             skip_step: int | None = None) -> Reverted:
        """Undo the newest step not yet undone (of one conversation or MCP session, or one kind
        of origin such as "mcp", or one of several kinds, if given)."""
        step = self._history.newest_step(undo=True, conversation_id=conversation_id,
                                         origin=origin, skip_step=skip_step)
        if step is None:
            raise UserError(nothing_to("undo", by, conversation_id, origin))
        changes = self._history.live_changes_of_step(step)
        return self._revert(changes, by, force, undoing=changes[0].action != "undone")

    def undo_step(self, step_id: int, *, by: Origin | Step, force: bool = False) -> Reverted:
        """Undo one step named by its number (`tasks undo --step`, Undo all on an answer),
        however old: what of it is in place now, a change undone and redone since included
        (the redo is what is taken back). An undo's own step is undone by redoing it."""
        changes = self._history.standing_changes_of_step(step_id)
        if changes is None:
            raise UserError(f"There is no step {step_id} in the history.")
        if not changes:
            raise UserError("That was already undone.")
        return self._revert(changes, by, force, undoing=changes[0].action != "undone")

    def undo_change(self, change_id: int, *, by: Origin | Step, force: bool = False) -> Reverted:
        """Undo one change (one tool line of the agent), wherever undo and redo have left it."""
        end = self._history.live_end(self._history.change(change_id))
        if end.id != change_id and end.action == "undone":
            raise UserError("That was already undone.")
        return self._revert([end, *moved_with(self._history, end)], by, force, undoing=True)

    def redo(self, *, by: Origin | Step, force: bool = False,
             conversation_id: str | None = None, origin: str | None = None) -> Reverted:
        """Redo the newest undo not yet redone (of those made in one conversation or MCP
        session, or by one kind of origin, if given)."""
        step = self._history.newest_step(undo=False, conversation_id=conversation_id,
                                         origin=origin)
        if step is None:
            raise UserError(nothing_to("redo", by, conversation_id, origin))
        return self._revert(self._history.live_changes_of_step(step), by, force, undoing=False)

    def _revert(self, changes: list[Change], by: Origin | Step, force: bool,
                undoing: bool) -> Reverted:
        verb = "undo" if undoing else "redo"
        reverts = undo.in_order(undo.plan(changes))
        reverting = Reverting(self._conn, self._rows, self._history)
        try:
            with self._writing(by) as history:
                reverting.apply(history, reverts, force=force, undoing=undoing)
        except TreeError as error:
            reason = str(error)
            raise UserError(f"Cannot {verb}: {reason[0].lower()}{reason[1:]}") from None
        ids = [revert.task_id for revert in reverts if not is_list(revert.task_id)]
        self._announce("undone" if undoing else "redone", ids)
        return Reverted(undo.summary(undoing, changes, reverting.outcomes,
                                     reverting.list_outcomes), tuple(ids), history.step_id)
