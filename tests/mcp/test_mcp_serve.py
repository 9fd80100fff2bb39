"""`task-assistant mcp serve` through a real MCP client: the mcp library's ClientSession talks to
the real program over stdio, and a task store opened here sees what it changes."""

import asyncio
import json
import subprocess

import pytest
from conftest import CLI, cli_env

from app.tasks import Origin, TaskStore

pytestmark = pytest.mark.timeout(90)

TOOLS = {"add_task", "list_tasks", "search_tasks", "update_task", "complete_task", "reopen_task",
         "delete_task", "restore_task", "list_trash", "undo", "redo", "empty_trash",
         "list_lists", "add_list", "rename_list", "delete_list", "reschedule_overdue"}
FORBIDDEN = ("anyOf", "$ref", "$defs", "title", "default", "oneOf", "allOf")


def keywords(schema: dict) -> set[str]:
    """Every keyword used in a schema (property names are not keywords)."""
    found = set(schema)
    for key, value in schema.items():
        children = value.values() if key == "properties" else [value]
        found |= {k for child in children if isinstance(child, dict) for k in keywords(child)}
    return found


def run_session(app_home, body):
    return run_sessions(app_home, 1, body)


def run_sessions(app_home, count, body):
    """`body(*sessions)` with `count` clients, each talking to its own `mcp serve` process, all
    open at once (like Claude Desktop and Cursor on one machine)."""
    from contextlib import AsyncExitStack

    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = cli_env(app_home)
    params = StdioServerParameters(command=CLI[0], args=[*CLI[1:], "mcp", "serve"], env=env)

    async def main():
        async with AsyncExitStack() as stack:
            sessions = []
            for _ in range(count):
                read, write = await stack.enter_async_context(stdio_client(params))
                session = await stack.enter_async_context(ClientSession(read, write))
                await session.initialize()
                sessions.append(session)
            return await body(*sessions)

    return asyncio.run(main())


def answer(result) -> dict:
    return json.loads(result.content[0].text)


def test_lists_the_agents_tools_with_flat_schemas_and_honest_annotations(app_home):
    async def body(session):
        return (await session.list_tools()).tools

    tools = {tool.name: tool for tool in run_session(app_home, body)}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.input_schema["type"] == "object"
        assert not keywords(tool.input_schema) & set(FORBIDDEN), tool.name
        assert tool.description
    hints = {name: (t.annotations.read_only_hint, t.annotations.destructive_hint,
                    t.annotations.idempotent_hint) for name, t in tools.items()}
    assert hints["list_tasks"][0] and hints["search_tasks"][0]
    assert hints["delete_task"][:2] == (False, True)
    assert hints["add_task"] == (False, False, False)  # adding twice makes two tasks
    assert hints["complete_task"] == (False, False, False)  # a repeating task moves on again
    assert hints["list_lists"][0] and hints["list_lists"][2]
    assert hints["restore_task"] == (False, False, True)  # a second restore changes nothing
    assert hints["list_trash"][0] and hints["list_trash"][2]
    assert hints["undo"] == (False, True, False)  # each call takes back one more change
    assert hints["redo"] == (False, True, False)  # each call puts back one more undo
    assert hints["empty_trash"] == (False, True, True)  # gone for good; a repeat adds nothing
    assert hints["add_list"] == (False, False, True)  # a taken name is refused: no second list
    assert hints["rename_list"] == (False, False, True)  # the old name is gone after the first
    assert hints["delete_list"] == (False, True, True)  # its tasks move; a repeat finds no list
    assert hints["reschedule_overdue"] == (False, False, True)  # dues only; then none overdue
    assert "Inbox" in tools["delete_list"].description
    assert "trash" in tools["delete_task"].description
    assert "this MCP session" in tools["undo"].description
    assert "this MCP session" in tools["redo"].description
    assert "for good" in tools["empty_trash"].description


def test_each_tool_works_and_a_running_store_sees_the_change(app_home):
    with TaskStore(app_home / "tasks.sqlite3") as watching:  # like an open window's store
        watching.poll_external_changes()
        seen: list = []
        watching.subscribe(seen.append)

        async def body(session):
            calls = {}
            added = answer(await session.call_tool(
                "add_task", {"title": "Renew passport", "due": "2031-05-02", "tags": ["admin"]}))
            task_id = added["added"]["id"]
            calls["add"] = added
            calls["list"] = answer(await session.call_tool("list_tasks", {}))
            calls["search"] = answer(await session.call_tool("search_tasks", {"query": "passport"}))
            calls["update"] = answer(await session.call_tool(
                "update_task", {"id": task_id, "priority": "high"}))
            calls["complete"] = answer(await session.call_tool("complete_task", {"id": task_id}))
            calls["reopen"] = answer(await session.call_tool("reopen_task", {"id": task_id}))
            calls["bad"] = await session.call_tool("add_task", {"title": "x", "colour": "red"})
            calls["missing"] = await session.call_tool("complete_task", {"id": 999})
            calls["delete"] = answer(await session.call_tool("delete_task", {"id": task_id}))
            return calls

        calls = run_session(app_home, body)
        assert watching.poll_external_changes()  # the window's live-update path
        assert seen and seen[-1].kind == "external"

    assert calls["add"]["added"] == {"id": 1, "title": "Renew passport", "status": "open",
                                     "due": "2031-05-02", "tags": ["admin"]}
    assert calls["list"]["tasks"][0]["title"] == "Renew passport"
    assert calls["search"]["count"] == 1
    assert calls["update"]["updated"]["priority"] == "high"
    assert calls["complete"]["completed"]["status"] == "done"
    assert calls["reopen"]["reopened"]["status"] == "open"
    assert calls["bad"].is_error
    assert "Unknown argument 'colour'" in answer(calls["bad"])["error"]
    assert answer(calls["missing"]) == {"error": "There is no task 999."}
    assert calls["delete"]["deleted"]["id"] == 1
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert store.count() == 0


def tasks_cli(app_home, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "tasks", *args], env=cli_env(app_home), capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


NOTHING_TO_UNDO = ("There is nothing to undo from this MCP session; changes made by other MCP "
                   "clients or in the app are not this session's to undo.")


def test_undo_and_redo_act_on_this_sessions_changes_only(app_home):
    assert tasks_cli(app_home, "add", "Pay rent").returncode == 0  # task 1, the user's own

    async def two_clients(mine, theirs):
        calls = {"added": answer(await mine.call_tool("add_task", {"title": "Call Ana"})),
                 "edited": answer(await mine.call_tool("update_task",
                                                       {"id": 1, "notes": "by bank"})),
                 "theirs": answer(await theirs.call_tool("add_task", {"title": "Book dentist"}))}
        with TaskStore(app_home / "tasks.sqlite3") as app:  # the app's change, newest of all
            app.add("Buy milk", by=Origin("window"))
        calls["undos"] = [await mine.call_tool("undo", {}) for _ in range(3)]
        calls["redo"] = answer(await mine.call_tool("redo", {}))
        calls["their_redo"] = await theirs.call_tool("redo", {})
        calls["their_undo"] = answer(await theirs.call_tool("undo", {}))
        return calls

    calls = run_sessions(app_home, 2, two_clients)
    assert calls["added"]["added"]["id"] == 2 and isinstance(calls["edited"]["change"], int)
    first, second, third = calls["undos"]
    # Not the other client's newer task 3, nor the app's task 4: this session's own, newest first.
    assert answer(first)["undone"] == ("Undid an MCP client's change: “Pay rent” has its notes "
                                       "back.")
    assert "removed “Call Ana”" in answer(second)["undone"]
    assert third.is_error and answer(third) == {"error": NOTHING_TO_UNDO}
    assert calls["redo"]["redone"] == "Redid what an MCP client undid: brought back “Call Ana”."
    assert calls["redo"]["tasks"] == [2]
    assert calls["their_redo"].is_error  # that undo was the other session's
    assert "nothing to redo from this MCP session" in answer(calls["their_redo"])["error"]
    assert "removed “Book dentist”" in calls["their_undo"]["undone"]
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert [(t.title, t.notes) for t in store.list_tasks()] == [
            ("Pay rent", ""), ("Call Ana", ""), ("Buy milk", "")]

    history = json.loads(tasks_cli(app_home, "history", "--json").stdout)
    sessions = {c["origin"]["conversation_id"] for c in history if c["origin"]["kind"] == "mcp"}
    assert len(sessions) == 2 and all(s.startswith("mcp-") for s in sessions)
    assert [(c["task_id"], c["action"]) for c in history if c["origin"]["kind"] == "mcp"][:2] == \
        [(3, "undone"), (2, "redone")]
    text = tasks_cli(app_home, "history").stdout
    assert "(by an MCP client)" in text and "mcp-" not in text  # a session id means nothing

    async def a_new_session(session):  # a restarted client is a new session
        return await session.call_tool("undo", {}), await session.call_tool("redo", {})

    undo, redo = run_session(app_home, a_new_session)
    assert answer(undo) == {"error": NOTHING_TO_UNDO}
    assert answer(redo)["error"].startswith("There is nothing to redo from this MCP session")


def test_empty_trash_deletes_for_good_and_says_so_when_already_empty(app_home):
    for title in ("Old flyer", "Expired coupon", "Keep me"):
        assert tasks_cli(app_home, "add", title).returncode == 0

    async def body(session):
        calls = {"deleted": [answer(await session.call_tool("delete_task", {"id": i}))
                             for i in (1, 2)]}
        calls["bad"] = await session.call_tool("empty_trash", {"force": True})
        calls["emptied"] = answer(await session.call_tool("empty_trash", {}))
        calls["again"] = answer(await session.call_tool("empty_trash", {}))
        calls["undo"] = answer(await session.call_tool("undo", {}))
        return calls

    calls = run_session(app_home, body)
    assert calls["bad"].is_error
    assert answer(calls["bad"]) == {"error": "Unknown argument 'force'; this tool takes none."}
    assert calls["emptied"]["emptied"] == 2 and "for good" in calls["emptied"]["note"]
    assert calls["again"] == {"emptied": 0, "note": "The trash was already empty."}
    # The deletions went with the tasks' history: nothing of this session's is left to undo.
    assert calls["undo"] == {"error": NOTHING_TO_UNDO}
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert [t.title for t in store.list_tasks()] == ["Keep me"] and not store.trash()
        assert {c.task_id for c in store.history()} == {3}


def test_delete_moves_to_the_trash_and_restore_brings_it_back_once(app_home):
    assert tasks_cli(app_home, "add", "Renew passport", "--notes", "photos").returncode == 0

    async def body(session):
        deleted = answer(await session.call_tool("delete_task", {"id": 1}))
        trash = answer(await session.call_tool("list_trash", {}))
        restored = answer(await session.call_tool("restore_task", {"id": 1}))
        again = await session.call_tool("restore_task", {"id": 1})
        empty = answer(await session.call_tool("list_trash", {}))
        return deleted, trash, restored, again, empty

    deleted, trash, restored, again, empty = run_session(app_home, body)
    assert "trash" in deleted["note"]
    assert [task["id"] for task in trash["tasks"]] == [1] and trash["tasks"][0]["deleted_at"]
    assert restored["restored"] == {"id": 1, "title": "Renew passport", "status": "open",
                                    "notes": "photos"}
    assert again.is_error and "not in the trash" in answer(again)["error"]
    assert empty == {"count": 0, "tasks": []}


def test_lists_subtasks_repeats_and_reminders_over_mcp(app_home):
    from datetime import timedelta

    from app.common import clock

    with TaskStore(app_home / "tasks.sqlite3") as store:
        store.add_list("Home", by=Origin("cli"))
    due = clock.today() + timedelta(days=3)

    async def body(session):
        calls = {"plants": answer(await session.call_tool("add_task", {
            "title": "Water plants", "list": "Home", "due": due.isoformat(),
            "repeat": "FREQ=WEEKLY", "remind_at": "1 day before"}))}
        calls["move"] = answer(await session.call_tool("add_task", {"title": "Move flat"}))
        move_id = calls["move"]["added"]["id"]
        calls["pack"] = answer(await session.call_tool(
            "add_task", {"title": "Pack books", "parent_id": move_id}))
        calls["home"] = answer(await session.call_tool("list_tasks", {"list": "Home"}))
        calls["lists"] = answer(await session.call_tool("list_lists", {}))
        calls["refused"] = await session.call_tool("complete_task", {"id": move_id})
        calls["both"] = answer(await session.call_tool(
            "complete_task", {"id": move_id, "with_subtasks": True}))
        calls["watered"] = answer(await session.call_tool(
            "complete_task", {"id": calls["plants"]["added"]["id"]}))
        return calls

    calls = run_session(app_home, body)
    plants = calls["plants"]["added"]
    assert (plants["list"], plants["due"], plants["repeat"]) == ("Home", due.isoformat(),
                                                                 "FREQ=WEEKLY")
    assert plants["remind_at"]
    assert calls["pack"]["added"]["parent_id"] == calls["move"]["added"]["id"]
    assert [task["title"] for task in calls["home"]["tasks"]] == ["Water plants"]
    assert {"name": "Home", "open": 1, "done": 0} in calls["lists"]["lists"]
    assert {"name": "Inbox", "open": 2, "done": 0} in calls["lists"]["lists"]
    assert calls["refused"].is_error and "1 open subtask" in answer(calls["refused"])["error"]
    assert calls["both"]["completed"]["status"] == "done"
    watered = calls["watered"]["completed"]
    assert (watered["status"], watered["due"]) == ("open",
                                                   (due + timedelta(days=7)).isoformat())
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert [task.status for task in store.list_tasks()] == ["open"]  # only the plants


def test_stdout_carries_only_the_protocol(app_home):
    """Raw JSON-RPC lines in, raw lines out: every line on stdout is a JSON-RPC message."""
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "add_task", "arguments": {"title": "Buy milk"}}},
    ]
    server = subprocess.Popen([*CLI, "mcp", "serve"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=cli_env(app_home))
    try:
        server.stdin.write("".join(json.dumps(r) + "\n" for r in requests))
        server.stdin.flush()
        # Like a real client, hang up only after the answers: a server drops what is still
        # running when its client goes away.
        lines = [server.stdout.readline(), server.stdout.readline()]
        rest, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    lines += rest.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2]
    assert json.loads(lines[0])["result"]["serverInfo"]["name"] == "task-assistant"
    assert "Buy milk" in lines[1]
    assert server.returncode == 0


def test_serving_imports_neither_qt_nor_the_agents_sdk(app_home):
    import sys

    code = ("import sys, app.mcp.server, app.cli.mcp\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'PySide6', 'qasync', 'agents', 'openai', 'keyring'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=cli_env(app_home), timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_lists_are_made_renamed_and_deleted_over_mcp_and_undo_takes_each_back(app_home):
    with TaskStore(app_home / "tasks.sqlite3") as store:
        store.add_list("Errands", by=Origin("cli"))
        ids = [store.add(title, list="Errands", by=Origin("cli")).id
               for title in ("Stamps", "Bread")]
        seen = []
        store.subscribe(seen.append)

        async def body(session):
            async def call(tool, **arguments):
                result = await session.call_tool(tool, arguments)
                return result.is_error, answer(result)

            return [await call("add_list", name="Garden"),
                    await call("add_list", name="garden"),
                    await call("rename_list", name="Garden", new_name="Yard"),
                    await call("rename_list", name="Inbox", new_name="Main"),
                    await call("delete_list", name="Errands"),
                    await call("delete_list", name="Inbox"),
                    await call("undo"), await call("undo"), await call("undo")]

        added, taken, renamed, inbox_renamed, deleted, inbox_deleted, *undos = \
            run_session(app_home, body)
        assert added[1]["added_list"] == "Garden" and not added[0]
        assert taken == (True, {"error": "There is already a list 'Garden'."})
        assert (renamed[1]["renamed_list"], renamed[1]["to"]) == ("Garden", "Yard")
        assert inbox_renamed == (True, {"error": "Inbox is where tasks go by default; it "
                                                  "cannot be renamed."})
        assert (deleted[1]["deleted_list"], deleted[1]["moved_to_inbox"]) == ("Errands", 2)
        assert inbox_deleted[0] and "cannot be removed" in inbox_deleted[1]["error"]
        assert undos[0][1]["undone"].startswith("Undid an MCP client's 3 changes: brought back "
                                                "the list “Errands”; “")
        assert sorted(undos[0][1]["tasks"]) == ids
        assert undos[1][1]["undone"] == ("Undid an MCP client's change: the list “Yard” is "
                                         "called “Garden” again.")
        assert undos[2][1]["undone"] == ("Undid an MCP client's change: removed the list "
                                         "“Garden”.")
        assert store.poll_external_changes() and seen  # an open window follows at once
        assert [item.name for item in store.lists()] == ["Inbox", "Errands"]
        assert {store.get(number).list for number in ids} == {"Errands"}

