"""Quick add: one typed line split into a task's fields, with chips for what was recognised."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.common.errors import UserError
from app.tasks.history import Origin
from app.tasks.quick_add import parse
from app.tasks.when.dates import friendly_due
from app.tasks.when.repeat import Repeat

WEDNESDAY = datetime(2026, 3, 4, 10, 0).astimezone()


def quick(text):
    return parse(text, now=WEDNESDAY)


def test_the_issues_example():
    added = quick("Pay rent every month on the 1st #home !high ^Work")
    assert added.title == "Pay rent"
    assert added.repeat == Repeat("FREQ=MONTHLY;BYMONTHDAY=1")
    assert added.due.iso == "2026-04-01"  # the next 1st
    assert (added.tags, added.priority, added.list) == (("home",), "high", "Work")
    assert {kind: text for kind, text, _ in added.readings} == {
        # the year shows unless it is this year or next: under a pinned clock it may not be
        "due": friendly_due("2026-04-01"), "repeat": "every month on the 1st", "tag": "#home",
        "priority": "high", "list": "Work"}


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
    assert (added.title, added.due, added.readings) == (text, None, ())


def test_a_line_with_nothing_left_for_a_title_is_refused():
    with pytest.raises(UserError, match="title"):
        quick("#home !high ^Work")


# -- titles come through unharmed (issue 21) ------------------------------------------------
# The clock is pinned to a Wednesday morning in Berlin; every expected date is counted from it.

PINNED = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def pinned_clock():
    with time_machine.travel(PINNED, tick=False):
        yield PINNED


def day(offset: int, at: str = "") -> str:
    """The pinned day + offset, as a due's ISO text starts ("2026-03-05" or "…T17:00")."""
    found = (PINNED.date() + timedelta(days=offset)).isoformat()
    return f"{found}T{at}" if at else found


FRIDAY, SATURDAY, SUNDAY, MONDAY = day(2), day(3), day(4), day(5)
NEXT_2ND = "2026-04-02"  # the next 2nd after Wednesday 4 March
WEEKLY_FR = "FREQ=WEEKLY;BYDAY=FR"

# text, title, due (ISO start), repeat rule, priority, tags, list
TITLES = [
    ("Weekly shop tomorrow", "Weekly shop", day(1), None, None, (), None),
    ("Weekly report every friday", "Weekly report", FRIDAY, WEEKLY_FR, None, (), None),
    ("Weekly report every friday ^Work", "Weekly report", FRIDAY, WEEKLY_FR, None, (), "Work"),
    ("Send the weekly report friday", "Send the weekly report", FRIDAY, None, None, (), None),
    ("Read the weekly", "Read the weekly", None, None, None, (), None),
    ("Daily standup notes", "Daily standup notes", None, None, None, (), None),
    ("Daily standup daily at 9am", "Daily standup", day(1, "09:00"), "FREQ=DAILY", None, (),
     None),
    ("Take vitamins daily", "Take vitamins", day(0), "FREQ=DAILY", None, (), None),
    ("Print my daily", "Print my daily", None, None, None, (), None),
    ("Buy monthly pass", "Buy monthly pass", None, None, None, (), None),
    ("Monday meeting notes", "Monday meeting notes", None, None, None, (), None),
    ("Fix the monday bug", "Fix the monday bug", None, None, None, (), None),
    ("Call mom monday", "Call mom", MONDAY, None, None, (), None),
    ("Call mom wednesday", "Call mom", day(7), None, None, (), None),
    ("Plan Saturday brunch on sat", "Plan Saturday brunch", SATURDAY, None, None, (), None),
    ("Sit in the sun", "Sit in the sun", None, None, None, (), None),
    ("Sit in the sun tomorrow", "Sit in the sun", day(1), None, None, (), None),
    ("Get wed", "Get wed", None, None, None, (), None),
    ("Call May", "Call May", None, None, None, (), None),
    ("Dinner with May tomorrow", "Dinner with May", day(1), None, None, (), None),
    ("Meet May 3", "Meet", "2026-05-03", None, None, (), None),
    ("May the force be with you", "May the force be with you", None, None, None, (), None),
    ("Plan trip in march", "Plan trip in march", None, None, None, (), None),
    ("March madness bracket", "March madness bracket", None, None, None, (), None),
    ("File taxes by march 15", "File taxes", "2026-03-15", None, None, (), None),
    ("Finish today's report", "Finish today's report", None, None, None, (), None),
    ("Ship it today", "Ship it", day(0), None, None, (), None),
    ("Watch the Tonight Show tonight", "Watch the Tonight Show", day(0), None, None, (), None),
    ("Buy 3pm train tickets", "Buy 3pm train tickets", None, None, None, (), None),
    ("Call the bank at 3pm", "Call the bank", day(0, "15:00"), None, None, (), None),
    ("Meeting 3pm tomorrow", "Meeting", day(1, "15:00"), None, None, (), None),
    ("Read John 3:16", "Read John 3:16", None, None, None, (), None),
    ("Submit 2nd draft friday", "Submit 2nd draft", FRIDAY, None, None, (), None),
    ("2nd floor cleanup", "2nd floor cleanup", None, None, None, (), None),
    ("Pay rent on the 2nd", "Pay rent", NEXT_2ND, None, None, (), None),
    ("Book hotel for the 2nd", "Book hotel for the 2nd", None, None, None, (), None),
    ("High school reunion", "High school reunion", None, None, None, (), None),
    ("Jump high !high", "Jump high", None, None, "high", (), None),
    ("Review p1 draft", "Review p1 draft", None, None, None, (), None),
    ("Triage the bugs p1", "Triage the bugs", None, None, "high", (), None),
    ("Fix issue #42 tomorrow #work", "Fix issue #42", day(1), None, None, ("work",), None),
    ("Learn C# basics", "Learn C# basics", None, None, None, (), None),
    ("Buy oat milk tomorrow 5pm #errands p1", "Buy oat milk", day(1, "17:00"), None, "high",
     ("errands",), None),
    ("Compute 2^10 by hand", "Compute 2^10 by hand", None, None, None, (), None),
    ("Every day counts poster", "Every day counts poster", None, None, None, (), None),
    ("Read every book on the list", "Read every book on the list", None, None, None, (),
     None),
    ("Water plants every sunday at 9am", "Water plants", day(4, "09:00"),
     "FREQ=WEEKLY;BYDAY=SU", None, (), None),
    ("Pay bills by the end of the month", "Pay bills", "2026-03-31", None, None, (), None),
    ("Plan next week's menu", "Plan next week's menu", None, None, None, (), None),
    ("Dentist on friday at 10am ^Health", "Dentist", day(2, "10:00"), None, None, (),
     "Health"),
    ("Finish the essay in 3 days !low", "Finish the essay", day(3), None, "low", (), None),
]


@pytest.mark.parametrize(("text", "title", "due", "rule", "priority", "tags", "list_name"),
                         TITLES, ids=[row[0] for row in TITLES])
def test_real_titles_keep_their_words(pinned_clock, text, title, due, rule, priority, tags,
                                      list_name):
    added = parse(text)
    assert added.title == title
    assert (added.due.iso[:len(due)] if added.due else None) == due
    if due and "T" not in due:
        assert not added.due.has_time
    assert (added.repeat.rule if added.repeat else None) == rule
    assert (added.priority, added.tags, added.list) == (priority, tags, list_name)


def test_the_table_holds_forty_titles_with_the_words_that_used_to_be_eaten():
    words = " ".join(text.lower() for text, *_ in TITLES)
    assert len(TITLES) >= 40
    for word in ("weekly", "daily", "monday", "may", "march", "today", "tonight", "3pm",
                 "2nd", "high", "p1", "#"):
        assert word in words


def test_a_reading_taken_back_leaves_its_words_in_the_title_and_the_rest_read(pinned_clock):
    added = parse("Buy milk tomorrow 5pm #errands p1", keep={"tomorrow 5pm"})
    assert (added.title, added.due, added.priority, added.tags) == \
        ("Buy milk tomorrow 5pm", None, "high", ("errands",))
    added = parse("Buy milk tomorrow #errands p1", keep={"#errands", "p1"})
    assert (added.title, added.due.iso, added.tags, added.priority) == \
        ("Buy milk #errands p1", day(1), (), None)


def test_a_repeats_first_day_is_taken_back_with_the_repeat(pinned_clock):
    added = parse("Weekly report every friday")
    assert [(kind, source) for kind, _, source in added.readings] == [
        ("due", "every friday"), ("repeat", "every friday")]
    kept = parse("Weekly report every friday", keep={"every friday"})
    assert (kept.title, kept.due, kept.repeat, kept.readings) == \
        ("Weekly report every friday", None, None, ())


# -- `tasks quick` ----------------------------------------------------------------------------

def quick_cli(capsys, text: str) -> tuple[int, str, str]:
    from app.cli.main import main

    code = main(["tasks", "quick", text])
    out, err = capsys.readouterr()
    return code, out, err


def test_tasks_quick_keeps_a_title_with_a_repeat_word(pinned_clock, capsys, store):
    assert quick_cli(capsys, "Weekly shop tomorrow")[0] == 0
    [task] = store.list_tasks()
    assert (task.title, task.due, task.repeat) == ("Weekly shop", day(1), None)


def test_tasks_quick_makes_a_missing_list_and_says_so(pinned_clock, capsys, store):
    code, out, err = quick_cli(capsys, "Weekly report every friday ^Work")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Created list Work."
    [task] = store.list_tasks()
    assert (task.title, task.list, task.due, task.repeat) == \
        ("Weekly report", "Work", FRIDAY, WEEKLY_FR)
    store.undo(by=Origin("cli"))  # one step: the task and the list it made
    assert store.count() == 0 and [item.name for item in store.lists()] == ["Inbox"]


def test_tasks_quick_uses_a_list_that_exists_whatever_its_case(pinned_clock, capsys, store):
    store.add_list("Work", by=Origin("cli"))
    code, out, _ = quick_cli(capsys, "Plan the offsite ^work")
    assert code == 0 and "Created list" not in out
    assert [item.name for item in store.lists()] == ["Inbox", "Work"]
    assert store.list_tasks()[0].list == "Work"
