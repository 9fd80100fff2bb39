"""Due dates: ISO 8601 in and out, plus the sort key the store filters on.

A due date is either a day ("2026-11-27") or an instant with an offset
("2026-11-27T17:00:00+01:00"). Both get one number to sort and filter by: the
instant in epoch seconds, and for a day, local midnight at its start.
"""

from datetime import date, datetime, timedelta, timezone
from collections import namedtuple

from app.common import clock
from app.common.errors import UserError


# `key`: epoch seconds to sort and filter by (local midnight for a day).
Due = namedtuple("Due", ("iso", "key", "has_time"))


def now() -> datetime:
    return clock.now().astimezone(timezone.utc)


def timestamp(moment: datetime | None = None) -> str:
    """A stored timestamp: UTC, seconds precision, with its offset."""
    return (moment or now()).astimezone(timezone.utc).isoformat(timespec="seconds")


def local_midnight(day: date) -> float:
    # A naive datetime's astimezone() asks the OS for the local offset on that very day (DST-safe).
    return datetime(day.year, day.month, day.day).astimezone().timestamp()


def local_today(moment: datetime | None = None) -> date:
    return (moment or now()).astimezone().date()


def parse_due(text: str, *, today: date | None = None) -> Due:
    """Read a due date typed by a person or a program; UserError if it is not one."""
    cleaned = text.strip()
    word = cleaned.lower()
    if word in ("today", "tomorrow"):
        day = (today or local_today()) + timedelta(days=1 if word == "tomorrow" else 0)
        return Due(day.isoformat(), local_midnight(day), False)
    if len(cleaned) == 10:
        try:
            day = date.fromisoformat(cleaned)
        except ValueError:
            pass
        else:
            return Due(day.isoformat(), local_midnight(day), False)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UserError(
            f"'{text}' is not a date: use ISO 8601, like 2026-11-27 or 2026-11-27T17:00+01:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a wall-clock time means the user's own time zone
    return Due(moment.isoformat(timespec="seconds"), moment.timestamp(), True)
