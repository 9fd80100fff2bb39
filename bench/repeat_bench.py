"""Repeat-rule bombs (issue 20): each hostile rule through the store (add, import, complete) and
the slowest legal rules stepped from a due long ago. Every one should answer within 1 s.

Run: .venv/bin/python bench/repeat_bench.py   (the slowest of 3 runs; the machine is shared)
"""

import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.common.errors import UserError  # noqa: E402
from app.tasks import Origin, TaskStore  # noqa: E402
from app.tasks.when.dates import Due  # noqa: E402
from app.tasks.when.repeat import Repeat, next_due  # noqa: E402

BY = Origin("cli")
BOMBS = ["FREQ=SECONDLY", "FREQ=SECONDLY;COUNT=1000000000", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
         "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;BYYEARDAY=366;BYMONTH=1",
         "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=2", "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30",
         "FREQ=DAILY;BYMONTH=" + ",".join(["1"] * 30_000)]
LEGAL = ["FREQ=HOURLY", "FREQ=HOURLY;BYDAY=MO;BYMONTH=2;BYMONTHDAY=29",
         "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR",
         "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
         "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;COUNT=1000"]


def slowest(call) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        try:
            call()
        except UserError:
            pass
        times.append(time.perf_counter() - started)
    return max(times)


def main() -> None:
    now = datetime(2026, 12, 6, 10, 0).astimezone()
    with tempfile.TemporaryDirectory() as home, TaskStore(Path(home) / "t.sqlite3") as store:
        for rule in BOMBS:
            # each lambda binds this loop's rule (B023), though slowest() runs it at once
            add = slowest(lambda rule=rule: store.add("x", due="1901-01-01T00:00", repeat=rule,
                                                      by=BY))
            load = slowest(lambda rule=rule: store.import_tasks(
                [{"title": "x", "due": "1901-01-01T00:00", "repeat": rule}], by=BY))
            print(f"bomb  add {add * 1000:7.1f} ms  import {load * 1000:7.1f} ms  {rule[:60]}")
        for rule in LEGAL:
            step = slowest(lambda rule=rule: next_due(Repeat(rule), Due.parse("1901-01-01T00:00"),
                                                      now=now))
            print(f"legal next_due from 1901 {step * 1000:7.1f} ms  {rule}")


if __name__ == "__main__":
    main()
