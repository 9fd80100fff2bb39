"""What the task panel says when a list is deleted: the question first, then what happened.
The store never deletes a task with its list: they move to Inbox, and Ctrl+Z brings both back."""

from app.tasks import INBOX, TaskList


def _tasks(count: int) -> str:
    return f"{count} task{'s' if count != 1 else ''}"


def delete_question(entry: TaskList) -> str:
    """"Delete the list “Work”? Its 3 tasks (2 open, 1 done) move to Inbox; …"."""
    held = entry.open + entry.done
    if not held:
        return f"Delete the list “{entry.name}”? It holds no tasks."
    both = f" ({entry.open} open, {entry.done} done)" if entry.open and entry.done else ""
    kind = "" if both else " open" if entry.open else " done"
    return (f"Delete the list “{entry.name}”? Its {held}{kind} task{'s' if held != 1 else ''}"
            f"{both} move{'s' if held == 1 else ''} to {INBOX}; no task is deleted. Ctrl+Z "
            "brings the list back with them.")


def deleted_sentence(name: str, moved: int) -> str:
    if not moved:
        return f"Deleted the list “{name}”."
    return (f"Deleted the list “{name}”; its {_tasks(moved)} {'are' if moved != 1 else 'is'} in "
            f"{INBOX} now.")
