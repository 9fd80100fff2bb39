"""Chat conversations: titles and order here, their messages in the Agents SDK's own tables.

One SQLite file holds both. `conversations` is ours; the SDK's tables, keyed by the conversation
id, are known only to sdk_history.py, so the SDK reads and writes history itself.
"""

from __future__ import annotations  # the `list` method below would shadow list[...] annotations

import builtins  # ...for mypy too, which reads them in the class: builtins.list there
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
from app.conversations import sdk_history
from app.conversations.sdk_history import DisplayMessage, display_messages

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

    """ + sdk_history.TABLES,
    # Earlier versions of an answer that Retry replaced, browsable in the window (‹ 1/2 ›).
    # `question` is the position of the user message they answered (1 = the first one).
    """
    CREATE TABLE earlier_answers (
        conversation_id TEXT NOT NULL,
        question INTEGER NOT NULL,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (conversation_id, question, position)
    );
    """,
]

Conversation = namedtuple("Conversation", ("id", "title", "created_at", "updated_at"))
Listener = Callable[[str, str], None]  # (kind, conversation_id)

_COLUMNS = "id, title, created_at, updated_at"
# rowid breaks ties between equal timestamps: the later-created conversation counts as newer.
_NEWEST_FIRST = "ORDER BY updated_at DESC, rowid DESC"


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
        messages_match = sdk_history.messages_match("conversations.id")
        sql = f"""
            SELECT {_COLUMNS} FROM conversations
            WHERE title LIKE :pattern ESCAPE '\\' OR {messages_match}
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
        with transaction(self._conn):  # together: no history outlives its conversation
            sdk_history.delete_history(self._conn, current.id)
            self._conn.execute("DELETE FROM earlier_answers WHERE conversation_id = ?",
                               (current.id,))
            self._conn.execute("DELETE FROM conversations WHERE id = ?", (current.id,))
        self._announce("deleted", current.id)

    # -- history ---------------------------------------------------------------------------

    def replace_question(self, conversation_id: str, old: str, new: str) -> None:
        """A question's words, changed after the turn (a voice message's transcript)."""
        with transaction(self._conn):
            sdk_history.replace_question(self._conn, conversation_id, old, new)

    def session(self, conversation_id: str) -> SQLiteSession:
        """The SDK session holding this conversation's history (for Runner.run(session=…))."""
        current = self.get(conversation_id)  # never let the SDK start history for no conversation
        session = self._sessions.get(current.id)
        if session is None:
            session = self._sessions[current.id] = sdk_history.open_session(current.id, self.path)
        return session

    async def messages(self, conversation_id: str) -> builtins.list[DisplayMessage]:
        """The history as a person sees it: user and assistant text, one entry per tool call."""
        return display_messages(await self.session(conversation_id).get_items())

    def keep_earlier_answer(self, conversation_id: str, question: int, text: str) -> None:
        """Keep an answer that Retry is about to replace, as the latest earlier version."""
        if not text.strip():
            return
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO earlier_answers (conversation_id, question, position, text) "
                "SELECT ?, ?, COALESCE(MAX(position), 0) + 1, ? FROM earlier_answers "
                "WHERE conversation_id = ? AND question = ?",
                (conversation_id, question, text, conversation_id, question))

    def forget_earlier_answers(self, conversation_id: str, question: int) -> None:
        """The message was edited: the answers to its old wording are gone for good."""
        with transaction(self._conn):
            self._conn.execute("DELETE FROM earlier_answers WHERE conversation_id = ? "
                               "AND question >= ?", (conversation_id, question))

    def earlier_answers(self, conversation_id: str) -> dict[int, builtins.list[str]]:
        """{question number: its earlier answers, oldest first}."""
        versions: dict[int, builtins.list[str]] = {}
        for question, text in self._conn.execute(
                "SELECT question, text FROM earlier_answers WHERE conversation_id = ? "
                "ORDER BY question, position", (conversation_id,)):
            versions.setdefault(question, []).append(text)
        return versions

    def history(self, conversation_id: str) -> builtins.list[DisplayMessage]:
        """`messages()` without importing the SDK, so a window can show the last conversation
        before the agent stack has loaded."""
        return sdk_history.read_history(self._conn, self.get(conversation_id).id)
