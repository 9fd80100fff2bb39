"""When to be reminded: "30m before", "1h before", "1 day before" the due, or a typed time.

A reminder is stored as an instant with its offset (`remind_at`); one given relative to the due
also keeps its distance (`remind_before`, minutes), so it moves with the due: a repeating task
reminds before each occurrence. A due with no time counts from DAY_REMINDER_AT that day, and a
typed day with no time reminds at that hour.
"""

import re
from datetime import datetime, time, timedelta

from app.common.errors import UserError
from app.tasks.when.dates import Due, local_instant, wall_clock

DAY_REMINDER_AT = time(9, 0)  # Apple Reminders' hour for all-day reminders; see desktop/reminders
_BEFORE = re.compile(r"(\d+)\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s+before")
_MINUTES = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}


def moment_of(due: Due) -> datetime:
    """The instant a due stands for when reminding: its time, or DAY_REMINDER_AT on its day."""
    if due.has_time:
        return datetime.fromisoformat(due.iso)
    return datetime.combine(due.day, DAY_REMINDER_AT).astimezone()


def before(due: Due, minutes: int, in_days: bool | None = None) -> Due:
    """The reminder `minutes` before the due, as an instant in the local zone. `in_days`: the
    user counted in days or weeks ("1 day before"): wall-clock days, so 09:00 stays 09:00
    across a DST change; in minutes or hours ("24h before"): elapsed time. None: a stored
    distance, whose unit is not kept: a whole number of days counts as days (as it is shown)."""
    if in_days is None:
        in_days = minutes % (24 * 60) == 0
    start = moment_of(due)
    if in_days:
        at = local_instant(wall_clock(start) - timedelta(minutes=minutes))
    else:
        at = (start - timedelta(minutes=minutes)).astimezone()
    return Due.parse(at.isoformat(timespec="seconds"))


def read_remind(text: str, due: Due | None, *, now: datetime | None = None
                ) -> tuple[Due, int | None]:
    """(the reminder's instant, minutes before the due or None); UserError for bad text."""
    from app.tasks.when.natural_dates import read_due

    cleaned = " ".join(str(text).lower().split())
    match = _BEFORE.fullmatch(cleaned)
    if match:
        if due is None:
            raise UserError(f"'{text}' needs a due date to count from: give --due as well, or "
                            "an absolute time like 'tomorrow 9am'.")
        unit = match.group(2)[0]
        minutes = int(match.group(1)) * _MINUTES[unit]
        return before(due, minutes, in_days=unit in "dw"), minutes
    at = read_due(cleaned, now=now)
    if not at.has_time:
        at = Due.parse(datetime.combine(at.day, DAY_REMINDER_AT).astimezone()
                       .isoformat(timespec="seconds"))
    return at, None


def describe_before(minutes: int) -> str:
    for unit, size in (("week", 7 * 24 * 60), ("day", 24 * 60), ("hour", 60)):
        if minutes and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''} before"
    return f"{minutes} min before"
