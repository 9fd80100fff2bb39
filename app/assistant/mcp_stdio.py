"""A user's stdio MCP server whose stderr goes to its own log file instead of ours.

The SDK's MCPServerStdio starts the server through the mcp client's `stdio_client`, which takes
an `errlog` (the child's stderr; our own stderr by default) that MCPServerStdio does not pass on:
this subclass opens the streams itself, giving it the write end of a pipe into the server's
CappedLog.
"""

from contextlib import asynccontextmanager

import anyio
from agents.mcp import MCPServerStdio
from mcp.client.stdio import StdioServerParameters, stdio_client

from app.common.capped_log import CappedLog

LAST_WORDS_WAIT = 2.0  # seconds


class LoggedStdioServer(MCPServerStdio):
    def __init__(self, *args, log: CappedLog, **kwargs):
        super().__init__(*args, **kwargs)
        self.log = log

    def create_streams(self):
        return _streams(self.params, self.log)


@asynccontextmanager
async def _streams(params: StdioServerParameters, log: CappedLog):
    errlog, drain = log.pipe()
    try:
        async with stdio_client(params, errlog=errlog) as streams:
            errlog.close()  # the server has its copy: the log's thread ends when the server does
            yield streams
    finally:
        errlog.close()
        # The server is stopped: its last words reach the file before `ask` exits (bounded, for
        # a child of the server that keeps the pipe open).
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(drain.join, LAST_WORDS_WAIT)
