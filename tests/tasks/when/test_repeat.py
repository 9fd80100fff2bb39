"""Repeat rules: phrases to RRULEs, their checks, and where a completed task moves."""

from datetime import datetime, time

import pytest
from dateutil.rrule import rrulestr

from app.common.errors import UserError
from app.tasks.when.dates import Due
from app.tasks.when.repeat import (
    Repeat,
    check_continues,
    describe,
    first_due,
    next_due,
    pin,
    read_repeat,
)

WEDNESDAY = datetime(2026, 3, 4, 10, 0).astimezone()
LONG_AGO = datetime(2000, 1, 1).astimezone()  # "now" before every due: only the rule counts


@pytest.mark.parametrize("text, rule", [
    ("every day", "FREQ=DAILY"),
    ("daily", "FREQ=DAILY"),
    ("every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("every week", "FREQ=WEEKLY"),
    ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("every other friday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("every monday and thursday", "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("every mon, wed, fri", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
    ("every month", "FREQ=MONTHLY"),
    ("every month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("every 1st and 15th", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
    ("every last friday", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("every first monday of the month", "FREQ=MONTHLY;BYDAY=1MO"),
    ("every last day of the month", "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ("every month on the 31st", "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"),
    ("every year", "FREQ=YEARLY"),
    ("Every 3 Days", "FREQ=DAILY;INTERVAL=3"),
])
def test_english_phrases_become_rrules_dateutil_accepts(text, rule):
    repeat, at = read_repeat(text)
    assert repeat == Repeat(rule, False) and at is None
    rrulestr(repeat.rule, dtstart=datetime(2026, 1, 1))  # valid RFC 5545 as dateutil reads it


@pytest.mark.parametrize("text", ["every 3 days after done", "every! 3 days",
                                  "every 3 days after completion"])
def test_the_after_completion_form(text):
    assert read_repeat(text) == (Repeat("FREQ=DAILY;INTERVAL=3", True), None)
    assert describe(read_repeat(text)[0]) == "every 3 days after done"


def test_a_phrase_can_name_the_time_of_day():
    assert read_repeat("every day at 9am") == (Repeat("FREQ=DAILY"), time(9, 0))
    assert read_repeat("every monday at 17:30")[1] == time(17, 30)


def test_rrules_are_taken_as_written_in_one_spelling():
    assert read_repeat("RRULE:freq=weekly;byday=mo")[0] == Repeat("FREQ=WEEKLY;BYDAY=MO")
    assert read_repeat("none") == (None, None)


@pytest.mark.parametrize("text, words", [
    ("FREQ=WEEKLY;BYDAY=XX", "not a valid repeat rule"),
    ("FREQ=SOMETIMES", "not a valid repeat rule"),
    ("BYDAY=MO", "needs FREQ"),
    ("every blue moon", "not a repeat I understand"),
])
def test_a_bad_rule_is_one_sentence_the_model_can_fix(text, words):
    with pytest.raises(UserError, match=words) as error:
        read_repeat(text)
    assert "FREQ=" in str(error.value)  # says what a good one looks like


def test_a_rule_that_never_produces_another_date_is_refused():
    due = Due.parse("2026-03-01")
    with pytest.raises(UserError, match="never produces another date"):
        check_continues(Repeat("FREQ=DAILY;UNTIL=20260301"), due, now=LONG_AGO)
    with pytest.raises(UserError, match="never produces another date"):
        check_continues(Repeat("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), due, now=LONG_AGO)
    check_continues(Repeat("FREQ=DAILY;UNTIL=20260302"), due, now=LONG_AGO)


def steps(repeat, due_text, count=4, now=LONG_AGO):
    due = Due.parse(due_text)
    repeat = pin(repeat, due)
    seen = []
    for _ in range(count):
        due = next_due(repeat, due, now=now)
        seen.append(due.iso if not due.has_time else due.iso[:16])
    return seen


def test_the_next_due_follows_the_rule_and_a_day_stays_a_day():
    assert steps(Repeat("FREQ=WEEKLY;BYDAY=MO,TH"), "2026-03-02") == [
        "2026-03-05", "2026-03-09", "2026-03-12", "2026-03-16"]
    assert steps(Repeat("FREQ=MONTHLY;BYDAY=-1FR"), "2026-01-30", 3) == [
        "2026-02-27", "2026-03-27", "2026-04-24"]


def test_a_date_time_stays_a_date_time_at_the_same_local_time():
    assert steps(Repeat("FREQ=DAILY"), "2026-03-04T08:15", 2) == [
        "2026-03-05T08:15", "2026-03-06T08:15"]


def test_the_31st_falls_on_each_months_last_day_when_it_is_shorter():
    assert steps(read_repeat("every month on the 31st")[0], "2026-01-31", 5) == [
        "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]
    # "every month" from a due on the 31st is pinned to that day: no drift to the 28th
    assert steps(Repeat("FREQ=MONTHLY"), "2026-01-31", 3) == [
        "2026-02-28", "2026-03-31", "2026-04-30"]
    assert steps(Repeat("FREQ=MONTHLY"), "2028-01-30", 2) == ["2028-02-29", "2028-03-30"]


def test_a_leap_day_repeats_on_the_28th_in_common_years_and_the_29th_in_leap_years():
    assert steps(Repeat("FREQ=YEARLY"), "2028-02-29", 4) == [
        "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"]
    assert steps(Repeat("FREQ=DAILY"), "2028-02-28", 2) == ["2028-02-29", "2028-03-01"]


@pytest.mark.parametrize("zone, before, after", [
    ("Europe/Berlin", "2026-03-28T09:00", "2026-03-29T09:00"),      # spring forward
    ("Europe/Berlin", "2026-10-24T09:00", "2026-10-25T09:00"),      # fall back
    ("America/New_York", "2026-03-07T02:30", "2026-03-08T03:30"),   # 02:30 does not exist
    ("Australia/Sydney", "2026-04-04T18:00", "2026-04-05T18:00"),
])
def test_a_fixed_local_time_keeps_its_hour_across_dst(in_zone, zone, before, after):
    in_zone(zone)
    moved = next_due(Repeat("FREQ=DAILY"), Due.parse(before), now=LONG_AGO)
    assert datetime.fromisoformat(moved.iso).astimezone().strftime("%Y-%m-%dT%H:%M") == after
    offsets = {Due.parse(before).iso[-6:], moved.iso[-6:]}
    assert len(offsets) == 2  # the offset changed with the season; the wall-clock hour did not


def test_completing_late_moves_to_the_first_occurrence_not_already_past():
    """A daily task three days overdue is due today after completing, not still overdue."""
    assert next_due(Repeat("FREQ=DAILY"), Due.parse("2026-03-01"), now=WEDNESDAY).iso == \
        "2026-03-04"
    assert next_due(Repeat("FREQ=WEEKLY;BYDAY=MO"), Due.parse("2026-02-23"),
                    now=WEDNESDAY).iso == "2026-03-09"
    timed = next_due(Repeat("FREQ=DAILY"), Due.parse("2026-03-01T08:00"), now=WEDNESDAY)
    assert timed.iso[:16] == "2026-03-05T08:00"  # today's 08:00 has passed at 10:00


def test_completing_early_moves_past_the_due():
    assert next_due(Repeat("FREQ=DAILY"), Due.parse("2026-03-10"), now=WEDNESDAY).iso == \
        "2026-03-11"


def test_after_done_counts_from_the_day_it_is_completed():
    repeat = Repeat("FREQ=DAILY;INTERVAL=3", True)
    assert next_due(repeat, Due.parse("2026-02-01"), now=WEDNESDAY).iso == "2026-03-07"
    timed = next_due(repeat, Due.parse("2026-02-01T19:00"), now=WEDNESDAY)
    assert timed.iso[:16] == "2026-03-07T19:00"
    hourly = next_due(Repeat("FREQ=HOURLY;INTERVAL=2", True), Due.parse("2026-02-01T19:00"),
                      now=WEDNESDAY)
    assert hourly.iso[:16] == "2026-03-04T12:00"


def test_count_becomes_until_so_a_moving_task_still_ends():
    repeat = pin(Repeat("FREQ=DAILY;COUNT=3"), Due.parse("2026-03-01"))
    assert repeat.rule == "FREQ=DAILY;UNTIL=20260303"
    due = Due.parse("2026-03-01")
    due = next_due(repeat, due, now=LONG_AGO)
    due = next_due(repeat, due, now=LONG_AGO)
    assert due.iso == "2026-03-03" and next_due(repeat, due, now=LONG_AGO) is None


def test_a_new_repeating_task_without_a_due_starts_at_its_first_occurrence():
    assert first_due(Repeat("FREQ=DAILY"), now=WEDNESDAY).iso == "2026-03-04"
    assert first_due(Repeat("FREQ=MONTHLY;BYMONTHDAY=1"), now=WEDNESDAY).iso == "2026-04-01"
    assert first_due(Repeat("FREQ=DAILY"), time(9, 0), now=WEDNESDAY).iso[:16] == \
        "2026-03-05T09:00"
    assert first_due(Repeat("FREQ=DAILY;INTERVAL=3", True), now=WEDNESDAY).iso == "2026-03-04"


def test_rules_read_back_as_english():
    assert describe(Repeat("FREQ=WEEKLY;BYDAY=MO,TH")) == "every Mon, Thu"
    assert describe(Repeat("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")) == "every weekday"
    assert describe(Repeat("FREQ=MONTHLY;BYDAY=-1FR")) == "every month on the last Friday"
    assert describe(Repeat("FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1")) == \
        "every month on the 31st or last day"
    assert describe(Repeat("FREQ=YEARLY;INTERVAL=2")) == "every 2 years"
