"""The task store: one SQLite file with every task, searchable and filterable (no Qt here)."""

from app.tasks.model import PRIORITIES, STATUSES, Task, TaskChange
from app.tasks.filters import TaskFilter
from app.tasks.store import TaskStore

__all__ = ["PRIORITIES", "STATUSES", "Task", "TaskChange", "TaskFilter", "TaskStore"]
