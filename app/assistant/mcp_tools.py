"""The user's MCP servers as the agent's tools, through the Agents SDK's MCP server classes.

Each enabled server starts the first time a turn needs the agent's tools and stays up for the
app's life (a changed, disabled or removed one is stopped). One that fails to start, crashes,
hangs past a timeout or talks garbage is set aside: the turn goes on with the other tools and
the user is told once. Its tools reach Gemini only with schemas it accepts (gemini/schemas.py);
their results are capped and handed to the model as quoted data.
"""

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from agents import FunctionTool, RunContextWrapper

from app.assistant.gemini.schemas import UnsafeSchema, gemini_schema
from app.common import clock
from app.common.capped_log import CappedLog
from app.common.errors import UserError
from app.common.redact import remember
from app.common.tool_arguments import decode_arguments
from app.config.mcp_servers import ALWAYS, OFF, McpServerConfig, McpServers, SeenTool

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 20.0   # seconds to start and list tools (npx may download the server first)
CALL_TIMEOUT = 60.0      # seconds for one tool call
MAX_RESULT_CHARS = 20_000
SEPARATOR = "__"         # "files__read_file": the server's name, then the tool's
SECRET_ENV = ("GEMINI_API_KEY",)
# A value the user gave a server that is at least this long is taken for a secret (tokens are
# 20-100 characters) and kept out of every log; shorter ones are settings ("1", "debug",
# "en_US", a port) and common enough that hiding them would blank ordinary words. A file's path
# is no secret, and the server's log is the place where it must stay readable.
SECRET_MIN_CHARS = 8


@dataclass(frozen=True)
class McpTool:
    """What the chat needs to know about one of the agent's MCP tools (approval, summaries)."""

    server: str
    tool: str
    read_only: bool


def tool_name(server: str, tool: str) -> str:
    return (server + SEPARATOR + re.sub(r"[^A-Za-z0-9_.-]", "_", tool))[:64]


def server_environment(config: McpServerConfig) -> dict[str, str]:
    """The few safe variables MCP passes on by default (PATH, HOME…), plus what the user gave;
    never the Gemini key, unless the user put it there."""
    from mcp.client.stdio import get_default_environment

    env = {k: v for k, v in get_default_environment().items() if k not in SECRET_ENV}
    env.update(config.env)
    return env


def remember_secrets(config: McpServerConfig) -> None:
    """The values the user gave the server (GITHUB_TOKEN…), redacted from its log and ours even
    if it echoes them: it gets them, we cannot tell which are secret."""
    for value in (value.strip() for value in config.env.values()):
        if len(value) >= SECRET_MIN_CHARS and not _is_path(value):
            remember(value)


def _is_path(value: str) -> bool:
    return value.startswith("~") or PurePosixPath(value).is_absolute() or \
        PureWindowsPath(value).is_absolute()


def _sdk_server(config: McpServerConfig, call_timeout: float, log: CappedLog | None):
    from agents.mcp import MCPServerStreamableHttp

    if config.command:
        from app.assistant.mcp_stdio import LoggedStdioServer

        assert log is not None, "a server started by a command always has its log (_Connection)"
        return LoggedStdioServer(
            params={"command": config.command, "args": list(config.args),
                    "env": server_environment(config)},
            name=config.name, cache_tools_list=True, client_session_timeout_seconds=call_timeout,
            log=log)
    assert config.url is not None, "a server has a command or a URL (McpServerConfig)"
    return MCPServerStreamableHttp(params={"url": config.url, "timeout": call_timeout},
                                   name=config.name, cache_tools_list=True,
                                   client_session_timeout_seconds=call_timeout)


class _Connection:
    """One running server, or why it is not running."""

    def __init__(self, config: McpServerConfig, log: CappedLog | None):
        self.config = config
        self.log = log  # a stdio server's stderr; None for one reached by URL
        self.server = None
        self.tools: list = []
        self.failure: str | None = None

    @property
    def see_log(self) -> str:
        """Where to look for what the server itself said, as the end of a sentence."""
        return f" (the server's own messages are in {self.log.path})" if self.log else ""

    async def start(self, connect_timeout: float, call_timeout: float) -> None:
        remember_secrets(self.config)  # before it can say anything
        if self.log:  # never its command line: arguments may hold tokens
            self.log.write(f"--- {clock.now().isoformat(timespec='seconds')} Task Assistant "
                           f"starts the MCP server '{self.config.name}'\n")
        server = _sdk_server(self.config, call_timeout, self.log)
        try:
            await asyncio.wait_for(self._connect(server), connect_timeout)
        except TimeoutError:
            self.failure = f"it did not answer within {connect_timeout:g} s"
        except Exception as error:  # crashed, missing program, garbage, refused…
            self.failure = _reason(error)
        if self.failure:
            await _close(server)
        else:
            self.server = server

    async def _connect(self, server) -> None:
        await server.connect()
        self.tools = await server.list_tools()

    async def stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            await _close(server)


async def _close(server) -> None:
    try:
        await asyncio.wait_for(server.cleanup(), 5)
    except BaseException as error:  # a server that will not stop must not stop the app
        task = asyncio.current_task()  # this coroutine's: never None here
        if isinstance(error, asyncio.CancelledError) and task and task.cancelling():
            raise
        log.warning("stopping MCP server %s failed: %s", server.name, _reason(error))


def _reason(error: BaseException) -> str:
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


class McpTools:
    def __init__(self, servers: McpServers, *, connect_timeout: float = CONNECT_TIMEOUT,
                 call_timeout: float = CALL_TIMEOUT):
        self.servers = servers
        self.connect_timeout = connect_timeout
        self.call_timeout = call_timeout
        self._connections: dict[str, _Connection] = {}
        self._described: dict[str, McpTool] = {}
        self._notices: list[str] = []
        self._told: set[str] = set()
        self._starting = asyncio.Lock()

    def describe(self, name: str) -> McpTool | None:
        """The MCP tool the agent calls `name`; None for the app's own tools."""
        return self._described.get(name)

    def failures(self) -> dict[str, str | None]:
        """Each started server's name, and why it is not running (None: it is), with where
        its own messages are."""
        return {name: c.failure and c.failure + c.see_log for name, c in
                self._connections.items()}

    def take_notices(self) -> list[str]:
        """Sentences for the user not yet shown (a server that failed, a tool left out)."""
        notices, self._notices = self._notices, []
        return notices

    def _tell(self, sentence: str) -> None:
        if sentence not in self._told:
            self._told.add(sentence)
            self._notices.append(sentence)

    async def tools(self) -> list[FunctionTool]:
        """The enabled servers' tools, starting the servers not yet started."""
        async with self._starting:
            wanted = {config.name: config for config in self.servers.all() if config.enabled}
            for name, connection in list(self._connections.items()):
                if wanted.get(name) != connection.config:  # removed, disabled or edited
                    del self._connections[name]
                    await connection.stop()
            new = [_Connection(config, self.servers.log(name) if config.command else None)
                   for name, config in wanted.items() if name not in self._connections]
            await asyncio.gather(*(c.start(self.connect_timeout, self.call_timeout)
                                   for c in new))
            for connection in new:
                self._connections[connection.config.name] = connection
                self._started(connection)
        tools: list[FunctionTool] = []
        for connection in self._connections.values():
            if connection.server is not None:
                tools += self._function_tools(connection)
        return tools

    def _started(self, connection: _Connection) -> None:
        name = connection.config.name
        if connection.failure:
            self._tell(f"The MCP server '{name}' could not start ({connection.failure}); "
                       f"the assistant works without its tools{connection.see_log}.")
            return
        seen = [SeenTool(t.name, (t.description or "")[:300], _read_only(t))
                for t in connection.tools]
        try:
            self.servers.remember_tools(name, seen)  # for Settings and `mcp list`
        except Exception as error:  # a read-only disk must not cost the tools
            log.warning("could not remember the tools of %s: %s", name, _reason(error))

    def _function_tools(self, connection: _Connection) -> list[FunctionTool]:
        config = connection.config
        tools = []
        for tool in connection.tools:
            if config.permission(tool.name) == OFF:
                continue
            try:
                schema = gemini_schema(tool.input_schema)
            except UnsafeSchema as why:
                self._tell(f"The tool '{tool.name}' of the MCP server '{config.name}' is left "
                           f"out: {why}.")
                continue
            name = tool_name(config.name, tool.name)
            described = McpTool(config.name, tool.name, _read_only(tool))
            self._described[name] = described
            tools.append(FunctionTool(
                name=name, params_json_schema=schema, strict_json_schema=False,
                description=(f"From the MCP server '{config.name}'. "
                             f"{tool.description or ''}")[:1024],
                on_invoke_tool=self._invoker(connection, tool.name),
                needs_approval=self._approval_rule(described)))
        return tools

    def _approval_rule(self, tool: McpTool):
        async def needs_approval(_context, _arguments, _call_id) -> bool:
            if tool.read_only:
                return False
            try:  # read now: "Always allow" given a moment ago, or revoked, counts
                return self.servers.get(tool.server).permission(tool.tool) != ALWAYS
            except Exception:
                return True
        return needs_approval

    def always_allow(self, name: str) -> None:
        tool = self._described[name]
        self.servers.set_permission(tool.server, tool.tool, ALWAYS)

    def _invoker(self, connection: _Connection, tool: str):
        async def invoke(_context: RunContextWrapper, raw: str) -> str:
            return json.dumps(await self._call(connection, tool, raw), ensure_ascii=False,
                              separators=(",", ":"))
        return invoke

    async def _call(self, connection: _Connection, tool: str, raw: str) -> dict:
        from mcp.shared.exceptions import MCPError
        from mcp_types import CONNECTION_CLOSED

        name = connection.config.name
        try:
            arguments = decode_arguments(raw)
        except UserError as error:
            return {"error": str(error)}
        if connection.server is None:
            return {"error": f"The MCP server '{name}' is not running."}
        try:
            result = await asyncio.wait_for(connection.server.call_tool(tool, arguments),
                                            self.call_timeout)
        except Exception as error:
            if isinstance(error, MCPError) and error.code != CONNECTION_CLOSED:
                return {"error": _reason(error)}  # the server answered: it refused this call
            # It died (the connection closed under the call), hung, or talked garbage.
            why = (f"it did not answer within {self.call_timeout:g} s"
                   if isinstance(error, asyncio.TimeoutError) else _reason(error))
            self._tell(f"The MCP server '{name}' stopped working ({why}); the assistant "
                       f"goes on without its tools{connection.see_log}.")
            connection.failure = why
            await connection.stop()
            return {"error": f"The MCP server '{name}' failed: {why}."}
        text = _text(result)
        if len(text) > MAX_RESULT_CHARS:
            text = (text[:MAX_RESULT_CHARS] + f"\n[… cut: the result had {len(text)} characters; "
                    f"only the first {MAX_RESULT_CHARS} are shown]")
        if getattr(result, "is_error", False):
            return {"error": text or "The tool failed."}
        # Quoted as data: whatever the text says, it is the tool's output, not the user's words.
        return {"server": name, "data": text}

    async def close(self) -> None:
        connections, self._connections = list(self._connections.values()), {}
        for connection in connections:
            await connection.stop()


def _read_only(tool) -> bool:
    return bool(tool.annotations and tool.annotations.read_only_hint)


def _text(result) -> str:
    parts = []
    for item in getattr(result, "content", None) or []:
        if getattr(item, "type", "") == "text":
            parts.append(item.text)
        else:
            parts.append(f"[{getattr(item, 'type', 'content')} content left out]")
    if not parts and getattr(result, "structured_content", None) is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(parts)
