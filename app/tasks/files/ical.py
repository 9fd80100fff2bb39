"""Tasks as iCalendar VTODOs and back, with the `icalendar` library (RFC 5545).

`tasks export --format ics` and `tasks import FILE.ics`; what each property means is decided once
in vtodo_mapping.py, which CalDAV sync (app/sync/vtodo.py) shares. A task becomes a VTODO with a
stable UID, SUMMARY, DESCRIPTION, DUE (a DATE, or a DATE-TIME with TZID), PRIORITY (1 high,
5 medium, 9 low), CATEGORIES (tags), STATUS and COMPLETED, RRULE, RELATED-TO;RELTYPE=PARENT,
a VALARM for the reminder, and the list as X-TASK-ASSISTANT-LIST (Apple's and Nextcloud's
X-APPLE-LIST / categories vary; ours reads back).
`to_record` gives the export-shaped dict the store imports; parents are referred to by UID.

A DUE with a TZID other than the user's own zone keeps that zone (`due_zone`): its RRULE is
evaluated there, as RFC 5545 says, and export writes the DUE in it again. A floating DUE (no
TZID) is the user's own time; a UTC one ("Z") steps its rule in UTC.
"""

from datetime import UTC, date, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from app.common.errors import UserError
from app.tasks.files.vtodo_mapping import (
    AFTER_DONE_PROPERTY,
    PRIORITY_TO_ICAL,
    is_done,
    priority_of,
    repeats_after_done,
    stamp_now,
)
from app.tasks.model import INBOX, Task
from app.tasks.when.dates import local_zone, own_zone_or, zone_info

if TYPE_CHECKING:  # icalendar is imported only when a file is written or read
    from icalendar import Component, Todo

LIST_PROPERTY = "X-TASK-ASSISTANT-LIST"
PRODUCT = "-//Task Assistant//Tasks//EN"


def to_vtodo(task: Task, parent_uid: str | None = None) -> "Todo":
    from icalendar import Alarm, Todo, vRecur

    todo = Todo()
    todo.add("uid", task.uid or f"task-{task.id}@task-assistant")
    todo.add("summary", task.title)
    if task.notes:
        todo.add("description", task.notes)
    todo.add("dtstamp", stamp_now())
    todo.add("created", datetime.fromisoformat(task.created_at))
    todo.add("last-modified", datetime.fromisoformat(task.updated_at))
    if task.due:
        todo.add("due", _moment(task.due, task.due_zone))
    if task.priority != "none":
        todo.add("priority", PRIORITY_TO_ICAL[task.priority])
    if task.tags:
        todo.add("categories", list(task.tags))
    todo.add("status", "COMPLETED" if task.status == "done" else "NEEDS-ACTION")
    if task.completed_at:
        todo.add("completed", datetime.fromisoformat(task.completed_at))
    if task.repeat:
        todo.add("rrule", vRecur.from_ical(task.repeat))
        if task.repeat_after_done:
            todo.add(AFTER_DONE_PROPERTY, "COMPLETION")
    if parent_uid:
        todo.add("related-to", parent_uid, parameters={"RELTYPE": "PARENT"})
    if task.remind_at:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", task.title)
        if task.remind_before is not None and task.due:
            alarm.add("trigger", timedelta(minutes=-task.remind_before),
                      parameters={"RELATED": "END"})
        else:
            alarm.add("trigger", datetime.fromisoformat(task.remind_at).astimezone(UTC))
        todo.add_component(alarm)
    todo.add(LIST_PROPERTY, task.list or INBOX)
    return todo


def _moment(iso: str, zone_name: str | None = None) -> date | datetime:
    if len(iso) == 10:
        return date.fromisoformat(iso)
    moment = datetime.fromisoformat(iso)
    if zone_name:
        return moment.astimezone(zone_info(zone_name))
    zone = local_zone()  # None: a fixed offset is written instead
    return moment.astimezone(zone) if zone else moment.astimezone()


def write_ics(tasks: list[Task], out: IO[str]) -> None:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    uids = {task.id: task.uid or f"task-{task.id}@task-assistant" for task in tasks}
    for task in tasks:
        calendar.add_component(to_vtodo(task, uids.get(task.parent_id)))
    if hasattr(calendar, "add_missing_timezones"):
        calendar.add_missing_timezones()
    out.write(calendar.to_ical().decode("utf-8"))


def to_record(todo: "Component") -> dict[str, Any]:
    """One VTODO as the store imports it (export's shape); parents by UID in `parent_id`."""
    title = str(todo.get("summary", "")).strip() or "(no title)"
    record: dict[str, Any] = {"title": title.splitlines()[0],
                              "uid": str(todo.get("uid") or "") or None}
    if todo.get("description"):
        record["notes"] = str(todo.get("description"))
    due = todo.get("due") or todo.get("dtstart")
    if due is not None:
        record["due"] = _iso(due.dt)
        zone = _zone_name(due.dt)
        if zone:
            record["due_zone"] = zone
    record["priority"] = priority_of(todo.get("priority"))
    categories = todo.get("categories")
    if categories is not None:
        values = categories if isinstance(categories, list) else [categories]
        record["tags"] = [str(tag) for value in values for tag in value.cats
                          if "," not in str(tag)]
    record["status"] = "done" if is_done(todo) else "open"
    if todo.get("completed") is not None and record["status"] == "done":
        record["completed_at"] = _iso(todo.get("completed").dt, utc=True)
    if todo.get("rrule") is not None and "due" in record:
        record["repeat"] = todo.get("rrule").to_ical().decode()
        record["repeat_after_done"] = repeats_after_done(todo)
    related = todo.get("related-to")
    for item in related if isinstance(related, list) else [related] if related else []:
        if str(item.params.get("RELTYPE", "PARENT")).upper() == "PARENT":
            record["parent_id"] = str(item)
    if todo.get(LIST_PROPERTY):
        record["list"] = str(todo.get(LIST_PROPERTY))
    for alarm in todo.walk("VALARM"):
        trigger = alarm.get("trigger")
        if trigger is None:
            continue
        if isinstance(trigger.dt, timedelta) and "due" in record:
            minutes = int(-trigger.dt.total_seconds() // 60)
            from app.tasks.when.dates import Due
            from app.tasks.when.reminder_time import before

            record["remind_at"] = before(Due.parse(record["due"]), minutes).iso
            record["remind_before"] = minutes
        elif isinstance(trigger.dt, datetime):
            record["remind_at"] = _iso(trigger.dt)
        break
    return record


def _zone_name(value: object) -> str | None:
    """The IANA name of a DATE-TIME's TZID; None for a day, a floating time, the user's own
    zone, or a zone that has no IANA name here. A "Z" time is none: many apps write a local
    09:00 daily task as 08:00Z, and stepping it in UTC would move it to 10:00 after a DST
    change, so it follows the user's zone as it always did."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    zone = value.tzinfo
    name = getattr(zone, "key", None) or getattr(zone, "zone", None)  # zoneinfo, pytz
    if not isinstance(name, str) or name in ("UTC", "Etc/UTC", "Z"):
        return None
    return own_zone_or(name)


def _iso(value: date | datetime, *, utc: bool = False) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.astimezone()
        moment = moment.astimezone(UTC) if utc else moment.astimezone()
        return moment.isoformat(timespec="seconds")
    return value.isoformat()


def read_ics(data: bytes | str, name: str) -> list[dict[str, Any]]:
    """The VTODOs in an .ics file as records, parents first; UserError if it is not iCalendar."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise UserError(f"{name} is not an iCalendar file ({str(error).rstrip('.')}).") from None
    records = [to_record(todo) for todo in calendar.walk("VTODO")]
    # Parents are named by UID: give each record an id of its own to refer to.
    ids = {record["uid"]: number for number, record in enumerate(records, start=1)
           if record.get("uid")}
    for number, record in enumerate(records, start=1):
        record["id"] = number
        if "parent_id" in record:
            record["parent_id"] = ids.get(record["parent_id"])
    return records
