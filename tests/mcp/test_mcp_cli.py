"""`task-assistant mcp add|list|remove|enable|disable`, and `ask` using an MCP server's tools: the
real program in subprocesses, a real MCP server, the fake Gemini."""

import json
import os
import stat
import subprocess
import sys

import pytest
from conftest import CLI, TEST_KEY, TESTS, cli_env
from fake_gemini import text, tool_calls

from app.config.mcp_servers import McpServers

pytestmark = pytest.mark.timeout(120)
SERVERS = str(TESTS / "mcp_test_servers.py")


def run(app_home, *argv, **env) -> subprocess.CompletedProcess:
    result = subprocess.run([*CLI, *argv], capture_output=True, text=True, timeout=90,
                            env=cli_env(app_home, **env), stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_add_list_disable_enable_remove(app_home):
    notes = app_home / "notes.txt"
    added = run(app_home, "mcp", "add", "notes", "--env", f"NOTES_FILE={notes}", "--",
                sys.executable, SERVERS, "notes")
    assert added.returncode == 0 and "Added the MCP server 'notes'" in added.stdout
    assert run(app_home, "mcp", "add", "broken", "--", sys.executable, SERVERS,
               "crash").returncode == 0
    assert run(app_home, "mcp", "add", "web", "--url", "http://127.0.0.1:9/mcp").returncode == 0

    listed = run(app_home, "mcp", "list")
    lines = listed.stdout.splitlines()
    assert listed.returncode == 0
    assert any(line.startswith("notes ") and "(running, 6 tools)" in line for line in lines)
    assert "  read_notes: runs without asking (read-only)" in lines
    assert "  write_note: asks first" in lines
    assert any(line.startswith("broken ") and "failed:" in line for line in lines)
    assert any(line.startswith("web  http://127.0.0.1:9/mcp  (failed:") for line in lines)

    assert run(app_home, "mcp", "disable", "broken").stdout.strip() == \
        "The MCP server 'broken' is now disabled."
    assert "(disabled)" in run(app_home, "mcp", "list").stdout
    assert "now enabled" in run(app_home, "mcp", "enable", "broken").stdout
    assert run(app_home, "mcp", "remove", "web").returncode == 0
    assert [s.name for s in McpServers(app_home / "mcp_servers.json").all()] == ["notes", "broken"]


@pytest.mark.parametrize("argv, problem", [
    (["add", "Bad Name", "--", "x"], "can't name a server"),
    (["add", "x"], "Say how to reach the server"),
    (["add", "x", "--url", "ftp://h"], "is not a server address"),
    (["add", "x", "--url", "http://h/mcp", "--", "cmd"], "not both"),
    (["add", "x", "--env", "NOEQUALS", "--", "cmd"], "--env takes KEY=VALUE"),
    (["remove", "nothing"], "There is no MCP server called 'nothing'"),
    (["enable", "nothing"], "There is no MCP server called 'nothing'"),
])
def test_bad_input_is_one_sentence_and_changes_nothing(app_home, argv, problem):
    run(app_home, "mcp", "add", "keep", "--", "cmd")
    before = (app_home / "mcp_servers.json").read_bytes()
    result = run(app_home, "mcp", *argv)
    assert result.returncode == 1
    assert problem in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (app_home / "mcp_servers.json").read_bytes() == before


def test_a_duplicate_name_is_refused(app_home):
    run(app_home, "mcp", "add", "notes", "--", "one")
    result = run(app_home, "mcp", "add", "notes", "--", "two")
    assert "already an MCP server called 'notes'" in result.stderr
    assert McpServers(app_home / "mcp_servers.json").get("notes").command == "one"


def test_ask_uses_the_servers_tools_and_denies_writes_off_a_terminal_unless_yes(app_home,
                                                                                gemini):
    notes = app_home / "notes.txt"
    run(app_home, "mcp", "add", "notes", "--env", f"NOTES_FILE={notes}", "--", sys.executable,
        SERVERS, "notes")
    run(app_home, "mcp", "add", "broken", "--", sys.executable, SERVERS, "crash")
    env = dict(GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=gemini.base_url)

    gemini.enqueue(tool_calls(("notes__write_note", {"text": "Buy stamps"})), text("Not saved."))
    denied = run(app_home, "ask", "note: buy stamps", **env)
    assert "✗ Denied: Run 'write_note' from the MCP server 'notes'" in denied.stderr
    assert "! The MCP server 'broken' could not start" in denied.stderr
    assert not notes.exists()

    gemini.enqueue(tool_calls(("notes__write_note", {"text": "Buy stamps"})), text("Saved."))
    allowed = run(app_home, "ask", "--yes", "note: buy stamps", **env)
    assert "• Ran 'write_note' from notes" in allowed.stderr
    assert notes.read_text(encoding="utf-8") == "Buy stamps\n"
    assert allowed.stdout == "Saved.\n"
    assert TEST_KEY not in json.dumps(McpServers(app_home / "mcp_servers.json").get(
        "notes").to_json())


def test_a_damaged_servers_file_is_kept_aside_and_said_once(app_home):
    app_home.mkdir(parents=True, exist_ok=True)
    (app_home / "mcp_servers.json").write_text("{not json", encoding="utf-8")
    result = run(app_home, "mcp", "list")
    assert result.returncode == 0 and "No MCP servers yet" in result.stdout
    assert "mcp_servers.json was damaged" in result.stderr
    assert (app_home / "mcp_servers.json.bad").read_text(encoding="utf-8") == "{not json"
    assert run(app_home, "mcp", "add", "notes", "--", "cmd").returncode == 0


def test_a_servers_stderr_goes_to_its_private_log_and_failures_point_there(app_home, gemini):
    notes = app_home / "notes.txt"
    run(app_home, "mcp", "add", "notes", "--env", f"NOTES_FILE={notes}", "--", sys.executable,
        SERVERS, "notes")
    run(app_home, "mcp", "add", "broken", "--", sys.executable, SERVERS, "crash")
    env = dict(GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=gemini.base_url)
    gemini.enqueue(tool_calls(("notes__read_notes", {})), text("No notes yet."))
    result = run(app_home, "ask", "my notes?", **env)
    logs = app_home / "logs"
    broken_log, notes_log = logs / "mcp-broken.log", logs / "mcp-notes.log"
    # Nothing the servers said is on our stderr; what failed is said once, with its log.
    assert "crash: something is badly wrong" not in result.stderr
    assert "notes: reading" not in result.stderr
    [notice] = [line for line in result.stderr.splitlines() if "'broken'" in line]
    assert notice.startswith("! The MCP server 'broken' could not start (")
    assert notice.endswith(f"(the server's own messages are in {broken_log}).")
    assert result.stdout == "No notes yet.\n"
    assert "crash: something is badly wrong" in broken_log.read_text(encoding="utf-8")
    assert f"notes: reading {notes}" in notes_log.read_text(encoding="utf-8")
    if os.name == "posix":
        assert {stat.S_IMODE(p.stat().st_mode) for p in (broken_log, notes_log)} == {0o600}
    for log in (broken_log, notes_log):  # never the command line: arguments may hold tokens
        assert SERVERS not in log.read_text(encoding="utf-8")

    listing = run(app_home, "mcp", "list")
    assert f"(the server's own messages are in {broken_log})" in listing.stdout
    assert "crash:" not in listing.stderr
    run(app_home, "mcp", "remove", "broken")
    assert not broken_log.exists()  # what it said goes with it


def test_a_chatty_servers_log_keeps_only_its_newest_output(app_home):
    from app.common.capped_log import LIMIT, LINE_LIMIT

    notes = app_home / "notes.txt"
    run(app_home, "mcp", "add", "chatty", "--env", f"NOTES_FILE={notes}", "--", sys.executable,
        SERVERS, "chatty")
    listing = run(app_home, "mcp", "list")
    assert "chatty" in listing.stdout and "running" in listing.stdout
    assert "chatty: line" not in listing.stderr
    log = app_home / "logs" / "mcp-chatty.log"
    older = log.with_name(log.name + ".1")
    newest = log.read_text(encoding="utf-8")
    assert "chatty: ready" in newest and "chatty: line 0 " not in newest + older.read_text()
    assert log.stat().st_size <= LIMIT + 2 * LINE_LIMIT
    assert older.stat().st_size <= LIMIT + 2 * LINE_LIMIT
