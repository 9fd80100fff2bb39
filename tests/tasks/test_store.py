"""The task store on a real SQLite file: what a user of the CLI, agent or window relies on."""

import sqlite3
from datetime import datetime, timedelta

import pytest

from app.common.errors import UserError
from app.tasks import TaskChange, TaskFilter, TaskStore
from app.tasks.history import Origin

CLI = Origin("cli")  # who the test's own writes are recorded as


def titles(tasks):
    return [task.title for task in tasks]


def test_a_task_has_every_field_and_survives_reopening_the_file(app_home):
    path = app_home / "tasks.sqlite3"
    with TaskStore(path) as store:
        added = store.add("Renew passport", notes="photos", due="2026-11-27",
                          priority="High", tags=["#admin", "travel", "Admin"], by=CLI)
    with TaskStore(path) as store:
        task = store.get(added.id)
    assert task == added
    assert (task.title, task.notes, task.due, task.priority, task.status) == \
        ("Renew passport", "photos", "2026-11-27", "high", "open")
    assert task.tags == ("admin", "travel")  # '#' dropped, duplicates ignoring case removed
    assert task.completed_at is None and task.created_at == task.updated_at


def test_open_tasks_are_listed_soonest_due_first_then_by_priority(store):
    store.add("no due", by=CLI)
    store.add("later", due="2026-12-10", by=CLI)
    store.add("soon, low", due="2026-12-01", priority="low", by=CLI)
    store.add("soon, high", due="2026-12-01", priority="high", by=CLI)
    store.complete(store.add("finished", due="2026-11-01", by=CLI).id, by=CLI)
    assert titles(store.list_tasks()) == ["soon, high", "soon, low", "later", "no due"]
    assert titles(store.list_tasks(TaskFilter(status="done"))) == ["finished"]
    assert len(store.list_tasks(TaskFilter(status="all"))) == 5
    assert titles(store.list_tasks(TaskFilter(limit=1))) == ["soon, high"]


def test_filters_by_tag_priority_and_due_range(store):
    store.add("a", due="2026-12-01", tags=["Work"], by=CLI)
    store.add("b", due="2026-12-02", tags=["home"], priority="high", by=CLI)
    store.add("c", due="2026-12-03T09:00:00+00:00", tags=["work", "home"], by=CLI)
    assert titles(store.list_tasks(TaskFilter(tag="work"))) == ["a", "c"]
    assert titles(store.list_tasks(TaskFilter(tag="#HOME"))) == ["b", "c"]
    assert titles(store.list_tasks(TaskFilter(priority="high"))) == ["b"]
    assert titles(store.list_tasks(TaskFilter(due_before="2026-12-02"))) == ["a"]
    assert titles(store.list_tasks(TaskFilter(due_after="2026-12-01"))) == ["b", "c"]
    assert titles(store.list_tasks(TaskFilter(due_after="2026-12-02", due_before="2026-12-04"))) \
        == ["c"]


def test_overdue_and_due_today_follow_the_clock(store):
    now = datetime(2026, 11, 22, 15, 0).astimezone()
    today = now.date()
    store.add("yesterday", due=(today - timedelta(days=1)).isoformat(), by=CLI)
    store.add("today, no time", due=today.isoformat(), by=CLI)
    store.add("this morning", due=now.replace(hour=9).isoformat(), by=CLI)
    store.add("tonight", due=now.replace(hour=21).isoformat(), by=CLI)
    store.add("tomorrow", due=(today + timedelta(days=1)).isoformat(), by=CLI)
    assert titles(store.list_tasks(TaskFilter(overdue=True), now=now)) == \
        ["yesterday", "this morning"]
    # Today's list holds the overdue tasks too, overdue first.
    assert titles(store.list_tasks(TaskFilter(due_today=True), now=now)) == \
        ["yesterday", "this morning", "today, no time", "tonight"]
    assert store.count_due_today(now=now) == 4


def test_search_finds_words_in_title_notes_and_tags_by_prefix(store):
    store.add("Renew passport", notes="bring two photos", by=CLI)
    store.add("Call plumber", tags=["house"], by=CLI)
    store.complete(store.add("Book flights to Lisbon", by=CLI).id, by=CLI)
    assert titles(store.search("pass")) == ["Renew passport"]
    assert titles(store.search("photos renew")) == ["Renew passport"]
    assert titles(store.search("HOUSE")) == ["Call plumber"]
    assert titles(store.search("lisbon")) == ["Book flights to Lisbon"]  # done tasks too
    assert titles(store.search("lisbon", status="open")) == []
    assert store.search('photos" OR (') == []  # user text never becomes FTS syntax
    with pytest.raises(UserError):
        store.search("   ")


def test_a_search_matching_almost_everything_lists_the_newest_first(store, monkeypatch):
    """Past RANKED_AT_MOST matches, ranking says little and costs much: newest first instead,
    with the limit and the status filter still applying."""
    from app.tasks import store as store_module

    monkeypatch.setattr(store_module, "RANKED_AT_MOST", 4)
    ids = [store.add(f"Water plant {n}", notes="water" * (n % 2), by=CLI).id for n in range(8)]
    store.complete(ids[-1], by=CLI)
    newest_first = ids[::-1]
    assert [t.id for t in store.search("water", limit=3)] == newest_first[:3]
    assert [t.id for t in store.search("water", limit=None)] == newest_first
    assert [t.id for t in store.search("water", status="open", limit=2)] == newest_first[1:3]
    assert [t.id for t in store.search("water", status="done")] == [ids[-1]]  # one: ranked
    # Few matches are ranked: the title counts most.
    store.add("Notes", notes="mentions plant once", by=CLI)
    assert titles(store.search("plant 3")) == ["Water plant 3"]


def test_search_follows_edits_and_deletes(store):
    task = store.add("Water plants", by=CLI)
    store.update(task.id, title="Water the garden", tags=["outdoor"], by=CLI)
    assert titles(store.search("plants")) == []
    assert titles(store.search("garden outdoor")) == ["Water the garden"]
    store.delete(task.id, by=CLI)
    assert store.search("garden") == []
    assert store.list_tasks(TaskFilter(tag="outdoor")) == []


def test_update_changes_only_what_is_given_and_can_clear_the_due_date(store):
    task = store.add("Dentist", notes="ask about x-ray", due="2026-12-01", tags=["health"], by=CLI)
    updated = store.update(task.id, priority="medium", by=CLI)
    assert (updated.notes, updated.due, updated.tags, updated.priority) == \
        ("ask about x-ray", "2026-12-01", ("health",), "medium")
    cleared = store.update(task.id, due=None, tags=[], by=CLI)
    assert (cleared.due, cleared.tags) == (None, ())
    assert store.list_tasks(TaskFilter(due_before="2030-01-01")) == []


def test_complete_and_reopen_track_completion_time(store):
    task = store.add("Pay rent", by=CLI)
    done = store.complete(task.id, by=CLI)
    assert done.status == "done" and done.completed_at is not None
    assert store.complete(task.id, by=CLI) == done  # completing twice changes nothing
    reopened = store.reopen(task.id, by=CLI)
    assert reopened.status == "open" and reopened.completed_at is None


def test_every_change_is_announced_once_after_it_is_committed(store):
    seen = []
    stop = store.subscribe(lambda change: seen.append((change, store.count())))
    task = store.add("one", by=CLI)
    store.update(task.id, title="one!", by=CLI)
    store.complete(task.id, by=CLI)
    store.reopen(task.id, by=CLI)
    ids = store.import_tasks([{"title": "two"}, {"title": "three"}], by=CLI)
    store.delete(task.id, by=CLI)
    stop()
    store.add("not heard", by=CLI)
    assert [change for change, _ in seen] == [
        TaskChange("added", (task.id,)), TaskChange("updated", (task.id,)),
        TaskChange("completed", (task.id,)), TaskChange("reopened", (task.id,)),
        TaskChange("imported", tuple(ids)), TaskChange("deleted", (task.id,)),
    ]
    assert [count for _, count in seen] == [1, 1, 1, 1, 3, 2]  # listeners see committed data


def test_a_failing_listener_does_not_undo_the_write(store):
    def broken(change):
        raise RuntimeError("view crashed")

    store.subscribe(broken)
    task = store.add("kept", by=CLI)
    assert store.get(task.id).title == "kept"


def test_writes_by_another_process_are_announced_as_external(store, app_home):
    seen = []
    store.subscribe(seen.append)
    assert not store.poll_external_changes()
    with TaskStore(app_home / "tasks.sqlite3") as other:  # the CLI or a second window
        other.add("from elsewhere", by=CLI)
    assert store.poll_external_changes()
    assert seen == [TaskChange("external")]
    assert not store.poll_external_changes()
    assert titles(store.list_tasks()) == ["from elsewhere"]


@pytest.mark.parametrize("fields, message", [
    ({"title": "  "}, "needs a title"),
    ({"title": "x", "due": "someday"}, "is not a date"),
    ({"title": "x", "priority": "urgent"}, "Unknown priority"),
    ({"title": "x", "tags": ["a,b"]}, "no commas"),
    ({"title": "x" * 501}, "at most 500"),
])
def test_bad_input_is_refused_and_nothing_is_written(store, fields, message):
    title = fields.pop("title")
    with pytest.raises(UserError, match=message):
        store.add(title, **fields, by=CLI)
    assert store.count() == 0


@pytest.mark.parametrize("task_id", [99, "abc", "0", -1, True, "1.5"])
def test_an_unknown_or_malformed_id_is_a_clear_error(store, task_id):
    store.add("only task", by=CLI)
    with pytest.raises(UserError, match="no task 99|is not a task id"):
        store.complete(task_id, by=CLI)
    assert store.list_tasks()[0].status == "open"


def test_a_bad_update_leaves_the_task_as_it_was(store):
    task = store.add("Keep me", due="2026-12-01", by=CLI)
    with pytest.raises(UserError):
        store.update(task.id, title="New", due="not a date", by=CLI)
    assert store.get(task.id) == task


def test_import_keeps_status_and_dates_and_gives_new_ids(store):
    store.add("already here", by=CLI)
    exported = store.add("exported", due="2026-12-01", tags=["x"], by=CLI)
    store.complete(exported.id, by=CLI)
    record = store.get(exported.id).to_dict()
    ids = store.import_tasks([record], by=CLI)
    copy = store.get(ids[0])
    assert copy.id != exported.id
    assert (copy.title, copy.due, copy.status, copy.tags, copy.created_at, copy.completed_at) == \
        ("exported", "2026-12-01", "done", ("x",), record["created_at"], record["completed_at"])


@pytest.mark.parametrize("records, message", [
    ([{"title": "ok"}, {"title": ""}], "Task 2 in the file: A task needs a title"),
    ([{"title": "ok"}, "just text"], "Task 2 in the file: each task must be a JSON object"),
    ([{"title": "ok", "colour": "red"}], "unknown field 'colour'"),
    ([{"title": "ok", "status": "maybe"}], "Unknown status"),
    ([{"title": "ok", "due": 20261201}], "'due' must be"),
])
def test_import_is_all_or_nothing(store, records, message):
    store.add("existing", by=CLI)
    with pytest.raises(UserError, match=message):
        store.import_tasks(records, by=CLI)
    assert titles(store.list_tasks(TaskFilter(status="all"))) == ["existing"]


def test_file_is_in_wal_mode_and_passes_integrity_check(store):
    store.add("x", by=CLI)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO tasks_fts(tasks_fts) VALUES ('integrity-check')")  # FTS in sync

