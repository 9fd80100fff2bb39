"""The task store: one SQLite file with every task, searchable and filterable (no Qt here)."""

from app.tasks.filters import TaskFilter
from app.tasks.history import Change, Origin, Step
from app.tasks.model import (
           INBOX,
           PRIORITIES,
           STATUSES,
           Reverted,
           Task,
           TaskChange,
           TaskList,
           TrashedTask,
)
from app.tasks.store import TaskStore

__all__ = ["INBOX", "TaskList", "PRIORITIES", "STATUSES", "Change", "Origin", "Reverted", "Step",
           "Task", "TaskChange", "TaskFilter", "TaskStore", "TrashedTask"]
