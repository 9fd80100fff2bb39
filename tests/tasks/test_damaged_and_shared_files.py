"""Damaged files, two processes opening a store at once, private files, read-only and busy
stores, and a crash log that cannot be written: each one sentence, nothing lost."""

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager

import pytest
from clock_fixtures import real_environment
from conftest import CLI, REPO, cli_env
from test_backups import _damage

from app.tasks import Origin, TaskStore

WRITER = Origin("cli")  # who the test's own writes are recorded as


def _cli(home, *args, **kwargs):
    return subprocess.run([*CLI, *args], env=cli_env(home), capture_output=True, text=True,
                          timeout=60, **kwargs)


# -- damaged files ----------------------------------------------------------------------------

def test_a_file_damaged_mid_file_takes_no_more_writes(app_home):
    for n in range(3):
        _cli(app_home, "tasks", "add", f"task {n}")
    db = app_home / "tasks.sqlite3"
    _damage(db)
    listed = _cli(app_home, "tasks", "list")
    assert listed.stderr.strip() == (
        f"task-assistant: {db} is damaged, so nothing more will be written to it: restore the "
        "newest backup with `task-assistant backups restore`.")
    before = db.read_bytes()
    added = _cli(app_home, "tasks", "add", "into a damaged file")
    assert added.returncode == 1 and "is damaged" in added.stderr
    assert db.read_bytes() == before
    assert not (app_home / "tasks.sqlite3-wal").exists() or \
        (app_home / "tasks.sqlite3-wal").stat().st_size == 0


def test_a_damaged_conversations_file_never_stops_the_tasks(app_home):
    import asyncio

    from app.workspace import Workspace

    workspace = Workspace()
    workspace.store.add("still here", by=WRITER)
    workspace.conversations.create("a chat")
    asyncio.run(workspace.close())
    _damage(app_home / "conversations.sqlite3")

    workspace = Workspace()
    try:
        assert [task.title for task in workspace.store.list_tasks()] == ["still here"]
        assert workspace.conversations.list() == []
        assert "conversations.sqlite3 was damaged: it was kept as conversations.sqlite3.bad" \
            in workspace.warnings[0]
        assert (app_home / "conversations.sqlite3.bad").exists()
    finally:
        asyncio.run(workspace.close())


# -- two processes opening at once ---------------------------------------------------------------

OPENER = """
import sys
from app.tasks import Origin, TaskStore
sys.stdin.readline()  # every opener starts at the same moment
with TaskStore(sys.argv[1]) as store:
    store.add("from " + sys.argv[2], by=Origin("cli"))
print("ok")
"""


@pytest.mark.parametrize("start", ["new", "older"])
def test_two_processes_opening_at_once_both_succeed_and_migrate_once(tmp_path, start, monkeypatch):
    from app.tasks import migrations

    for round_ in range(5):
        path = tmp_path / f"{start}-{round_}.sqlite3"
        if start == "older":  # a store at schema 0 with a table: the migration must run once
            sqlite3.connect(path).execute("CREATE TABLE marker (x)").connection.close()
        openers = [subprocess.Popen([sys.executable, "-c", OPENER, str(path), str(n)], cwd=REPO,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for n in range(4)]
        for opener in openers:
            opener.stdin.write("go\n")
            opener.stdin.flush()
        results = [opener.communicate(timeout=60) for opener in openers]
        assert [out for out, _err in results] == ["ok\n"] * 4, results
        with TaskStore(path) as store:
            assert store.count() == 4
        version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
        assert version == migrations.SCHEMA_VERSION


# -- private files --------------------------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_every_file_is_private_and_looser_ones_are_tightened(app_home):
    app_home.mkdir(mode=0o755)
    (app_home / "settings.json").write_text("{}")
    os.chmod(app_home / "settings.json", 0o644)
    _cli(app_home, "tasks", "add", "private")
    _cli(app_home, "settings", "set", "reminders", "false")
    _cli(app_home, "backups", "now")
    _cli(app_home, "tasks", "list", "--limit", "x")  # an argparse error: nothing written
    # a live store has its -wal and -shm; the log gets a line from an unexpected error
    with TaskStore(app_home / "tasks.sqlite3") as store:
        store.add("with a wal", by=WRITER)
        from app.common import crash_log

        crash_log.record(RuntimeError("for the log"))
        modes = {path.relative_to(app_home).as_posix(): path.stat().st_mode & 0o777
                 for path in [app_home, *app_home.rglob("*")]}
    assert "tasks.sqlite3-wal" in modes and "tasks.sqlite3-shm" in modes
    assert "task-assistant.log" in modes and "settings.json" in modes
    assert modes.pop(".") == 0o700 and modes.pop("backups") == 0o700
    assert set(modes.values()) == {0o600}, modes


# -- read-only, busy, full -------------------------------------------------------------------------

def _as_other_user(home):
    """A real read-only data directory: the owner may read it but not write it. Root ignores
    permission bits, so as root the command runs as `nobody` (setpriv) owning the files."""
    if os.geteuid() != 0:
        os.chmod(home, 0o500)
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv")
    for path in [home, *home.rglob("*")]:
        os.chown(path, 65534, 65534)
    os.chmod(home, 0o500)
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def reachable_home():
    """A data dir that another user can reach (pytest's tmp_path lies under a 0700 folder)."""
    import tempfile

    parent = tempfile.mkdtemp(prefix="task-assistant-ro-")
    os.chmod(parent, 0o755)
    yield __import__("pathlib").Path(parent) / "home"
    shutil.rmtree(parent, ignore_errors=True)


def test_a_read_only_data_dir_still_lists_and_searches(reachable_home):
    app_home = reachable_home
    _cli(app_home, "tasks", "add", "read me", "--tag", "ro")
    prefix = _as_other_user(app_home)
    # Without libfaketime (TEST_CLOCK): its shared semaphore is root's, and this child's
    # time does not matter.
    env = real_environment(cli_env(app_home))

    def run(*args):
        return subprocess.run([*prefix, *CLI, *args], env=env, cwd="/",
                              capture_output=True, text=True, timeout=60)

    try:
        listed = run("tasks", "list")
        assert listed.returncode == 0, listed.stderr
        assert "read me" in listed.stdout
        assert "read me" in run("tasks", "search", "read").stdout
        added = run("tasks", "add", "refused")
        assert added.returncode == 1
        assert added.stderr.strip() == (f"task-assistant: {app_home / 'tasks.sqlite3'} is "
                                        "read-only, so nothing was saved (listing and searching "
                                        "still work).")
    finally:
        os.chmod(app_home, 0o700)


def test_an_unwritable_crash_log_gives_one_sentence_not_a_second_traceback(app_home):
    app_home.mkdir()
    (app_home / "task-assistant.log").mkdir()  # the log path cannot be opened for appending
    from app.common.crash_log import something_went_wrong

    message = something_went_wrong(RuntimeError("boom"))
    assert message.startswith("Something went wrong (RuntimeError); the details could not be "
                              "written to the log (")


LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
"""


def test_a_store_locked_for_over_ten_seconds_says_so(app_home):
    _cli(app_home, "tasks", "add", "first")
    db = app_home / "tasks.sqlite3"
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline() == "locked\n"
        added = _cli(app_home, "tasks", "add", "waits")
    finally:
        locker.stdin.close()
        locker.wait(timeout=30)
    assert added.returncode == 1
    assert added.stderr.strip() == (f"task-assistant: {db} is busy: something else has been "
                                    "writing to it for over 10 s, so nothing was done; try again "
                                    "in a moment.")


STOPPED_WRITER = """
import sys
from pathlib import Path
from app.tasks.backups import write_lock
with write_lock(Path(sys.argv[1])):  # as a command stopped (Ctrl+Z) in the middle of a write
    print("holding", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def _stopped_writer(home, db):
    """A real process holding the task file's write lock until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", STOPPED_WRITER, str(db)],
                              env=cli_env(home), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline() == "holding\n"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_program_stopped_mid_write_costs_writes_one_sentence_and_reads_nothing(app_home):
    """The lock every write takes is held by a program stopped mid-write: a write waits 10 s
    and says so, where it used to wait for ever; listing still works."""
    _cli(app_home, "tasks", "add", "first")
    db = app_home / "tasks.sqlite3"
    with _stopped_writer(app_home, db):
        added = _cli(app_home, "tasks", "add", "waits")
        listed = _cli(app_home, "tasks", "list")
    assert added.returncode == 1
    assert added.stderr.strip() == (f"task-assistant: {db} is busy: something else has been "
                                    "writing to it for over 10 s, so nothing was done; try again "
                                    "in a moment.")
    assert listed.returncode == 0 and "first" in listed.stdout and "waits" not in listed.stdout


def test_an_opening_never_creates_the_file_a_stopped_holder_may_be_restoring(app_home):
    """An opening that waited for the lock in vain reads on without it, unless the file is
    not there: its holder may be a restore stopped between moving the file aside and putting
    the backup in place, which a new empty file would stand in the way of."""
    from app.common.database_problems import DatabaseBusyError

    db = app_home / "tasks.sqlite3"
    with _stopped_writer(app_home, db), pytest.raises(DatabaseBusyError, match="is busy"):
        TaskStore(db)
    assert not db.exists()


def test_a_full_disk_is_one_sentence(tmp_path):
    from app.common.database_problems import explain

    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13
    assert str(explain(error, tmp_path / "tasks.sqlite3")).startswith(
        "The disk is full, so ")


def test_opening_the_store_twice_in_one_process_keeps_its_locks(app_home):
    """Reading the file's header with Python's own open() while SQLite held the file dropped
    SQLite's locks (POSIX locks belong to the process): another process's close then took
    itself for the last connection and deleted the WAL under the live store, and a window that
    opened the task file a second time (routines, sync) lost the assistant's new task."""
    path = app_home / "tasks.sqlite3"
    wal = path.with_name(path.name + "-wal")
    live = TaskStore(path)
    try:
        live.add("One", by=Origin("cli"))
        with TaskStore(path):  # the second open in this process (as routines and sync do)
            pass
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from app.tasks import TaskStore; "
                        "TaskStore(Path(sys.argv[1])).close()", str(path)],
                       env=cli_env(app_home), check=True, timeout=60)
        assert wal.exists()  # the other process knew the live store still held the file
        live.add("Two", by=Origin("cli"))
    finally:
        live.close()
    with TaskStore(path) as reopened:
        assert sorted(task.title for task in reopened.list_tasks()) == ["One", "Two"]
