"""Backups of the task file: consistent while in use, rotated, restored without losing anything."""

import sqlite3
import subprocess
from datetime import datetime, timedelta

import pytest
from conftest import CLI, cli_env

from app.common.errors import UserError
from app.tasks import Origin, TaskFilter, TaskStore, backups

WRITER = Origin("cli")  # who the test's own writes are recorded as


def _titles(path):
    with TaskStore(path) as store:
        return [task.title for task in store.list_tasks(TaskFilter(status="all"))]


def test_a_backup_is_a_checked_private_copy_taken_while_the_store_is_open(store):
    store.add("before the backup", by=WRITER)
    taken = backups.take(store.path)
    store.add("after the backup", by=WRITER)  # the store stays in use meanwhile
    assert taken.path.parent == store.path.parent / "backups"
    assert taken.path.stat().st_mode & 0o777 == 0o600
    assert _titles(taken.path) == ["before the backup"]
    assert not backups.is_due(store.path)


def _fake(db_path, when: datetime, number: int = 1):
    folder = backups.folder(db_path)
    folder.mkdir(exist_ok=True)
    suffix = "" if number == 1 else f"-{number}"
    path = folder / f"tasks-{when:%Y-%m-%dT%H%M%S}{suffix}.sqlite3"
    sqlite3.connect(path).close()
    return path.name


def test_writes_carry_on_while_a_backup_is_being_copied(store, monkeypatch):
    """The window's daily backup runs on a worker thread: a large file takes ~0.4 s to copy
    and check, and the window's own writes must not wait for it."""
    import threading

    copying, finish = threading.Event(), threading.Event()
    real_copy = backups._copy

    def slow_copy(source, target):
        copying.set()
        assert finish.wait(30)
        return real_copy(source, target)

    monkeypatch.setattr(backups, "_copy", slow_copy)
    taking = threading.Thread(target=backups.take, args=(store.path,))
    taking.start()
    written = []
    adding = threading.Thread(target=lambda: written.append(
        store.add("added while the backup is copied", by=WRITER)))
    try:
        assert copying.wait(30)
        adding.start()
        adding.join(10)
        assert written, "the write waited for the backup"
    finally:
        finish.set()
        taking.join(30)
        adding.join(30)
    assert store.get(written[0].id).title == "added while the backup is copied"
    assert len(backups.list_backups(store.path)) == 1


def test_the_rotation_keeps_seven_daily_and_four_weekly(store):
    now = datetime.now().replace(hour=12, minute=0, second=0, microsecond=0)
    taken = [now - timedelta(days=day, hours=hour) for day in range(60) for hour in (0, 3)]
    names = [_fake(store.path, when) for when in taken]  # newest first, two a day
    removed = backups.prune(store.path)
    kept = {backup.name for backup in backups.list_backups(store.path)}
    daily = set(names[0:14:2])  # the later one of each of the last 7 days
    weekly, weeks = set(), []
    for name, when in zip(names, taken, strict=True):
        week = when.isocalendar()[:2]
        if week not in weeks and len(weeks) < 4:
            weeks.append(week)
            weekly.add(name)
    assert kept == daily | weekly
    assert len(removed) == len(names) - len(kept)


def test_restore_keeps_the_current_file_aside_and_works_when_it_is_damaged(app_home):
    env = cli_env(app_home)

    def run(*args):
        return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=60)

    assert run("tasks", "add", "kept safe").returncode == 0
    assert run("backups", "now").returncode == 0
    assert run("tasks", "add", "written after").returncode == 0
    db = app_home / "tasks.sqlite3"
    _damage(db)
    listed = run("tasks", "list")
    assert listed.returncode == 1
    assert "is damaged" in listed.stderr and "task-assistant backups restore" in listed.stderr
    damaged_bytes = db.read_bytes()

    restored = run("backups", "restore")
    assert restored.returncode == 0, restored.stderr
    assert "kept as tasks.sqlite3.before-restore-" in restored.stdout
    aside = next(app_home.glob("tasks.sqlite3.before-restore-*"))
    assert aside.read_bytes() == damaged_bytes  # set aside, never overwritten
    assert run("tasks", "list").stdout.split("\n")[0].endswith("kept safe")
    assert run("tasks", "add", "works again").returncode == 0


def test_a_restore_while_the_window_runs_loses_no_write(app_home):
    """The window's store stays open across a `backups restore` in a terminal: it shows the
    restored tasks, and what it writes next lands in the restored file, not the one aside."""
    db = app_home / "tasks.sqlite3"
    with TaskStore(db) as window:
        announced = []
        window.subscribe(announced.append)
        window.add("in the backup", by=WRITER)
        backups.take(db)
        window.add("only in the file set aside", by=WRITER)
        restored = subprocess.run([*CLI, "backups", "restore"], env=cli_env(app_home),
                                  capture_output=True, text=True, timeout=60)
        assert restored.returncode == 0, restored.stderr
        assert window.poll_external_changes()  # the window refreshes its views
        assert [change.kind for change in announced][-1] == "external"
        assert [t.title for t in window.list_tasks()] == ["in the backup"]
        window.add("written after the restore", by=WRITER)
    assert _titles(db) == ["in the backup", "written after the restore"]


def test_a_write_right_after_a_restore_goes_to_the_restored_file(store):
    """No poll in between (an agent's tool call the same instant): the write itself notices."""
    store.add("in the backup", by=WRITER)
    backups.take(store.path)
    store.add("set aside", by=WRITER)
    backups.restore(store.path)
    added = store.add("after", by=WRITER)
    assert _titles(store.path) == ["in the backup", "after"]
    assert store.get(added.id).title == "after"
    assert store.undo(by=WRITER)  # its history is in the restored file too
    assert _titles(store.path) == ["in the backup"]


def test_after_a_restore_a_store_reads_and_edits_the_restored_tasks(store):
    """A store open across a restore (the window, `mcp serve`, which never polls) reads the
    restored file at its next call, and an edit never carries the set-aside file's fields."""
    task = store.add("Water plants", by=WRITER)
    backups.take(store.path)
    store.update(task.id, due="2030-01-10", repeat="every day", by=WRITER)
    backups.restore(store.path)
    assert store.get(task.id).repeat is None  # the restored task, not the one set aside
    store.update(task.id, title="Water the plants", by=WRITER)
    restored = store.get(task.id)
    assert (restored.title, restored.due, restored.repeat) == ("Water the plants", None, None)


def test_a_restore_never_hands_out_an_id_twice(store):
    """Task 3 known to an MCP client, or change 9 behind a chat's Undo, must not become
    another task or change after the restore."""
    store.add("Kept", by=WRITER)
    backups.take(store.path)
    newer = store.add("Pay old invoice", by=WRITER)
    newest_change = store.history(newer.id)[0].id
    backups.restore(store.path)
    added = store.add("Call grandma", by=WRITER)
    assert added.id > newer.id
    assert store.history(added.id)[0].id > newest_change
    with pytest.raises(UserError):
        store.complete(newer.id, by=WRITER)  # the stale id names no task now


def _damage(db):
    """Garbage over the middle of the file (every page after the first), as a bad disk does."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(page, len(data), page):
        data[start:start + page] = b"\xa5" * page
    db.write_bytes(bytes(data))


def test_restore_by_name_and_its_sentences(app_home, store):
    with pytest.raises(UserError, match="no backups"):
        backups.restore(store.path)
    store.add("one", by=WRITER)
    first = backups.take(store.path)
    with pytest.raises(UserError, match="no backup called 'nope'"):
        backups.restore(store.path, "nope")
    chosen, _aside = backups.restore(store.path, first.name)
    assert chosen.name == first.name


def test_cli_lists_takes_and_says_when_there_are_none(app_home):
    env = cli_env(app_home)
    empty = subprocess.run([*CLI, "backups"], env=env, capture_output=True, text=True, timeout=60)
    assert "No backups yet" in empty.stdout
    subprocess.run([*CLI, "tasks", "add", "x"], env=env, check=True, capture_output=True)
    now = subprocess.run([*CLI, "backups", "now"], env=env, capture_output=True, text=True)
    assert now.stdout.startswith("Took a backup of the tasks (")
    listed = subprocess.run([*CLI, "backups"], env=env, capture_output=True, text=True)
    assert listed.stdout.startswith("  1  ") and "tasks-" not in listed.stdout  # in words


def test_a_damaged_store_is_never_backed_up_over_good_backups(store):
    store.add("good", by=WRITER)
    good = backups.take(store.path)
    store.close()
    _damage(store.path)
    with pytest.raises(UserError, match="is damaged"):
        backups.take(store.path)
    assert [backup.name for backup in backups.list_backups(store.path)] == [good.name]


def test_the_window_offers_the_restore_when_the_task_file_is_damaged(app_home, qtbot):
    import asyncio

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ui.lifecycle.desktop import _open_workspace

    with TaskStore(app_home / "tasks.sqlite3") as store:
        store.add("in the backup", by=WRITER)
        backups.take(store.path)
    _damage(app_home / "tasks.sqlite3")
    offered = []

    def click_restore() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click_restore)
            return
        offered.append(box.text() + " " + box.informativeText())
        next(button for button in box.buttons() if button.text() == "Restore backup").click()

    QTimer.singleShot(0, click_restore)
    workspace = _open_workspace(QApplication.instance())
    try:
        assert "tasks.sqlite3 is damaged" in offered[0]
        assert "Restore the newest backup" in offered[0]
        assert [task.title for task in workspace.store.list_tasks()] == ["in the backup"]
        assert list(app_home.glob("tasks.sqlite3.before-restore-*"))
    finally:
        asyncio.run(workspace.close())
