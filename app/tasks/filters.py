"""Which tasks to list: the filters the command line, the agent and the window share."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskFilter:
    status: str = "open"          # open | done | all
    tag: str | None = None
    priority: str | None = None   # none | low | medium | high
    due_before: str | None = None  # ISO date or date-time; a day means "before that day starts"
    due_after: str | None = None   # a day means "after that day ends"
    overdue: bool = False
    due_today: bool = False
    limit: int | None = None
