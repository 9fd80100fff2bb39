"""Due dates: ISO 8601 in and out, and the one meaning of "overdue" and "due today".

A due date is either a day ("2026-11-27") or an instant with an offset
("2026-11-27T17:00:00+01:00"). Both get one number to sort and filter by: the
instant in epoch seconds, and for a day, local midnight at its start.

`Due` owns what the store, the task list, the tray, reminders and the agent's summaries all
mean by these words:
- a day is overdue once it is over; a time as soon as it has passed;
- "today" is every open task due before tomorrow starts: today's and the overdue ones, overdue
  first, as Todoist and Things list them.
"""

from collections import namedtuple
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from app.common import clock
from app.common.errors import UserError, echo

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


def now() -> datetime:
    return clock.now().astimezone(UTC)


def timestamp(moment: datetime | None = None) -> str:
    """A stored timestamp: UTC, seconds precision, with its offset."""
    return (moment or now()).astimezone(UTC).isoformat(timespec="seconds")


def local_midnight(day: date) -> float:
    # A naive datetime's astimezone() asks the OS for the local offset on that very day (DST-safe).
    return datetime(day.year, day.month, day.day).astimezone().timestamp()


def local_instant(wall: datetime, zone: str | None = None) -> datetime:
    """A naive wall-clock time in `zone` (the local zone for None) as an aware instant in the
    local zone; a time a spring-forward skipped is taken as the same distance after the change
    (02:30 becomes 03:30)."""
    if zone is not None:
        # zoneinfo reads a skipped time (fold=0) with the offset before the change: 03:30.
        return wall.replace(tzinfo=zone_info(zone)).astimezone()
    # A naive datetime's astimezone() takes that day's offset: 09:00 stays 09:00 across DST.
    local = wall.astimezone()
    if local.replace(tzinfo=None) != wall:
        local = wall.replace(fold=1).astimezone()
    return local


def wall_clock(moment: datetime, zone: str | None = None) -> datetime:
    """An instant as the naive wall-clock time it is in `zone` (the local zone for None)."""
    return moment.astimezone(zone_info(zone) if zone else None).replace(tzinfo=None)


def zone_info(name: str) -> "ZoneInfo":
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def local_zone() -> tzinfo | None:
    """The system's IANA zone (a ZoneInfo), or None when it cannot be named."""
    try:
        from tzlocal import get_localzone

        zone: tzinfo = get_localzone()
        return zone
    except Exception:  # no zone name on this system
        return None


def own_zone_or(name: str | None) -> str | None:
    """A due's zone as stored: the IANA name, or None when it is the user's own zone (or not a
    zone at all), so such a due follows the user like every due they type."""
    if not name:
        return None
    try:
        zone_info(name)
    except (ValueError, OSError, LookupError):
        return None
    local = local_zone()
    return None if local is not None and str(getattr(local, "key", local)) == name else name


def local_today(moment: datetime | None = None) -> date:
    return (moment or now()).astimezone().date()


def today_ends(moment: datetime | None = None) -> float:
    """The sort key at which "today" ends: tomorrow's local midnight."""
    return local_midnight(local_today(moment) + timedelta(days=1))


class Due(namedtuple("Due", ("iso", "key", "has_time"))):
    """One due date. `iso` is what is stored and shown to programs; `key` the epoch seconds to
    sort and filter by (local midnight for a day); `has_time` False for a date with no time."""

    __slots__ = ()

    @classmethod
    def parse(cls, text: str, *, today: date | None = None) -> "Due":
        """Read a due date typed by a person or a program; UserError if it is not one."""
        cleaned = text.strip()
        word = cleaned.lower()
        if word in ("today", "tomorrow"):
            return cls.on((today or local_today()) + timedelta(days=1 if word == "tomorrow" else 0))
        if len(cleaned) == 10 or (len(cleaned) == 8 and cleaned.isdigit()):  # 20261224 too
            try:
                return cls.on(date.fromisoformat(cleaned))
            except ValueError:
                pass
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            raise UserError(
                f"'{echo(text)}' is not a date: use ISO 8601, like 2026-11-27 or "
                "2026-11-27T17:00+01:00.") from None
        if moment.tzinfo is None:
            moment = moment.astimezone()  # a wall-clock time means the user's own time zone
        return cls(moment.isoformat(timespec="seconds"), moment.timestamp(), True)

    @classmethod
    def on(cls, day: date) -> "Due":
        """A day with no time."""
        return cls(day.isoformat(), local_midnight(day), False)

    @classmethod
    def stored(cls, iso: str | None) -> "Due | None":
        """A task's `due` as the store keeps it; None for no due date."""
        return None if not iso else cls.parse(iso)

    @property
    def day(self) -> date:
        """The local day it falls on."""
        if not self.has_time:
            return date.fromisoformat(self.iso)
        return datetime.fromisoformat(self.iso).astimezone().date()

    def is_overdue(self, moment: datetime | None = None) -> bool:
        """A day once it is over; a time as soon as it has passed."""
        moment = moment or clock.now()
        if self.has_time:
            return bool(self.key < moment.timestamp())
        return self.day < local_today(moment)

    def is_for_today(self, moment: datetime | None = None) -> bool:
        """In the Today list: due today, or overdue."""
        return bool(self.key < today_ends(moment))

    def friendly(self, *, year: bool = False) -> str:
        """For people: "Fri 27 Nov", or "Fri 27 Nov 17:00" in the local time zone ("Fri 27 Nov
        2037" when it is not this year or next). `year`: always with the year, for words that
        must name one date whenever they are read again (the editor's Due field)."""
        # The day is formatted by hand: "%-d" (no leading zero) is glibc's; Windows refuses it.
        if not self.has_time:
            day = date.fromisoformat(self.iso)
            return f"{day:%a} {day.day} {day:%b}{_year(day, local_today(), year)}"
        moment = datetime.fromisoformat(self.iso).astimezone()
        return f"{moment:%a} {moment.day} {moment:%b}{_year(moment, local_today(), year)} " \
               f"{moment:%H:%M}"


FIRST_YEAR, LAST_YEAR = 1900, 2200  # a due outside them is a typing mistake (1111111111)


def check_year(due: Due, text: object) -> Due:
    """`due`, or UserError when it is before FIRST_YEAR or after LAST_YEAR."""
    if not FIRST_YEAR <= due.day.year <= LAST_YEAR:
        raise UserError(f"'{echo(text)}' is in the year {due.day.year}: give a date from "
                        f"{FIRST_YEAR} to {LAST_YEAR}.")
    return due


def _year(day: date, today: date, always: bool = False) -> str:
    """" 2037" for a day that is not this year or next (or `always`); "" otherwise."""
    return "" if not always and day.year in (today.year, today.year + 1) else f" {day.year}"


def friendly_due(iso: str | None) -> str:
    """A stored due value for people ("" for none); a value that is not a date is shown as is."""
    try:
        due = Due.stored(iso)
    except UserError:
        return iso or ""
    return due.friendly() if due else ""


def relative_due(iso: str | None, today: date | None = None) -> str:
    """A due as a list shows it: "Today", "Tomorrow 17:00", "Yesterday", "Friday" (this coming
    week), else "Fri 27 Nov" ("Fri 27 Nov 2037" when not this year or next); "" for none."""
    try:
        due = Due.stored(iso)
    except UserError:
        return iso or ""
    if due is None:
        return ""
    today = today or local_today()
    if due.has_time:
        moment = datetime.fromisoformat(due.iso).astimezone()
        day, at = moment.date(), f" {moment:%H:%M}"
    else:
        day, at = date.fromisoformat(due.iso), ""
    offset = (day - today).days
    if offset in (-1, 0, 1):
        return ("Yesterday", "Today", "Tomorrow")[offset + 1] + at
    if 1 < offset < 7:
        return f"{day:%A}{at}"
    return f"{day:%a} {day.day} {day:%b}{_year(day, today)}{at}"
