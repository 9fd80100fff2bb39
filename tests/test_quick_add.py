"""Quick add: one typed line split into a task's fields, with chips for what was recognised."""

from datetime import datetime

import pytest

from app.common.errors import UserError
from app.tasks.quick_add import parse
from app.tasks.repeat import Repeat
from app.tasks.dates import friendly_due

WEDNESDAY = datetime(2026, 3, 4, 10, 0).astimezone()


def quick(text):
    return parse(text, now=WEDNESDAY)


def test_the_issues_example():
    added = quick("Pay rent every month on the 1st #home !high ^Work")
    assert added.title == "Pay rent"
    assert added.repeat == Repeat("FREQ=MONTHLY;BYMONTHDAY=1")
    assert added.due.iso == "2026-04-01"  # the next 1st
    assert (added.tags, added.priority, added.list) == (("home",), "high", "Work")
    assert dict(added.chips) == {"due": friendly_due("2026-04-01"),
                                 "repeat": "every month on the 1st",
                                 "tag": "#home", "priority": "high", "list": "Work"}


def test_todoist_priorities_and_a_date_at_the_end():
    added = quick("Buy oat milk tomorrow 5pm #errands p1")
    assert (added.title, added.priority, added.tags) == ("Buy oat milk", "high", ("errands",))
    assert added.due.has_time and added.due.iso.startswith("2026-03-05T17:00")
    assert [quick(f"Thing {p}").priority for p in ("p1", "p2", "p3", "p4")] == [
        "high", "medium", "low", "none"]


def test_lead_words_before_a_date_leave_the_title():
    assert quick("Dentist on friday at 10am").title == "Dentist"
    assert quick("Report by dec 24").due.iso == "2026-12-24"


def test_a_list_with_spaces_is_quoted():
    assert quick('Plan trip next friday ^"Side projects"').list == "Side projects"


def test_a_repeat_phrase_with_a_time_sets_the_first_dues_time():
    added = quick("Water plants every sunday at 9am")
    assert added.repeat == Repeat("FREQ=WEEKLY;BYDAY=SU")
    assert added.due.iso.startswith("2026-03-08T09:00")


def test_after_done_repeats_start_today():
    added = quick("Stretch every 3 days after done")
    assert added.repeat == Repeat("FREQ=DAILY;INTERVAL=3", True) and added.due.iso == "2026-03-04"


@pytest.mark.parametrize("text", ["Read chapter 3", "Call May", "Buy 2 apples", "Fix the 5 bugs"])
def test_numbers_and_names_in_a_title_are_not_dates(text):
    added = quick(text)
    assert (added.title, added.due, added.chips) == (text, None, ())


def test_a_line_with_nothing_left_for_a_title_is_refused():
    with pytest.raises(UserError, match="title"):
        quick("#home p1")
