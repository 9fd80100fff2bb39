"""`task-assistant mcp serve` through a real MCP client: the mcp library's ClientSession talks to
the real program over stdio, and a task store opened here sees what it changes."""

import asyncio
import json

import pytest

from app.tasks import TaskStore
from conftest import CLI, cli_env

pytestmark = pytest.mark.timeout(90)

TOOLS = {"add_task", "list_tasks", "search_tasks", "update_task", "complete_task", "reopen_task",
         "delete_task"}
FORBIDDEN = ("anyOf", "$ref", "$defs", "title", "default", "oneOf", "allOf")


def keywords(schema: dict) -> set[str]:
    """Every keyword used in a schema (property names are not keywords)."""
    found = set(schema)
    for key, value in schema.items():
        children = value.values() if key == "properties" else [value]
        found |= {k for child in children if isinstance(child, dict) for k in keywords(child)}
    return found


def run_session(app_home, body):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = cli_env(app_home)
    params = StdioServerParameters(command=CLI[0], args=[*CLI[1:], "mcp", "serve"], env=env)

    async def main():
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await body(session)

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
    assert hints["complete_task"] == (False, False, True)


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


def test_stdout_carries_only_the_protocol(app_home):
    """Raw JSON-RPC lines in, raw lines out: every line on stdout is a JSON-RPC message."""
    import subprocess

    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "add_task", "arguments": {"title": "Buy milk"}}},
    ]
    # As a real client does: stdin stays open until the answers are in (a server may drop a
    # request still running when its input ends).
    server = subprocess.Popen([*CLI, "mcp", "serve"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=cli_env(app_home))
    try:
        server.stdin.write("".join(json.dumps(r) + "\n" for r in requests))
        server.stdin.flush()
        lines = [server.stdout.readline(), server.stdout.readline()]
        server.stdin.close()
        lines += server.stdout.read().splitlines()
        assert server.wait(timeout=60) == 0
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
        server.stderr.close()
    assert [json.loads(line)["id"] for line in lines] == [1, 2]
    assert json.loads(lines[0])["result"]["serverInfo"]["name"] == "task-assistant"
    assert "Buy milk" in lines[1]


def test_serving_imports_neither_qt_nor_the_agents_sdk(app_home):
    import subprocess
    import sys

    code = ("import sys, app.mcp.server, app.cli.mcp\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'PySide6', 'qasync', 'agents', 'openai', 'keyring'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=cli_env(app_home), timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
