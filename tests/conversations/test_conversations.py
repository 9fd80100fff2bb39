"""ConversationStore against real SQLite files and the real SDK SQLiteSession."""

import asyncio
import sqlite3

import pytest

from app.common.errors import UserError
from app.conversations.sdk_history import DisplayMessage
from app.conversations.store import (
    DEFAULT_TITLE,
    ConversationNotFoundError,
    ConversationStore,
    conversations_db_path,
)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "conversations.sqlite3"


@pytest.fixture
def conversations(path):
    with ConversationStore(path) as opened:
        yield opened


def add_items(store, conversation_id, items):
    asyncio.run(store.session(conversation_id).add_items(items))


def count_sdk_rows(path, conversation_id):
    with sqlite3.connect(path) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {table} WHERE session_id = ?",
                                  (conversation_id,)).fetchone()[0]
                     for table in ("agent_sessions", "agent_messages"))


def test_the_default_file_lives_in_the_data_directory(app_home):
    assert conversations_db_path() == app_home / "conversations.sqlite3"


def test_create_and_list_most_recently_updated_first(conversations):
    first = conversations.create()
    second = conversations.create("Groceries")
    assert first.title == DEFAULT_TITLE and len(first.id) == 32
    assert first.created_at == first.updated_at and first.created_at.endswith("+00:00")
    assert [c.id for c in conversations.list()] == [second.id, first.id]
    conversations.touch(first.id)
    assert [c.id for c in conversations.list()] == [first.id, second.id]
    assert conversations.get(first.id).updated_at > first.updated_at
    assert conversations.latest().id == first.id


def test_latest_is_none_without_conversations(conversations):
    assert conversations.latest() is None
    assert conversations.list() == []
    assert conversations.list("anything") == []


def test_rename_cleans_and_checks_the_title(conversations):
    conversation = conversations.create()
    renamed = conversations.rename(conversation.id, "  Weekly \n  plan ")
    assert renamed.title == "Weekly plan" and conversations.get(conversation.id) == renamed
    with pytest.raises(UserError, match="A conversation needs a title."):
        conversations.rename(conversation.id, "   ")
    with pytest.raises(UserError, match="at most 200 characters"):
        conversations.rename(conversation.id, "x" * 201)
    assert conversations.rename(conversation.id, "x" * 200).title == "x" * 200


def test_delete_removes_the_conversation_and_its_sdk_history(conversations, path):
    kept = conversations.create("Kept")
    gone = conversations.create("Gone")
    for conversation in (kept, gone):
        add_items(conversations, conversation.id, [{"role": "user", "content": "hello"}])
    assert count_sdk_rows(path, gone.id) == (1, 1)
    conversations.delete(gone.id)
    assert count_sdk_rows(path, gone.id) == (0, 0)
    assert count_sdk_rows(path, kept.id) == (1, 1)
    assert [c.id for c in conversations.list()] == [kept.id]
    with pytest.raises(ConversationNotFoundError):
        conversations.get(gone.id)


def test_delete_and_search_work_before_the_sdk_ever_ran(conversations):
    conversation = conversations.create("Plans")
    assert conversations.list("nothing") == []
    conversations.delete(conversation.id)
    assert conversations.list() == []


def test_search_matches_titles_and_message_text_in_any_case(conversations):
    milk = conversations.create("Shopping")
    trip = conversations.create("Trip to Zürich")
    add_items(conversations, milk.id, [
        {"role": "user", "content": "Remind me to buy MILK"},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "Done: 100% organic"}]},
    ])
    add_items(conversations, trip.id, [{"role": "user", "content": "Book the hotel for Grüezi"}])
    assert [c.id for c in conversations.list("milk")] == [milk.id]
    assert [c.id for c in conversations.list("SHOPPING")] == [milk.id]
    assert [c.id for c in conversations.list("zürich")] == [trip.id]
    assert [c.id for c in conversations.list("grüezi")] == [trip.id]  # stored \u-escaped
    assert [c.id for c in conversations.list("100%")] == [milk.id]
    assert conversations.list("1_0") == []  # _ and % are literal, not wildcards
    # JSON keys and item types are not text anyone wrote.
    assert conversations.list("role") == [] and conversations.list("output_text") == []
    assert len(conversations.list("  ")) == 2


def test_search_survives_a_corrupt_history_row(conversations, path):
    conversation = conversations.create("Fine")
    add_items(conversations, conversation.id, [{"role": "user", "content": "hello"}])
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO agent_messages (session_id, message_data) VALUES (?, ?)",
                     (conversation.id, "{not json"))
    assert [c.id for c in conversations.list("hello")] == [conversation.id]
    assert conversations.list("absent") == []  # every row scanned, the corrupt one included


def test_everything_survives_a_restart(path):
    with ConversationStore(path) as conversations:
        older = conversations.create("Older")
        newer = conversations.create("Newer")
        add_items(conversations, older.id, [{"role": "user", "content": "still here?"}])
        conversations.touch(older.id)
    with ConversationStore(path) as conversations:
        assert conversations.latest() == conversations.get(older.id)
        assert [c.title for c in conversations.list()] == ["Older", "Newer"]
        assert conversations.get(newer.id) == newer
        assert asyncio.run(conversations.messages(older.id)) == [
            DisplayMessage("user", "still here?", None, None, None)]


def test_title_from_first_message_replaces_only_the_default(conversations):
    conversation = conversations.create()
    text = ("\n   Please plan my   week: groceries on Monday, dentist on Tuesday, "
            "and the report by Friday\nsecond line")
    titled = conversations.title_from_first_message(conversation.id, text)
    assert titled.title == "Please plan my week: groceries on Monday, dentist on…"
    assert len(titled.title) <= 60
    again = conversations.title_from_first_message(conversation.id, "Something else")
    assert again.title == titled.title
    short = conversations.create()
    assert conversations.title_from_first_message(short.id, "Hi there").title == "Hi there"
    blank = conversations.create()
    assert conversations.title_from_first_message(blank.id, " \n ").title == DEFAULT_TITLE
    word = conversations.create()
    assert conversations.title_from_first_message(word.id, "x" * 100).title == "x" * 59 + "…"
    chosen = conversations.create("My own title")
    assert conversations.title_from_first_message(chosen.id, "Hello").title == "My own title"


def test_unknown_ids_get_a_sentence(conversations):
    for action in (conversations.get, conversations.touch, conversations.delete,
                   conversations.session, lambda cid: conversations.rename(cid, "New"),
                   lambda cid: conversations.title_from_first_message(cid, "Hi")):
        with pytest.raises(ConversationNotFoundError, match=r"^There is no conversation nope\.$"):
            action("nope")
    with pytest.raises(ConversationNotFoundError):
        asyncio.run(conversations.messages("nope"))


def test_listeners_hear_every_change_until_they_unsubscribe(conversations):
    heard = []
    unsubscribe = conversations.subscribe(lambda kind, cid: heard.append((kind, cid)))
    conversations.subscribe(lambda kind, cid: 1 / 0)  # a broken listener changes nothing
    conversation = conversations.create()
    conversations.rename(conversation.id, "Renamed")
    conversations.touch(conversation.id)
    conversations.delete(conversation.id)
    assert heard == [(kind, conversation.id)
                     for kind in ("created", "renamed", "touched", "deleted")]
    unsubscribe()
    conversations.create()
    assert len(heard) == 4


def test_the_session_is_created_once_per_conversation(conversations, path):
    conversation = conversations.create()
    session = conversations.session(conversation.id)
    assert session is conversations.session(conversation.id)
    assert (session.session_id, str(session.db_path)) == (conversation.id, str(path))


def test_messages_pair_tool_calls_with_their_outputs_and_skip_orphans(conversations):
    conversation = conversations.create()
    add_items(conversations, conversation.id, [
        {"role": "user", "content": "add milk"},
        {"type": "function_call", "call_id": "c1", "name": "add_task",
         "arguments": "{\"title\":\"milk\"}", "id": "__fake_id__",
         "provider_data": {"thought_signature": "sig"}},
        {"type": "function_call_output", "call_id": "c1", "output": "{\"added\": {\"id\": 1}}"},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "Added."}]},
        {"role": "user", "content": [{"type": "input_text", "text": "delete "},
                                     {"type": "input_text", "text": "it"}]},
        {"type": "function_call", "call_id": "c2", "name": "delete_task",
         "arguments": "{\"task_id\": 1}"},  # approval abandoned: no output, never ran
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": ""}]},
        {"type": "reasoning", "summary": []},
    ])
    assert asyncio.run(conversations.messages(conversation.id)) == [
        DisplayMessage("user", "add milk", None, None, None),
        DisplayMessage("tool", "", "add_task", {"title": "milk"}, "{\"added\": {\"id\": 1}}"),
        DisplayMessage("assistant", "Added.", None, None, None),
        DisplayMessage("user", "delete it", None, None, None),
    ]


def test_messages_of_a_new_conversation_are_empty(conversations):
    assert asyncio.run(conversations.messages(conversations.create().id)) == []
