"""The one place a running app is wired: the window, quick ask and `task-assistant ask` all
start from a Workspace, so each opens the same files and builds the agent the same way."""

import functools
from typing import TYPE_CHECKING

from app.assistant.loader import AssistantLoader
from app.common.database_problems import DamagedDatabaseError, damage_marker
from app.common.errors import UserError
from app.common.paths import tasks_db_path
from app.common.safe_files import keep_aside
from app.config.keystore import KeyStore
from app.config.mcp_servers import McpServers
from app.config.settings import Settings
from app.conversations.store import ConversationStore, conversations_db_path
from app.tasks import TaskStore

if TYPE_CHECKING:
    from app.sync.service import SyncService


class Workspace:
    def __init__(self, *, keys: KeyStore | None = None, retry=None,
                 model: str | None = None) -> None:
        """`retry`: a RetryPolicy (tests shorten the back-off); `model`: this run's model
        instead of the saved one (`ask --model`)."""
        self.warnings: list[str] = []  # sentences for the front end to show
        self.store = TaskStore(tasks_db_path())
        try:
            self.conversations = self._open_conversations()
        except BaseException:
            self.store.close()
            raise
        self.settings = Settings()
        self.keys = keys or KeyStore()
        self.mcp_servers = McpServers()
        self.agent = AssistantLoader(self.store, self.settings, self.keys, retry=retry,
                                     model=model, mcp_servers=self.mcp_servers)

    @functools.cached_property
    def sync(self) -> "SyncService":
        """The CalDAV account and its runs; built on first use, so a start that never syncs
        (a command, the window before its first paint) does not import the sync engine."""
        from app.common.paths import data_dir
        from app.sync.service import SyncService

        return SyncService(data_dir())

    def _open_conversations(self) -> ConversationStore:
        """A damaged conversations file never stops the app (the task panel above all): it is
        kept aside as `.bad` and a new one started, and the user is told."""
        path = conversations_db_path()
        try:
            return ConversationStore(path)
        except DamagedDatabaseError:
            try:
                aside = keep_aside(path)
            except OSError as error:
                raise UserError(f"{path} is damaged and could not be moved aside "
                                f"({error.strerror}).") from None
            damage_marker(path).unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            self.warnings.append(f"{path.name} was damaged: it was kept as {aside.name} and a "
                                 "new one was started; your tasks are not affected.")
            return ConversationStore(path)

    async def close(self) -> None:
        """Close the network client, then the databases (after every turn has stopped)."""
        try:
            await self.agent.close()
        finally:
            self.conversations.close()
            self.store.close()
