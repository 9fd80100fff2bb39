"""Opening files from older, newer and foreign versions."""

import sqlite3

import pytest
from conftest import TESTS

from app.common.database import DatabaseTooNewError, open_database
from app.common.errors import UserError
from app.tasks import TaskFilter, TaskStore
from app.tasks.history import Origin
from app.tasks.migrations import MIGRATIONS, SCHEMA_VERSION

CLI = Origin("cli")  # who the test's own writes are recorded as


def test_a_new_file_gets_the_current_schema(app_home):
    with TaskStore(app_home / "tasks.sqlite3"):
        pass
    conn = sqlite3.connect(app_home / "tasks.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_pending_migrations_run_in_order_and_keep_the_data(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as store:
        store.add("from version 1", by=CLI)
    newer = MIGRATIONS + ["ALTER TABLE tasks ADD COLUMN colour TEXT;",
                          "UPDATE tasks SET colour = 'blue';"]
    conn = open_database(path, newer)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(newer)
    assert (conn.execute("SELECT title, colour FROM tasks").fetchall()
            == [("from version 1", "blue")])


def test_a_failing_migration_leaves_the_file_at_the_last_good_version(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as store:
        store.add("safe", by=CLI)
    broken = MIGRATIONS + ["ALTER TABLE tasks ADD COLUMN colour TEXT; SELECT * FROM missing_table;"]
    with pytest.raises(UserError, match="no such table"):
        open_database(path, broken)
    with TaskStore(path) as store:
        assert [t.title for t in store.list_tasks()] == ["safe"]
    columns = [row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(tasks)")]
    assert "colour" not in columns


def test_a_file_from_a_newer_version_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    with TaskStore(path) as store:
        store.add("written by the future", by=CLI)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")  # fold the WAL in so the bytes are all in one file
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError,
                       match="newer version of Task Assistant.*left untouched"):
        TaskStore(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "tasks.sqlite3-wal").exists()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(UserError, match="tasks.sqlite3 is damaged.*backups restore"):
        TaskStore(path)
    assert path.read_text().startswith("these are my notes")


def test_a_real_v1_file_from_before_the_task_model_opens_with_everything_kept(tmp_path):
    """tests/fixtures/tasks_v1.sqlite3 was written by main's code before schema 2 and 3."""
    import shutil

    from app.tasks.history import Origin

    path = tmp_path / "tasks.sqlite3"
    shutil.copy(TESTS / "fixtures" / "tasks_v1.sqlite3", path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    with TaskStore(path) as store:
        tasks = {task.title: task for task in store.list_tasks(TaskFilter(status="all"))}
        assert len(tasks) == 5
        plants = tasks["Water the plants"]
        assert (plants.due, plants.priority, plants.tags, plants.notes) == (
            "2026-03-01", "medium", ("home", "plants"), "The big fern likes more")
        assert tasks["Call the dentist"].due == "2026-03-02T09:30:00+01:00"
        assert tasks["Renew passport"].status == "done"
        assert all(task.list == "Inbox" and task.parent_id is None and task.repeat is None
                   and task.remind_at is None for task in tasks.values())
        assert len({task.uid for task in tasks.values()}) == 5  # each got a UID of its own
        assert store.search("fern")[0].title == "Water the plants"
        assert [(item.name, item.open, item.done) for item in store.lists()] == [("Inbox", 4, 1)]
        by = Origin("cli")
        store.add_list("Home", by=CLI)
        moved = store.update(plants.id, by=by, list="Home", repeat="every sunday")
        assert (moved.list, moved.repeat) == ("Home", "FREQ=WEEKLY;BYDAY=SU")
        assert store.add("Repot the fern", by=by, parent_id=plants.id).list == "Home"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
