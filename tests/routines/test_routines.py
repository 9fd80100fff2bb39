"""Routines without the agent: schedules in words, DST, missed runs, two processes, the CLI's
bad input, the built-in ones and backups (real SQLite file, real CLI in a subprocess)."""

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from conftest import CLI, cli_env

from app.routines.schedule import next_run
from app.routines.scheduler import RoutineScheduler
from app.routines.store import RoutineStore

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def routines(app_home, in_zone):
    in_zone("Europe/Berlin")
    return RoutineStore(app_home / "tasks.sqlite3")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def added(routines, name: str, when: str, moment: datetime):
    with time_machine.travel(moment, tick=False):
        return routines.add(name, when, "What is due?")


def scheduler(routines) -> RoutineScheduler:
    async def never(*_):
        raise AssertionError("these tests only claim")
    return RoutineScheduler(routines, never)


# -- when it runs ----------------------------------------------------------------------------

def test_a_daily_8am_stays_8am_local_across_both_dst_changes(routines):
    rule = added(routines, "Morning", "every day at 8:00", at("2026-03-27T12:00")).rule

    spring = next_run(rule, at("2026-03-28T09:00"))
    after_spring = next_run(rule, spring)
    autumn = next_run(rule, at("2026-10-24T09:00"))
    after_autumn = next_run(rule, autumn)

    assert [m.astimezone(BERLIN).strftime("%d %H:%M %z") for m in
            (spring, after_spring, autumn, after_autumn)] == \
        ["29 08:00 +0200", "30 08:00 +0200", "25 08:00 +0100", "26 08:00 +0100"]
    assert after_spring - spring == timedelta(hours=24)
    assert autumn - next_run(rule, at("2026-10-23T09:00")) == timedelta(hours=25)


def test_off_for_three_days_gives_one_run_when_started_on_the_day(routines):
    added(routines, "Morning", "every day at 8:00", at("2026-12-01T12:00"))
    claims = scheduler(routines)

    started = claims.claim_due(at("2026-12-05T10:30"))  # off since the 2nd: four 08:00s missed

    assert [(r.name, when) for r, when in started] == [("Morning", at("2026-12-05T08:00"))]
    assert claims.claim_due(at("2026-12-05T10:31")) == []
    assert claims.claim_due(at("2026-12-05T23:59")) == []
    assert [when for _, when in claims.claim_due(at("2026-12-06T08:00"))] == \
        [at("2026-12-06T08:00")]


def test_a_run_missed_on_an_earlier_day_never_runs_late(routines):
    added(routines, "Morning", "every day at 8:00", at("2026-12-01T12:00"))

    assert scheduler(routines).claim_due(at("2026-12-05T07:59")) == []  # yesterday's is gone
    assert scheduler(routines).next_wake(at("2026-12-05T07:59")) == at("2026-12-05T08:00")


def test_turning_a_routine_on_does_not_run_this_mornings_occurrence_at_once(routines):
    with time_machine.travel(at("2026-12-07T10:00"), tick=False):
        routines.set_enabled("Plan my day", True)

    assert scheduler(routines).claim_due(at("2026-12-07T10:05")) == []
    assert scheduler(routines).next_wake(at("2026-12-07T10:05")) == at("2026-12-08T08:00")


def test_a_routine_that_is_off_never_runs(routines):
    added(routines, "Morning", "every day at 8:00", at("2026-12-01T12:00"))
    routines.set_enabled("Morning", False)

    assert scheduler(routines).claim_due(at("2026-12-05T08:00")) == []
    assert scheduler(routines).next_wake(at("2026-12-05T07:00")) is None


CLAIMER = """
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from app.routines.scheduler import RoutineScheduler
from app.routines.store import RoutineStore
store = RoutineStore(__import__("pathlib").Path(sys.argv[1]))
claims = RoutineScheduler(store, None)
start = datetime(2026, 12, 2, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))
sys.stdin.readline()  # both start claiming together
for day in range(40):
    for _, when in claims.claim_due(start + timedelta(days=day)):
        print(when.isoformat(), flush=True)
"""


def test_two_processes_never_run_the_same_occurrence(routines, app_home):
    added(routines, "Morning", "every day at 8:00", at("2026-12-01T12:00"))
    env = cli_env(app_home, TZ="Europe/Berlin")
    processes = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(app_home /
                                   "tasks.sqlite3")], env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True) for _ in range(2)]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    runs = [process.communicate(timeout=120)[0].split() for process in processes]

    everything = runs[0] + runs[1]
    assert len(everything) == 40 and len(set(everything)) == 40


# -- stored like the tasks -------------------------------------------------------------------

def test_the_built_in_routines_are_listed_off_until_turned_on(routines):
    listed = {r.name: r.enabled for r in routines.all()}
    assert listed == {"Plan my day": False, "Weekly review": False}
    assert routines.stored() == []

    routines.set_enabled("weekly review", True)

    assert [(r.name, r.enabled) for r in routines.stored()] == [("Weekly review", True)]


def test_routines_are_in_the_backups(routines, app_home):
    from app.tasks import backups

    added(routines, "Morning", "every day at 8:00", at("2026-12-01T12:00"))
    backup = backups.take(app_home / "tasks.sqlite3")

    names = sqlite3.connect(backup.path).execute("SELECT name FROM routines").fetchall()
    assert names == [("Morning",)]


# -- the command line ------------------------------------------------------------------------

def routines_cli(app_home, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "routines", *argv], env=cli_env(app_home, TZ="Europe/Berlin"),
                          capture_output=True, text=True, timeout=60)


def test_the_cli_adds_lists_and_gives_json_with_offsets(app_home):
    added_ = routines_cli(app_home, "add", "Morning", "--when", "every weekday at 8:00",
                          "--prompt", "What is due today?")
    listed = json.loads(routines_cli(app_home, "list", "--json").stdout)
    plain = routines_cli(app_home).stdout

    assert added_.stdout == "Added the routine 'Morning': every weekday at 08:00.\n"
    morning = next(r for r in listed if r["name"] == "Morning")
    assert morning["rule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0"
    assert morning["enabled"] is True and morning["last_run"] is None
    next_run_ = datetime.fromisoformat(morning["next_run"])
    assert next_run_.utcoffset() is not None and next_run_.astimezone(BERLIN).hour == 8
    assert next_run_.astimezone(BERLIN).weekday() < 5
    assert "Morning  (every weekday at 08:00; next " in plain
    assert "Plan my day  (every weekday at 08:00; off; last run -)" in plain


@pytest.mark.parametrize("argv, sentence", [
    (("add", "X", "--when", "whenever", "--prompt", "p"), "'whenever' is not a repeat I"),
    (("add", "X", "--when", "every day at 25:00", "--prompt", "p"), "25:00 is not a time of day"),
    (("add", "X", "--when", "every day", "--prompt", "p"), "'every day' has no time of day"),
    (("add", "Morning", "--when", "every day at 9:00", "--prompt", "p"),
     "There is already a routine called 'Morning'"),
    (("add", "plan my day", "--when", "every day at 9:00", "--prompt", "p"),
     "There is already a routine called 'plan my day'"),
    (("edit", "Nope", "--when", "every day at 9:00"), "There is no routine called 'Nope'"),
    (("edit", "Morning", "--when", "every day at 8:99"), "8:99 is not a time of day"),
    (("enable", "Nope"), "There is no routine called 'Nope'"),
    (("remove", "Nope"), "There is no routine called 'Nope'"),
    (("run", "Nope"), "There is no routine called 'Nope'"),
])
def test_bad_input_is_one_sentence_and_writes_nothing(app_home, argv, sentence):
    routines_cli(app_home, "add", "Morning", "--when", "every day at 8:00", "--prompt", "p")
    before = routines_cli(app_home, "list", "--json").stdout

    result = routines_cli(app_home, *argv)

    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"task-assistant: {sentence}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert routines_cli(app_home, "list", "--json").stdout == before
