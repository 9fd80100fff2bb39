"""Everything a person reads, in one checked-in file: a realistic session at a pinned moment.

The CLI runs for real against a real store (each command a child process under libfaketime);
the agent's tool lines come from running every task tool on that store; then the approval cards'
questions, the undo sentences and the reminders' notifications. The words are compared with
tests/cli/words_snapshot.txt, so a change to any of them is seen in review, and none of them may
carry an id, an ISO timestamp or a Python repr (issue 21).

Regenerate after a deliberate change:

    UPDATE_WORDS_SNAPSHOT=1 ./scripts/test tests/cli/test_words_snapshot.py
"""

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from clock_fixtures import FAKETIME_SITE, LIBFAKETIME
from conftest import CLI, cli_env

SNAPSHOT = Path(__file__).parent / "words_snapshot.txt"
ZONE = "Pacific/Auckland"
NOW = datetime(2026, 12, 6, 14, 5, tzinfo=ZoneInfo(ZONE))  # a Sunday
# What must never reach a person: an id, an ISO timestamp, a Python repr.
MACHINE = [
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b"), "an id-like hex"),
    (re.compile(r"\d{4}-\d\d-\d\dT|\d{4}-\d\d-\d\d \d\d:"), "an ISO timestamp"),
    (re.compile(r" object at 0x|\bNone\b|\bTrue\b|\bFalse\b|\{'|\[\]|Traceback"), "a repr"),
]

pytestmark = pytest.mark.skipif(not LIBFAKETIME.exists(), reason="needs libfaketime")


def _cli_session(home: Path) -> list[str]:
    env = cli_env(home, TZ=ZONE, LD_PRELOAD=str(LIBFAKETIME),
                  FAKETIME=f"@{NOW:%Y-%m-%d %H:%M:%S}", FAKETIME_DONT_FAKE_MONOTONIC="1",
                  PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env["PYTHONPATH"] = os.pathsep.join((str(FAKETIME_SITE), env["PYTHONPATH"]))
    lines = ["# The command line"]

    def run(*argv: str, stdin: str = "") -> None:
        done = subprocess.run([*CLI, *argv], input=stdin, capture_output=True, text=True,
                              env=env, timeout=120)
        shown = " ".join(f"'{arg}'" if " " in arg or not arg else arg for arg in argv)
        lines.append(f"$ task-assistant {shown}" + (f"   (exit {done.returncode})"
                                                     if done.returncode else ""))
        for stream, mark in ((done.stdout, ""), (done.stderr, "! ")):  # the same on any machine
            lines.extend(mark + line.replace(str(home), "~") for line in stream.splitlines())

    run("tasks", "list")
    run("tasks", "add", "Buy milk", "--due", "tomorrow")
    run("tasks", "add", "Call Ana", "--due", "today 17:00", "--priority", "high", "--tag",
        "family", "--remind", "30m before")
    run("tasks", "add", "Book dentist", "--parent", "3", "--notes", "after work")
    run("tasks", "quick", "Weekly report every friday ^Work")
    run("tasks", "quick", "Pay rent every month on the 1st #home p1")
    run("tasks", "list")
    run("tasks", "search", "milk")
    run("tasks", "edit", "3", "--due", "next friday", "--notes", "oat milk")
    run("tasks", "done", "4")
    run("tasks", "reopen", "4")
    run("tasks", "rm", "5")
    run("tasks", "trash")
    run("tasks", "restore", "5")
    run("tasks", "undo")
    run("tasks", "redo")
    run("tasks", "edit", "4", "--notes", "about the lease")
    run("tasks", "undo")
    run("tasks", "history")
    run("tasks", "history", "3")
    run("lists")
    run("lists", "add", "Errands")
    run("lists", "rename", "Errands", "Shops")
    run("lists", "rm", "Shops")
    run("tasks", "undo")
    run("tasks", "undo", "--step", "8")  # an older step, as the history numbers it
    # Bad input: one sentence each, nothing changed.
    run("tasks", "undo", "--step", "8")
    run("tasks", "undo", "--step", "9")  # "Call Ana" was reopened since
    run("tasks", "undo", "--step", "999")
    run("tasks", "undo", "--step", "abc")
    run("tasks", "history", "999")
    run("tasks", "done", "abc")
    run("tasks", "add", "")
    run("tasks", "add", "Go", "--due", "someday soon")
    run("tasks", "edit", "3", "--priority", "urgent")
    run("lists", "rm", "Inbox")
    run("backups", "now")
    run("backups")
    run("backups", "restore", "7")
    run("sync", "status")
    run("sync", "now")
    run("key", "status")
    run("settings", "show")
    run("settings", "set", "model", "")
    run("mcp", "list")
    return lines


def _tool_lines(store) -> list[str]:
    """Every task tool run for real, and the line the chat shows for it."""
    from app.assistant.summaries import summarize, tool_result
    from app.tasks import Origin, Step
    from app.tools.operations import operations, perform

    answers = [Step(Origin("agent", "conversation-1"))]  # one undo step per answer
    tools = {operation.name: operation for operation in operations(store)}
    lines = ["# The assistant's tool lines"]

    def call(tool: str, **arguments) -> dict:
        result = tool_result(perform(tools[tool], arguments, answers[-1]))
        lines.append(f"{tool}: {summarize(tool, arguments, result)}")
        return result

    passport = call("add_task", title="Renew passport", due="2026-12-11")["added"]["id"]
    call("add_task", title="Water the plants", list="Garden")
    call("add_list", name="Garden")
    plants = call("add_task", title="Water the plants", list="Garden", remind_at="30m before",
                  due="2026-12-06T18:00:00+13:00", repeat="FREQ=WEEKLY;BYDAY=SU")["added"]["id"]
    call("list_tasks")
    call("list_tasks", due_today=True)
    call("search_tasks", query="passport")
    call("search_tasks", query="nothing like it")
    call("update_task", id=passport, notes="photos first", priority="high")
    call("update_task", id=999, notes="x")
    call("complete_task", id=plants)
    call("complete_task", id=passport)
    call("reopen_task", id=passport)
    call("list_lists")
    call("rename_list", name="Garden", new_name="Yard")
    call("delete_list", name="Yard")
    call("delete_list", name="Inbox")
    call("delete_task", id=passport)
    call("list_trash")
    call("restore_task", id=passport)
    answers.append(Step(Origin("agent", "conversation-1")))  # "undo that", in the next answer
    call("undo")
    call("redo")
    call("delete_task", id=passport)
    call("empty_trash")
    call("empty_trash")
    lines.append("a denied call: " + summarize("delete_task", {"id": 1}, {"denied": True}))
    lines.append("a denied MCP tool: " + summarize("notes__write_note", {}, {"denied": True}))
    lines.append("an MCP tool: " + summarize("notes__read_note", {}, {"text": "hello"}))
    return lines


def _cards(store) -> list[str]:
    from app.assistant.summaries import (
        describe_batch,
        describe_delete_list,
        describe_empty_trash,
        describe_request,
    )

    titles = {task.id: task.title for task in store.list_tasks()}
    batch, changes = describe_batch(
        [("update_task", {"id": 1, "due": "2026-12-07", "priority": "high"}),
         ("complete_task", {"id": 2}), ("delete_task", {"id": 4})], titles)
    empty, doomed = describe_empty_trash(["Old chore", "Call the bank"])
    return ["# Approval cards", describe_request("delete_task", {"id": 1}, titles[1]),
            describe_delete_list("Work", 1), describe_delete_list("Inbox", 3),
            describe_delete_list("Nowhere", None), batch, *changes, empty, *doomed]


def _undo_sentences(store) -> list[str]:
    from app.tasks import Origin, Step
    from app.tasks.undo import UndoConflictError

    window, assistant = Origin("window"), Origin("agent", "conversation-2")
    lines = ["# Undo and redo"]
    shop = store.add("shop", by=window)
    store.update(shop.id, due="2026-12-08", by=window)
    lines.append(store.undo(by=window).summary)
    lines.append(store.redo(by=window).summary)
    step = Step(assistant)
    store.add("Buy bread", by=step)
    store.add("Book a table", by=step)
    lines.append(store.undo(by=window).summary)
    store.import_tasks([{"title": f"Imported {n}"} for n in range(5)], by=Origin("import"))
    lines.append(store.undo(by=window).summary)
    store.complete(shop.id, by=assistant)
    store.update(shop.id, notes="the corner shop", by=Origin("cli"))
    try:
        store.undo(by=window, origin="agent")
    except UndoConflictError as refused:
        lines.append(str(refused))
    store.update(shop.id, title="Weekly shop", by=window)
    lines.append(store.undo(by=window).summary)
    store.delete(shop.id, by=window)
    lines.append(store.undo(by=window).summary)
    return lines


def _notifications(store) -> list[str]:
    from app.desktop.reminders import Reminders

    lines = ["# Reminder notifications"]
    for count in (1, 2, 5):
        due = [store.add(f"Due thing {n}", due=f"2026-12-06T{9 + n:02d}:00:00+13:00",
                         by=_window()) for n in range(count)]
        reminders = Reminders(store, store.path.parent / f"notified-{count}.json",
                              clock=lambda: NOW)
        title, message = reminders.summarize(reminders.due_now())
        lines.append(f"{title} — {message}")
        reminders.close()
        for task in due:
            store.complete(task.id, by=_window())
    return lines


def _window():
    from app.tasks import Origin

    return Origin("window")


def test_no_id_timestamp_or_repr_reaches_a_person(app_home):
    from app.conversations.store import ConversationStore
    from app.tasks import Origin, TaskStore

    with time_machine.travel(NOW, tick=False):  # what the assistant and an MCP client did first
        with ConversationStore(app_home / "conversations.sqlite3") as conversations:
            plan = conversations.create("Plan the week")
        with TaskStore(app_home / "tasks.sqlite3") as store:
            store.add("Water the roses", by=Origin("agent", plan.id))
            store.add("Pay the gas bill", by=Origin("mcp", "mcp-" + "0f3a" * 8))
    lines = _cli_session(app_home)
    with time_machine.travel(NOW, tick=False), TaskStore(app_home / "tasks.sqlite3") as store:
        lines += _tool_lines(store) + _cards(store) + _undo_sentences(store)
        lines += _notifications(store)
    words = "\n".join(lines) + "\n"
    found = [f"{why}: {line}" for line in lines for pattern, why in MACHINE
             if pattern.search(line)]
    if os.environ.get("UPDATE_WORDS_SNAPSHOT"):
        SNAPSHOT.write_text(words, encoding="utf-8")
    assert not found, "\n".join(found)
    assert words == SNAPSHOT.read_text(encoding="utf-8"), \
        "the words changed: read the diff, then UPDATE_WORDS_SNAPSHOT=1 (see the docstring)"
