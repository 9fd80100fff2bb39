"""Which tasks to list: the filters the command line, the agent and the window share."""

from collections import namedtuple

TaskFilter = namedtuple("TaskFilter", (
    "status",      # open | done | all
    "tag",
    "priority",    # none | low | medium | high
    "due_before",  # ISO date or date-time; a day means "before that day starts"
    "due_after",   # a day means "after that day ends"
    "overdue",
    "due_today",
    "limit",
    "list",        # a list's name
), defaults=("open", None, None, None, None, False, False, None, None))
