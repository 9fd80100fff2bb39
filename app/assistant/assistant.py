"""The agent and its connection, built once from the settings and the key, shared by every chat."""

import asyncio

from app.assistant.gemini.model import GeminiChatModel, RetryPolicy
from app.assistant.instructions import instructions
from app.assistant.task_tools import task_tools
from app.common.errors import UserError
from app.config.keystore import NO_KEY, KeyStore
from app.config.mcp_servers import McpServers
from app.config.settings import Settings
from app.tasks import TaskStore

REQUEST_TIMEOUT = 60.0  # seconds without a byte before a request counts as failed


class NoApiKeyError(UserError):
    pass


class Assistant:
    def __init__(self, store: TaskStore, settings: Settings, keys: KeyStore, *,
                 retry: RetryPolicy | None = None, model: str | None = None,
                 mcp_servers: McpServers | None = None):
        """`store`: what the agent's tools read and change; `mcp_servers`: the user's MCP
        servers, whose tools join the agent's (started on the first turn, kept until close)."""
        self.store = store
        self.settings = settings
        self.keys = keys
        self.retry = retry or RetryPolicy()
        self.model_override = model  # `ask --model M`: this run only, not saved
        self._agent = None
        self._client = None
        self._retired: list = []  # clients of a previous key or model, still to close
        self._building = asyncio.Lock()
        self.mcp = None
        if mcp_servers is not None:
            from app.assistant.mcp_tools import McpTools

            self.mcp = McpTools(mcp_servers)
        settings.subscribe(lambda _name: self.reset())

    def reset(self) -> None:
        """Forget the agent so the next turn picks up a new key, model or base URL.

        May be called from any thread (settings change there too), so the old client is closed
        later, on the event loop, by the next agent() or close()."""
        if self._client is not None:
            self._retired.append(self._client)
        self._agent = self._client = None

    async def agent(self):
        await self._close_retired()
        async with self._building:
            if self._agent is None:
                self._agent, self._client = await self._build()
            agent = self._agent
        if self.mcp is None:
            return agent
        # Read each turn: a server added, disabled or allowed in Settings counts at once.
        extra = await self.mcp.tools()
        return agent.clone(tools=[*agent.tools, *extra]) if extra else agent

    async def _build(self):
        # On a worker thread: the keyring can block on D-Bus or an unlock prompt, and building
        # the client costs ~100 ms the first time (SSL contexts, lazy imports, validators), which
        # would freeze a window's event loop just as the first answer starts.
        return await asyncio.to_thread(self._construct)

    def _construct(self):
        key = self.keys.get()
        if not key:
            raise NoApiKeyError(NO_KEY)
        # Imported here: the agent stack costs ~2 s at start-up, and only a chat needs it.
        import agents
        import openai

        agents.set_tracing_disabled(True)  # traces would go to OpenAI, with whatever key it finds
        base_url = self.settings.base_url
        # max_retries=0: the client's own retries ignore Gemini's RetryInfo; ours honour it.
        client = openai.AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0,
                                    timeout=REQUEST_TIMEOUT)
        model = GeminiChatModel(self.model_override or self.settings.model, client,
                                retry=self.retry, base_url=base_url)
        agent = agents.Agent(name="Task Assistant", model=model, tools=task_tools(self.store),
                             instructions=lambda _context, _agent: instructions())
        return agent, client

    async def _close_retired(self) -> None:
        while self._retired:
            await self._retired.pop().close()

    async def close(self) -> None:
        self.reset()
        await self._close_retired()
        if self.mcp is not None:
            await self.mcp.close()
