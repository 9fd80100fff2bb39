"""Task store at 100,000 tasks: import time, CLI commands against `--version`, in-process queries,
the backup, the damaged-file check at open, and the history and trash: lists and searches with a
full history and a trash, and the undo of a 500-task import.

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
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.tasks import Origin, TaskFilter, TaskStore, backups  # noqa: E402
from app.tasks.store import TaskNotFoundError  # noqa: E402

TASKS = 100_000
SYLLABLES = "ka lo mi re su ta ne vo pi ru sa de fo gi".split()
# 2,744 made-up words with Zipf-like frequencies: a few very common, most rare, like real notes.
WORDS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]
WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]
TAGS = [f"tag{n}" for n in range(20)]
TYPICAL_QUERY = f"{WORDS[40]} {WORDS[90]}"  # two mid-frequency words
COMMON_QUERY = WORDS[0]                      # the most frequent word: the worst case


LISTS = ["Inbox", "Inbox", "Inbox", "Work", "Home", "Errands", "Reading", "Garden", "Health"]


def make_records(count: int) -> list[dict]:
    """Tasks as a long-used store has them (issue 14): in nine lists (a third in Inbox), one
    in five a subtask of the task before it, one dated task in twenty repeating and one in ten
    with a reminder of its own."""
    rng = random.Random(7)
    start = date.today() - timedelta(days=365)
    records = []
    for n in range(count):
        due = (start + timedelta(days=rng.randrange(730))).isoformat() \
            if rng.random() < 0.8 else None
        record = {
            "id": n + 1,
            "title": " ".join(rng.choices(WORDS, WEIGHTS, k=4)) + f" #{n}",
            "notes": " ".join(rng.choices(WORDS, WEIGHTS, k=12)),
            "due": due,
            "priority": rng.choice(("none", "low", "medium", "high")),
            "status": "done" if rng.random() < 0.5 else "open",
            "tags": rng.sample(TAGS, 2),
            "list": rng.choice(LISTS),
        }
        if n and n % 5 == 0 and records[-1].get("parent_id") is None:
            record["parent_id"] = n  # the task before it (one level; lists follow the parent)
            record["list"] = records[-1]["list"]
        if due and rng.random() < 0.05:
            record["repeat"] = rng.choice(("FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=DAILY;INTERVAL=3"))
        if due and rng.random() < 0.1:
            record["remind_at"] = f"{due}T08:30:00+00:00"
        records.append(record)
    return records


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
        # A list's tasks, subtasks under their parents (what `tasks list --list` prints).
        in_list = command_seconds(["tasks", "list", "--list", "Reading", "--limit", "50"], env)

        # History and trash as a long-used store has them: 5,000 edits, 2,000 tasks in the trash,
        # then the same commands again. (The import itself wrote 100k history rows.)
        with TaskStore(Path(home) / "tasks.sqlite3") as store:
            cli = Origin("cli")
            for task_id in range(1, 5_001):
                store.update(task_id, notes="edited", by=cli)
            for task_id in range(5_001, 7_001):
                try:
                    store.delete(task_id, by=cli)
                except TaskNotFoundError:
                    pass  # a subtask: it went to the trash along with its parent
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
            # The window's sidebar counts and a list view, read on every change.
            counts_ms = call_ms(lambda: (store.lists(), store.count_due_today(),
                                         store.count_matching(TaskFilter(due_after=today)),
                                         store.trash_count()), runs=20)
            list_view_ms = call_ms(lambda: store.list_tasks(TaskFilter(list="Reading")), runs=10)
            list_view_rows = len(store.list_tasks(TaskFilter(list="Reading")))
            reminders_ms = call_ms(lambda: store.reminders_between(None, datetime.now()
                                                                   .astimezone()), runs=20)

        db = Path(home) / "tasks.sqlite3"
        checks = open_checks_ms(db)
        began = time.perf_counter()
        backup = backups.take(db)
        backup_s = time.perf_counter() - began

    print(f"tasks: {TASKS:,}; typical search matches {matches[0]}, the most common word "
          f"{matches[1]}; the filtered list (one tag, due in the next 30 days) {listed_rows} rows")
    print(f"import {TASKS:,} tasks:        {imported:6.2f} s   "
          f"({imported / 30:.2f} of the 30 s budget)")
    print(f"`--version`:                   {version * 1000:6.1f} ms  (baseline)")
    print(f"`tasks search` command:        {search * 1000:6.1f} ms  "
          f"ratio {search / version:.2f} (target <= 1.5)")
    print(f"`tasks list` filtered command: {listed * 1000:6.1f} ms  "
          f"ratio {listed / version:.2f} (target <= 1.5)")
    print(f"`tasks list --list`, 50 rows:  {in_list * 1000:6.1f} ms  "
          f"ratio {in_list / version:.2f} (target <= 1.5)")
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
    print(f"window sidebar counts:         {counts_ms:6.2f} ms  (lists, Today, Upcoming, Trash)")
    print(f"window list view ({list_view_rows:,} rows): {list_view_ms:6.2f} ms")
    print(f"reminders due now (all past):  {reminders_ms:6.2f} ms")
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
