"""The agent end to end: the real openai client and Agents SDK against a fake Gemini on loopback."""

import asyncio
import json
from datetime import date

import pytest
from conftest import TEST_KEY
from fake_gemini import (
    FakeGemini,
    bad_key,
    cut_off,
    empty,
    overloaded,
    quota,
    silent,
    text,
    tool_calls,
)

from app.assistant.events import (
    ApprovalRequested,
    Cancelled,
    Completed,
    Failed,
    Retrying,
    TextDelta,
    ToolFinished,
    ToolStarted,
)
from app.tasks import TaskFilter
from app.tasks.history import Origin
from app.tasks.when.dates import friendly_due

CLI = Origin("cli")  # who the test's own writes are recorded as


@pytest.fixture(name="turn")
def turn_fixture(chat_for):
    return lambda assistant, text_in, **options: run_turn(chat_for, assistant, text_in, **options)


def run_turn(chat_for, assistant, text_in: str, *, conversation: str | None = None, decide=None,
             cancel_after_first_delta: bool = False, retry: bool = False):
    """Run one turn; returns (events, conversation id)."""
    async def run():
        chat = chat_for(assistant, conversation)
        conversation_id = chat.conversation_id
        events = []
        try:
            async for event in (chat.retry() if retry else chat.send(text_in)):
                events.append(event)
                if isinstance(event, ApprovalRequested):
                    (event.allow if decide(event) else event.deny)()
                if cancel_after_first_delta and isinstance(event, TextDelta):
                    chat.cancel()
        finally:
            await assistant.close()
        return events, conversation_id

    return asyncio.run(run())


def of(kind, events):
    return [event for event in events if isinstance(event, kind)]


def answer(events) -> str:
    return "".join(event.text for event in of(TextDelta, events))


def test_an_answer_streams_in_over_chat_completions(gemini, assistant_for, turn):
    gemini.enqueue(text("Nothing ", "is due ", "today."))
    events, _ = turn(assistant_for(gemini), "what's due today?")
    assert answer(events) == "Nothing is due today."
    assert len(of(TextDelta, events)) == 3
    assert events[-1] == Completed("Nothing is due today.")
    assert gemini.paths == ["POST /v1beta/openai/chat/completions"]  # never /responses
    assert gemini.headers[0]["authorization"] == f"Bearer {TEST_KEY}"
    request = gemini.requests[0]
    assert request["stream"] is True and "parallel_tool_calls" not in request
    system = request["messages"][0]
    assert system["role"] == "system" and date.today().isoformat() in system["content"]


def test_tool_schemas_are_flat(gemini, assistant_for, turn):
    gemini.enqueue(text("ok"))
    turn(assistant_for(gemini), "hi")
    tools = {t["function"]["name"]: t["function"] for t in gemini.requests[0]["tools"]}
    assert set(tools) == {"add_task", "list_tasks", "search_tasks", "update_task",
                          "complete_task", "reopen_task", "delete_task", "restore_task",
                          "list_trash", "undo", "redo", "empty_trash", "list_lists",
                          "add_list", "rename_list", "delete_list", "reschedule_overdue"}
    risky = {"$ref", "$defs", "anyOf", "oneOf", "allOf", "default", "title", "const"}
    for tool in tools.values():
        schema = tool["parameters"]
        assert schema["type"] == "object" and not risky & set(schema)
        for name, field in schema["properties"].items():
            assert not risky & set(field), (tool["name"], name)
            assert field["type"] in ("string", "integer", "boolean", "array")


@pytest.mark.parametrize("style", ["one_delta", "separate_chunks", "split_args", "indexed"])
@pytest.mark.parametrize("empty_ids", [False, True])
def test_parallel_tool_calls_without_index_each_run(gemini, assistant_for, store, style,
                                                    empty_ids, turn):
    gemini.enqueue(
        tool_calls(("add_task", {"title": "Buy milk", "due": "2026-11-27"}),
                   ("add_task", {"title": "Buy eggs", "tags": ["shop"]}),
                   style=style, empty_ids=empty_ids),
        text("Added both."))
    events, _ = turn(assistant_for(gemini), "add milk for friday and eggs")
    assert sorted(t.title for t in store.list_tasks()) == ["Buy eggs", "Buy milk"]
    finished = of(ToolFinished, events)
    assert [f.ok for f in finished] == [True, True]
    assert finished[0].summary == f"Added 'Buy milk', due {friendly_due('2026-11-27')}"
    assert len(of(ToolStarted, events)) == 2
    replies = [m for m in gemini.requests[1]["messages"] if m["role"] == "tool"]
    call_ids = [m["tool_call_id"] for m in replies]
    assert len(call_ids) == 2 and all(call_ids) and call_ids[0] != call_ids[1]
    assert events[-1] == Completed("Added both.")


def test_thought_signatures_go_back_even_under_an_alias(assistant_for, store, turn):
    with FakeGemini(require_signatures=True) as gemini:
        gemini.enqueue(tool_calls(("add_task", {"title": "Renew passport"}), signature="sig-123"),
                       text("Done."))
        events, _ = turn(assistant_for(gemini, model="my-flash-alias"), "renew passport")
        assert events[-1] == Completed("Done.")
        assert gemini.requests[1]["model"] == "my-flash-alias"
        call = [m for m in gemini.requests[1]["messages"] if m.get("tool_calls")][0]
        assert call["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == "sig-123"


def test_an_empty_reply_is_asked_again(gemini, assistant_for, turn):
    gemini.enqueue(empty(), text("Here you go."))
    events, _ = turn(assistant_for(gemini), "list my tasks")
    assert events[-1] == Completed("Here you go.") and len(gemini.requests) == 2
    assert not of(Failed, events)


def test_a_silent_reply_is_asked_again_like_an_empty_one(gemini, assistant_for, turn):
    gemini.enqueue(silent(), text("Here you go."))
    events, _ = turn(assistant_for(gemini), "list my tasks")
    assert events[-1] == Completed("Here you go.") and len(gemini.requests) == 2
    assert not of(Failed, events)


def test_silent_replies_that_stay_silent_are_the_empty_answer_failure(gemini, assistant_for,
                                                                    turn):
    gemini.enqueue(silent(), silent(), silent())
    events, _ = turn(assistant_for(gemini), "list my tasks")
    assert events[-1].kind == "empty" and "cut off" not in events[-1].message


def test_an_empty_reply_that_stays_empty_is_one_clear_failure_and_history_stays_valid(
        gemini, assistant_for, turn):
    gemini.enqueue(empty(), empty(), empty())
    assistant = assistant_for(gemini)
    events, conversation = turn(assistant, "list my tasks")
    assert events[-1].kind == "empty" and "empty answer" in events[-1].message
    gemini.enqueue(text("Sorry, here it is."))  # the fake refuses an empty assistant message
    events, _ = turn(assistant, "again please", conversation=conversation)
    assert events[-1] == Completed("Sorry, here it is.")
    assistant_texts = [m.get("content") for m in gemini.requests[-1]["messages"]
                       if m["role"] == "assistant"]
    assert all(content for content in assistant_texts)


def test_a_rejected_key_says_so_and_is_not_retried(gemini, assistant_for, turn):
    gemini.enqueue(bad_key())
    events, _ = turn(assistant_for(gemini), "hi")
    assert events == [Failed("The API key was rejected: add a valid Gemini API key in Settings "
                             "or with `task-assistant key set`.", "auth", False)]
    assert len(gemini.requests) == 1


def test_a_quota_error_waits_the_servers_delay_then_retries(gemini, assistant_for, turn):
    gemini.enqueue(quota("0.3s"), text("Back."))
    events, _ = turn(assistant_for(gemini), "hi")
    retrying = of(Retrying, events)
    assert len(retrying) == 1 and retrying[0].delay == 0.3
    assert "quota or rate limit" in retrying[0].message
    assert events[-1] == Completed("Back.")


def test_a_lasting_quota_error_reports_the_wait(gemini, assistant_for, turn):
    gemini.enqueue(quota("0.1s"), quota("0.1s"), quota("0.1s"))
    events, _ = turn(assistant_for(gemini), "hi")
    assert len(of(Retrying, events)) == 2 and len(gemini.requests) == 3  # bounded
    assert events[-1].kind == "quota" and "Try again in 1 s" in events[-1].message


def test_a_long_quota_wait_is_reported_not_waited_out(gemini, assistant_for, turn):
    gemini.enqueue(quota("3600s"))
    events, _ = turn(assistant_for(gemini), "hi")
    assert not of(Retrying, events) and len(gemini.requests) == 1
    assert "Try again in 3600 s" in events[-1].message


def test_an_overloaded_model_is_retried_then_reported(gemini, assistant_for, turn):
    gemini.enqueue(overloaded(), text("Made it."))
    events, _ = turn(assistant_for(gemini), "hi")
    assert events[-1] == Completed("Made it.")
    gemini.enqueue(overloaded(), overloaded(), overloaded())
    events, _ = turn(assistant_for(gemini), "hi")
    assert events[-1] == Failed("The model is overloaded right now; try again in a moment.",
                                "overloaded", True)


@pytest.mark.parametrize("abrupt", [False, True])
def test_a_cut_off_answer_is_reported_as_incomplete(gemini, assistant_for, abrupt, turn):
    gemini.enqueue(cut_off("Your tasks this week are", " renewing", abrupt=abrupt))
    events, _ = turn(assistant_for(gemini), "what's due?")
    assert not of(Completed, events)
    assert events[-1].kind == "incomplete" and "cut off" in events[-1].message


def test_malformed_tool_arguments_get_a_useful_answer_not_a_crash(gemini, assistant_for, store,
                                                                  turn):
    gemini.enqueue(tool_calls(("add_task", '{"title": "Buy milk"')),
                   tool_calls(("add_task", {"title": "Buy milk"})), text("Added."))
    events, _ = turn(assistant_for(gemini), "add milk")
    first, second = of(ToolFinished, events)
    assert not first.ok and "not valid JSON" in first.result["error"]
    assert second.ok and [t.title for t in store.list_tasks()] == ["Buy milk"]
    tool_reply = [m for m in gemini.requests[1]["messages"] if m["role"] == "tool"][0]
    assert "not valid JSON" in tool_reply["content"]


@pytest.mark.parametrize("allowed", [True, False])
def test_deleting_waits_for_the_users_approval(gemini, assistant_for, store, allowed, turn):
    task = store.add("Renew passport", by=CLI)
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})),
                   text("Deleted." if allowed else "Kept it."))
    asked = []
    events, _ = turn(assistant_for(gemini), "delete the passport task",
                     decide=lambda request: asked.append(request) or allowed)
    assert [r.summary for r in asked] == [f"Delete task {task.id} 'Renew passport'"]
    assert asked[0].arguments == {"id": task.id}
    assert len(store.list_tasks(TaskFilter(status="all"))) == (0 if allowed else 1)
    finished = of(ToolFinished, events)[0]
    assert finished.summary == ("Moved to the trash: 'Renew passport'" if allowed
                                else "Nothing changed: you said no to deleting the task")
    tool_reply = [m for m in gemini.requests[1]["messages"] if m["role"] == "tool"][0]
    assert ('"deleted"' in tool_reply["content"]) == allowed


def test_read_only_tools_never_ask(gemini, assistant_for, store, turn):
    store.add("Pay rent", due="2026-12-01", by=CLI)
    gemini.enqueue(tool_calls(("list_tasks", {}), ("search_tasks", {"query": "rent"})),
                   text("Rent is due."))
    events, _ = turn(assistant_for(gemini), "what's due?", decide=lambda r: pytest.fail("asked"))
    assert [f.summary for f in of(ToolFinished, events)] == \
        ["Listed 1 task", "Searched for 'rent': 1 task"]


def test_stop_mid_answer_ends_with_cancelled_and_the_chat_goes_on(gemini, assistant_for, turn):
    gemini.enqueue(text(*["word "] * 200, delay=0.01))
    assistant = assistant_for(gemini)
    events, conversation = turn(assistant, "write a lot", cancel_after_first_delta=True)
    assert isinstance(events[-1], Cancelled) and len(of(TextDelta, events)) < 200
    gemini.enqueue(text("Short answer."))
    events, _ = turn(assistant, "shorter please", conversation=conversation)
    assert events[-1] == Completed("Short answer.")


def test_a_stopped_answer_stays_in_the_history_marked_and_the_model_sees_it(
        gemini, assistant_for, turn, conversations):
    gemini.enqueue(text(*[f"word{n} " for n in range(200)], delay=0.01))
    assistant = assistant_for(gemini)
    events, conversation = turn(assistant, "write a lot", cancel_after_first_delta=True)
    said = answer(events)
    assert isinstance(events[-1], Cancelled) and said
    [question, stopped] = conversations.history(conversation)
    assert stopped.role == "assistant" and stopped.stopped and stopped.text == said
    gemini.enqueue(text("…and the rest."))
    turn(assistant, "Continue", conversation=conversation)
    sent = [(m["role"], m["content"]) for m in gemini.requests[-1]["messages"][1:]]
    assert sent == [("user", "write a lot"), ("assistant", said), ("user", "Continue")]


def test_retry_keeps_the_replaced_answer_as_an_earlier_version(gemini, assistant_for, turn,
                                                               conversations):
    gemini.enqueue(text("First."), text("Second."), text("Third."))
    assistant = assistant_for(gemini)
    _, conversation = turn(assistant, "name my cat")
    turn(assistant, "", conversation=conversation, retry=True)
    turn(assistant, "", conversation=conversation, retry=True)
    assert conversations.earlier_answers(conversation) == {1: ["First.", "Second."]}
    assert [m.text for m in conversations.history(conversation)] == ["name my cat", "Third."]
    # The model saw only the newest question once, never the replaced answers.
    sent = [m["content"] for m in gemini.requests[-1]["messages"][1:]]
    assert sent == ["name my cat"]


def test_resend_replaces_the_last_message_and_what_followed(gemini, assistant_for, chat_for,
                                                            conversations):
    gemini.enqueue(text("Tea."), text("Coffee it is."), text("Sure."))
    assistant = assistant_for(gemini)

    async def run():
        chat = chat_for(assistant)
        try:
            [e async for e in chat.send("I like tea")]
            [e async for e in chat.retry()]
            events = [e async for e in chat.resend("I like coffee")]
        finally:
            await assistant.close()
        return chat.conversation_id, events

    conversation, events = asyncio.run(run())
    assert events[-1] == Completed("Sure.")
    assert [m.text for m in conversations.history(conversation)] == ["I like coffee", "Sure."]
    assert conversations.earlier_answers(conversation) == {}
    sent = [m["content"] for m in gemini.requests[-1]["messages"][1:]]
    assert sent == ["I like coffee"]


def test_a_conversation_resumes_after_a_restart(gemini, assistant_for, app_home, turn):
    from app.conversations.store import ConversationStore

    gemini.enqueue(text("Noted: you like tea."))
    _, conversation = turn(assistant_for(gemini), "remember I like tea")
    gemini.enqueue(text("You like tea."))
    events, _ = turn(assistant_for(gemini), "what do I like?", conversation=conversation)
    history = [m["content"] for m in gemini.requests[1]["messages"] if m["role"] != "system"]
    assert history[:2] == ["remember I like tea", "Noted: you like tea."]
    with ConversationStore(app_home / "conversations.sqlite3") as reopened:
        assert reopened.get(conversation).title == "remember I like tea"
        shown = asyncio.run(reopened.messages(conversation))
        assert [(m.role, m.text) for m in shown] == [
            ("user", "remember I like tea"), ("assistant", "Noted: you like tea."),
            ("user", "what do I like?"), ("assistant", "You like tea.")]


def test_retry_asks_again_after_a_failure(gemini, assistant_for, turn):
    assistant = assistant_for(gemini)
    gemini.enqueue(overloaded(), overloaded(), overloaded())
    _, conversation = turn(assistant, "what's due?")
    gemini.enqueue(text("Nothing."))
    events, _ = turn(assistant, "", conversation=conversation, retry=True)
    assert events[-1] == Completed("Nothing.")
    users = [m["content"] for m in gemini.requests[-1]["messages"] if m["role"] == "user"]
    assert users == ["what's due?"]


def test_without_a_key_the_user_is_told_how_to_add_one(gemini, assistant_for, monkeypatch, turn):
    assistant = assistant_for(gemini)
    monkeypatch.delenv("GEMINI_API_KEY")
    events, _ = turn(assistant, "hi")
    assert events[-1].kind == "no_key" and "task-assistant key set" in events[-1].message
    assert gemini.requests == []


def test_unreachable_server_is_reported_as_offline(assistant_for, turn):
    with FakeGemini() as gone:
        assistant = assistant_for(gone)
    events, _ = turn(assistant, "hi")  # the port is closed now
    assert events[-1].kind == "offline" and "Could not reach 127.0.0.1" in events[-1].message


def test_the_key_is_never_written_to_disk(gemini, assistant_for, app_home, turn):
    gemini.enqueue(bad_key())
    turn(assistant_for(gemini), "hi")
    gemini.enqueue(text("ok"))
    turn(assistant_for(gemini), "hi")
    for path in app_home.rglob("*"):
        if path.is_file():
            assert TEST_KEY.encode() not in path.read_bytes(), path


def test_a_changed_model_setting_applies_to_the_next_message(gemini, assistant_for, turn):
    assistant = assistant_for(gemini)
    gemini.enqueue(text("one"), text("two"))
    _, conversation = turn(assistant, "first")
    assistant.settings.set("model", "gemini-3-flash-preview")
    turn(assistant, "second", conversation=conversation)
    assert [r["model"] for r in gemini.requests] == ["gemini-2.5-flash", "gemini-3-flash-preview"]


def test_stopping_while_an_approval_waits_keeps_the_task_and_the_chat_usable(
        gemini, assistant_for, store, turn, chat_for):
    task = store.add("Renew passport", by=CLI)
    assistant = assistant_for(gemini)
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})))

    async def stop_at_the_question():
        chat = chat_for(assistant)
        events = []
        async for event in chat.send("delete the passport task"):
            events.append(event)
            if isinstance(event, ApprovalRequested):
                chat.cancel()  # the user closes the window instead of answering
        await assistant.close()
        return events, chat.conversation_id

    events, conversation = asyncio.run(stop_at_the_question())
    assert isinstance(events[-1], Cancelled)
    assert store.get(task.id).title == "Renew passport"
    gemini.enqueue(text("Hello again."))
    events, _ = turn(assistant, "never mind", conversation=conversation)
    assert events[-1] == Completed("Hello again.")


def test_the_agent_sets_repeat_list_parent_and_reminder_and_fixes_a_bad_rrule(
        gemini, assistant_for, store, turn):
    from app.tasks import TaskFilter

    store.add_list("Home", by=CLI)
    gemini.enqueue(tool_calls(("add_task", {"title": "Move flat", "list": "Home",
                                            "due": "2030-05-01",
                                            "repeat": "FREQ=WEEKLY;BYDAY=XX"})),
                   tool_calls(("add_task", {"title": "Move flat", "list": "Home",
                                            "due": "2030-05-01",
                                            "repeat": "FREQ=WEEKLY;BYDAY=WE",
                                            "remind_at": "1 day before"})),
                   tool_calls(("add_task", {"title": "Pack books", "parent_id": 1}),
                              ("list_lists", {})),
                   text("Done."))
    turn(assistant_for(gemini), "Break the move into steps")
    error = json.loads(gemini.requests[1]["messages"][-1]["content"])["error"]
    assert "BYDAY" in error and "FREQ=" in error  # a sentence the model can act on
    parent, child = store.list_tasks(TaskFilter(status="all", list="Home"))
    assert (parent.repeat, parent.list, parent.remind_before) == ("FREQ=WEEKLY;BYDAY=WE", "Home",
                                                                  1440)
    assert (child.parent_id, child.list) == (parent.id, "Home")
    lists = json.loads(gemini.requests[3]["messages"][-1]["content"])["lists"]
    assert {"name": "Home", "open": 2, "done": 0} in lists
