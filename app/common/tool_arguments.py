"""A tool call's arguments, decoded once for every caller: the agent's tools, the user's MCP
servers, `mcp serve`, and the transcript that shows them. A model or client can send anything,
so what is not one JSON object is one sentence."""

import json
from typing import Any

from app.common.errors import UserError


def decode_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """The arguments as a dict (JSON text, or an already-decoded object); UserError otherwise."""
    if isinstance(raw, dict):
        return raw
    try:
        arguments = json.loads(raw or "{}")
    except (json.JSONDecodeError, TypeError) as error:
        why = f" ({error.msg})" if isinstance(error, json.JSONDecodeError) else ""
        raise UserError(f"The arguments are not valid JSON{why}; send one JSON object.") from None
    if not isinstance(arguments, dict):
        raise UserError("The arguments must be one JSON object.")
    return arguments
