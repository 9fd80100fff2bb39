""""In 1 hour" is an hour of real time, also on the nights the clocks change; "tomorrow 9am" and
"in 2 days" keep wall-clock time. Dues, reminders and snoozes read distances the same way."""

import json
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from clock_fixtures import LIBFAKETIME
from conftest import CLI, cli_env

from app.tasks.history import Origin
from app.tasks.when.dates import Due
from app.tasks.when.elapsed import read_elapsed
from app.tasks.when.natural_dates import read_due
from app.tasks.when.reminder_time import before, read_remind

BERLIN = ZoneInfo("Europe/Berlin")
# Berlin's 2026 changes: 29 March 02:00 CET -> 03:00 CEST; 25 October 03:00 CEST -> 02:00 CET.
BEFORE_SPRING = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
BEFORE_FALL = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)
# Auckland's April change (TEST_CLOCK's night): 03:00 NZDT -> 02:00 NZST; 02:30 comes twice.
AUCKLAND_FIRST_0230 = datetime(2027, 4, 4, 2, 30, tzinfo=ZoneInfo("Pacific/Auckland"))
CLI_USER = Origin("cli")


def elapsed(due: Due, since: datetime) -> timedelta:
    return datetime.fromisoformat(due.iso).astimezone(UTC) - since.astimezone(UTC)


@pytest.mark.parametrize("text, minutes", [
    ("in 1 hour", 60), ("in 90 minutes", 90), ("in 2 hours", 120), ("in an hour", 60),
    ("in half an hour", 30), ("in an hour and a half", 90), ("in 1.5 hours", 90),
    ("in 2 hours and 15 minutes", 135), ("10 min", 10), ("1h", 60), ("45 minutes from now", 45),
])
def test_distances_people_type(text, minutes):
    assert read_elapsed(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["in 2 days", "tomorrow 9am", "in 0 minutes", "1 hour before",
                                  "next hour", "5pm"])
def test_other_words_are_not_distances(text):
    assert read_elapsed(text) is None


@pytest.mark.parametrize("zone, moment, text, hours", [
    ("Europe/Berlin", BEFORE_SPRING, "in 1 hour", 1),
    ("Europe/Berlin", BEFORE_SPRING, "in 2 hours", 2),     # wall clock would be 1 h of real time
    ("Europe/Berlin", BEFORE_FALL, "in 2 hours", 2),       # wall clock would be 3 h
    ("Europe/Berlin", BEFORE_FALL, "in 90 minutes", 1.5),
    ("Pacific/Auckland", AUCKLAND_FIRST_0230, "in 1 hour", 1),  # wall clock would be 2 h
])
def test_a_distance_is_real_time_across_a_dst_change(in_zone, zone, moment, text, hours):
    in_zone(zone)
    due = read_due(text, now=moment)
    assert due.has_time and elapsed(due, moment) == timedelta(hours=hours)
    at, minutes_before = read_remind(text, None, now=moment)
    assert elapsed(at, moment) == timedelta(hours=hours) and minutes_before is None


def test_day_words_keep_the_wall_clock_across_a_dst_change(in_zone):
    in_zone("Europe/Berlin")
    saturday_morning = datetime(2026, 3, 28, 9, 0, tzinfo=BERLIN)
    tomorrow = datetime.fromisoformat(read_due("tomorrow 9am", now=saturday_morning).iso)
    assert (tomorrow.hour, tomorrow.utcoffset()) == (9, timedelta(hours=2))  # 23 h later, 09:00
    assert read_due("in 2 days", now=saturday_morning).iso == "2026-03-30"


def test_a_reminder_whole_days_before_is_at_the_same_hour_and_hours_before_are_real_time(in_zone):
    in_zone("Europe/Berlin")
    due = Due.parse("2026-03-29T09:00:00+02:00")  # the morning after spring forward
    day_before = datetime.fromisoformat(before(due, 24 * 60).iso)
    assert (day_before.isoformat(), day_before.hour) == ("2026-03-28T09:00:00+01:00", 9)
    early = Due.parse("2026-03-29T04:00:00+02:00")
    assert elapsed(before(early, 3 * 60), datetime.fromisoformat(early.iso)) == -timedelta(hours=3)


@pytest.mark.parametrize("due, text, reminded_at", [
    # The morning after spring forward: a day before is 23 h of real time, 24 h is 08:00.
    ("2026-03-29T09:00:00+02:00", "1 day before", "2026-03-28T09:00:00+01:00"),
    ("2026-03-29T09:00:00+02:00", "1d before", "2026-03-28T09:00:00+01:00"),
    ("2026-03-29T09:00:00+02:00", "24h before", "2026-03-28T08:00:00+01:00"),
    ("2026-03-29T09:00:00+02:00", "1440 minutes before", "2026-03-28T08:00:00+01:00"),
    ("2026-04-02T09:00:00+02:00", "1 week before", "2026-03-26T09:00:00+01:00"),
    ("2026-04-02T09:00:00+02:00", "168 hours before", "2026-03-26T08:00:00+01:00"),
    # The morning after fall back: a day before is 25 h, 24 h is 10:00.
    ("2026-10-25T09:00:00+01:00", "1 day before", "2026-10-24T09:00:00+02:00"),
    ("2026-10-25T09:00:00+01:00", "24 hours before", "2026-10-24T10:00:00+02:00"),
    ("2026-10-25T09:00:00+01:00", "48h before", "2026-10-23T10:00:00+02:00"),
])
def test_a_reminder_keeps_the_unit_the_user_gave_across_a_dst_change(in_zone, due, text,
                                                                       reminded_at):
    """Days and weeks are wall-clock days; hours and minutes are real time, also whole days of
    them."""
    in_zone("Europe/Berlin")
    at, minutes_before = read_remind(text, Due.parse(due))
    assert at.iso == reminded_at
    assert minutes_before in (24 * 60, 48 * 60, 7 * 24 * 60)


def test_snooze_counts_its_hour_the_same_way(in_zone, store):
    in_zone("Europe/Berlin")
    task = store.add("Call the bank", by=CLI_USER)
    with time_machine.travel(BEFORE_FALL, tick=False):
        snoozed = store.snooze(task.id, "in 2 hours", by=CLI_USER)
    assert elapsed(Due.parse(snoozed.remind_at), BEFORE_FALL) == timedelta(hours=2)


@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="needs libfaketime")
def test_the_cli_adds_a_task_due_in_two_hours_on_the_fall_back_night(app_home):
    """A real `tasks add --due "in 2 hours"` whose clock reads 01:30 on Berlin's change night."""
    env = cli_env(app_home, TZ="Europe/Berlin", LD_PRELOAD=str(LIBFAKETIME),
                  FAKETIME="@2026-10-25 01:30:00", FAKETIME_DONT_FAKE_MONOTONIC="1")
    added = subprocess.run([*CLI, "tasks", "add", "Take the bread out", "--due", "in 2 hours",
                            "--remind", "in 90 minutes", "--json"],
                           env=env, capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    task = json.loads(added.stdout)
    # The child's clock ticks on from 01:30 while it starts: allow a minute.
    assert timedelta(hours=2) <= elapsed(Due.parse(task["due"]), BEFORE_FALL) \
        < timedelta(hours=2, minutes=1)
    assert task["due"].startswith("2026-10-25T02:3") and task["due"].endswith("+01:00")
    assert timedelta(minutes=90) <= elapsed(Due.parse(task["remind_at"]), BEFORE_FALL) \
        < timedelta(minutes=91)
