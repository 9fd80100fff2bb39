"""Reschedule overdue: every overdue open task moved to one day, as one undo step.

A task with a time keeps its time of day on the new day; when that is still past (moving to
today, a time earlier than now), it becomes due that day with no time, so nothing moved is
overdue again at once. The day is read like every due (today, tomorrow, "friday", ISO); a day
before today is refused.
"""

from collections.abc import Callable
from datetime import date, datetime

from app.common import clock
from app.common.errors import UserError
from app.tasks.filters import TaskFilter
from app.tasks.history import Origin, Step
from app.tasks.store import TaskStore
from app.tasks.when.dates import Due, local_instant
from app.tasks.when.natural_dates import read_due


def target_day(text: str, now: datetime | None = None) -> date:
    """The day named by `text`; UserError (one sentence) when it is not a day from today on."""
    now = now or clock.now()
    day = read_due(str(text), now=now).day
    if day < now.date():
        raise UserError(f"{Due.on(day).friendly()} is in the past; move overdue tasks to today "
                        "or a later day.")
    return day


def reschedule_overdue(store: TaskStore, to: str, *, by: Origin | Step,
                       now: datetime | None = None,
                       before_writing: Callable[[int], None] | None = None) -> tuple[int, date]:
    """Moves every overdue open task to the day `to` names; (how many moved, the day).
    `before_writing` is told how many will move, before anything is written (the agent's
    bulk guard may refuse there)."""
    now = now or clock.now()
    day = target_day(to, now)
    overdue = store.list_tasks(TaskFilter(status="open", overdue=True), now=now)
    if before_writing is not None:
        before_writing(len(overdue))
    step = by if isinstance(by, Step) else Step(by)  # one undo step for them all
    for task in overdue:  # an overdue task has a due
        store.update(task.id, by=step, due=_moved(Due.parse(task.due), day, now))
    return len(overdue), day


def _moved(due: Due, day: date, now: datetime) -> str:
    if not due.has_time:
        return day.isoformat()
    wall = datetime.fromisoformat(due.iso).astimezone().replace(tzinfo=None)
    moved = local_instant(datetime.combine(day, wall.time()))
    return day.isoformat() if moved <= now else moved.isoformat(timespec="seconds")


def sentence(count: int, day: date) -> str:
    """"Moved 3 overdue tasks to Sun 6 Dec." / "Nothing is overdue; nothing was moved."."""
    if not count:
        return "Nothing is overdue; nothing was moved."
    tasks = "1 overdue task" if count == 1 else f"{count} overdue tasks"
    return f"Moved {tasks} to {Due.on(day).friendly()}."
