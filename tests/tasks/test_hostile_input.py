"""Hostile and odd input (issue 20): from a person, an MCP client or a file, it gets one
sentence or is stored safely, quickly, and leaves everything else as it was."""

import json
import time
from datetime import datetime

import pytest

from app.common.errors import UserError
from app.tasks.history import Origin
from app.tasks.when.dates import Due
from app.tasks.when.repeat import Repeat, next_due
from app.tools.operations import operations, perform

CLI = Origin("cli")
HANG_GUARD = 3.0  # seconds: the target is 1 s (bench/); this only catches a hang


def quickly(call, *args, **kwargs):
    started = time.monotonic()
    try:
        return call(*args, **kwargs)
    finally:
        assert time.monotonic() - started < HANG_GUARD


def tool(store, name):
    return next(op for op in operations(store) if op.name == name)


# -- repeat rules ----------------------------------------------------------------------------

@pytest.mark.parametrize("rule, words", [
    ("FREQ=SECONDLY", "at most every hour"),
    ("FREQ=MINUTELY;INTERVAL=5", "at most every hour"),
    ("FREQ=SECONDLY;COUNT=1000000000", "at most every hour"),
    ("FREQ=DAILY;COUNT=1000000000", "COUNT must be a whole number from 1 to 1000"),
    ("FREQ=DAILY;INTERVAL=99999999", "INTERVAL must be a whole number from 1 to 1000"),
    ("FREQ=DAILY;UNTIL=99991231", "UNTIL must be a date from 1900 to 2200"),
    ("FREQ=DAILY;BYHOUR=1,2,3", "cannot use BYHOUR"),
    ("FREQ=DAILY;BYSETPOS=2", "weekly, monthly or yearly"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never produces another date"),
    ("FREQ=HOURLY;BYYEARDAY=366;BYMONTH=1", "never produces another date"),
    ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "never produces another date"),
    ("FREQ=DAILY;BYMONTH=" + ",".join(["1"] * 30_000), "at most 1000 characters"),
])
def test_a_repeat_rule_bomb_gets_one_sentence_at_once_and_adds_nothing(store, rule, words):
    with pytest.raises(UserError, match=words) as error:
        quickly(store.add, "x", due="2000-01-01T00:00", repeat=rule, by=CLI)
    assert "\n" not in str(error.value) and len(str(error.value)) < 300
    assert store.count() == 0


def test_every_minute_as_a_phrase_is_refused_too(store):
    with pytest.raises(UserError, match="at most every hour"):
        store.add("stretch", repeat="every 5 minutes", by=CLI)


def test_an_hourly_task_due_decades_ago_moves_to_the_next_hour_by_arithmetic():
    now = datetime(2026, 12, 6, 10, 30).astimezone()
    found = quickly(next_due, Repeat("FREQ=HOURLY;INTERVAL=7"), Due.parse("1901-01-01T00:00"),
                    now=now)
    moved = datetime.fromisoformat(found.iso)
    assert now < moved <= now.replace(hour=17, minute=30)
    # On the rule's own 7-hour lattice, counted from the first due:
    assert (moved.replace(tzinfo=None) - datetime(1901, 1, 1)).total_seconds() % (7 * 3600) == 0


@pytest.mark.parametrize("rule, due, expected", [
    ("FREQ=DAILY;INTERVAL=3", "1950-01-01", None),
    ("FREQ=WEEKLY;BYDAY=TU,FR", "1950-01-03", None),
    ("FREQ=MONTHLY;BYMONTHDAY=31", "1950-01-31", "2026-12-31"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "1904-02-29", "2028-02-29"),
    ("FREQ=MONTHLY;INTERVAL=5", "1950-01-15", None),
])
def test_a_rule_stepped_from_long_ago_gives_what_stepping_one_by_one_gives(rule, due, expected):
    from dateutil.rrule import rrulestr

    now = datetime(2026, 12, 6, 10, 30).astimezone()
    found = quickly(next_due, Repeat(rule), Due.parse(due), now=now)
    slow = rrulestr(rule, dtstart=datetime.fromisoformat(due)).after(datetime(2026, 12, 6),
                                                                      inc=True)
    assert found.iso == slow.date().isoformat()
    if expected:
        assert found.iso == expected


def test_a_bomb_from_an_mcp_client_is_an_error_answer_at_once(store):
    answer = json.loads(quickly(perform, tool(store, "add_task"), {
        "title": "x", "due": "2000-01-01T00:00", "repeat": "FREQ=SECONDLY"}, Origin("mcp")))
    assert "at most every hour" in answer["error"]
    assert store.count() == 0


def test_a_bomb_in_an_imported_file_refuses_the_file_at_once(store):
    records = [{"title": "fine"}, {"title": "x", "due": "2000-01-01T00:00",
                                   "repeat": "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"}]
    with pytest.raises(UserError, match="Task 2 in the file: This repeat rule never produces"):
        quickly(store.import_tasks, records, by=CLI)
    assert store.count() == 0


# -- list names ------------------------------------------------------------------------------

HOSTILE_NAME = "Wo\x1b]0;pwned\x07rk\u202e"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    from app.cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_list_name_loses_control_and_bidi_characters_from_the_cli(capsys):
    code, out, err = run_cli(capsys, "lists", "add", HOSTILE_NAME)
    assert (code, out, err) == (0, "Added list 'Wo]0;pwnedrk'.\n", "")
    code, out, _ = run_cli(capsys, "lists")
    assert "Wo]0;pwnedrk" in out and "\x1b" not in out and "\u202e" not in out


def test_a_list_name_from_an_mcp_client_is_cleaned_and_a_task_lands_in_it(store):
    answer = json.loads(perform(tool(store, "add_list"), {"name": HOSTILE_NAME}, Origin("mcp")))
    assert "error" not in answer
    assert [item.name for item in store.lists()] == ["Inbox", "Wo]0;pwnedrk"]
    added = store.add("x", list="Wo]0;pwnedrk", by=CLI)
    assert added.list == "Wo]0;pwnedrk"


def test_an_imported_list_name_is_cleaned(store):
    store.import_tasks([{"title": "x", "list": "Home\u202e\u2066"}], by=CLI)
    assert [task.list for task in store.list_tasks()] == ["Home"]


def test_opening_an_older_file_repairs_stored_list_names_without_merging_lists(app_home):
    import sqlite3

    from app.tasks import TaskStore

    path = app_home / "tasks.sqlite3"
    with TaskStore(path) as store:
        store.add_list("Work", by=CLI)
        store.add("in Work", list="Work", by=CLI)
    conn = sqlite3.connect(path)  # what an older version let in
    conn.execute("INSERT INTO lists (id, name, created_at) VALUES (7, 'Wo\x1brk', 'x'), "
                 "(8, 'Home\u202e', 'x'), (9, '\x07', 'x')")
    conn.execute("INSERT INTO tasks (title, created_at, updated_at, list_id, uid) "
                 "VALUES ('in bad', 'x', 'x', 7, 'u1')")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute(f"PRAGMA user_version = {version - 1}")
    conn.commit()
    conn.close()
    with TaskStore(path) as store:
        names = store.list_names()
        assert (names[7], names[8], names[9]) == ("Work (7)", "Home", "List 9")
        by_title = {task.title: task.list for task in store.list_tasks()}
        assert by_title == {"in Work": "Work", "in bad": "Work (7)"}


# -- CSV export ------------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "'=already quoted",
            "plain", "'twas", "a - b"]


def test_csv_export_escapes_formulas_and_reads_back_the_same_text(store, capsys, tmp_path):
    import csv
    import io

    for index, text in enumerate(FORMULAS):
        store.add(text, notes=["\tnote", "\rnote", "-note", "note"][index % 4],
                  tags=[text.replace(",", ";")], by=CLI)
    code, exported, _ = run_cli(capsys, "tasks", "export", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(exported)))
    for row in rows:
        for name in ("title", "notes", "tags"):
            assert not row[name].startswith(("=", "+", "-", "@", "\t", "\r")), row[name]
    assert {row["title"] for row in rows} >= {"'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1",
                                              "''=already quoted", "plain", "'twas", "a - b"}
    path = tmp_path / "tasks.csv"
    path.write_text(exported, encoding="utf-8")
    before = {(task.title, task.notes, task.tags) for task in store.list_tasks()}
    code, out, err = run_cli(capsys, "tasks", "import", str(path), "--duplicates")
    assert (code, err) == (0, "")
    after = [(task.title, task.notes, task.tags) for task in store.list_tasks()]
    assert len(after) == 2 * len(FORMULAS) and set(after) == before


# -- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("due, words", [
    ("in 99999999999 hours", "'in 99999999999 hours' is too far away: give a date up to 2200."),
    ("1111111111", "'1111111111' is in the year 1111: give a date from 1900 to 2200."),
    ("1899-12-31", "in the year 1899"),
    ("2201-01-01T09:00", "in the year 2201"),
])
def test_a_due_out_of_reach_is_one_sentence_and_adds_nothing(capsys, due, words):
    code, out, err = run_cli(capsys, "tasks", "add", "x", "--due", due)
    assert (code, out) == (1, "") and words in err and err.count("\n") == 1
    assert run_cli(capsys, "tasks", "list")[1] == "No tasks.\n"


def test_an_eight_digit_due_is_a_day_not_a_time(store):
    assert store.add("x", due="20261224", by=CLI).due == "2026-12-24"


def test_an_error_sentence_echoes_at_most_80_characters_of_the_input(store):
    for char, call in (("y", lambda: store.add("x", due="y" * 1_000_000, by=CLI)),
                       ("z", lambda: store.add("x", repeat="z" * 1_000_000, by=CLI)),
                       ("p", lambda: store.add("x", priority="p" * 1_000_000, by=CLI)),
                       ("9", lambda: store.get("9" * 1_000_000))):
        with pytest.raises(UserError) as error:
            quickly(call)
        assert char * 70 in str(error.value) and char * 81 not in str(error.value)


def test_a_due_shows_its_year_unless_it_is_this_year_or_next():
    import time_machine

    from app.tasks.when.dates import relative_due

    with time_machine.travel(datetime(2026, 6, 1, 12, 0), tick=False):
        assert Due.parse("2027-12-24").friendly() == "Fri 24 Dec"
        assert Due.parse("2028-12-24").friendly() == "Sun 24 Dec 2028"
        assert Due.parse("2025-12-24").friendly() == "Wed 24 Dec 2025"
        assert relative_due("2027-12-24") == "Fri 24 Dec"
        assert relative_due("1999-12-24") == "Fri 24 Dec 1999"


# -- imported files --------------------------------------------------------------------------

def import_file(capsys, tmp_path, name: str, data: bytes, *args: str):
    path = tmp_path / name
    path.write_bytes(data)
    return run_cli(capsys, "tasks", "import", str(path), *args)


def titles_now(capsys) -> list[str]:
    return [task["title"] for task in json.loads(run_cli(capsys, "tasks", "list", "--json")[1])]


@pytest.mark.parametrize("name, data, words", [
    ("big.csv", b'title,notes\nx,"' + b"n" * 200_000 + b'"\n', "has a field over 128 KB"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("todoist.csv", b"TYPE,CONTENT,PRIORITY,INDENT\ntask,A,1,1\ntask,B,1,x\n",
     "INDENT must be a whole number like 1, 2 or 3, not 'x' (task 2)"),
])
def test_a_broken_file_is_one_sentence_and_imports_nothing(capsys, tmp_path, name, data, words):
    code, out, err = import_file(capsys, tmp_path, name, data)
    assert (code, out) == (1, "") and words in err and err.count("\n") == 1
    assert titles_now(capsys) == []


def test_json_with_a_byte_order_mark_imports(capsys, tmp_path):
    data = "\ufeff" + json.dumps([{"title": "Zürich trip"}])
    code, out, err = import_file(capsys, tmp_path, "tasks.json", data.encode("utf-8"))
    assert (code, out, err) == (0, "Imported 1 task.\n", "")
    assert titles_now(capsys) == ["Zürich trip"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_csv_with_or_without_its_mark_imports(capsys, tmp_path, encoding):
    data = "title,notes\nCafé au lait,süß\n".encode(encoding)
    code, out, err = import_file(capsys, tmp_path, "tasks.csv", data)
    assert (code, out, err) == (0, "Imported 1 task.\n", "")
    assert titles_now(capsys) == ["Café au lait"]


def test_a_latin1_file_is_read_as_cp1252_and_the_import_says_so(capsys, tmp_path):
    data = "title,notes\nCafé – crème,Grüße €5\n".encode("cp1252")
    code, out, err = import_file(capsys, tmp_path, "tasks.csv", data)
    assert (code, err) == (0, "")
    assert out == ("Imported 1 task (the file is not UTF-8: it was read as cp1252, Windows' "
                   "Western European encoding).\n")
    [task] = json.loads(run_cli(capsys, "tasks", "list", "--json")[1])
    assert (task["title"], task["notes"]) == ("Café – crème", "Grüße €5")


# -- the MCP server's wire -------------------------------------------------------------------

def test_mcp_serve_answers_every_unreadable_line_with_a_json_rpc_error(app_home):
    import subprocess

    from conftest import CLI as COMMAND
    from conftest import cli_env

    deep = '{"jsonrpc":"2.0","id":9,"method":"ping","params":{"a":' + "[" * 1001 + \
        "]" * 1001 + "}}"
    lines = [
        "this is not json",
        '{"jsonrpc":"2.0","id":7}',  # no method
        '{"jsonrpc":"2.0","id":8,"method":"ping","params":{"x":"\\ud800"}}',  # lone surrogate
        deep,
        "[" * 200_000 + "]" * 200_000,  # deeper than Python's parser goes
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":'
        '"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}',
        '{"jsonrpc":"2.0","method":"notifications/initialized"}',
        '{"jsonrpc":"2.0","id":10,"method":"ping"}',
    ]
    done = subprocess.run([*COMMAND, "mcp", "serve"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, env=cli_env(app_home), timeout=60)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    errors = [(a["id"], a["error"]["code"]) for a in answers if "error" in a]
    assert errors == [(None, -32700), (7, -32600), (8, -32700), (None, -32600), (None, -32600)]
    assert {a["id"] for a in answers if "result" in a} == {1, 10}  # and it still serves
    logged = [line for line in done.stderr.splitlines() if "not a JSON-RPC request" in line]
    assert len(logged) == 5


# -- secrets in a server's own arguments -----------------------------------------------------

TOKEN = "ghp_4f9Kx2LmQ8rT7vW1zY3bN6cD5eH0jA"


def test_mcp_add_and_list_hide_a_token_in_the_servers_own_arguments(app_home):
    import subprocess
    import sys

    from conftest import CLI as COMMAND
    from conftest import cli_env

    def run(*args):
        return subprocess.run([*COMMAND, "mcp", *args], capture_output=True, text=True,
                              env=cli_env(app_home), timeout=60)

    added = run("add", "gh", "--", sys.executable, "-c", "pass", "--token", TOKEN,
                "--api-key=sk-live-123", "--header", "Authorization: Bearer abc.def",
                "--verbose", "--name", "my_long_server_name_here")
    web = run("add", "web", "--url", f"http://127.0.0.1:9/mcp?access_token={TOKEN}&x=1")
    listed = run("list")
    for done in (added, web, listed):
        assert done.returncode == 0
        assert TOKEN not in done.stdout + done.stderr
        assert "sk-live-123" not in done.stdout and "abc.def" not in done.stdout
    assert "--token [redacted] --api-key=[redacted]" in added.stdout
    assert "Authorization: Bearer [redacted] --verbose --name my_long_server_name_here" \
        in added.stdout
    assert "http://127.0.0.1:9/mcp?access_token=[redacted]&x=1" in listed.stdout
    stored = json.loads((app_home / "mcp_servers.json").read_text())
    assert TOKEN in json.dumps(stored)  # kept as typed: the server needs it to start


def test_completing_a_task_whose_stored_rule_is_a_bomb_is_one_sentence_at_once(store, app_home):
    import sqlite3

    task = store.add("x", due="2000-01-01T00:00", repeat="every hour", by=CLI)
    conn = sqlite3.connect(app_home / "tasks.sqlite3")  # what an older version let in
    conn.execute("UPDATE tasks SET repeat = 'FREQ=SECONDLY' WHERE id = ?", (task.id,))
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="at most every hour"):
        quickly(store.complete, task.id, by=CLI)
    assert store.get(task.id).status == "open"
