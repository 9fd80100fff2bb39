"""A task's fields ↔ a VTODO (app/sync/vtodo.py), and the one meaning export, import and sync
share (app/tasks/files/vtodo_mapping.py), as plain functions (no server)."""

from datetime import UTC, datetime

import pytest

from app.common import clock
from app.sync import vtodo
from app.tasks.files.ical import to_record, to_vtodo

FIELDS = {"title": "Renew passport", "notes": "Bring photos", "due": "2026-12-20",
          "priority": "high", "status": "open", "tags": ["errands", "papers"],
          "repeat": "FREQ=YEARLY", "parent": "", "remind_at": "2026-12-19T08:00:00+00:00"}


def _todo(lines: str):
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VTODO\r\n"
            "UID:u1\r\nSUMMARY:Call Ana\r\nDUE:20261220T100000Z\r\n" + lines +
            "END:VTODO\r\nEND:VCALENDAR\r\n")
    return vtodo.parse(text)[1]


def test_fields_written_to_a_new_object_read_back_the_same():
    calendar, todo = vtodo.new_object("uid-1@task-assistant")
    vtodo.write(todo, FIELDS, vtodo.NAMES)
    again = vtodo.read(vtodo.parse(calendar.to_ical().decode())[1])
    assert {name: again[name] for name in vtodo.NAMES} == FIELDS
    assert vtodo.uid_of(todo) == "uid-1@task-assistant"


def test_writing_some_fields_keeps_what_another_client_stored():
    todo = _todo("LOCATION:Town hall\r\nX-PHONE-COLOR:red\r\nPRIORITY:5\r\n")
    vtodo.write(todo, {**FIELDS, "title": "Call Ana today"}, ["title"])
    assert str(todo["summary"]) == "Call Ana today"
    assert str(todo["location"]) == "Town hall" and str(todo["x-phone-color"]) == "red"
    assert int(todo["priority"]) == 5


@pytest.mark.parametrize("value, priority", [("1", "high"), ("4", "high"), ("5", "medium"),
                                             ("9", "low"), ("0", "none"), ("12", "none"),
                                             ("-3", "none")])
def test_export_and_sync_read_a_priority_alike(value, priority):
    todo = _todo(f"PRIORITY:{value}\r\n")
    assert vtodo.read(todo)["priority"] == priority == to_record(todo)["priority"]


@pytest.mark.parametrize("status", ["COMPLETED", "CANCELLED"])
def test_a_completed_or_cancelled_task_is_done_in_a_file_and_on_a_server(status):
    todo = _todo(f"STATUS:{status}\r\n")
    assert vtodo.read(todo)["status"] == "done" == to_record(todo)["status"]


def test_a_reminder_relative_to_the_due_is_the_same_moment_in_a_file_and_on_a_server():
    todo = _todo(f"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=END:-PT30M\r\n"
                 f"{vtodo.ALARM_MARK}:TRUE\r\nEND:VALARM\r\n")
    synced = datetime.fromisoformat(vtodo.read(todo)["remind_at"])
    imported = datetime.fromisoformat(to_record(todo)["remind_at"])
    assert synced == imported == datetime(2026, 12, 20, 9, 30, tzinfo=UTC)


def test_an_unreadable_stamp_from_another_client_is_no_date():
    assert vtodo.modified_at(_todo("LAST-MODIFIED:20261201T120000Z\r\n")) == \
        "2026-12-01T12:00:00+00:00"
    assert vtodo.later_than("2026-12-02T00:00:00+00:00", "2026-12-01T00:00:00+00:00")
    assert not vtodo.later_than(None, "2026-12-01T00:00:00+00:00")


def test_rules_and_dues_compare_in_one_spelling():
    assert (vtodo.normal_rule("INTERVAL=2;FREQ=WEEKLY")
            == vtodo.normal_rule("FREQ=WEEKLY;INTERVAL=2"))
    assert vtodo.normal_due("2026-12-20T11:00:00+01:00") == "2026-12-20T10:00:00+00:00"
    assert vtodo.normal_due("2026-12-20") == "2026-12-20" and vtodo.normal_due("") is None


def test_exports_stamp_is_the_apps_clock(monkeypatch, store):
    moment = datetime(2031, 5, 4, 12, 30, 15, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    from app.tasks.history import Origin

    task = store.add("Call Ana", by=Origin("cli"))
    assert to_vtodo(task)["dtstamp"].dt == moment
