"""A thin guard in front of the mcp library's stdio reader: every line that is not a JSON-RPC
message the library can read gets a JSON-RPC error back, and one line in the log.

The library drops such a line without a word (not JSON, no method, a lone surrogate, nesting
deeper than Python's parser goes), so the client waits for its timeout. Lines are read as
bytes here, at most MAX_LINE long, and only good ones reach the library. Everything written
to the wire goes through one `WireWriter`, so an error line never splits one of the library's.
"""

import json
import logging
import os
import sys
from contextlib import asynccontextmanager

import anyio

PARSE_ERROR, INVALID_REQUEST = -32700, -32600
MAX_LINE = 16 * 1024 * 1024
MAX_DEPTH = 1000

log = logging.getLogger("app.mcp")


def problem(line: bytes) -> tuple[int, str, object] | None:
    """(JSON-RPC error code, message, the request's id or None) for a line the library could
    not read; None for a good one."""
    if len(line) > MAX_LINE:
        return INVALID_REQUEST, f"Invalid Request: a message can be at most {MAX_LINE} bytes", None
    too_deep = INVALID_REQUEST, f"Invalid Request: nested more than {MAX_DEPTH} deep", None
    try:
        data = json.loads(line.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is one too
        return PARSE_ERROR, "Parse error: the line is not JSON in UTF-8", None
    except RecursionError:  # Python's parser gives up near 1,000 levels
        return too_deep
    if _depth_over(data, MAX_DEPTH):
        return too_deep
    request_id = _id(data)
    if _lone_surrogate(data):
        return PARSE_ERROR, "Parse error: a lone surrogate is not Unicode text", request_id
    import mcp_types as types

    try:
        types.jsonrpc_message_adapter.validate_python(data, by_name=False)
    except Exception:  # pydantic's ValidationError, whatever shape the message had
        return INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message with a method", \
            request_id
    return None


def _id(data: object) -> object:
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, (str, int)) and not isinstance(found, bool) else None


def _children(value: object) -> list:
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    return value if isinstance(value, list) else []


def _depth_over(data: object, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:  # a loop, not recursion: the depth is what is being checked
        value, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in _children(value)
                     if isinstance(child, (dict, list)))
    return False


def _lone_surrogate(data: object) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        else:
            stack.extend(_children(value))
    return False


class WireWriter:
    """The one writer of the protocol's stdout: each line is written and flushed whole, from
    the event loop's thread."""

    def __init__(self, binary) -> None:
        self._binary = binary

    async def write(self, text: str) -> None:
        self._binary.write(text.encode("utf-8"))

    async def flush(self) -> None:
        self._binary.flush()

    async def error(self, code: int, message: str, request_id: object) -> None:
        line = {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
        await self.write(json.dumps(line) + "\n")
        await self.flush()


class GuardedLines:
    """stdin's lines for the library, the bad ones answered instead."""

    def __init__(self, binary, wire: WireWriter) -> None:
        self._binary, self._wire = binary, wire

    def _read_line(self) -> bytes:
        line = self._binary.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while True:  # the rest of an over-long line is read and dropped, never kept
                rest = self._binary.readline(MAX_LINE)
                if not rest or rest.endswith(b"\n"):
                    break
        return line

    async def __aiter__(self):
        while True:
            line = await anyio.to_thread.run_sync(self._read_line)
            if not line:
                return
            if not line.strip():
                continue
            found = problem(line)
            if found is None:
                yield line.decode("utf-8")
                continue
            code, message, request_id = found
            log.warning("Answered a line that is not a JSON-RPC request with %s (%s).",
                        code, message)
            await self._wire.error(code, message, request_id)


@asynccontextmanager
async def guarded_stdio():
    """The library's stdio_server on guarded streams. The wire's own descriptors are kept
    privately and fd 0 and 1 pointed at the null device and stderr, as the library does, so
    stray output from anything else never corrupts the protocol."""
    from mcp.server.stdio import stdio_server

    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout.flush()
    wire = WireWriter(os.fdopen(wire_out, "wb"))
    async with stdio_server(stdin=GuardedLines(os.fdopen(wire_in, "rb"), wire),
                            stdout=wire) as streams:
        yield streams
