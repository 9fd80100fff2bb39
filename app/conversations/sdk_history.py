"""A conversation's history as the Agents SDK keeps it, and as a person sees it.

The one file that knows the SDK's table layout: `agents.SQLiteSession` keeps each conversation's
items in `agent_sessions`/`agent_messages` (keyed by our conversation id), in the same SQLite file
as our `conversations` table. Everything that reads, searches or clears those tables is here, and
so is turning the SDK's items (messages, function calls and their outputs) into DisplayMessages.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import namedtuple
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from app.common.errors import UserError
from app.common.tool_arguments import decode_arguments

if TYPE_CHECKING:
    from agents import SQLiteSession
    from openai.types.responses import ResponseOutputMessageParam

# The SDK creates these lazily on first use; creating them with our own tables (same DDL as
# agents/memory/sqlite_session.py) lets delete and search run before any chat happened.
TABLES = """
    CREATE TABLE IF NOT EXISTS agent_sessions (
        session_id TEXT PRIMARY KEY,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
    );
    CREATE TABLE IF NOT EXISTS agent_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        message_data TEXT NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        FOREIGN KEY (session_id) REFERENCES agent_sessions (session_id)
            ON DELETE CASCADE
    );
    CREATE INDEX IF NOT EXISTS idx_agent_messages_session_id
    ON agent_messages (session_id, id);
"""

# The JSON keys whose string values are what a person wrote or saw; searching the raw JSON
# would also match keys like "role" or "type" in every conversation.
_SEARCHED_KEYS = ", ".join(f"'{key}'" for key in ("content", "text", "arguments", "output"))


def messages_match(id_column: str) -> str:
    """An SQL condition: a message of the conversation `id_column` contains `:pattern` (a LIKE
    pattern with \\ as escape). json_tree yields decoded strings, so non-ASCII text (stored
    \\u-escaped) matches too; json_valid is checked on the outer row first: one corrupt row must
    not fail search."""
    return f"""EXISTS (
        SELECT 1 FROM agent_messages AS m, json_tree(m.message_data) AS t
        WHERE m.session_id = {id_column} AND json_valid(m.message_data)
          AND t.type = 'text' AND t.key IN ({_SEARCHED_KEYS})
          AND t.value LIKE :pattern ESCAPE '\\')"""


DisplayMessage = namedtuple(
    "DisplayMessage", ("role", "text", "tool_name", "tool_arguments", "tool_result", "stopped"),
    defaults=(None, None, None, False))

# An answer the user stopped is kept, so it shows again and the model sees it: as an assistant
# message with the Responses-item status "incomplete".
STOPPED: Final = "incomplete"


def stopped_answer(text: str) -> ResponseOutputMessageParam:
    """The history item for an answer stopped part way."""
    return {"id": f"msg_stopped_{uuid.uuid4().hex}", "type": "message", "role": "assistant",
            "status": STOPPED,
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def assistant_note(text: str) -> ResponseOutputMessageParam:
    """The history item for a line the app adds as the assistant's (a routine's "not done")."""
    return {"id": f"msg_note_{uuid.uuid4().hex}", "type": "message", "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def open_session(conversation_id: str, path: Path) -> SQLiteSession:
    """The SDK session holding this conversation's history (for Runner.run(session=…))."""
    from agents import SQLiteSession  # only here: importing the store stays light

    return SQLiteSession(conversation_id, path)


def delete_history(conn: sqlite3.Connection, conversation_id: str) -> None:
    """Clear the conversation's items, inside the caller's transaction. The SDK's ON DELETE
    CASCADE is not relied on (it never enables foreign keys): both tables are cleared."""
    conn.execute("DELETE FROM agent_messages WHERE session_id = ?", (conversation_id,))
    conn.execute("DELETE FROM agent_sessions WHERE session_id = ?", (conversation_id,))


def replace_question(conn: sqlite3.Connection, conversation_id: str, old: str, new: str) -> None:
    """The conversation's newest user message whose text is `old` now says `new` (a voice
    message gains what the model heard). Inside the caller's transaction."""
    conn.execute(
        "UPDATE agent_messages SET message_data = ? WHERE id = (SELECT max(id) FROM agent_messages "
        "WHERE session_id = ? AND json_valid(message_data) "
        "AND json_extract(message_data, '$.role') = 'user' "
        "AND json_extract(message_data, '$.content') = ?)",
        (json.dumps({"role": "user", "content": new}), conversation_id, old))


def read_history(conn: sqlite3.Connection, conversation_id: str) -> list[DisplayMessage]:
    """The history read straight from the SDK's table, without importing the SDK, so a window
    can show the last conversation before the agent stack has loaded."""
    rows = conn.execute("SELECT message_data FROM agent_messages WHERE session_id = ? "
                        "ORDER BY id", (conversation_id,))
    items = []
    for (data,) in rows:
        try:
            item = json.loads(data)
        except ValueError:
            continue  # the SDK skips rows it cannot decode too
        if isinstance(item, dict):
            items.append(item)
    return display_messages(items)


def display_messages(items: Sequence[Mapping[str, Any]]) -> list[DisplayMessage]:
    """The history as a person sees it: user and assistant text, one entry per tool call."""
    outputs = {item.get("call_id"): item.get("output") for item in items
               if item.get("type") == "function_call_output"}
    shown: list[DisplayMessage] = []
    for item in items:
        kind, role = item.get("type"), item.get("role")
        if kind == "function_call":
            if item.get("call_id") not in outputs:
                continue  # an orphan: approval abandoned or run cancelled, so it never ran
            shown.append(DisplayMessage("tool", "", item.get("name"),
                                        _arguments(item.get("arguments")),
                                        _text(outputs[item.get("call_id")])))
        elif role in ("user", "assistant") and kind in (None, "message"):
            text = _text(item.get("content"))
            if text.strip():  # an assistant turn that only called tools has no text
                shown.append(DisplayMessage(role, text,
                                            stopped=item.get("status") == STOPPED))
    return shown


def _text(content: object) -> str:
    """A plain string, or the text parts of a content list (input_text, output_text) joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content
                       if isinstance(part, dict) and part.get("type") in ("input_text",
                                                                          "output_text"))
    return json.dumps(content)


def _arguments(arguments: object) -> dict | None:
    try:
        return decode_arguments(arguments) if isinstance(arguments, (str, dict)) else None
    except UserError:
        return None
