"""One line per tool call, for people: what the agent actually did (or tried to)."""

import json

from app.tasks.dates import friendly_due


def tool_result(output: object) -> dict:
    """What a tool answered, as a dict (tools answer JSON; anything else counts as an error)."""
    try:
        parsed = json.loads(output) if isinstance(output, str) else output
    except json.JSONDecodeError:
        return {"error": str(output)}
    return parsed if isinstance(parsed, dict) else {"result": parsed}


def _task_phrase(task: dict) -> str:
    phrase = f"'{task.get('title', '?')}'"
    if task.get("due"):
        phrase += f", due {friendly_due(task['due'])}"
    return phrase


def summarize(name: str, arguments: dict, result: dict) -> str:
    if result.get("denied"):
        return f"Not done: you did not approve {name.replace('_', ' ')}"
    if "error" in result:
        return f"{name.replace('_', ' ').capitalize()} failed: {result['error']}"
    for key, verb in (("added", "Added"), ("updated", "Updated"), ("completed", "Completed"),
                      ("reopened", "Reopened"), ("deleted", "Deleted")):
        if key in result:
            return f"{verb} {_task_phrase(result[key])}"
    if "__" in name:  # an MCP server's tool: "files__read_file"
        server, tool = name.split("__", 1)
        return f"Ran '{tool}' from {server}"
    if name in ("list_tasks", "search_tasks"):
        what = f"for '{arguments.get('query')}'" if name == "search_tasks" else "tasks"
        count = result.get("count", 0)
        found = f"{count}{'+' if result.get('more') else ''} task{'s' if count != 1 else ''}"
        return f"Searched {what}: {found}" if name == "search_tasks" else f"Listed {found}"
    return f"Ran {name}"


def describe_request(name: str, arguments: dict, title: str | None) -> str:
    """What an approval asks for: "Delete task 7 'Renew passport'"."""
    target = f"task {arguments.get('id')}" + (f" '{title}'" if title else "")
    return f"{name.replace('_task', '').replace('_', ' ').capitalize()} {target}"
