"""Chat conversations: titles and order here, their messages in the Agents SDK's own tables.

One SQLite file holds both. `conversations` is ours; `agent_sessions`/`agent_messages` belong to
`agents.SQLiteSession`, keyed by the conversation id, so the SDK reads and writes history itself.
"""

from __future__ import annotations  # the `list` method below would shadow list[...] annotations

import json
import uuid
from collections import namedtuple
from collections.abc import Callable
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING

from app.common import clock
from app.common.errors import UserError
from app.common.listeners import Listeners
from app.common.paths import data_dir
from app.common.titles import one_line_title
from app.common.database import OutsideWrites, guarded, open_database, transaction

if TYPE_CHECKING:
    from agents import SQLiteSession

DEFAULT_TITLE = "New conversation"
MAX_TITLE = 200
AUTO_TITLE_LENGTH = 60

MIGRATIONS = [
    """
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX conversations_updated ON conversations (updated_at);

    -- The SDK creates these lazily on first use; creating them now (same DDL as
    -- agents/memory/sqlite_session.py) lets delete() and search run before any chat happened.
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
    """,
]

Conversation = namedtuple("Conversation", ("id", "title", "created_at", "updated_at"))
DisplayMessage = namedtuple(
    "DisplayMessage", ("role", "text", "tool_name", "tool_arguments", "tool_result"),
    defaults=(None, None, None))

Listener = Callable[[str, str], None]  # (kind, conversation_id)

_COLUMNS = "id, title, created_at, updated_at"
# rowid breaks ties between equal timestamps: the later-created conversation counts as newer.
_NEWEST_FIRST = "ORDER BY updated_at DESC, rowid DESC"
# The JSON keys whose string values are what a person wrote or saw; searching the raw JSON
# would also match keys like "role" or "type" in every conversation.
_SEARCHED_KEYS = ("content", "text", "arguments", "output")


class ConversationNotFoundError(UserError):
    pass


def conversations_db_path() -> Path:
    return data_dir() / "conversations.sqlite3"


def _now() -> str:
    # Microseconds, not seconds: two exchanges within a second must still order correctly.
    return clock.now().astimezone(timezone.utc).isoformat(timespec="microseconds")


def _auto_title(text: str) -> str | None:
    """The first non-blank line, shortened on a word boundary; None if there is no text."""
    line = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    if len(line) <= AUTO_TITLE_LENGTH:
        return line or None
    cut = line[:AUTO_TITLE_LENGTH - 1]  # leave room for the ellipsis
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # a single overlong word is cut where it is
    return cut.rstrip() + "…"


def _like(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@guarded  # damaged, full, read-only and busy files: one sentence each
class ConversationStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn = open_database(self.path, MIGRATIONS)
        self._listeners = Listeners("conversation")
        self._outside_writes = OutsideWrites(self._conn)
        self._sessions: dict[str, SQLiteSession] = {}

    # -- lifecycle and announcements -------------------------------------------------------

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()
        self._conn.close()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(kind, conversation_id)` after every committed change."""
        return self._listeners.subscribe(listener)

    def _announce(self, kind: str, conversation_id: str) -> None:
        self._listeners.notify(kind, conversation_id)

    def poll_external_changes(self) -> bool:
        """Announce `external` if another connection wrote the file: `task-assistant ask`,
        another window, or the Agents SDK saving a conversation's messages."""
        if not self._outside_writes.happened():
            return False
        self._announce("external", "")
        return True

    # -- reads -----------------------------------------------------------------------------

    def get(self, conversation_id: str) -> Conversation:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM conversations WHERE id = ?",
                                 (conversation_id,)).fetchone()
        if row is None:
            raise ConversationNotFoundError(f"There is no conversation {conversation_id}.")
        return Conversation(*row)

    def list(self, query: str | None = None) -> list[Conversation]:
        """Most recently updated first; a query matches titles and message text, any case."""
        if not query or not query.strip():
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM conversations {_NEWEST_FIRST}")
            return [Conversation(*row) for row in rows]
        # json_tree yields decoded strings, so non-ASCII text (stored \u-escaped) matches too.
        # json_valid is checked on the outer row first: one corrupt row must not fail search.
        keys = ", ".join(f"'{key}'" for key in _SEARCHED_KEYS)
        sql = f"""
            SELECT {_COLUMNS} FROM conversations
            WHERE title LIKE :pattern ESCAPE '\\'
               OR EXISTS (
                   SELECT 1 FROM agent_messages AS m, json_tree(m.message_data) AS t
                   WHERE m.session_id = conversations.id AND json_valid(m.message_data)
                     AND t.type = 'text' AND t.key IN ({keys})
                     AND t.value LIKE :pattern ESCAPE '\\')
            {_NEWEST_FIRST}"""
        rows = self._conn.execute(sql, {"pattern": _like(query.strip())})
        return [Conversation(*row) for row in rows]

    def latest(self) -> Conversation | None:
        """The conversation to reopen after a restart: the one used last."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM conversations {_NEWEST_FIRST} LIMIT 1").fetchone()
        return Conversation(*row) if row else None

    # -- writes ----------------------------------------------------------------------------

    def create(self, title: str = DEFAULT_TITLE) -> Conversation:
        stamp = _now()
        cleaned = one_line_title(title, noun="conversation", limit=MAX_TITLE)
        conversation = Conversation(uuid.uuid4().hex, cleaned, stamp, stamp)
        with transaction(self._conn):
            self._conn.execute("INSERT INTO conversations (id, title, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?)", conversation)
        self._announce("created", conversation.id)
        return conversation

    def rename(self, conversation_id: str, title: str) -> Conversation:
        cleaned = one_line_title(title, noun="conversation", limit=MAX_TITLE)
        current = self.get(conversation_id)
        if cleaned == current.title:
            return current
        with transaction(self._conn):
            self._conn.execute("UPDATE conversations SET title = ? WHERE id = ?",
                               (cleaned, current.id))
        self._announce("renamed", current.id)
        return self.get(current.id)

    def title_from_first_message(self, conversation_id: str, text: str) -> Conversation:
        """Name an untitled conversation after its first message; a chosen title is kept."""
        current = self.get(conversation_id)
        title = _auto_title(text)
        if current.title != DEFAULT_TITLE or title is None:
            return current
        return self.rename(current.id, title)

    def touch(self, conversation_id: str) -> None:
        """Mark the conversation as just used (after each exchange), so it lists first."""
        with transaction(self._conn):
            updated = self._conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?",
                                         (_now(), conversation_id)).rowcount
        if not updated:
            raise ConversationNotFoundError(f"There is no conversation {conversation_id}.")
        self._announce("touched", conversation_id)

    def delete(self, conversation_id: str) -> None:
        current = self.get(conversation_id)
        session = self._sessions.pop(current.id, None)
        if session is not None:
            session.close()
        # The SDK's ON DELETE CASCADE is not relied on (it never enables foreign keys): every
        # table is cleared explicitly, together, so no history outlives its conversation.
        with transaction(self._conn):
            self._conn.execute("DELETE FROM agent_messages WHERE session_id = ?", (current.id,))
            self._conn.execute("DELETE FROM agent_sessions WHERE session_id = ?", (current.id,))
            self._conn.execute("DELETE FROM conversations WHERE id = ?", (current.id,))
        self._announce("deleted", current.id)

    # -- history ---------------------------------------------------------------------------

    def session(self, conversation_id: str) -> SQLiteSession:
        """The SDK session holding this conversation's history (for Runner.run(session=…))."""
        current = self.get(conversation_id)  # never let the SDK start history for no conversation
        session = self._sessions.get(current.id)
        if session is None:
            from agents import SQLiteSession  # only here: importing this module stays light

            session = self._sessions[current.id] = SQLiteSession(current.id, self.path)
        return session

    async def messages(self, conversation_id: str) -> list[DisplayMessage]:
        """The history as a person sees it: user and assistant text, one entry per tool call."""
        return display_messages(await self.session(conversation_id).get_items())

    def history(self, conversation_id: str) -> list[DisplayMessage]:
        """`messages()` read straight from the SDK's table, without importing the SDK, so a
        window can show the last conversation before the agent stack has loaded."""
        current = self.get(conversation_id)
        rows = self._conn.execute("SELECT message_data FROM agent_messages WHERE session_id = ? "
                                  "ORDER BY id", (current.id,))
        items = []
        for (data,) in rows:
            try:
                item = json.loads(data)
            except ValueError:
                continue  # the SDK skips rows it cannot decode too
            if isinstance(item, dict):
                items.append(item)
        return display_messages(items)


def display_messages(items: list[dict]) -> list[DisplayMessage]:
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
                shown.append(DisplayMessage(role, text))
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
        parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None
