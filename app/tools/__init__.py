"""The task tools: one protocol (names, schemas shaped for Gemini, results) that the agent and
the MCP server both serve."""
