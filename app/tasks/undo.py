"""Undo and redo as plans: which task goes back to which snapshot, and the sentences around it.

Undoing changes puts each task back as it was before the first of them, but only if it is still
as the last of them left it; otherwise a later change would be silently thrown away, so the
undo is refused with a sentence naming that change (`force` overrides). Redo is the undo of an
undo, planned the same way. The store applies the plan in one transaction.
"""

from collections import namedtuple

from app.common.errors import UserError
from app.tasks.history import Change, is_list, subject_words

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
                   (steps[0].before or steps[-1].after or {}).get(
                       "name" if is_list(task_id) else "title", "?"))
            for task_id, steps in by_task.items()]


def in_order(reverts: list[Revert]) -> list[Revert]:
    """Lists that come back (or get their name back) first, so the tasks returning to them find
    them; lists that go last, once their tasks have moved out."""
    def rank(revert: Revert) -> int:
        if not is_list(revert.task_id):
            return 1
        return 2 if revert.desired is None else 0
    return sorted(reverts, key=rank)


def conflict(revert: Revert, later: Change | None, verb: str, current: dict | None) -> str:
    what = _words(revert, current)
    if later is None:
        return f"Cannot {verb}: {what} is no longer as that change left it."
    fields = f" ({', '.join(later.fields)})" if later.action == "edited" and later.fields else ""
    return (f"Cannot {verb}: {what} was {_later_action(later)}{fields} later, "
            f"{later.origin.words} at {_clock_time(later.at)}.")


def _later_action(change: Change) -> str:
    return {"undone": "changed by an undo", "redone": "changed by a redo",
            "imported": "imported"}.get(change.action, change.action)


def _clock_time(stamp: str) -> str:
    from datetime import datetime

    moment = datetime.fromisoformat(stamp).astimezone()
    return f"{moment:%Y-%m-%d %H:%M}"


def _words(revert: Revert, current: dict | None) -> str:
    key = "name" if is_list(revert.task_id) else "title"
    return subject_words(revert.task_id, {key: (current or {}).get(key, revert.title)})


def outcome(revert: Revert, current: dict | None) -> str:
    """What putting the task back did, for people: "restored task 7 'Buy milk' (notes)"."""
    what = _words(revert, None)
    desired = revert.desired
    if is_list(revert.task_id) and desired is not None and current is not None:
        return f"renamed list '{current['name']}' to '{desired['name']}'"
    if desired is None:
        return f"removed {what}"
    if current is None:
        return f"brought back {what}"
    if "trashed_at" in desired and "trashed_at" not in current:
        return f"moved {what} back to the trash"
    if "trashed_at" in current and "trashed_at" not in desired:
        return f"brought back {what} from the trash"
    fields = [name for name in desired if name not in ("updated_at", "trashed_at")
              and desired.get(name) != current.get(name)]
    return f"restored {what}" + (f" ({', '.join(fields)})" if fields else "")


def summary(verb: str, changes: list[Change], outcomes: list[str],
            list_outcomes: list[str] = ()) -> str:
    """"Undone: the change made by the assistant: restored task 7 'Buy milk' (notes)."; what
    happened to lists is always said in full, many tasks are summed up."""
    origin = changes[0].origin.words
    count = len(changes)
    head = f"{verb} {'the change' if count == 1 else f'{count} changes'} made {origin}"
    if len(outcomes) <= SHOWN_ONE_BY_ONE:
        return f"{head}: {'; '.join([*list_outcomes, *outcomes])}."
    counts: dict[str, int] = {}
    for line in outcomes:
        kind = line.split(" task ")[0]
        counts[kind] = counts.get(kind, 0) + 1
    return f"{head}: " + ", ".join([*list_outcomes, *(
        f"{kind} {number} task{'s' if number != 1 else ''}"
        for kind, number in counts.items())]) + "."
