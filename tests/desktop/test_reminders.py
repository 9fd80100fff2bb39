"""Reminders against a real task store and a real file, with a clock the test moves."""

import json
from datetime import datetime, timedelta

import pytest

from app.desktop.reminders import Reminder, Reminders, summarize
from app.tasks.history import Origin
from app.tasks.when.dates import friendly_due

CLI = Origin("cli")  # who the test's own writes are recorded as

START = datetime(2026, 12, 4, 8, 0).astimezone()  # Friday 4 Dec 2026, 08:00 local time


class Clock:
    def __init__(self, moment: datetime = START):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "reminders.json"


@pytest.fixture
def reminders(store, path, clock):
    return Reminders(store, path, clock)


def at(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def test_a_task_reminds_when_it_falls_due_and_only_once_even_after_a_restart(
        store, path, clock, reminders):
    task = store.add("Renew passport", due=at(START + timedelta(minutes=10)), by=CLI)
    assert reminders.due_now() == []
    clock.advance(minutes=11)
    found = reminders.due_now()
    assert found == [Reminder(task.id, "Renew passport", task.due, False, friendly_due(task.due))]
    reminders.mark_notified(found)
    assert reminders.due_now() == []
    clock.advance(hours=5)
    assert reminders.due_now() == []
    assert Reminders(store, path, clock).due_now() == []  # the app restarted


def test_the_default_path_is_in_the_data_directory(store, app_home):
    assert Reminders(store).path == app_home / "reminders.json"


def test_a_day_reminds_at_nine_in_the_morning_and_is_overdue_only_once_it_is_over(store, clock,
                                                                                 reminders):
    store.add("Pay rent", due="2026-12-04", by=CLI)
    clock.moment = datetime(2026, 12, 4, 8, 59).astimezone()
    assert reminders.due_now() == []
    clock.moment = datetime(2026, 12, 4, 9, 0).astimezone()
    [today] = reminders.due_now()
    assert (today.title, today.overdue, today.when) == \
        ("Pay rent", False, friendly_due("2026-12-04"))
    assert summarize([today]) == ("Pay rent is due today", f"Due {friendly_due('2026-12-04')}.")
    clock.moment = datetime(2026, 12, 5, 0, 30).astimezone()
    assert reminders.due_now()[0].overdue  # never marked: still due, and now overdue


def test_the_morning_hour_can_be_chosen(store, path, clock):
    store.add("Pay rent", due="2026-12-04", by=CLI)
    assert Reminders(store, path, clock, day_reminder_at=START.time()).due_now() != []


def test_completed_and_deleted_tasks_never_remind_and_are_forgotten(store, path, clock,
                                                                    reminders):
    done = store.add("Done already", due=at(START - timedelta(hours=1)), by=CLI)
    gone = store.add("Deleted", due=at(START - timedelta(hours=1)), by=CLI)
    shown = store.add("Shown then done", due=at(START - timedelta(hours=1)), by=CLI)
    store.complete(done.id, by=CLI)
    store.delete(gone.id, by=CLI)
    reminders.mark_notified(reminders.due_now())
    assert json.loads(path.read_text())["notified"] == {str(shown.id): shown.due}
    store.complete(shown.id, by=CLI)
    assert reminders.due_now() == []
    reminders.mark_notified([])
    assert json.loads(path.read_text())["notified"] == {}


def test_a_rescheduled_task_reminds_again_at_its_new_time(store, clock, reminders):
    task = store.add("Call the bank", due=at(START), by=CLI)
    reminders.mark_notified(reminders.due_now())
    store.update(task.id, due=at(START + timedelta(hours=1)), by=CLI)
    assert reminders.due_now() == []
    clock.advance(hours=1)
    assert [reminder.due for reminder in reminders.due_now()] == [at(START + timedelta(hours=1))]


def test_a_task_added_by_another_process_is_seen_once_the_store_announces_it(store, clock,
                                                                              reminders):
    from app.tasks import TaskStore

    reminders.due_now()
    with TaskStore(store.path) as cli:
        cli.add("Added from the command line", due=at(START - timedelta(days=30)), by=CLI)
    assert store.poll_external_changes()  # what the app's live updates do every second
    assert [reminder.title for reminder in reminders.due_now()] == ["Added from the command line"]


def test_a_reminder_not_marked_comes_again_however_long_ago_it_fell_due(store, clock, reminders):
    store.add("Renew passport", due=at(START), by=CLI)
    found = reminders.due_now()
    for _ in range(3):
        clock.advance(days=3)
        assert reminders.due_now() == [found[0]._replace(overdue=True)]


def test_a_reopened_task_is_not_shown_twice_in_one_run(store, reminders):
    task = store.add("Water plants", due=at(START), by=CLI)
    reminders.mark_notified(reminders.due_now())
    store.complete(task.id, by=CLI)
    reminders.due_now()
    store.reopen(task.id, by=CLI)
    assert reminders.due_now() == []


def test_at_start_everything_overdue_comes_at_once_soonest_first_for_one_summary(store,
                                                                                reminders):
    for day in range(40, 0, -1):
        store.add(f"Old task {day}", due=(START.date() - timedelta(days=day)).isoformat(), by=CLI)
    found = reminders.due_now()
    assert len(found) == 40 and all(reminder.overdue for reminder in found)
    assert [reminder.title for reminder in found[:2]] == ["Old task 40", "Old task 39"]
    assert summarize(found) == ("40 tasks are overdue",
                                "Old task 40, Old task 39, Old task 38 and 37 more")
    reminders.mark_notified(found)
    assert reminders.due_now() == []


def test_the_overdue_flag_and_summaries(store, clock, reminders):
    late = store.add("Renew passport", due=at(START - timedelta(minutes=6)), by=CLI)
    just = store.add("Pay rent", due=at(START - timedelta(minutes=4)), by=CLI)
    [overdue, due] = reminders.due_now()
    assert (overdue.task_id, overdue.overdue, due.task_id, due.overdue) == (late.id, True,
                                                                            just.id, False)
    assert summarize([due]) == ("Pay rent is due now", f"Due {friendly_due(just.due)}.")
    assert summarize([overdue]) == ("Renew passport is overdue",
                                    f"It was due {friendly_due(late.due)}.")
    assert summarize([overdue, due]) == ("2 tasks are due, 1 of them overdue",
                                         "Renew passport, Pay rent")
    assert summarize([due, due._replace(title="Call mum"), due._replace(title="x" * 80)]) == (
        "3 tasks are due", "Pay rent, Call mum, " + "x" * 59 + "…")
    assert reminders.summarize([due]) == summarize([due])  # the tray asks its Reminders
    with pytest.raises(ValueError):
        summarize([])


def test_a_damaged_file_is_kept_aside_and_reminders_start_afresh(store, path, clock):
    store.add("Renew passport", due=at(START), by=CLI)
    path.write_text("{not json")
    reminders = Reminders(store, path, clock)
    assert "damaged" in reminders.warnings[0]
    assert path.with_name("reminders.json.bad").read_text() == "{not json"
    found = reminders.due_now()
    assert len(found) == 1
    reminders.mark_notified(found)
    assert Reminders(store, path, clock).due_now() == []
    path.write_text('["a list"]')
    assert Reminders(store, path, clock).due_now() == found
    assert path.with_name("reminders.json.bad-2").exists()


def test_an_unwritable_file_still_never_repeats_a_reminder_in_this_run(store, tmp_path, clock):
    (tmp_path / "not-a-dir").write_text("")
    reminders = Reminders(store, tmp_path / "not-a-dir" / "reminders.json", clock)
    store.add("Renew passport", due=at(START), by=CLI)
    reminders.mark_notified(reminders.due_now())
    reminders.mark_notified([])
    assert reminders.due_now() == []
    assert "could not be read" in reminders.warnings[0]
    assert len(reminders.warnings) == 2 and "could not be saved" in reminders.warnings[1]


def test_next_due_in_says_when_to_check_again(store, reminders):
    assert reminders.next_due_in(START) is None
    store.add("Past, for due_now", due=at(START - timedelta(hours=1)), by=CLI)
    store.complete(store.add("Done", due=at(START + timedelta(minutes=1)), by=CLI).id, by=CLI)
    store.add("In two hours", due=at(START + timedelta(hours=2)), by=CLI)
    assert reminders.next_due_in(START) == 7200
    store.add("Today, a day", due="2026-12-04", by=CLI)  # reminds at 09:00
    assert reminders.next_due_in(START) == 3600
    assert reminders.next_due_in(START.replace(hour=12)) is None


def test_next_due_in_finds_a_time_before_the_morning_of_a_day(store, reminders):
    tomorrow = datetime(2026, 12, 5, 9, 0).astimezone()
    store.add("Tomorrow", due="2026-12-05", by=CLI)  # first by due value: its midnight
    assert reminders.next_due_in(START) == (tomorrow - START).total_seconds()
    early = datetime(2026, 12, 5, 3, 0).astimezone()
    store.add("Early flight", due=at(early), by=CLI)
    assert reminders.next_due_in(START) == (early - START).total_seconds()


# -- a task's own reminder (issue 14: --remind) --------------------------------------------------

def test_a_reminder_of_its_own_fires_at_its_instant_once_and_again_after_a_snooze(
        store, path, clock, reminders):
    task = store.add("Call the bank", due="2026-12-10", remind=at(START + timedelta(minutes=30)),
                     by=CLI)
    assert reminders.due_now() == []
    clock.advance(minutes=31)
    [found] = reminders.due_now()
    assert (found.task_id, found.remind_at) == (task.id, task.remind_at)
    assert summarize([found]) == ("Reminder: Call the bank", f"Due {friendly_due(task.due)}. "
                                  "Click to mark it done or snooze it.")
    reminders.mark_notified([found])
    assert reminders.due_now() == []
    assert Reminders(store, path, clock).due_now() == []  # kept in the file across a restart
    assert json.loads(path.read_text())["reminded"] == {str(task.id): task.remind_at}

    snoozed = store.snooze(task.id, at(clock.moment + timedelta(minutes=10)), by=CLI)
    assert reminders.due_now() == []
    assert reminders.next_due_in(clock.moment) == pytest.approx(600, abs=1)
    clock.advance(minutes=11)
    [again] = reminders.due_now()
    assert again.remind_at == snoozed.remind_at


def test_snooze_reads_the_window_buttons_words(store):
    task = store.add("Call the bank", by=CLI)
    now = datetime.now().astimezone()
    for words, distance in (("10 min", timedelta(minutes=10)), ("1h", timedelta(hours=1)),
                            ("in 10 minutes", timedelta(minutes=10))):
        snoozed = datetime.fromisoformat(store.snooze(task.id, words, by=CLI).remind_at)
        assert abs(snoozed - now - distance) < timedelta(minutes=1)
    tomorrow = datetime.fromisoformat(store.snooze(task.id, "tomorrow 9am", by=CLI).remind_at)
    assert (tomorrow.astimezone().date() - now.date()).days == 1 and tomorrow.hour == 9
    store.undo(by=CLI)  # a snooze is one undoable change
    assert store.get(task.id).remind_at != tomorrow.isoformat()
    with pytest.raises(Exception) as refused:
        store.snooze(task.id, "whenever", by=CLI)
    assert "whenever" in str(refused.value)


def test_a_reminder_file_from_before_own_reminders_still_loads(store, path, clock):
    task = store.add("Renew passport", due=at(START - timedelta(minutes=1)), by=CLI)
    path.write_text(json.dumps({"notified": {str(task.id): task.due}}))
    assert Reminders(store, path, clock).due_now() == []
