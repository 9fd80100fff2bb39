"""iCalendar VTODOs, Todoist's CSV and our CSV, through the real CLI's import and export."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from test_tasks_cli import json_of, run

THUNDERBIRD = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
BEGIN:VTODO
UID:parent-1@thunderbird
SUMMARY:Plan the move
DUE;TZID=Europe/Berlin:20300501T170000
PRIORITY:1
CATEGORIES:home,big
STATUS:NEEDS-ACTION
RRULE:FREQ=WEEKLY;BYDAY=WE
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER;RELATED=END:-PT30M
END:VALARM
END:VTODO
BEGIN:VTODO
UID:child-2@thunderbird
SUMMARY:Order boxes
RELATED-TO;RELTYPE=PARENT:parent-1@thunderbird
STATUS:COMPLETED
COMPLETED:20300101T100000Z
END:VTODO
END:VCALENDAR
"""

TODOIST = """TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE
task,Water the plants @home,,4,1,Ana,,every sunday,en,Europe/Berlin
task,Fill the can,,1,2,Ana,,,en,Europe/Berlin
section,Later,,,,,,,,
task,Dentist,bring the card,2,1,Ana,,2030-05-01,en,Europe/Berlin
"""


def test_an_ics_from_thunderbird_becomes_tasks_with_subtasks_repeat_and_reminder(capsys,
                                                                                   tmp_path):
    path = tmp_path / "tasks.ics"
    path.write_bytes(THUNDERBIRD)
    assert run(capsys, "tasks", "import", str(path))[1] == "Imported 2 tasks.\n"
    parent, child = sorted(json_of(capsys, "tasks", "list", "--all"), key=lambda t: t["id"])
    assert (parent["title"], parent["priority"], parent["tags"], parent["repeat"]) == (
        "Plan the move", "high", ["home", "big"], "FREQ=WEEKLY;BYDAY=WE")
    # The due is kept as the same instant, shown in the local zone (a day later in Auckland).
    assert datetime.fromisoformat(parent["due"]) == datetime(2030, 5, 1, 17,
                                                             tzinfo=ZoneInfo("Europe/Berlin"))
    assert parent["remind_before"] == 30
    assert (child["parent_id"], child["status"]) == (parent["id"], "done")
    assert run(capsys, "tasks", "import", str(path))[1].startswith(
        "Imported 0 tasks; skipped 2 already here")


def test_ics_export_writes_vtodos_that_import_back_the_same(capsys, tmp_path):
    run(capsys, "lists", "add", "Work")
    run(capsys, "tasks", "add", "Report", "--due", "2030-03-01", "--priority", "medium",
        "--list", "Work", "--repeat", "every month on the 1st", "--tag", "q1")
    run(capsys, "tasks", "add", "Draft", "--parent", "1", "--remind", "2030-02-27T09:00")
    code, ics, _ = run(capsys, "tasks", "export", "--format", "ics")
    for line in ("BEGIN:VTODO", "SUMMARY:Report", "DUE;VALUE=DATE:20300301", "PRIORITY:5",
                 "CATEGORIES:q1", "STATUS:NEEDS-ACTION", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1",
                 "RELATED-TO;RELTYPE=PARENT:", "BEGIN:VALARM", "X-TASK-ASSISTANT-LIST:Work"):
        assert line in ics
    before = json_of(capsys, "tasks", "list", "--all")
    path = tmp_path / "out.ics"
    path.write_text(ics)
    run(capsys, "tasks", "import", str(path), "--duplicates")
    after = json_of(capsys, "tasks", "list", "--all")
    fields = ("title", "due", "priority", "tags", "list", "repeat", "remind_at")
    copies = [t for t in after if t["id"] > 2]
    assert sorted(tuple(str(t[f]) for f in fields) for t in copies) == \
        sorted(tuple(str(t[f]) for f in fields) for t in before)
    assert [t["parent_id"] for t in copies if t["title"] == "Draft"] == \
        [next(t["id"] for t in copies if t["title"] == "Report")]


def test_todoists_csv_gives_subtasks_repeat_priorities_and_labels(capsys, tmp_path):
    path = tmp_path / "todoist.csv"
    path.write_text(TODOIST)
    assert run(capsys, "tasks", "import", "--format", "todoist", str(path))[1] == \
        "Imported 3 tasks.\n"
    tasks = {t["title"]: t for t in json_of(capsys, "tasks", "list", "--all")}
    plants = tasks["Water the plants"]
    assert (plants["priority"], plants["tags"], plants["repeat"]) == ("high", ["home"],
                                                                      "FREQ=WEEKLY;BYDAY=SU")
    assert tasks["Fill the can"]["parent_id"] == plants["id"]
    assert (tasks["Dentist"]["due"], tasks["Dentist"]["priority"],
            tasks["Dentist"]["notes"]) == ("2030-05-01", "low", "bring the card")


def test_our_csv_round_trips(capsys, tmp_path):
    run(capsys, "tasks", "add", "One, with a comma", "--tag", "a", "--tag", "b",
        "--due", "2030-01-02", "--repeat", "every day")
    run(capsys, "tasks", "add", "Two", "--parent", "1")
    exported = json.loads(run(capsys, "tasks", "export")[1])
    path = tmp_path / "tasks.csv"
    path.write_text(run(capsys, "tasks", "export", "--format", "csv")[1])
    assert run(capsys, "tasks", "import", str(path))[1].startswith("Imported 0 tasks; skipped 2")
    run(capsys, "tasks", "import", str(path), "--duplicates")
    copies = [t for t in json_of(capsys, "tasks", "list", "--all") if t["id"] > 2]
    same = ("title", "due", "tags", "repeat", "status", "priority", "list")
    assert sorted(tuple(str(t[f]) for f in same) for t in copies) == \
        sorted(tuple(str(t[f]) for f in same) for t in exported)
    assert {t["title"]: t["parent_id"] for t in copies}["Two"] == \
        next(t["id"] for t in copies if t["title"].startswith("One"))
