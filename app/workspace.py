"""Everything one running app shares: tasks, conversations, settings, the key, and the agent.

The agent stack (openai-agents and openai, ~2 s to import here) is loaded only when asked for,
on a worker thread, so a window can be on screen and responsive while it loads.
"""

import asyncio

from app.conversations.store import ConversationStore, conversations_db_path
from app.config.keystore import KeyStore
from app.common.paths import tasks_db_path
from app.config.settings import Settings
from app.tasks import TaskStore


def _import_agent_stack() -> None:
    import linecache

    # The imports are the point: they fill sys.modules. The four after agents are otherwise
    # imported lazily by the first request, on the event loop, as the first answer streams.
    import agents  # noqa: F401
    import agents.memory.sqlite_session  # noqa: F401
    import anyio._backends._asyncio  # noqa: F401
    import jiter  # noqa: F401
    import openai.resources.chat.chat  # noqa: F401

    import app.assistant.assistant  # noqa: F401
    import app.assistant.chat_session  # noqa: F401

    # PySide6's import hook reads the source of every module imported after it and leaves it
    # in linecache: ~30 MB for the agent stack. Tracebacks re-read what they need.
    linecache.clearcache()


class Workspace:
    def __init__(self, *, keys: KeyStore | None = None, retry=None) -> None:
        self.store = TaskStore(tasks_db_path())
        try:
            self.conversations = ConversationStore(conversations_db_path())
        except BaseException:
            self.store.close()
            raise
        self.settings = Settings()
        self.keys = keys or KeyStore()
        self._retry = retry  # a RetryPolicy; tests shorten the back-off
        self._assistant = None
        self._loading: asyncio.Future | None = None

    def preload(self) -> asyncio.Future:
        """Start importing the agent stack in the background (idempotent)."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(asyncio.to_thread(_import_agent_stack))
        return self._loading

    @property
    def agent_ready(self) -> bool:
        return self._assistant is not None

    async def assistant(self):
        """The shared Assistant, once the agent stack is imported (waits for it if need be)."""
        if self._assistant is None:
            await asyncio.shield(self.preload())
            if self._assistant is None:
                from app.assistant.assistant import Assistant

                extra = {"retry": self._retry} if self._retry is not None else {}
                self._assistant = Assistant(self.store, self.conversations, self.settings,
                                            self.keys, **extra)
        return self._assistant

    def key_changed(self) -> None:
        """A key was saved or removed: the next turn builds its client with the new one."""
        if self._assistant is not None:
            self._assistant.reset()

    async def close(self) -> None:
        """Close the network client, then the databases (after every turn has stopped)."""
        try:
            if self._assistant is not None:
                await self._assistant.close()
        finally:
            self.conversations.close()
            self.store.close()
