"""Reschedule overdue: the command, the operation the agent and MCP clients share, and the bulk
guard in front of it (real store, real CLI, fake Gemini)."""

import json
import subprocess
from datetime import timedelta

import pytest
from conftest import CLI, cli_env
from fake_gemini import text, tool_calls
from test_chat_session import of, turn_fixture  # noqa: F401 (the `turn` fixture)

from app.assistant.events import ApprovalRequested
from app.common import clock
from app.mcp.server import annotations
from app.tasks import Origin, Step, TaskFilter
from app.tools.operations import operations, perform

BY = Origin("cli")


def dues(store) -> dict[str, str | None]:
    return {t.title: t.due for t in store.list_tasks(TaskFilter(status="all"))}


def tasks_cli(app_home, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "tasks", *argv], env=cli_env(app_home), capture_output=True,
                          text=True, timeout=60)


def test_the_command_moves_every_overdue_task_as_one_undo_step(app_home, store):
    store.add("Old", due="2020-01-01", by=BY)
    store.add("Old timed", due="2020-01-02T09:30:00+00:00", by=BY)
    store.add("Later", due="2099-01-01", by=BY)
    tomorrow = clock.today() + timedelta(days=1)

    moved = tasks_cli(app_home, "reschedule", "--overdue", "--to", "tomorrow")

    assert moved.returncode == 0
    assert moved.stdout.startswith("Moved 2 overdue tasks to ")
    after = dues(store)
    assert after["Old"] == tomorrow.isoformat() and after["Later"] == "2099-01-01"
    assert after["Old timed"].startswith(tomorrow.isoformat())  # keeps its time of day
    assert tasks_cli(app_home, "undo").returncode == 0
    assert dues(store) == {"Old": "2020-01-01", "Old timed": "2020-01-02T09:30:00+00:00",
                           "Later": "2099-01-01"}


@pytest.mark.parametrize("to, sentence", [("2001-01-01", "Mon 1 Jan 2001 is in the past"),
                                          ("whenever", "'whenever' is not a date I can read")])
def test_a_bad_day_is_one_sentence_and_moves_nothing(app_home, store, to, sentence):
    store.add("Old", due="2020-01-01", by=BY)

    result = tasks_cli(app_home, "reschedule", "--overdue", "--to", to)

    assert result.returncode == 1 and result.stderr.startswith(f"task-assistant: {sentence}")
    assert dues(store) == {"Old": "2020-01-01"}


def test_nothing_overdue_says_so(app_home, store):
    result = tasks_cli(app_home, "reschedule", "--overdue", "--to", "today")
    assert result.stdout == "Nothing is overdue; nothing was moved.\n"


def test_the_operation_is_honestly_annotated_and_one_step(store):
    store.add("Old", due="2020-01-01", by=BY)
    store.add("Older", due="2019-01-01", by=BY)
    operation = next(o for o in operations(store) if o.name == "reschedule_overdue")
    step = Step(Origin("mcp", "session-1"))

    result = json.loads(perform(operation, {"to": "today"}, step))

    assert result["moved"] == 2 and result["to"] == clock.today().isoformat()
    assert len({store.step_of(change) for change in step.change_ids}) == 1
    hints = annotations(operation)
    assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == \
        (False, False, True)


def test_the_agent_asks_before_moving_more_than_the_bulk_limit(gemini, assistant_for, store,
                                                              turn):
    for n in range(6):
        store.add(f"Old {n}", due="2020-01-01", by=BY)
    gemini.enqueue(tool_calls(("reschedule_overdue", {"to": "today"})), text("Left them."))

    events, _ = turn(assistant_for(gemini), "move my overdue tasks", decide=lambda _: False)

    assert [e.summary for e in of(ApprovalRequested, events)] == \
        ["Move every overdue task to today"]
    assert set(dues(store).values()) == {"2020-01-01"}
