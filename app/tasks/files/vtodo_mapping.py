"""The meaning of a VTODO's properties, decided once for `.ics` export and import (ical.py) and
CalDAV sync (app/sync/vtodo.py), so a task reads and writes the same way in a file and on a
server. Where the two used to disagree, this is what both now do:

- PRIORITY: RFC 5545 allows 0-9: 1-4 is high, 5 medium, 6-9 low. 0, anything above 9, a
  negative or unreadable value is no priority (not "low": it is no value RFC 5545 defines).
  Written as 1, 5 and 9.
- STATUS: COMPLETED, or a COMPLETED date, is done; so is CANCELLED: the app has no cancelled
  state, and a task someone cancelled is not one still to do. Written as COMPLETED or
  NEEDS-ACTION.
- Alarms: a trigger is read whether absolute (a moment) or relative to the task's DUE
  (`-PT30M`, RELATED=END, or a START-relative one on a task with no DTSTART): both give the
  moment to remind.
- "Repeat after done": X-TASK-ASSISTANT-REPEAT-FROM:COMPLETION beside the RRULE (no standard
  property says it); read only where there is an RRULE.
"""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, SupportsInt

from app.common import clock

if TYPE_CHECKING:  # icalendar is imported only when a file or a server needs it
    from icalendar import Component, vDDDTypes

PRIORITY_TO_ICAL = {"high": 1, "medium": 5, "low": 9}
AFTER_DONE_PROPERTY = "X-TASK-ASSISTANT-REPEAT-FROM"
DONE_STATUSES = ("COMPLETED", "CANCELLED")


def priority_of(value: SupportsInt | str | None) -> str:
    """A PRIORITY's value as the app's priority."""
    try:
        number = int(value) if value is not None else 0
    except (TypeError, ValueError):
        return "none"
    if 1 <= number <= 4:
        return "high"
    return {5: "medium"}.get(number, "low" if 6 <= number <= 9 else "none")


def is_done(todo: "Component") -> bool:
    return str(todo.get("status", "")).upper() in DONE_STATUSES or "completed" in todo


def repeats_after_done(todo: "Component") -> bool:
    return "rrule" in todo and str(todo.get(AFTER_DONE_PROPERTY, "")).upper() == "COMPLETION"


def trigger_moment(trigger: "vDDDTypes | None", due: datetime | None) -> datetime | None:
    """An alarm's TRIGGER as a moment: itself when absolute, `due` moved by it when relative
    (None without a due to be relative to)."""
    if trigger is None:
        return None
    value = trigger.dt
    if isinstance(value, datetime):
        return value
    if isinstance(value, timedelta) and due is not None:
        return due + value
    return None


def stamp_now() -> datetime:
    """DTSTAMP and LAST-MODIFIED: the app's clock, in UTC, to the second."""
    return clock.now().astimezone(UTC).replace(microsecond=0)
