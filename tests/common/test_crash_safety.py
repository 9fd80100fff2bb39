"""A writer killed with SIGKILL loses no acknowledged task and leaves a sound file."""

import json
import signal
import sqlite3
import subprocess
import sys
import time

from conftest import CLI, REPO, cli_env

from app.tasks import TaskFilter, TaskStore

WRITER = """
import sys
from app.tasks import Origin, TaskStore
store = TaskStore(sys.argv[1])
cli = Origin("cli")
n = 0
while True:
    n += 1
    task = store.add(f"task {n}", notes="x" * 500, tags=["t%d" % (n % 7)], by=cli)
    if n % 3 == 0:
        store.complete(task.id, by=cli)
    print(task.id, flush=True)  # printed only after the commit returned: acknowledged
"""


def test_kill_9_during_writes_loses_no_acknowledged_task(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                              text=True, cwd=REPO)
    acknowledged = [int(writer.stdout.readline()) for _ in range(300)]
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    acknowledged += [int(line) for line in writer.stdout.read().split()]

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO tasks_fts(tasks_fts) VALUES ('integrity-check')")
    conn.close()
    with TaskStore(path) as store:
        stored = {task.id for task in store.list_tasks(TaskFilter(status="all"))}
        assert set(acknowledged) <= stored
        assert len(store.search("task")) == 50  # the search index survived with the rows
        assert store.list_tasks(TaskFilter(status="all", tag="t1"))


def test_kill_9_during_an_import_leaves_all_or_nothing(app_home, tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"title": f"imported {n}", "tags": ["bulk"]}
                               for n in range(60_000)]))
    env = cli_env(app_home)
    subprocess.run([*CLI, "tasks", "add", "before the import"], env=env, check=True, timeout=60)
    importer = subprocess.Popen([*CLI, "tasks", "import", str(big)], env=env,
                                stdout=subprocess.PIPE, text=True)
    db = app_home / "tasks.sqlite3"
    wal = app_home / "tasks.sqlite3-wal"
    # Kill once the import's transaction is writing pages into the WAL (nothing to wait on but
    # the file itself, hence a bounded poll).
    deadline = time.monotonic() + 60
    while importer.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            break
        time.sleep(0.002)
    assert importer.poll() is None, "the import finished before it could be interrupted"
    importer.send_signal(signal.SIGKILL)
    importer.wait(timeout=30)

    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with TaskStore(db) as store:
        assert [task.title for task in store.list_tasks(TaskFilter(status="all"))] == \
            ["before the import"]
