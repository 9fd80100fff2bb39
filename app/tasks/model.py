"""What a task is, and what the store announces when tasks change.

Plain namedtuples: immutable, cheap to build by the thousand, and unlike dataclasses or
typing.NamedTuple they add no import cost to a `tasks list` that starts in ~50 ms.
"""

from collections import namedtuple

PRIORITIES = ("none", "low", "medium", "high")  # position is the rank stored in SQLite
STATUSES = ("open", "done")
FIELDS = ("id", "title", "notes", "due", "priority", "status", "tags",
          "created_at", "updated_at", "completed_at")
CHANGE_KINDS = ("added", "updated", "completed", "reopened", "deleted", "restored", "imported",
                "undone", "redone", "trash_emptied", "external")


class Task(namedtuple("Task", FIELDS)):
    """One task. `due` is ISO 8601: a date, or a date-time with its UTC offset; `tags` a tuple;
    `priority` one of PRIORITIES; `status` one of STATUSES; timestamps are UTC ISO 8601."""

    __slots__ = ()

    def to_dict(self) -> dict:
        return {**self._asdict(), "tags": list(self.tags)}


class TaskChange(namedtuple("TaskChange", ("kind", "ids"), defaults=((),))):
    """One announcement per committed write: `kind` is one of CHANGE_KINDS, `ids` the tasks.
    `external` means another process (the CLI, another window) changed the file."""

    __slots__ = ()


class TrashedTask(namedtuple("TrashedTask", ("task", "trashed_at"))):
    """A task in the trash, and when it was deleted (UTC ISO 8601)."""

    __slots__ = ()

    def to_dict(self) -> dict:
        return {**self.task.to_dict(), "trashed_at": self.trashed_at}


class Reverted(namedtuple("Reverted", ("summary", "task_ids", "step"))):
    """What an undo or redo did: one sentence for people, the tasks, and its own step."""

    __slots__ = ()
