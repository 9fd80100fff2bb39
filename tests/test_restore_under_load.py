"""Issue 20, item 4: `backups restore` while other processes write never gives one id to two
tasks, and restores do not pile up set-aside files."""

import sqlite3
import subprocess
import sys
import textwrap

from app.tasks import Origin, TaskStore, backups
from conftest import CLI, cli_env

WRITER = Origin("cli")

# A writer like `mcp serve`: one store kept open, adding tasks and reading each back by its id.
_WRITER = textwrap.dedent("""
    import sys, time
    from app.tasks import Origin, TaskStore
    from app.common.errors import UserError
    store = TaskStore(sys.argv[1])
    name, wrong, end = sys.argv[2], 0, time.monotonic() + float(sys.argv[3])
    number = 0
    while time.monotonic() < end:
        number += 1
        try:
            task = store.add(f"{name} {number}", by=Origin("mcp"))
            if store.get(task.id).title != f"{name} {number}":
                wrong += 1
        except UserError:
            pass
    print(wrong)
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
        for _ in range(3):
            _, aside = backups.restore(db)
            files.append(aside)
    finally:
        wrong = [int(writer.communicate(timeout=60)[0] or 0) for writer in writers]
        cli.wait(timeout=60)
    assert wrong == [0, 0]  # every id a writer was given named its own task
    seen: dict[int, str] = {}
    for path in [*files, db]:
        for task_id, title in _titles_by_id(path).items():
            assert seen.setdefault(task_id, title) == title, f"id {task_id} used twice"
    assert len(seen) > 3


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
