"""A task's fields ↔ a VTODO on a CalDAV server, with `icalendar`; what each property means is
app/tasks/files/vtodo_mapping.py's, shared with `.ics` export and import.

The fields are plain values that compare equal when they mean the same thing, so the merge can
tell what changed: `due` is "YYYY-MM-DD" for a day, or a UTC ISO 8601 instant; `tags` a sorted
list. Writing changes only the properties of the fields it is given, on the server's own
component, so whatever another client put there (X- properties, ATTENDEE, its own alarms,
fields the app does not map) survives every round trip.

Fields: title, notes, due, priority ("none"/"low"/"medium"/"high"), status ("open"/"done"),
tags, repeat (an RRULE's text, "" for none), parent (the parent task's UID, "" for none),
remind_at (a UTC instant or None). `completed_at` is written with status but never compared:
each side stamps its own moment of completion.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from app.tasks.files.vtodo_mapping import (
    PRIORITY_TO_ICAL,
    is_done,
    priority_of,
    stamp_now,
    trigger_moment,
)

PRODID = "-//Task Assistant//CalDAV sync//EN"
ALARM_MARK = "X-TASK-ASSISTANT-REMINDER"  # on the VALARM the app made; others' alarms are kept
NAMES = ("title", "notes", "due", "priority", "status", "tags", "repeat", "parent", "remind_at")

Fields = dict[str, Any]  # a task as sync compares it: the names above, and a few it carries


class NotATask(ValueError):
    """An object without a VTODO: an event in a mixed calendar, left alone."""


def parse(text: str) -> tuple[icalendar.Calendar, icalendar.Todo]:
    """The calendar object and its (first) VTODO; NotATask when there is none."""
    calendar = icalendar.Calendar.from_ical(text)
    for component in calendar.walk("VTODO"):
        if isinstance(component, icalendar.Todo):  # always: icalendar makes VTODOs Todos
            return calendar, component
    raise NotATask("no VTODO in the object")


def new_object(uid: str) -> tuple[icalendar.Calendar, icalendar.Todo]:
    """An empty VCALENDAR holding one VTODO with its UID, ready for `write`."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    todo = icalendar.Todo()
    todo.add("uid", uid)
    stamp = _now()
    todo.add("dtstamp", stamp)
    todo.add("created", stamp)
    calendar.add_component(todo)
    return calendar, todo


# -- reading ----------------------------------------------------------------------------------

def read(todo: icalendar.Todo) -> Fields:
    completed = _dt(todo.get("completed"))
    return {
        "title": str(todo.get("summary", "")).strip() or "(untitled)",
        "notes": str(todo.get("description", "")),
        "due": _read_due(todo.get("due")),
        "priority": priority_of(todo.get("priority")),
        "status": "done" if is_done(todo) else "open",
        "tags": sorted(_categories(todo)),
        "repeat": _rule_text(todo.get("rrule")),
        "completed_at": _utc(completed) if isinstance(completed, datetime) else None,
        "parent": _parent(todo),
        "remind_at": _reminder(todo),
    }


def uid_of(todo: icalendar.Todo) -> str:
    return str(todo.get("uid", ""))


def modified_at(todo: icalendar.Todo) -> str | None:
    """When the server's copy was last changed (LAST-MODIFIED, else DTSTAMP), UTC ISO 8601."""
    for name in ("last-modified", "dtstamp"):
        try:
            moment = _dt(todo.get(name))
        except (ValueError, AttributeError):  # another client's unreadable stamp: no date
            continue
        if isinstance(moment, datetime):
            return _utc(moment)
    return None


def _dt(prop: Any) -> date | datetime | None:
    """A date property's value (`todo.get`'s, which icalendar types as Any), checked: None
    when the property is absent or holds no date; AttributeError, as `prop.dt` itself raises,
    for one that has no value of that kind (a property given twice is a list)."""
    if prop is None:
        return None
    value = prop.dt
    return value if isinstance(value, date) else None


def _rule_text(prop: Any) -> str:
    """An RRULE property as text, "" when there is none."""
    if prop is None:
        return ""
    text: bytes = prop.to_ical()
    return text.decode()


def _read_due(prop: Any) -> str | None:
    value = _dt(prop)
    if isinstance(value, datetime):
        return _utc(value)
    return value.isoformat() if value is not None else None


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:  # a floating time is the user's own wall-clock time
        moment = moment.astimezone()
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _categories(todo: icalendar.Todo) -> set[str]:
    values = todo.get("categories")
    if values is None:
        return set()
    props = values if isinstance(values, list) else [values]
    return {str(each).strip() for prop in props for each in prop.cats if str(each).strip()}


def _parent(todo: icalendar.Todo) -> str:
    values = todo.get("related-to")
    for prop in values if isinstance(values, list) else [values] if values else []:
        if str(prop.params.get("RELTYPE", "PARENT")).upper() == "PARENT":
            return str(prop)
    return ""


def _reminder(todo: icalendar.Todo) -> str | None:
    due_value = _dt(todo.get("due"))
    due = due_value if isinstance(due_value, datetime) else None
    for alarm in todo.walk("VALARM"):
        moment = trigger_moment(alarm.get("trigger"), due) if ALARM_MARK in alarm else None
        if moment is not None:
            return _utc(moment)
    return None


# -- writing ----------------------------------------------------------------------------------

def write(todo: icalendar.Todo, fields: Fields, names: Iterable[str]) -> None:
    """Set the properties of `names` from `fields`; every other property stays as it is."""
    for name in names:
        _WRITERS[name](todo, fields)
    stamp = _now()
    for prop in ("last-modified", "dtstamp"):
        todo.pop(prop, None)
        todo.add(prop, stamp)


def _replace(todo: icalendar.Todo, name: str, value: object) -> None:
    todo.pop(name, None)
    if value not in (None, "", []):
        todo.add(name, value)


def _write_due(todo: icalendar.Todo, fields: Fields) -> None:
    due = fields["due"]
    old = todo.get("due")
    if due is None:
        todo.pop("due", None)
        return
    if len(due) == 10:
        value: date = date.fromisoformat(due)  # a day stays a day: VALUE=DATE
    else:
        moment = datetime.fromisoformat(due)
        zone = old.params.get("TZID") if old is not None else None
        if zone:  # keep the server's time zone: the phone shows the time where it was set
            try:
                moment = moment.astimezone(ZoneInfo(str(zone)))
            except (KeyError, ValueError):
                moment = moment.astimezone(UTC)
        value = moment
    todo.pop("due", None)
    todo.add("due", value)


def _write_priority(todo: icalendar.Todo, fields: Fields) -> None:
    number = PRIORITY_TO_ICAL.get(fields["priority"])
    _replace(todo, "priority", number)


def _write_status(todo: icalendar.Todo, fields: Fields) -> None:
    for name in ("status", "completed", "percent-complete"):
        todo.pop(name, None)
    if fields["status"] == "done":
        todo.add("status", "COMPLETED")
        completed = fields.get("completed_at")
        todo.add("completed", datetime.fromisoformat(completed).astimezone(UTC)
                 if completed else _now())
        todo.add("percent-complete", 100)
    else:
        todo.add("status", "NEEDS-ACTION")


def _write_tags(todo: icalendar.Todo, fields: Fields) -> None:
    todo.pop("categories", None)
    if fields["tags"]:
        todo.add("categories", list(fields["tags"]))


def _write_repeat(todo: icalendar.Todo, fields: Fields) -> None:
    todo.pop("rrule", None)
    if fields["repeat"]:
        todo.add("rrule", icalendar.vRecur.from_ical(fields["repeat"]))


def _write_parent(todo: icalendar.Todo, fields: Fields) -> None:
    values = todo.pop("related-to", None)
    kept = [prop for prop in (values if isinstance(values, list) else [values] if values else [])
            if str(prop.params.get("RELTYPE", "PARENT")).upper() != "PARENT"]
    for prop in kept:  # SIBLING and CHILD relations another client made stay
        todo.add("related-to", prop)
    if fields["parent"]:
        todo.add("related-to", fields["parent"], parameters={"RELTYPE": "PARENT"})


def _write_reminder(todo: icalendar.Todo, fields: Fields) -> None:
    todo.subcomponents = [each for each in todo.subcomponents
                          if not (each.name == "VALARM" and ALARM_MARK in each)]
    if fields["remind_at"]:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", fields.get("title") or "Reminder")
        alarm.add("trigger", datetime.fromisoformat(fields["remind_at"]).astimezone(UTC))
        alarm.add(ALARM_MARK, "TRUE")
        todo.add_component(alarm)


_WRITERS: dict[str, Callable[[icalendar.Todo, Fields], None]] = {
    "title": lambda todo, fields: _replace(todo, "summary", fields["title"]),
    "notes": lambda todo, fields: _replace(todo, "description", fields["notes"]),
    "due": _write_due, "priority": _write_priority, "status": _write_status,
    "tags": _write_tags, "repeat": _write_repeat, "parent": _write_parent,
    "remind_at": _write_reminder,
}


def _now() -> datetime:
    return stamp_now()


def later_than(timestamp: str | None, other: str | None) -> bool:
    """Whether UTC ISO `timestamp` is later than `other` (a missing one is oldest)."""
    if timestamp is None:
        return False
    return other is None or datetime.fromisoformat(timestamp) > datetime.fromisoformat(other)


def normal_rule(rule: str | None) -> str:
    """An RRULE in one spelling (icalendar's order of parts), "" for none."""
    return icalendar.vRecur.from_ical(rule).to_ical().decode() if rule else ""


def normal_due(iso: str | None) -> str | None:
    """A stored due value in the fields' form: a day as it is, an instant in UTC."""
    if not iso or len(iso) == 10:
        return iso or None
    return _utc(datetime.fromisoformat(iso))
