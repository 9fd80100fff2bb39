"""What a task is, and what the store announces when tasks change.

Plain namedtuples: immutable, cheap to build by the thousand, and unlike dataclasses or
typing.NamedTuple they add no import cost to a `tasks list` that starts in ~50 ms.
"""

from collections import namedtuple
from typing import Any

PRIORITIES = ("none", "low", "medium", "high")  # position is the rank stored in SQLite
STATUSES = ("open", "done")
INBOX = "Inbox"
MAX_DEPTH = 3  # a task, its subtasks, and theirs
CHANGE_KINDS = ("lists", "added", "updated", "completed", "reopened", "deleted", "restored",
                "imported", "undone", "redone", "trash_emptied", "external")


# Written out in the call, so the type checker knows the fields.
class Task(namedtuple("Task", (
        "id", "title", "notes", "due", "priority", "status", "tags",
        "created_at", "updated_at", "completed_at",
        # schema 3 (issue 14); the defaults read history snapshots written before it
        "list", "parent_id", "repeat", "repeat_after_done", "remind_at", "remind_before", "uid",
        "due_zone"),  # schema 4
        defaults=("Inbox", None, None, False, None, None, None, None))):
    """One task. `due` is ISO 8601: a date, or a date-time with its UTC offset; `tags` a tuple;
    `priority` one of PRIORITIES; `status` one of STATUSES; timestamps are UTC ISO 8601.
    `list` the name of its list; `parent_id` the task it is a subtask of (or None); `repeat` an
    RFC 5545 RRULE (or None), counted from completion when `repeat_after_done`; `remind_at` the
    reminder's instant (ISO 8601 with offset), `remind_before` its distance before the due in
    minutes when it was given as "30m before" (it moves with the due), else None; `uid` its
    iCalendar UID. `due_zone` the IANA zone the due's wall-clock time and its repeat rule
    belong to, kept from an imported event ("every Wednesday 17:00 Europe/Berlin" stays on
    Berlin's Wednesdays seen from Auckland); None for the user's own zone."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "tags": list(self.tags)}


FIELDS: tuple[str, ...] = Task._fields
NEW_FIELD_DEFAULTS = tuple(Task._field_defaults.values())


class TaskList(namedtuple("TaskList", ("name", "open", "done"))):
    """A list, with how many open and done tasks it holds."""

    __slots__ = ()


class TaskChange(namedtuple("TaskChange", ("kind", "ids"), defaults=((),))):
    """One announcement per committed write: `kind` is one of CHANGE_KINDS, `ids` the tasks.
    `external` means another process (the CLI, another window) changed the file."""

    __slots__ = ()


class TrashedTask(namedtuple("TrashedTask", ("task", "trashed_at"))):
    """A task in the trash, and when it was deleted (UTC ISO 8601)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        return {**self.task.to_dict(), "trashed_at": self.trashed_at}


class Reverted(namedtuple("Reverted", ("summary", "task_ids", "step"))):
    """What an undo or redo did: one sentence for people, the tasks, and its own step."""

    __slots__ = ()
