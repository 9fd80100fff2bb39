"""Undo and redo as plans: which task goes back to which snapshot, and the sentences around it.

Undoing changes puts each task back as it was before the first of them, but only if it is still
as the last of them left it; otherwise a later change would be silently thrown away, so the
undo is refused with a sentence naming that change (`force` overrides). Redo is the undo of an
undo, planned the same way. The store applies the plan in one transaction.
"""

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from app.common.errors import UserError
from app.tasks.history import Change, is_list
from app.tasks.when.moments import moment_words

Snapshot = dict[str, Any]  # a task or list as the history keeps it

SHOWN_ONE_BY_ONE = 3  # more tasks than this are summed up by what happened to them


class UndoConflictError(UserError):
    pass


class Revert(namedtuple("Revert", ("task_id", "expected", "desired", "change_ids", "last_id",
                                   "title"))):
    """Put task `task_id` back to `desired`, if it is now `expected`."""

    __slots__ = ()


def plan(changes: list[Change]) -> list[Revert]:
    """One Revert per task, in the order the tasks were first changed."""
    by_task: dict[int, list[Change]] = {}
    for change in sorted(changes, key=lambda change: change.id):
        by_task.setdefault(change.task_id, []).append(change)
    return [Revert(task_id, steps[-1].after, steps[0].before, [c.id for c in steps], steps[-1].id,
                   _name(task_id, steps)) for task_id, steps in by_task.items()]


def _name(task_id: int, steps: list[Change]) -> str:
    """As it was before, else as it came to be (a list made and removed in one answer: its
    name in between)."""
    key = "name" if is_list(task_id) else "title"
    snapshots = [steps[0].before, steps[-1].after, *(step.after for step in steps)]
    return next((snapshot[key] for snapshot in snapshots if snapshot), "?")


def in_order(reverts: list[Revert]) -> list[Revert]:
    """Lists that come back (or get their name back) first, so the tasks returning to them find
    them; lists that go last, once their tasks have moved out."""
    def rank(revert: Revert) -> int:
        if not is_list(revert.task_id):
            return 1
        return 2 if revert.desired is None else 0
    return sorted(reverts, key=rank)


def conflict(revert: Revert, later: Change | None, verb: str, current: Snapshot | None) -> str:
    """"Cannot undo: “Call Ana” has changed since: you changed its notes in the window today
    14:05." (who, what and when: the person can look at that change, or undo it first)."""
    what = _subject(revert, current)
    if later is None:
        return f"Cannot {verb}: {what} is no longer as that change left it."
    who, where = _ORIGIN_SUBJECTS[later.origin.kind]
    return (f"Cannot {verb}: {what} has changed since: {who} {_later_action(later)}{where} "
            f"{moment_words(later.at)}.")


# Who made a change, as the subject of a sentence, and where; "you" for the person's own.
_ORIGIN_SUBJECTS = {"window": ("you", " in the window"), "cli": ("you", " from the command line"),
                    "agent": ("the assistant", ""), "quick_ask": ("the assistant", " in quick ask"),
                    "import": ("the import", ""), "mcp": ("an MCP client", ""),
                    "sync": ("sync", ""), "routine": ("a routine", "")}
# What a task's fields are called in a sentence; the rest (ids, stamps) go with these.
_FIELD_WORDS = {"title": "title", "status": "status", "notes": "notes", "due": "due date",
                "due_zone": "due date", "priority": "priority", "tags": "tags", "list": "list",
                "parent_id": "place",
                "repeat": "repeat", "repeat_after_done": "repeat", "remind_at": "reminder",
                "remind_before": "reminder"}


def _later_action(change: Change) -> str:
    if change.action == "edited":
        named = field_words(change.fields)
        return f"changed its {named}" if named else "changed it"
    return {"undone": "undid a change to it", "redone": "redid a change to it",
            "added": "added it"}.get(change.action, f"{change.action} it")


def field_words(fields: list[str]) -> str:
    """"due date and notes": the fields a person sees, each once (`tasks history` too)."""
    words = list(dict.fromkeys(_FIELD_WORDS[name] for name in fields if name in _FIELD_WORDS))
    return " and ".join(filter(None, (", ".join(words[:-1]), *words[-1:])))


def _quoted(title: str) -> str:
    return f"“{title}”"


def _subject(revert: Revert, current: Snapshot | None) -> str:
    """"“Buy milk”" or "the list “Errands”", as the task or list is called now."""
    if is_list(revert.task_id):
        return f"the list {_quoted((current or {}).get('name', revert.title))}"
    return _quoted((current or {}).get("title", revert.title))


class Outcome(namedtuple("Outcome", ("title", "one", "many"))):
    """What putting one task back did: `one` says it of `title` ("{} has its notes back"),
    `many` of several ("{} have their notes back"); alike outcomes are said together."""

    __slots__ = ()


def outcome(revert: Revert, current: Snapshot | None) -> Outcome | None:
    """What putting the task (or list) back did, for people; None: nothing to see."""
    desired = revert.desired
    if desired is None and current is None:  # made and removed in the same step
        return None
    if is_list(revert.task_id):
        if desired is not None and current is not None:
            return Outcome(None, f"the list {_quoted(current['name'])} is called "
                                 f"{_quoted(desired['name'])} again", "")
        verb = "removed" if desired is None else "brought back"
        return Outcome(None, f"{verb} the list {_quoted(revert.title)}", "")
    if desired is None:
        return Outcome(revert.title, "removed {}", "removed {}")
    if current is None:
        return Outcome(revert.title, "brought back {}", "brought back {}")
    if "trashed_at" in desired and "trashed_at" not in current:
        return Outcome(revert.title, "put {} back in the trash", "put {} back in the trash")
    if "trashed_at" in current and "trashed_at" not in desired:
        return Outcome(revert.title, "brought back {} from the trash",
                       "brought back {} from the trash")
    fields = [name for name in desired if desired.get(name) != current.get(name)]
    if "title" in fields:
        return Outcome(None, f"{_quoted(current['title'])} is called {_quoted(desired['title'])} "
                             f"again{_and_has(fields, desired)}", "")
    return Outcome(revert.title, *_changed_templates(fields, desired))


def _changed_templates(fields: list[str], desired: Snapshot) -> tuple[str, str]:
    named = field_words([name for name in fields if name != "status"])  # said as open or done
    if "status" in fields:
        state = desired.get("status", "open")
        return (f"{{}} is {state} again{_and_has(fields, desired)}",
                f"{{}} are {state} again" + (f" and have their {named} back" if named else ""))
    if named:
        return f"{{}} has its {named} back", f"{{}} have their {named} back"
    return "{} is as it was", "{} are as they were"


def _and_has(fields: list[str], desired: Snapshot) -> str:
    named = field_words([name for name in fields if name not in ("title", "status")])
    return f" and has its {named} back" if named else ""


def summary(undoing: bool, changes: list[Change], outcomes: Sequence[Outcome | None],
            list_outcomes: Sequence[Outcome | None] = ()) -> str:
    """"Undid your change in the window: “shop” has its due date back."; lists are always said
    one by one, alike tasks together, by title up to a few and counted beyond."""
    return f"{_head(undoing, changes)}: {'; '.join(_said_together([*list_outcomes, *outcomes]))}."


def _head(undoing: bool, changes: list[Change]) -> str:
    who, where = _ORIGIN_SUBJECTS[changes[0].origin.kind]
    verb = "Undid" if undoing else "Redid"
    if changes[0].action in ("undone", "redone"):  # a redo, or the undo of one
        return f"{verb} what {who} {'undid' if changes[0].action == 'undone' else 'redid'}{where}"
    whose = "your" if who == "you" else f"{who}'s"
    count = len(changes)
    return f"{verb} {whose} {'change' if count == 1 else f'{count} changes'}{where}"


def _said_together(outcomes: Sequence[Outcome | None]) -> list[str]:
    # (one, many) for alike outcomes said together; (index,) for one said as it is
    groups: dict[tuple[Any, ...], list[str]] = {}
    said = [each for each in outcomes if each is not None]
    for index, each in enumerate(said):
        key = (each.one, each.many) if each.title is not None else (index,)
        groups.setdefault(key, []).append(each.title)
    lines = []
    for key, titles in groups.items():
        if len(key) == 1:
            lines.append(said[key[0]].one)
        elif len(titles) == 1:
            lines.append(key[0].format(_quoted(titles[0])))
        elif len(titles) <= SHOWN_ONE_BY_ONE:
            quoted = [_quoted(title) for title in titles]
            lines.append(key[1].format(f"{', '.join(quoted[:-1])} and {quoted[-1]}"))
        else:
            lines.append(key[1].format(f"{len(titles)} tasks"))
    return lines
