"""`task-assistant tasks …` as a script or a person uses it."""

import csv
import io
import json
import subprocess
from datetime import timedelta

import pytest
from conftest import CLI, cli_env

from app.cli.main import main
from app.common import clock
from app.tasks.when.dates import friendly_due


def run(capsys, *args: str) -> tuple[int | str | None, str, str]:
    code: int | str | None
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's own exits (--help, usage errors)
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def json_of(capsys, *args: str):
    code, out, err = run(capsys, *args, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def test_add_list_edit_done_reopen_rm(capsys):
    added = json_of(capsys, "tasks", "add", "Renew passport", "--due", "2026-11-27",
                    "--priority", "high", "--tag", "admin", "--tag", "travel", "--notes", "photos")
    assert {k: added[k] for k in ("title", "due", "priority", "status", "tags", "notes")} == {
        "title": "Renew passport", "due": "2026-11-27", "priority": "high", "status": "open",
        "tags": ["admin", "travel"], "notes": "photos"}
    assert set(added) == {"id", "title", "notes", "due", "priority", "status", "tags",
                          "created_at", "updated_at", "completed_at", "list", "parent_id",
                          "repeat", "repeat_after_done", "remind_at", "remind_before", "uid",
                          "due_zone"}
    task_id = str(added["id"])
    due = friendly_due("2026-11-27")  # "Fri 27 Nov", with the year when not this year or next
    assert run(capsys, "tasks", "list")[1] == \
        f"{task_id:>5}  [ ] Renew passport  (due {due})  !high  #admin  #travel\n"
    edited = json_of(capsys, "tasks", "edit", task_id, "--title", "Renew passports",
                     "--due", "none")
    assert (edited["title"], edited["due"], edited["tags"]) == ("Renew passports", None,
                                                               ["admin", "travel"])
    assert json_of(capsys, "tasks", "done", task_id)["status"] == "done"
    assert json_of(capsys, "tasks", "list") == []
    assert [t["id"] for t in json_of(capsys, "tasks", "list", "--all")] == [added["id"]]
    assert json_of(capsys, "tasks", "reopen", task_id)["completed_at"] is None
    assert run(capsys, "tasks", "rm", task_id)[1] == f"Moved task {task_id} to the trash: " \
        f"Renew passports  !high  #admin  #travel\n`task-assistant tasks restore {task_id}` " \
        "brings it back within 30 days.\n"
    assert run(capsys, "tasks", "list")[1] == "No tasks.\n"


def day(offset: int) -> str:
    """The date `offset` days from the (test's) today."""
    return (clock.today() + timedelta(days=offset)).isoformat()


def test_list_filters_and_search(capsys):
    for title, due, tag in (("Pay rent", day(6), "home"), ("Ship report", day(0), "work"),
                            ("Old invoice", day(-40), "work")):
        run(capsys, "tasks", "add", title, "--due", due, "--tag", tag)
    assert [t["title"] for t in json_of(capsys, "tasks", "list", "--tag", "work")] == \
        ["Old invoice", "Ship report"]
    assert [t["title"] for t in json_of(capsys, "tasks", "list", "--due-before", day(5))] == \
        ["Old invoice", "Ship report"]
    assert [t["title"] for t in json_of(capsys, "tasks", "list", "--overdue")] == ["Old invoice"]
    assert [t["title"] for t in json_of(capsys, "tasks", "search", "invo")] == ["Old invoice"]
    assert run(capsys, "tasks", "search", "nothing-like-this")[1] == "No tasks.\n"


def test_export_then_import_round_trips(capsys, tmp_path):
    run(capsys, "tasks", "add", "One, with a comma", "--tag", "a", "--tag", "b")
    run(capsys, "tasks", "done", "1")
    run(capsys, "tasks", "add", "Two", "--due", "2026-12-24T18:00:00+01:00")
    code, exported, _ = run(capsys, "tasks", "export")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(run(capsys, "tasks", "export", "--format", "csv")[1])))
    assert [(r["title"], r["tags"], r["status"]) for r in rows] == \
        [("Two", "", "open"), ("One, with a comma", "a,b", "done")]
    path = tmp_path / "backup.json"
    path.write_text(exported)
    assert run(capsys, "tasks", "import", str(path))[1].startswith(
        "Imported 0 tasks; skipped 2 already here")
    assert run(capsys, "tasks", "import", str(path), "--duplicates")[1] == "Imported 2 tasks.\n"
    everything = json_of(capsys, "tasks", "list", "--all")
    mine = ("id", "uid")  # a copy gets its own id and UID
    without_id = sorted(json.dumps({k: v for k, v in t.items() if k not in mine})
                        for t in everything)
    originals = sorted(json.dumps({k: v for k, v in t.items() if k not in mine})
                       for t in json.loads(exported))
    assert without_id == sorted(originals * 2)  # each task now twice, identical but for its id


@pytest.mark.parametrize("args, message", [
    (["tasks", "add", ""], "A task needs a title."),
    (["tasks", "add", "x", "--due", "someday soon"], "'someday soon' is not a date"),
    (["tasks", "add", "x", "--priority", "urgent"], "Unknown priority 'urgent'"),
    (["tasks", "done", "42"], "There is no task 42."),
    (["tasks", "rm", "forty-two"], "'forty-two' is not a task id"),
    (["tasks", "edit", "1"], "Nothing to change"),
    (["tasks", "import", "/no/such/file.json"], "There is no file /no/such/file.json."),
    (["tasks", "list", "--due-before", "soon"], "'soon' is not a date"),
    (["tasks", "frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_bad_input_is_one_line_on_stderr_and_writes_nothing(capsys, args, message):
    run(capsys, "tasks", "add", "Existing")
    before = run(capsys, "tasks", "export")[1]
    code, out, err = run(capsys, *args)
    assert code != 0 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert run(capsys, "tasks", "export")[1] == before


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not valid JSON (line 1"),
    ('{"title": "an object, not a list"}', "must hold a JSON array"),
    ('[{"title": "good"}, {"title": "   "}]', "Task 2 in the file: A task needs a title."),
])
def test_a_malformed_import_file_adds_nothing(capsys, tmp_path, content, message):
    path = tmp_path / "import.json"
    path.write_text(content)
    code, _, err = run(capsys, "tasks", "import", str(path))
    assert code == 1 and message in err
    assert json_of(capsys, "tasks", "list", "--all") == []


def test_the_real_command_reads_an_import_from_stdin(app_home):
    env = cli_env(app_home)
    result = subprocess.run([*CLI, "tasks", "import", "-"], input='[{"title": "From a pipe"}]',
                            capture_output=True, text=True, env=env, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "Imported 1 task.\n", "")
    listed = subprocess.run([*CLI, "tasks", "list"], capture_output=True, text=True, env=env,
                            timeout=60)
    assert "From a pipe" in listed.stdout


def test_an_unexpected_error_is_a_sentence_and_the_traceback_goes_to_the_log(app_home):
    (app_home).mkdir(parents=True)
    (app_home / "tasks.sqlite3").mkdir()  # a directory where the database file should be
    result = subprocess.run([*CLI, "tasks", "list"], capture_output=True, text=True,
                            env=cli_env(app_home), timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert "tasks.sqlite3" in result.stderr or "task-assistant.log" in result.stderr
