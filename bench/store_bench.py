"""Task store at 100,000 tasks: import time, CLI commands against `--version`, in-process queries,
the backup, and the damaged-file check at open; and the history and trash: lists and searches
with a full history and a trash, and the undo of a 500-task import.

Run: .venv/bin/python bench/store_bench.py   (figures are measured side by side in one run;
this machine is shared, so read the ratios, not the absolute numbers)
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.tasks import Origin, TaskFilter, TaskStore, backups  # noqa: E402

TASKS = 100_000
SYLLABLES = "ka lo mi re su ta ne vo pi ru sa de fo gi".split()
# 2,744 made-up words with Zipf-like frequencies: a few very common, most rare, like real notes.
WORDS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]
WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]
TAGS = [f"tag{n}" for n in range(20)]
TYPICAL_QUERY = f"{WORDS[40]} {WORDS[90]}"  # two mid-frequency words
COMMON_QUERY = WORDS[0]                      # the most frequent word: the worst case


def make_records(count: int) -> list[dict]:
    rng = random.Random(7)
    start = date.today() - timedelta(days=365)
    return [{
        "title": " ".join(rng.choices(WORDS, WEIGHTS, k=4)) + f" #{n}",
        "notes": " ".join(rng.choices(WORDS, WEIGHTS, k=12)),
        "due": (start + timedelta(days=rng.randrange(730))).isoformat() if rng.random() < 0.8
        else None,
        "priority": rng.choice(("none", "low", "medium", "high")),
        "status": "done" if rng.random() < 0.5 else "open",
        "tags": rng.sample(TAGS, 2),
    } for n in range(count)]


def command_seconds(args: list[str], env: dict, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def call_ms(call, runs: int = 200) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    # An installed app runs from compiled bytecode; measure that, not the compiler.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "app")], check=True)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TASK_ASSISTANT_HOME": home, "PYTHONPATH": str(REPO)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        source = Path(home) / "tasks.json"
        source.write_text(json.dumps(make_records(TASKS)))

        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app", "tasks", "import", str(source)], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        imported = time.perf_counter() - began

        today = date.today().isoformat()
        month = (date.today() + timedelta(days=30)).isoformat()
        this_month = TaskFilter(tag="tag3", due_after=today, due_before=month)
        filtered = ["tasks", "list", "--tag", "tag3", "--due-after", today, "--due-before", month]
        version = command_seconds(["--version"], env)
        search = command_seconds(["tasks", "search", *TYPICAL_QUERY.split()], env)
        listed = command_seconds(filtered, env)

        # History and trash as a long-used store has them: 5,000 edits, 2,000 tasks in the trash,
        # then the same commands again. (The import itself wrote 100k history rows.)
        with TaskStore(Path(home) / "tasks.sqlite3") as store:
            cli = Origin("cli")
            for task_id in range(1, 5_001):
                store.update(task_id, notes="edited", by=cli)
            for task_id in range(5_001, 7_001):
                store.delete(task_id, by=cli)
            history_rows = len(store.history())
        search_after = command_seconds(["tasks", "search", *TYPICAL_QUERY.split()], env)
        listed_after = command_seconds(filtered, env)
        version_after = command_seconds(["--version"], env)

        source.write_text(json.dumps(make_records(500)))
        subprocess.run([sys.executable, "-m", "app", "tasks", "import", str(source)], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app", "tasks", "undo"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        undo_command = time.perf_counter() - began
        with TaskStore(Path(home) / "tasks.sqlite3") as store:
            store.import_tasks(make_records(500), by=Origin("import"))
            began = time.perf_counter()
            store.undo(by=Origin("cli"))
            undo_call = time.perf_counter() - began

        with TaskStore(Path(home) / "tasks.sqlite3") as store:
            search_ms = call_ms(lambda: store.search(TYPICAL_QUERY))
            common_ms = call_ms(lambda: store.search(COMMON_QUERY), runs=20)
            list_ms = call_ms(lambda: store.list_tasks(this_month))
            overdue_ms = call_ms(lambda: store.list_tasks(TaskFilter(overdue=True, limit=50)))
            matches = [len(store.search(query, limit=None)) for query in (TYPICAL_QUERY,
                                                                         COMMON_QUERY)]
            listed_rows = len(store.list_tasks(this_month))

        db = Path(home) / "tasks.sqlite3"
        checks = open_checks_ms(db)
        began = time.perf_counter()
        backup = backups.take(db)
        backup_s = time.perf_counter() - began

    print(f"tasks: {TASKS:,}; typical search matches {matches[0]}, the most common word "
          f"{matches[1]}; the filtered list (one tag, due in the next 30 days) {listed_rows} rows")
    print(f"import {TASKS:,} tasks:        {imported:6.2f} s   ({imported / 30:.2f} of the 30 s budget)")
    print(f"`--version`:                   {version * 1000:6.1f} ms  (baseline)")
    print(f"`tasks search` command:        {search * 1000:6.1f} ms  "
          f"ratio {search / version:.2f} (target <= 1.5)")
    print(f"`tasks list` filtered command: {listed * 1000:6.1f} ms  "
          f"ratio {listed / version:.2f} (target <= 1.5)")
    print(f"with {history_rows:,} history rows and 2,000 tasks in the trash:")
    print(f"  `--version`:                 {version_after * 1000:6.1f} ms  (baseline)")
    print(f"  `tasks search` command:      {search_after * 1000:6.1f} ms  "
          f"ratio {search_after / version_after:.2f} (target <= 1.5)")
    print(f"  `tasks list` filtered:       {listed_after * 1000:6.1f} ms  "
          f"ratio {listed_after / version_after:.2f} (target <= 1.5)")
    print(f"undo of a 500-task import:     {undo_call * 1000:6.1f} ms in the store, "
          f"{undo_command * 1000:.1f} ms as `tasks undo` (target < 1 s)")
    print(f"store.search, typical:         {search_ms:6.2f} ms  ({search_ms / 5:.2f} of 5 ms)")
    print(f"store.search, most common word:{common_ms:6.2f} ms  ({common_ms / 5:.2f} of 5 ms)")
    print(f"store.list_tasks filtered:     {list_ms:6.2f} ms  ({list_ms / 5:.2f} of 5 ms)")
    print(f"store.list_tasks overdue, 50:  {overdue_ms:6.2f} ms  ({overdue_ms / 5:.2f} of 5 ms)")
    print(f"backup of {TASKS:,} tasks:       {backup_s:6.2f} s   ({backup.size / 1e6:.1f} MB, "
          "online backup API + quick_check of the copy)")
    print(f"damaged-file check at open:    {checks['cheap']:6.2f} ms  (of a whole open: "
          f"{checks['open']:.2f} ms, {checks['cheap'] / (version * 1000):.1%} of `--version`; "
          f"a full PRAGMA quick_check would take {checks['quick_check']:.0f} ms)")


def open_checks_ms(db: Path) -> dict[str, float]:
    """What the check at open costs: the header and each table's first page (what runs), the
    whole open around it, and, for comparison, SQLite's full quick_check (what does not)."""
    import sqlite3

    from app.common import database
    from app.tasks.migrations import MIGRATIONS

    conn = sqlite3.connect(db)

    def cheap() -> None:
        database._check_header(db)
        database._check_tables(conn)

    results = {"cheap": call_ms(cheap, runs=50),
               "open": call_ms(lambda: database.open_database(db, MIGRATIONS).close(), runs=50),
               "quick_check": call_ms(lambda: conn.execute("PRAGMA quick_check").fetchone(),
                                      runs=3)}
    conn.close()
    return results


if __name__ == "__main__":
    main()
