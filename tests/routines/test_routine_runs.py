"""Routine runs with the real agent stack against the fake Gemini server: what an unattended
run may and may not do, its conversation, one undo step per run, failures, and the time a run
happens under a pinned clock."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fake_gemini import text, tool_calls

from app.routines.scheduler import RoutineScheduler
from app.routines.store import RoutineStore
from app.routines.unattended import run_routine
from app.tasks import Origin, TaskFilter

BERLIN = ZoneInfo("Europe/Berlin")
CLI_ORIGIN = Origin("cli")
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=BERLIN)


@pytest.fixture
def routines(app_home, in_zone):
    in_zone("Europe/Berlin")
    store = RoutineStore(app_home / "tasks.sqlite3")
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=BERLIN), tick=False):
        store.add("Morning", "every weekday at 8:00", "Plan my day.")
    return store


class ClosingScheduler(RoutineScheduler):
    """A scheduler that keeps its assistant, for the test to close."""

    def __init__(self, routines, run, assistant) -> None:
        super().__init__(routines, run)
        self.assistant = assistant


@pytest.fixture
def scheduler_for(routines, store, conversations):
    def make(assistant) -> ClosingScheduler:
        async def run(routine, when, conversation_id):
            return await run_routine(routine, when, assistant=assistant,
                                     conversations=conversations, tasks=store,
                                     conversation_id=conversation_id)
        return ClosingScheduler(routines, run, assistant)
    return make


def run_due(scheduler, now):
    async def go():
        try:
            return await scheduler.run_due(now)
        finally:
            await scheduler.assistant.close()
    return asyncio.run(go())


def said(conversations, conversation_id) -> str:
    return "\n".join(m.text or "" for m in conversations.history(conversation_id))


def test_an_unattended_run_changes_within_the_limit_denies_deleting_and_is_one_undo_step(
        gemini, assistant_for, store, conversations, scheduler_for):
    keep, gone = store.add("Renew passport", by=CLI_ORIGIN), store.add("Old idea", by=CLI_ORIGIN)
    gemini.enqueue(tool_calls(("add_task", {"title": "Stretch"}),
                              ("update_task", {"id": keep.id, "priority": "high"}),
                              ("delete_task", {"id": gone.id})),
                   text("Passport first."))

    outcome, = run_due(scheduler_for(assistant_for(gemini)), MONDAY_8)

    tasks = {t.title: t for t in store.list_tasks(TaskFilter(status="all"))}
    assert set(tasks) == {"Renew passport", "Old idea", "Stretch"}  # nothing deleted
    assert tasks["Renew passport"].priority == "high"
    assert outcome.title == "Morning · Mon 7 Dec"
    assert conversations.get(outcome.conversation_id).title == "Morning · Mon 7 Dec"
    assert outcome.not_done == [f"Delete task {gone.id} 'Old idea'"]
    transcript = said(conversations, outcome.conversation_id)
    assert "Not done, because nobody was there to approve it:" in transcript
    assert f"- Delete task {gone.id} 'Old idea'" in transcript and "do it now" in transcript
    changes = store.history(limit=2)
    assert {c.origin for c in changes} == {Origin("routine", outcome.conversation_id)}
    assert len({store.step_of(c.id) for c in changes}) == 1
    store.undo(by=CLI_ORIGIN, conversation_id=outcome.conversation_id)
    assert {t.title: t.priority for t in store.list_tasks(TaskFilter(status="all"))} == \
        {"Renew passport": "none", "Old idea": "none"}


def test_an_unattended_run_never_changes_more_than_the_bulk_limit(
        gemini, assistant_for, store, conversations, scheduler_for):
    ids = [store.add(f"Task {n}", by=CLI_ORIGIN).id for n in range(6)]
    gemini.enqueue(tool_calls(*[("complete_task", {"id": i}) for i in ids]), text("Tried."))

    outcome, = run_due(scheduler_for(assistant_for(gemini)), MONDAY_8)

    assert [t.status for t in store.list_tasks(TaskFilter(status="all"))] == ["open"] * 6
    assert outcome.not_done == ["Change 6 existing tasks at once"]
    assert "Change 6 existing tasks at once" in said(conversations, outcome.conversation_id)


def test_the_run_happens_at_its_time_under_a_pinned_clock(
        gemini, assistant_for, store, scheduler_for):
    gemini.enqueue(text("Nothing is due."))
    scheduler = scheduler_for(assistant_for(gemini))
    with time_machine.travel(datetime(2026, 12, 5, 18, 0, tzinfo=BERLIN), tick=False):
        assert scheduler.next_wake() == MONDAY_8  # Saturday: the next weekday 08:00
    with time_machine.travel(datetime(2026, 12, 7, 7, 59, 59, tzinfo=BERLIN), tick=False):
        assert run_due(scheduler, None) == [] and gemini.requests == []
    with time_machine.travel(MONDAY_8, tick=False):
        outcome, = run_due(scheduler, None)
        assert run_due(scheduler, None) == []  # the same occurrence never twice

    assert outcome.answer == "Nothing is due." and outcome.failure is None
    assert len(gemini.requests) == 1
    assert scheduler.routines.get("Morning").last_run == "2026-12-07T07:00:00+00:00"


def test_a_run_that_cannot_reach_the_model_says_why_and_is_retried_once(
        gemini, assistant_for, conversations, scheduler_for):
    gemini.stop()  # offline: nothing answers on that port any more
    scheduler = scheduler_for(assistant_for(gemini))

    outcome, = run_due(scheduler, MONDAY_8)

    assert outcome.failure and outcome.retry_later and scheduler.has_retries
    assert f"This run did not happen: {outcome.failure}" in said(conversations,
                                                                 outcome.conversation_id)
    again, = asyncio.run(scheduler.retry_failed())
    assert again.conversation_id == outcome.conversation_id and again.failure
    assert not scheduler.has_retries  # never a third try
    assert asyncio.run(scheduler.retry_failed()) == []


def test_routines_run_streams_like_ask_and_denies_without_a_terminal(app_home, gemini, store,
                                                                     routines, conversations):
    import subprocess

    from conftest import CLI, TEST_KEY, cli_env

    gone = store.add("Old idea", by=CLI_ORIGIN)
    gemini.enqueue(tool_calls(("delete_task", {"id": gone.id})), text("Kept it."))
    env = cli_env(app_home, GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=gemini.base_url,
                  TZ="Europe/Berlin")

    result = subprocess.run([*CLI, "routines", "run", "morning"], env=env, capture_output=True,
                            stdin=subprocess.DEVNULL, text=True, timeout=60)

    assert (result.returncode, result.stdout) == (0, "Kept it.\n")
    assert f"✗ Not done (stdin is not a terminal): Delete task {gone.id} 'Old idea'" \
        in result.stderr
    assert [t.title for t in store.list_tasks()] == ["Old idea"]
    ran = routines.get("Morning")
    assert ran.last_run is not None and ran.last_outcome == "ran"
    assert conversations.get(ran.last_conversation).title.startswith("Morning · ")
