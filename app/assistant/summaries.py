"""One line per tool call, for people: what the agent actually did (or tried to)."""

import json

from app.tasks.model import INBOX
from app.tasks.when.dates import friendly_due


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
        return f"Nothing changed: you said no to {_denied_words(name)}"
    if "error" in result:
        return f"{name.replace('_', ' ').capitalize()} failed: {result['error']}"
    for key, verb in (("added", "Added"), ("updated", "Updated"), ("completed", "Completed"),
                      ("reopened", "Reopened"), ("deleted", "Moved to the trash:"),
                      ("restored", "Restored")):
        if key in result:
            return f"{verb} {_task_phrase(result[key])}"
    for key in ("undone", "redone"):
        if key in result:
            return str(result[key]).rstrip(".")
    if "added_list" in result:
        return f"Added the list '{result['added_list']}'"
    if "renamed_list" in result:
        return f"Renamed the list '{result['renamed_list']}' to '{result.get('to')}'"
    if "deleted_list" in result:
        moved = result.get("moved_to_inbox", 0)
        return f"Deleted the list '{result['deleted_list']}'" + (
            f"; {_tasks(moved)} moved to Inbox" if moved else "")
    if "emptied" in result:
        count, left = result["emptied"], result.get("left", 0)
        done = (f"Emptied the trash: {count} task{'s' if count != 1 else ''} deleted for good"
                if count else "Deleted nothing for good" if left else
                "The trash was already empty")
        return done + (f"; {left} not on the list you approved stay{'s' if left == 1 else ''} "
                       "in the trash" if left else "")
    if "moved" in result and name == "reschedule_overdue":
        return str(result.get("note", "")).rstrip(".")
    if name == "list_lists":
        count = len(result.get("lists", ()))
        return f"Listed your lists: {count}"
    if name == "list_trash":
        count = result.get("count", 0)
        return f"Listed the trash: {count} task{'s' if count != 1 else ''}"
    if "__" in name:  # an MCP server's tool: "files__read_file"
        server, tool = name.split("__", 1)
        return f"Ran '{tool}' from {server}"
    if name in ("list_tasks", "search_tasks"):
        what = f"for '{arguments.get('query')}'" if name == "search_tasks" else "tasks"
        count = result.get("count", 0)
        found = f"{count}{'+' if result.get('more') else ''} task{'s' if count != 1 else ''}"
        return f"Searched {what}: {found}" if name == "search_tasks" else f"Listed {found}"
    return f"Ran {name}"


def _denied_words(name: str) -> str:
    if "__" in name:  # an MCP server's tool: "files__write_file"
        server, tool = name.split("__", 1)
        return f"running '{tool}' from {server}"
    return {"delete_task": "deleting the task", "delete_list": "deleting the list",
            "empty_trash": "emptying the trash"}.get(name, f"running {name.replace('_', ' ')}")


def describe_request(name: str, arguments: dict, title: str | None) -> str:
    """What an approval asks for: "Delete task 7 'Renew passport'"."""
    if name == "reschedule_overdue":
        return f"Move every overdue task to {arguments.get('to', '?')}"
    target = f"task {arguments.get('id')}" + (f" '{title}'" if title else "")
    return f"{name.replace('_task', '').replace('_', ' ').capitalize()} {target}"


def describe_delete_list(name: str, held: int | None) -> str:
    """Deleting a list for its approval card: which, and how many tasks move to Inbox."""
    if held is None:
        return f"Delete the list '{name}' (there is no such list)"
    if name == INBOX:  # the tool will refuse: the card must not promise a move to itself
        return f"Delete the list '{INBOX}' (it cannot be deleted; nothing will change)"
    if not held:
        return f"Delete the list '{name}' (it holds no tasks)"
    return (f"Delete the list '{name}': its {_tasks(held)} move{'s' if held == 1 else ''} to "
            "Inbox (no task is deleted)")


def _tasks(count: int) -> str:
    return f"{count} task{'s' if count != 1 else ''}"


def describe_empty_trash(titles: list[str]) -> tuple[str, tuple[str, ...]]:
    """Emptying the trash for its approval card: how many go for good, and which."""
    count = len(titles)
    if not count:
        return "Empty the trash (it is empty now)", ()
    summary = (f"Empty the trash: delete {count} task{'s' if count != 1 else ''} for good "
               "(undo cannot bring them back)")
    return summary, tuple(f"Delete for good: '{title}'" for title in titles)


def describe_batch(calls: list[tuple[str, dict]], titles: dict[object, str]
                   ) -> tuple[str, list[str]]:
    """A held batch for its approval card: "Change 12 tasks", and one line per change."""
    lines = []
    for name, arguments in calls:
        task_id = arguments.get("id")
        target = f"task {task_id}" + (f" '{titles[task_id]}'" if task_id in titles else "")
        if name == "update_task":
            fields = ", ".join(f"{field} → {json.dumps(value, ensure_ascii=False)}"
                               for field, value in arguments.items() if field != "id")
            lines.append(f"Update {target}: {fields or 'nothing'}")
        elif name == "delete_task":
            lines.append(f"Delete {target} (to the trash)")
        else:
            lines.append(f"{name.replace('_task', '').capitalize()} {target}")
    count = len({arguments.get("id") for _, arguments in calls})
    return f"Change {count} existing task{'s' if count != 1 else ''} at once", lines
