"""Todoist's CSV as other people's exports hold it: DATE in the row's DATE_LANG, meaning
wall-clock time in its TIMEZONE; a date that cannot be read is never guessed, and the import's
summary says how many. Through the real CLI in a subprocess, in a zone far from the file's."""

import json
import subprocess
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import CLI, cli_env

from app.common import clock
from app.tasks.files.todoist import read_todoist_csv

HEADER = "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\n"
AUCKLAND = "Pacific/Auckland"
BERLIN = ZoneInfo("Europe/Berlin")

# Dates as Todoist writes them in each language (a day ahead, so never "in the past").
MONTHS = {
    "de": ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "it": ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
}
TOMORROW_AT_FIVE = {"de": "morgen um 17 Uhr", "fr": "demain à 17h", "es": "mañana a las 17:00",
                    "it": "domani alle 17:00", "nl": "morgen om 17:00", "pt": "amanhã às 17:00"}


def ahead() -> date:
    return clock.today() + timedelta(days=40)


def cli(home, *args: str, zone: str = AUCKLAND) -> subprocess.CompletedProcess:
    done = subprocess.run([*CLI, *args], env=cli_env(home, TZ=zone), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def imported(home, tmp_path, rows: str) -> tuple[str, dict]:
    path = tmp_path / "todoist.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    said = cli(home, "tasks", "import", "--format", "todoist", str(path)).stdout
    tasks = json.loads(cli(home, "tasks", "list", "--all", "--json").stdout)
    return said, {task["title"]: task for task in tasks}


@pytest.mark.parametrize("language", sorted(MONTHS))
def test_a_day_written_in_the_rows_language_is_understood(language):
    day = ahead()
    text = f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"
    file = read_todoist_csv(HEADER + f"task,Dentist,,1,1,,,{text},{language},\n", "x.csv")
    assert file.records[0]["due"] == day.isoformat() and file.dates_not_understood == 0


@pytest.mark.parametrize("language", sorted(TOMORROW_AT_FIVE))
def test_tomorrow_at_five_in_the_rows_language_is_a_time_in_its_timezone(language):
    # Berlin's day is read before the parse and again after: midnight may pass in between.
    berlin_days = {clock.now().astimezone(BERLIN).date()}
    file = read_todoist_csv(HEADER + f"task,Call,,1,1,,,{TOMORROW_AT_FIVE[language]},"
                            f"{language},Europe/Berlin\n", "x.csv")
    berlin_days.add(clock.now().astimezone(BERLIN).date())
    due = datetime.fromisoformat(file.records[0]["due"]).astimezone(BERLIN)
    assert due.time() == time(17)
    assert due.date() - timedelta(days=1) in berlin_days


def test_times_are_read_in_the_files_timezone_and_shown_in_ours(app_home, tmp_path):
    day = ahead()
    said, tasks = imported(app_home, tmp_path,
                           f"task,Standup,,1,1,,,{day:%Y-%m-%d} 17:00,en,Europe/Berlin\n"
                           f"task,Choir,,1,1,,,every wednesday at 17:00,en,Europe/Berlin\n"
                           f"task,Local call,,1,1,,,{day:%Y-%m-%d} 17:00,en,\n")
    assert said == "Imported 3 tasks.\n"
    standup = datetime.fromisoformat(tasks["Standup"]["due"])
    assert standup == datetime.combine(day, time(17), BERLIN)
    assert standup.utcoffset() == standup.astimezone(ZoneInfo(AUCKLAND)).utcoffset()
    choir = datetime.fromisoformat(tasks["Choir"]["due"]).astimezone(BERLIN)
    assert (choir.weekday(), choir.time(), tasks["Choir"]["due_zone"]) == (2, time(17),
                                                                          "Europe/Berlin")
    # No TIMEZONE: the user's own wall clock.
    local = datetime.fromisoformat(tasks["Local call"]["due"]).astimezone(ZoneInfo(AUCKLAND))
    assert (local.date(), local.time(), tasks["Local call"]["due_zone"]) == (day, time(17), None)


def test_a_timezone_that_is_the_users_own_is_not_kept_apart(app_home, tmp_path):
    _, tasks = imported(app_home, tmp_path,
                        f"task,Choir,,1,1,,,every wednesday at 17:00,en,{AUCKLAND}\n")
    assert tasks["Choir"]["due_zone"] is None


def test_dates_not_understood_are_imported_without_a_due_and_counted_in_one_sentence(
        app_home, tmp_path):
    day = ahead()
    said, tasks = imported(app_home, tmp_path,
                           "task,Gym,,1,1,,,jeden Montag,de,Europe/Berlin\n"
                           "task,Bins,,1,1,,,chaque lundi à 7h,fr,Europe/Paris\n"
                           "task,Someday,,1,1,,,when the moon is blue,en,\n"
                           f"task,Dentist,,1,1,,,{day:%Y-%m-%d},de,Europe/Berlin\n")
    assert said == ("Imported 4 tasks; 3 Todoist dates I could not understand, so those tasks "
                    "have no due date (the date is kept in the notes).\n")
    for title, text in (("Gym", "jeden Montag"), ("Bins", "chaque lundi à 7h"),
                        ("Someday", "when the moon is blue")):
        assert (tasks[title]["due"], tasks[title]["repeat"]) == (None, None)
        assert f"(Todoist date: {text})" in tasks[title]["notes"]
    assert tasks["Dentist"]["due"] == day.isoformat()


def test_one_date_not_understood_is_said_in_the_singular(app_home, tmp_path):
    said, _ = imported(app_home, tmp_path, "task,Gym,,1,1,,,cada lunes,es,Europe/Madrid\n")
    assert said == ("Imported 1 task; 1 Todoist date I could not understand, so that task "
                    "has no due date (the date is kept in the notes).\n")
