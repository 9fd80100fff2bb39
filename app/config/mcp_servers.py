"""The user's MCP servers (`mcp_servers.json`): how to start each, whether it is on, and what each
of its tools may do without asking. Qt-free; the CLI, Settings and the agent share it.

A damaged file never stops the app: it is kept aside and no servers are used (`warnings` says so).
Writes re-read the file first, so what another window or the CLI saved meanwhile survives.
"""

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.common.capped_log import CappedLog
from app.common.errors import UserError
from app.common.listeners import Listeners
from app.common.redact import redact_arguments
from app.common.safe_files import keep_aside, read_json, write_atomically

FILE_NAME = "mcp_servers.json"
LOG_FOLDER = "logs"
# A server's name prefixes its tools' names for the model ("files__read"), and Gemini allows
# function names of letters, digits, _ . - up to 64 characters.
NAME = re.compile(r"[a-z][a-z0-9_-]{0,23}")
ASK, ALWAYS, OFF = "ask", "always", "off"
PERMISSIONS = (ASK, ALWAYS, OFF)


@dataclass(frozen=True)
class SeenTool:
    """A tool as the server last described it (Settings lists these, even with it stopped)."""

    name: str
    description: str = ""
    read_only: bool = False


@dataclass(frozen=True)
class McpServerConfig:
    name: str
    command: str | None = None        # stdio: the program and its arguments
    args: tuple[str, ...] = ()
    url: str | None = None            # streamable HTTP
    env: dict[str, str] = field(default_factory=dict)  # only what the user gave
    enabled: bool = True
    permissions: dict[str, str] = field(default_factory=dict)  # tool -> always/off (ask: absent)
    tools: tuple[SeenTool, ...] = ()

    @property
    def target(self) -> str:
        """How it is reached, for people: the command line or the URL, with what looks like a
        secret in it hidden (a token typed into the server's own arguments)."""
        if self.url:
            return redact_arguments([self.url])[0]
        return " ".join(redact_arguments([self.command or "", *self.args]))

    def permission(self, tool: str) -> str:
        return self.permissions.get(tool, ASK)

    def to_json(self) -> dict:
        shown: dict = {"command": self.command, "args": list(self.args)} if self.command else \
            {"url": self.url}
        if self.env:
            shown["env"] = dict(self.env)
        shown.update(enabled=self.enabled, permissions=dict(self.permissions),
                     tools=[{"name": t.name, "description": t.description,
                             "read_only": t.read_only} for t in self.tools])
        return shown

    @classmethod
    def from_json(cls, name: str, data: dict) -> "McpServerConfig":
        check_name(name)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        command, url = data.get("command"), data.get("url")
        if command is not None:
            check_command(command)
        elif url is not None:
            check_url(url)
        else:
            raise ValueError("neither a command nor a URL")
        args, env = data.get("args") or [], data.get("env") or {}
        if not all(isinstance(a, str) for a in args) or not isinstance(env, dict):
            raise ValueError("bad args or env")
        permissions = {str(k): v for k, v in (data.get("permissions") or {}).items()
                       if v in (ALWAYS, OFF)}
        tools = tuple(SeenTool(str(t.get("name")), str(t.get("description") or ""),
                               bool(t.get("read_only")))
                      for t in data.get("tools") or [] if isinstance(t, dict) and t.get("name"))
        return cls(name, command, tuple(args), url if command is None else None,
                   {str(k): str(v) for k, v in env.items()}, bool(data.get("enabled", True)),
                   permissions, tools)


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise UserError(f"{name!r} can't name a server: use up to 24 lowercase letters, digits, "
                        "'-' or '_', starting with a letter (e.g. files).")
    return name


def check_command(command: str) -> str:
    if not isinstance(command, str) or not command.strip():
        raise UserError("Give the command that starts the server after --, e.g. "
                        "task-assistant mcp add files -- "
                        "npx -y @modelcontextprotocol/server-filesystem ~/Documents")
    return command


def check_url(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except (ValueError, AttributeError):
        usable = False
    if not usable:
        raise UserError(f"{url!r} is not a server address: give an http:// or https:// URL, e.g. "
                        "http://localhost:8000/mcp")
    return url.strip()


class McpServers:
    """The servers file. Safe to share between threads; subscribers hear each saved change."""

    def __init__(self, path: Path | None = None):
        if path is None:
            from app.common.paths import data_dir

            path = data_dir() / FILE_NAME
        self.path = Path(path)
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self._listeners = Listeners("MCP servers")

    # -- reading ---------------------------------------------------------------------------

    def all(self) -> list[McpServerConfig]:
        with self._lock:
            stored, _problem = self._read()
        servers = []
        for name, data in stored.items():
            try:
                servers.append(McpServerConfig.from_json(name, data))
            except (ValueError, UserError, AttributeError, TypeError):
                self._warn(f"The MCP server {name!r} in {self.path.name} is not usable; it is "
                           "skipped.")
        return servers

    def get(self, name: str) -> McpServerConfig:
        for server in self.all():
            if server.name == name:
                return server
        raise UserError(f"There is no MCP server called {name!r} (see task-assistant mcp list).")

    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """`callback(server name)` after each saved change; returns the unsubscribe."""
        return self._listeners.subscribe(callback)

    # -- changing --------------------------------------------------------------------------

    def add(self, name: str, *, command: str | None = None, args: list[str] | tuple = (),
            url: str | None = None, env: dict[str, str] | None = None) -> McpServerConfig:
        check_name(name)
        if (command is None) == (url is None):
            raise UserError("Give either a command (after --) or --url, not both.")
        server = McpServerConfig(name, check_command(command) if command else None,
                                 tuple(args), check_url(url) if url else None, dict(env or {}))

        def edit(stored: dict) -> None:
            if name in stored:
                raise UserError(f"There is already an MCP server called {name!r}: remove it "
                                "first, or pick another name.")
            stored[name] = server.to_json()

        self._change(name, edit)
        return server

    def remove(self, name: str) -> None:
        def edit(stored: dict) -> None:
            if stored.pop(name, None) is None:
                raise UserError(f"There is no MCP server called {name!r}.")

        self._change(name, edit)
        try:
            self.log(name).remove()  # what it said may be personal: it goes with the server
        except OSError:
            pass

    def log(self, name: str) -> CappedLog:
        """Where a stdio server's stderr goes: a private file in the logs folder beside this
        file (the data directory's), its newest 1-2 MB."""
        return CappedLog(self.path.parent / LOG_FOLDER / f"mcp-{check_name(name)}.log")

    def set_enabled(self, name: str, enabled: bool) -> bool:
        """False when it already was."""
        return self._edit_server(name, lambda data: data.__setitem__("enabled", enabled))

    def set_permission(self, name: str, tool: str, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise UserError(f"A tool's permission is one of {', '.join(PERMISSIONS)}.")

        def edit(data: dict) -> None:
            permissions = data.setdefault("permissions", {})
            if permission == ASK:
                permissions.pop(tool, None)
            else:
                permissions[tool] = permission

        return self._edit_server(name, edit)

    def remember_tools(self, name: str, tools: list[SeenTool]) -> bool:
        return self._edit_server(name, lambda data: data.__setitem__("tools", [
            {"name": t.name, "description": t.description, "read_only": t.read_only}
            for t in tools]))

    def _edit_server(self, name: str, edit: Callable[[dict], None]) -> bool:
        def change(stored: dict) -> None:
            if name not in stored:
                raise UserError(f"There is no MCP server called {name!r}.")
            edit(stored[name])

        return self._change(name, change)

    def _change(self, name: str, edit: Callable[[dict], None]) -> bool:
        from app.common.file_lock import locked

        try:
            # Both locks: the window (remembering a server's tools) and the CLI may write at once.
            with self._lock, locked(self.path):
                changed = self._edit_file(edit)
        except OSError as error:  # the lock or the file could not be written (read-only, full)
            raise UserError(f"The MCP servers could not be saved to {self.path} "
                            f"({error.strerror or error}).") from None
        if changed:
            self._listeners.notify(name)
        return changed

    def _edit_file(self, edit: Callable[[dict], None]) -> bool:
        stored, problem = self._read()
        if problem:
            raise UserError(f"{self.path} is not usable ({problem}), so it was not "
                            "overwritten: fix or remove it.")
        before = json.dumps(stored, sort_keys=True)
        edit(stored)
        if json.dumps(stored, sort_keys=True) == before:
            return False
        text = json.dumps({"servers": stored}, indent=2, ensure_ascii=False) + "\n"
        # 0600 (mkstemp's default): a server's env may hold the user's tokens.
        write_atomically(self.path, text.encode("utf-8"))
        return True

    # -- the file --------------------------------------------------------------------------

    def _read(self) -> tuple[dict, str | None]:
        try:
            stored, problem = read_json(self.path)
            if problem or stored is None:
                return {}, problem
            servers = stored.get("servers") if isinstance(stored, dict) else None
            if not isinstance(servers, dict):
                raise ValueError("no 'servers' object")
        except ValueError as error:
            try:
                aside = keep_aside(self.path)
            except OSError as move_error:
                return {}, f"damaged, and moving it aside failed: {move_error.strerror}"
            self._warn(f"{self.path.name} was damaged ({str(error).splitlines()[0]}); it was "
                       f"kept as {aside.name} and no MCP servers are used.")
            return {}, None
        return servers, None

    def _warn(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)
