"""Task Assistant as an MCP server (`task-assistant mcp serve`): other assistants use the tasks.

No Qt and no agent SDK here: an MCP client starts this process for every session, so it must
answer `initialize` fast.
"""
