"""An imported event's repeat rule lives in the event's own zone (RFC 5545), seen from far away:
"17:00 Europe/Berlin, every Wednesday" stays on Berlin's Wednesdays for a user in Auckland,
where each occurrence is a Thursday morning, through import, completing, and export."""

import json
import subprocess
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import CLI, cli_env

from app.common import clock
from app.tasks.history import Origin
from app.tasks.when.dates import Due
from app.tasks.when.repeat import Repeat, next_due

BERLIN = ZoneInfo("Europe/Berlin")
AUCKLAND = "Pacific/Auckland"
BY = Origin("cli")


def wednesday_before_a_berlin_change() -> date:
    """A Wednesday at least a week ahead whose next Wednesday is after a DST change in Berlin."""
    day = clock.today() + timedelta(days=7)
    day += timedelta(days=(2 - day.weekday()) % 7)
    while _berlin_offset(day) == _berlin_offset(day + timedelta(days=7)):
        day += timedelta(days=7)
    return day


def _berlin_offset(day: date) -> timedelta | None:
    return datetime.combine(day, time(17), BERLIN).utcoffset()


def ics(day: date) -> bytes:
    return f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
BEGIN:VTODO
UID:choir@thunderbird
SUMMARY:Choir practice
DUE;TZID=Europe/Berlin:{day:%Y%m%d}T170000
RRULE:FREQ=WEEKLY;BYDAY=WE
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER;RELATED=END:-PT1H
END:VALARM
END:VTODO
END:VCALENDAR
""".encode()


def cli(home, *args: str, zone: str = AUCKLAND) -> subprocess.CompletedProcess:
    done = subprocess.run([*CLI, *args], env=cli_env(home, TZ=zone), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def in_berlin(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(BERLIN)


def in_auckland(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(AUCKLAND))


@pytest.fixture
def imported(app_home, tmp_path):
    day = wednesday_before_a_berlin_change()
    path = tmp_path / "choir.ics"
    path.write_bytes(ics(day))
    assert cli(app_home, "tasks", "import", str(path)).stdout == "Imported 1 task.\n"
    [task] = json.loads(cli(app_home, "tasks", "list", "--all", "--json").stdout)
    return day, task


def test_import_keeps_the_events_zone_and_shows_the_due_in_local_time(imported):
    day, task = imported
    assert task["due_zone"] == "Europe/Berlin" and task["repeat"] == "FREQ=WEEKLY;BYDAY=WE"
    assert in_berlin(task["due"]) == datetime.combine(day, time(17), BERLIN)
    # Stored and shown as the local instant: a Thursday morning in Auckland.
    assert datetime.fromisoformat(task["due"]).utcoffset() == \
        in_auckland(task["due"]).utcoffset()
    assert in_auckland(task["due"]).weekday() == 3
    assert in_berlin(task["remind_at"]) == datetime.combine(day, time(16), BERLIN)


def test_completing_moves_to_the_next_wednesday_in_berlin_across_its_dst_change(app_home,
                                                                                imported):
    day, task = imported
    moved = json.loads(cli(app_home, "tasks", "done", str(task["id"]), "--json").stdout)
    assert moved["status"] == "open" and moved["due_zone"] == "Europe/Berlin"
    after = in_berlin(moved["due"])
    assert (after.date(), after.time()) == (day + timedelta(days=7), time(17))
    assert in_auckland(moved["due"]).weekday() == 3  # still Thursday here, never Tuesday
    # Berlin's clocks changed in between: the instant moved by a week plus or minus an hour.
    assert datetime.fromisoformat(moved["due"]) - datetime.fromisoformat(task["due"]) != \
        timedelta(days=7)
    assert in_berlin(moved["remind_at"]).time() == time(16)  # the reminder went along
    listed = cli(app_home, "tasks", "list").stdout
    assert f"{in_auckland(moved['due']):%H:%M}" in listed  # people see their own time


def test_export_writes_the_due_in_its_zone_and_imports_back_the_same(app_home, imported,
                                                                    tmp_path):
    day, task = imported
    exported = cli(app_home, "tasks", "export", "--format", "ics").stdout
    assert f"DUE;TZID=Europe/Berlin:{day:%Y%m%d}T170000" in exported
    assert "RRULE:FREQ=WEEKLY;BYDAY=WE" in exported and "BEGIN:VTIMEZONE" in exported
    path = tmp_path / "out.ics"
    path.write_text(exported)
    cli(app_home, "tasks", "import", str(path), "--duplicates")
    _, copy = json.loads(cli(app_home, "tasks", "list", "--all", "--json").stdout)
    same = ("due", "due_zone", "repeat", "remind_at", "remind_before")
    assert {f: copy[f] for f in same} == {f: task[f] for f in same}
    # Our own JSON export carries the zone as well.
    [record, _] = json.loads(cli(app_home, "tasks", "export").stdout)
    assert record["due_zone"] == "Europe/Berlin"


def test_a_due_the_user_types_is_in_their_own_zone_again(app_home, imported):
    _, task = imported
    edited = json.loads(cli(app_home, "tasks", "edit", str(task["id"]), "--due",
                            "tomorrow 5pm", "--json").stdout)
    assert edited["due_zone"] is None and in_auckland(edited["due"]).hour == 17


def test_an_own_zone_or_floating_due_stays_local(app_home, tmp_path):
    """Our own export names the user's zone; reading it back is not "a zone of its own"."""
    floating = ics(wednesday_before_a_berlin_change()).replace(
        b"DUE;TZID=Europe/Berlin:", b"DUE:").replace(b"choir@", b"floating@")
    path = tmp_path / "floating.ics"
    path.write_bytes(floating)
    cli(app_home, "tasks", "import", str(path))
    own = ics(wednesday_before_a_berlin_change()).replace(b"Europe/Berlin", AUCKLAND.encode())
    path.write_bytes(own)
    cli(app_home, "tasks", "import", str(path), "--duplicates")  # the same title and due
    tasks = json.loads(cli(app_home, "tasks", "list", "--all", "--json").stdout)
    assert [t["due_zone"] for t in tasks] == [None, None]
    assert all(in_auckland(t["due"]).time() == time(17) for t in tasks)


def test_a_utc_due_repeats_at_the_same_local_hour_across_a_dst_change(app_home, tmp_path):
    """Many apps write a local 17:00 weekly task as a "Z" time; stepping it in UTC would move
    it an hour after the change, so a "Z" due follows the user's zone."""
    day = wednesday_before_a_berlin_change()
    utc_five = datetime.combine(day, time(17), BERLIN).astimezone(ZoneInfo("UTC"))
    written = ics(day).replace(b"DUE;TZID=Europe/Berlin:" + f"{day:%Y%m%d}T170000".encode(),
                               f"DUE:{utc_five:%Y%m%dT%H%M%S}Z".encode())
    path = tmp_path / "utc.ics"
    path.write_bytes(written)
    cli(app_home, "tasks", "import", str(path), zone="Europe/Berlin")
    [task] = json.loads(cli(app_home, "tasks", "list", "--all", "--json",
                            zone="Europe/Berlin").stdout)
    assert task["due_zone"] is None and in_berlin(task["due"]).time() == time(17)
    cli(app_home, "tasks", "done", str(task["id"]), zone="Europe/Berlin")
    [moved] = json.loads(cli(app_home, "tasks", "list", "--all", "--json",
                             zone="Europe/Berlin").stdout)
    assert in_berlin(moved["due"]).time() == time(17)  # after Berlin's change: still 17:00
    assert in_berlin(moved["due"]).date() == day + timedelta(days=7)


def test_a_bad_zone_in_a_json_import_is_one_sentence_and_stores_nothing(app_home, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"title": "Call", "due": "2030-01-02T17:00:00+01:00",
                                 "due_zone": "Mars/Olympus"}]))
    done = subprocess.run([*CLI, "tasks", "import", str(path)], env=cli_env(app_home),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "IANA time zone" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert json.loads(cli(app_home, "tasks", "list", "--all", "--json").stdout) == []


@pytest.mark.parametrize("zone", [AUCKLAND, "America/Los_Angeles", "Pacific/Kiritimati"])
def test_the_rule_steps_in_the_events_zone_whatever_the_local_one(in_zone, zone):
    in_zone(zone)
    day = wednesday_before_a_berlin_change()
    due = Due.parse(datetime.combine(day, time(17), BERLIN).isoformat())
    following = next_due(Repeat("FREQ=WEEKLY;BYDAY=WE"), due,
                         now=datetime.combine(day - timedelta(days=1), time(12), BERLIN),
                         zone="Europe/Berlin")
    assert in_berlin(following.iso) == datetime.combine(day + timedelta(days=7), time(17),
                                                        BERLIN)


def test_an_absolute_reminder_keeps_its_distance_in_the_events_zone(in_zone, store):
    in_zone(AUCKLAND)
    day = wednesday_before_a_berlin_change()
    due = datetime.combine(day, time(17), BERLIN)
    [task_id] = store.import_tasks([{
        "title": "Choir", "due": due.isoformat(), "due_zone": "Europe/Berlin",
        "repeat": "FREQ=WEEKLY;BYDAY=WE",
        "remind_at": (due - timedelta(hours=3)).isoformat()}], by=BY)
    moved = store.complete(task_id, by=BY)
    assert in_berlin(moved.remind_at) == datetime.combine(day + timedelta(days=7), time(14),
                                                          BERLIN)
    store.undo(by=BY)  # undo puts the zone back with the due
    assert store.get(task_id).due_zone == "Europe/Berlin"
    assert in_berlin(store.get(task_id).due) == due
