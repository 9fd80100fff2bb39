"""The one place a running app is wired: the window, quick ask and `task-assistant ask` all
start from a Workspace, so each opens the same files and builds the agent the same way."""

from app.assistant.loader import AssistantLoader
from app.config.keystore import KeyStore
from app.config.mcp_servers import McpServers
from app.config.settings import Settings
from app.conversations.store import ConversationStore, conversations_db_path
from app.common.paths import tasks_db_path
from app.tasks import TaskStore


class Workspace:
    def __init__(self, *, keys: KeyStore | None = None, retry=None,
                 model: str | None = None) -> None:
        """`retry`: a RetryPolicy (tests shorten the back-off); `model`: this run's model
        instead of the saved one (`ask --model`)."""
        self.store = TaskStore(tasks_db_path())
        try:
            self.conversations = ConversationStore(conversations_db_path())
        except BaseException:
            self.store.close()
            raise
        self.settings = Settings()
        self.keys = keys or KeyStore()
        self.mcp_servers = McpServers()
        self.agent = AssistantLoader(self.store, self.settings, self.keys, retry=retry,
                                     model=model, mcp_servers=self.mcp_servers)

    async def close(self) -> None:
        """Close the network client, then the databases (after every turn has stopped)."""
        try:
            await self.agent.close()
        finally:
            self.conversations.close()
            self.store.close()
