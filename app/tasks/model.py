"""What a task is, and what the store announces when tasks change."""

from dataclasses import dataclass
from typing import Literal

PRIORITIES = ("none", "low", "medium", "high")  # position is the rank stored in SQLite
STATUSES = ("open", "done")
FIELDS = ("id", "title", "notes", "due", "priority", "status", "tags",
          "created_at", "updated_at", "completed_at")

ChangeKind = Literal["added", "updated", "completed", "reopened", "deleted", "imported", "external"]


@dataclass(frozen=True)
class Task:
    id: int
    title: str
    notes: str
    due: str | None  # ISO 8601: a date, or a date-time with its UTC offset
    priority: str
    status: str
    tags: tuple[str, ...]
    created_at: str
    updated_at: str
    completed_at: str | None

    def to_dict(self) -> dict:
        return {name: (list(self.tags) if name == "tags" else getattr(self, name))
                for name in FIELDS}


@dataclass(frozen=True)
class TaskChange:
    """One announcement per write. `external` means another process changed the file."""

    kind: ChangeKind
    ids: tuple[int, ...] = ()
