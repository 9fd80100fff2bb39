"""The shared Assistant, built once the agent stack is imported.

The agent stack (openai-agents and openai, ~2 s to import here) is loaded only when asked for,
on a worker thread, so a window can be on screen and responsive while it loads.
"""

import asyncio
import gc
from collections.abc import Callable

from app.config.keystore import KeyStore
from app.config.mcp_servers import McpServers
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
    from app.assistant.gemini.first_turn import build_first_turn_models

    build_first_turn_models()  # else the first answer builds them, stalling the window

    # PySide6's import hook reads the source of every module imported after it and leaves it
    # in linecache: ~30 MB for the agent stack. Tracebacks re-read what they need.
    linecache.clearcache()


def _keep_out_of_collections(loading: asyncio.Future) -> None:
    """Once the stack is in, what is alive (the window, the modules, the SDK's schemas) lives
    as long as the process: frozen, it is left out of every later collection, and a full
    collection takes a few ms instead of stalling the window ~80 ms each time. On the event
    loop's thread (a done callback): a collection must not free widgets on a worker."""
    if not loading.cancelled() and loading.exception() is None:
        gc.collect()
        gc.freeze()


def _half_imported(error: ImportError | AttributeError) -> bool:
    """An import that lost a race with another thread, which a second try gets past: any
    ImportError, and only the AttributeError that names a half-imported module (another one is
    a bug, and trying again would hide it)."""
    if isinstance(error, ImportError):
        return True
    message = str(error)
    return "partially initialized module" in message or "circular import" in message


class AssistantLoader:
    def __init__(self, store: TaskStore, settings: Settings, keys: KeyStore, *, retry=None,
                 model: str | None = None, mcp_servers: McpServers | None = None) -> None:
        self._parts = (store, settings, keys)
        self.mcp_servers = mcp_servers  # Settings → Tools edits them
        self._options = {"model": model, "mcp_servers": mcp_servers,
                         **({"retry": retry} if retry is not None else {})}
        self._assistant = None
        self._loading: asyncio.Future | None = None
        # More of what the first answer would otherwise import on the event loop, stalling
        # the window (its code highlighting): loaded after the stack, on the same thread.
        self.also_load: list[Callable[[], None]] = []

    def preload(self) -> asyncio.Future:
        """Start importing the agent stack in the background (idempotent)."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(asyncio.to_thread(self._load))
            # Seen, so a failure that nobody awaits (the app quitting meanwhile) is not printed
            # as "Task exception was never retrieved"; get() reports and retries it.
            self._loading.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._loading.add_done_callback(_keep_out_of_collections)
        return self._loading

    def _load(self) -> None:
        _import_agent_stack()
        for load in self.also_load:
            load()

    @property
    def loading_started(self) -> bool:
        """Whether anyone has asked for the agent stack yet (a tray start waits for intent)."""
        return self._loading is not None

    @property
    def ready(self) -> bool:
        return self._assistant is not None

    async def get(self):
        """The shared Assistant, once the agent stack is imported (waits for it if need be)."""
        if self._assistant is None:
            try:
                await asyncio.shield(self.preload())
            except (ImportError, AttributeError) as error:
                # PySide6's import hook reads each new module's source (inspect.getsource),
                # which can touch pydantic while this thread is still initialising it: a
                # partially initialised module (an ImportError, or an AttributeError read from
                # it). Seen 2 in 30 starts. Python drops what failed, so once more succeeds.
                if not _half_imported(error):
                    raise
                self._loading = None
                await asyncio.shield(self.preload())
            if self._assistant is None:
                from app.assistant.assistant import Assistant

                self._assistant = Assistant(*self._parts, **self._options)
        return self._assistant

    def key_changed(self) -> None:
        """A key was saved or removed: the next turn builds its client with the new one."""
        if self._assistant is not None:
            self._assistant.reset()

    async def close(self) -> None:
        if self._assistant is not None:
            await self._assistant.close()
