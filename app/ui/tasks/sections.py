"""The sections Today and Upcoming show their tasks in, by day (plain dates, no Qt).

Today: "Overdue" first (with Reschedule beside its heading), then "Today"; with nothing
overdue there are no headings at all, so a calm day stays a plain list.
Upcoming, as Things and Todoist group it: "Tomorrow", then each of the next days by name
("Wednesday 9 Dec") up to a week ahead, then "Next week" (the calendar week after this one),
then the month ("January", "March 2028" in another year). Names are formatted by hand, in
English, as `dates.relative_due` does, so they do not depend on the C library's locale.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from app.common import clock
from app.tasks import Task
from app.tasks.when.dates import Due, local_today

OVERDUE, TODAY = "Overdue", "Today"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def home_of(task: Task) -> str:
    """Where a task is best seen: Today, Upcoming, or its list when it has no date."""
    due = Due.stored(task.due)
    if due is not None and due.is_for_today(clock.now()):
        return TODAY
    return "Upcoming" if due is not None else task.list


def where_it_is(task: Task, view: str, list_name: str | None) -> str:
    """" It is under Upcoming." when `task` is not in the view it was added or saved from
    (`list_name`, the list shown when `view` is "List")."""
    home = home_of(task)
    shown = {"List": task.list == list_name, "All": True,
             "Today": home == TODAY, "Upcoming": home == "Upcoming"}.get(view, False)
    return "" if shown else f" It is under {home}."


def today_section(task: Task, now: datetime) -> str:
    due = Due.stored(task.due)
    return OVERDUE if due is not None and task.status == "open" and due.is_overdue(now) \
        else TODAY


def day_heading(day: date, today: date) -> str:
    """The heading an Upcoming task due on `day` sits under."""
    offset = (day - today).days
    if offset <= 0:
        return TODAY
    if offset == 1:
        return "Tomorrow"
    if offset < 7:
        return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1][:3]}"
    next_monday = today + timedelta(days=7 - today.weekday())
    if day < next_monday + timedelta(days=7):
        return "Next week"
    return MONTHS[day.month - 1] + (f" {day.year}" if day.year != today.year else "")


def upcoming_section(task: Task, today: date) -> str:
    due = Due.stored(task.due)
    return day_heading(due.day, today) if due is not None else "Later"


def for_view(view: str, tasks: list[Task]) -> Callable[[Task], str] | None:
    """How the view's top-level tasks are grouped: by Overdue/Today (only when something
    is overdue), by day in Upcoming; None elsewhere."""
    if view == "Today":
        now = clock.now()
        if any(today_section(task, now) == OVERDUE for task in tasks):
            return partial(today_section, now=now)
    if view == "Upcoming":
        return partial(upcoming_section, today=local_today())
    return None
