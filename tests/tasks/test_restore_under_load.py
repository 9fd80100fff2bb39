"""Issue 20, item 4: `backups restore` while other processes write never gives one id to two
tasks, and restores do not pile up set-aside files."""

import sqlite3
import subprocess
import sys
import textwrap

from conftest import CLI, cli_env

from app.common.database_problems import is_marked_damaged
from app.tasks import Origin, TaskStore, backups

WRITER = Origin("cli")

# A writer like `mcp serve`: one store kept open, adding tasks and reading each back by its
# id; it prints each id it was given, and "wrong" when that id named another task.
_WRITER = textwrap.dedent("""
    import sys, time
    from app.tasks import Origin, TaskStore
    from app.common.errors import UserError
    store = TaskStore(sys.argv[1])
    name, end = sys.argv[2], time.monotonic() + float(sys.argv[3])
    number = 0
    while time.monotonic() < end:
        number += 1
        try:
            task = store.add(f"{name} {number}", by=Origin("mcp"))
            print(task.id, "ok" if store.get(task.id).title == f"{name} {number}" else "wrong")
        except UserError:
            pass
""")


def _titles_by_id(path) -> dict[int, str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT id, title FROM tasks UNION ALL "
                            "SELECT id, json_extract(task, '$.title') FROM trash").fetchall()
    finally:
        conn.close()
    return dict(rows)


def test_a_restore_under_load_never_gives_one_id_to_two_tasks(app_home):
    db = app_home / "tasks.sqlite3"
    with TaskStore(db) as store:
        store.add("in the backup", by=WRITER)
    backups.take(db)
    env = cli_env(app_home)
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(db), name, "6"], env=env,
                                stdout=subprocess.PIPE, text=True) for name in ("one", "two")]
    cli = subprocess.Popen(  # the CLI adding at the same time
        ["bash", "-c", "for n in 1 2 3 4 5 6 7 8; do \"$@\" tasks add \"cli $n\"; done", "-",
         *CLI], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    files = []
    try:
        while writers[0].poll() is None:  # restores one after another while they write
            _, aside = backups.restore(db)
            files = [*files[-2:], aside]  # the set-aside files kept (KEEP_SET_ASIDE)
    finally:
        given = [writer.communicate(timeout=60)[0].split("\n") for writer in writers]
        cli.wait(timeout=60)
    handed_out = [line.split() for lines in given for line in lines if line]
    ids = [int(task_id) for task_id, _ in handed_out]
    assert len(ids) > 20 and len(set(ids)) == len(ids)  # no id given to two writers' tasks
    assert all(word == "ok" for _, word in handed_out)  # each id named the writer's own task
    seen: dict[int, str] = {}
    for path in [*files, db]:
        for task_id, title in _titles_by_id(path).items():
            assert seen.setdefault(task_id, title) == title, f"id {task_id} used twice"


# A starter like a window, `ask` or `mcp serve`, which also takes the window's hourly backup:
# opens the store and backs it up again and again; prints each sentence it got, then how often
# both went well.
_OPENER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.tasks import TaskStore, backups
    from app.common.errors import UserError
    path, done, end = Path(sys.argv[1]), 0, time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        try:
            TaskStore(path).close()
            backups.take(path)
            done += 1
        except (UserError, OSError) as problem:
            print(problem)
    print(done)
""")


def test_a_program_starting_or_backing_up_while_restores_run_never_fails(app_home):
    """An opening between the restore's move aside and its putting the backup in place found
    no file, or paired a new one with the old -wal: `mcp serve` failed to start, and a backup
    could mark the store damaged."""
    db = app_home / "tasks.sqlite3"
    with TaskStore(db) as store:
        store.add("in the backup", by=WRITER)
    backups.take(db)
    openers = [subprocess.Popen([sys.executable, "-c", _OPENER, str(db), "3"],
                                env=cli_env(app_home), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    restores = 0
    try:
        while openers[0].poll() is None:
            backups.restore(db)
            restores += 1
    finally:
        said = [opener.communicate(timeout=60)[0].splitlines() for opener in openers]
    assert restores > 5, said
    assert all(len(lines) == 1 and int(lines[0]) > 5 for lines in said), said
    assert not is_marked_damaged(db)
    with TaskStore(db) as store:
        assert [task.title for task in store.list_tasks()] == ["in the backup"]


def test_only_the_newest_three_set_aside_files_are_kept(store):
    store.add("kept", by=WRITER)
    backups.take(store.path)
    asides = []
    for number in range(5):
        store.add(f"set aside {number}", by=WRITER)
        asides.append(backups.restore(store.path)[1])
    assert backups.set_aside_files(store.path) == asides[:-4:-1]
    left = sorted(path.name for path in store.path.parent.glob("tasks.sqlite3.before-restore-*"))
    assert all(any(name.startswith(kept.name) for kept in asides[-3:]) for name in left)


def test_a_store_opened_while_a_restore_lands_writes_to_the_restored_file(app_home,
                                                                         monkeypatch):
    """A restore between a store's open and its look at which file it opened (a window or
    `mcp serve` starting during `backups restore`): its writes go to the restored file, with
    ids the moved-aside file never handed out."""
    from app.tasks import store as store_module

    db = app_home / "tasks.sqlite3"
    with TaskStore(db) as before:
        before.add("in the backup", by=WRITER)
    backups.take(db)
    with TaskStore(db) as before:
        handed_out = before.add("added after the backup", by=WRITER).id
    real_open, restored = store_module.open_database, []

    def open_then_restore(*args, **kwargs):
        conn = real_open(*args, **kwargs)
        if not restored:
            restored.append(backups.restore(db))  # lands right after this open
        return conn

    monkeypatch.setattr(store_module, "open_database", open_then_restore)
    with TaskStore(db) as opened:
        added = opened.add("written after the restore", by=WRITER)
    assert restored and added.id > handed_out
    assert _titles_by_id(db) == {1: "in the backup", added.id: "written after the restore"}
