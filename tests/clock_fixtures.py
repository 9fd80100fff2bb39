"""Runs the whole suite at a chosen moment in a chosen zone, to prove no test is a time bomb.

`TEST_CLOCK="2027-04-04T02:30 Pacific/Auckland" ./scripts/test` moves the clock for the test
process (time-machine: datetime, date.today, time.time and the zone) and for every process it
starts (libfaketime, preloaded through the inherited environment, plus TZ). The clock keeps
ticking from that moment. Without TEST_CLOCK the suite runs at the real now, in the real zone.

Only the tests read TEST_CLOCK: the app itself has no switch that changes its time.
"""

import os
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")
# What libfaketime adds to a child's environment; a test whose child must see the real time
# (pip checking a registry's certificate, say) removes these.
FAKETIME_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC")
# A sitecustomize that keeps time.sleep working under libfaketime (see its docstring).
FAKETIME_SITE = Path(__file__).parent / "faketime_site"


def pinned_moment() -> datetime | None:
    """TEST_CLOCK as an aware datetime, or None for the real now."""
    text = os.environ.get("TEST_CLOCK", "").strip()
    if not text:
        return None
    moment, _, zone = text.partition(" ")
    return datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(zone or "UTC"))


def real_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` without libfaketime: for a child that must live in the real present."""
    return {name: value for name, value in env.items()
            if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}


def pytest_report_header(config) -> str:
    moment = pinned_moment()
    return f"clock: {moment.isoformat()} {moment.tzinfo}" if moment else "clock: the real now"


_travel = None  # the time-machine travel in force, if any
_saved: dict[str, str | None] = {}


def pytest_configure(config) -> None:
    """Before collection, so module-level dates in test files are read at the moment too."""
    global _travel
    moment = pinned_moment()
    if moment is None:
        return
    if not LIBFAKETIME.exists():
        raise pytest.UsageError(f"TEST_CLOCK needs libfaketime ({LIBFAKETIME}): "
                                "apt-get install faketime")
    real_start = time.time()  # before the travel starts: the real clock
    _saved.update({name: os.environ.get(name) for name in (*FAKETIME_VARIABLES, "PYTHONPATH")})
    # Children get the same moment as an offset from the real clock, so they tick along with us;
    # their monotonic clocks stay real, which Qt's and asyncio's timers rely on.
    os.environ.update(LD_PRELOAD=str(LIBFAKETIME),
                      FAKETIME=f"{moment.timestamp() - real_start:+.3f}s",
                      FAKETIME_DONT_FAKE_MONOTONIC="1",
                      PYTHONPATH=os.pathsep.join(filter(None, (
                          str(FAKETIME_SITE), os.environ.get("PYTHONPATH")))))
    _travel = time_machine.travel(moment, tick=True)
    _travel.start()  # also sets TZ, which children inherit


def pytest_unconfigure(config) -> None:
    if _travel is not None:
        _travel.stop()
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
