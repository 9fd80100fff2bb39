"""Undo and redo applied: undo.py plans which task goes back to which snapshot; this puts the
plan into the file, refusing a task or list that changed since, an orphaned subtask, or a list
that still holds tasks. TaskStore holds the transaction and announces."""

import sqlite3

from app.common.errors import UserError
from app.tasks import undo
from app.tasks.history import ORIGIN_WORDS, Change, HistoryLog, Origin, Recorder, Step, is_list
from app.tasks.task_rows import Snapshot, TaskRows, complete


class Reverting:
    """One undo or redo's changes, applied; `outcomes` say what it did, for the summary."""

    def __init__(self, conn: sqlite3.Connection, rows: TaskRows, log: HistoryLog) -> None:
        self._conn = conn
        self._rows = rows
        self._log = log
        self.outcomes: list[undo.Outcome | None] = []
        self.list_outcomes: list[undo.Outcome | None] = []

    def apply(self, history: Recorder, reverts: list[undo.Revert], *, force: bool,
              undoing: bool) -> None:
        verb = "undo" if undoing else "redo"
        for revert in reverts:
            a_list = is_list(revert.task_id)
            current = self._rows.list_state(-revert.task_id) if a_list else \
                self._rows.state(revert.task_id)
            if _comparable(revert.task_id, current) != \
                    _comparable(revert.task_id, revert.expected) and not force:
                later = self._log.latest_change_after(revert.task_id, revert.last_id)
                raise undo.UndoConflictError(undo.conflict(revert, later, verb, current))
            (self.list_outcomes if a_list else self.outcomes).append(
                undo.outcome(revert, current))
            if a_list:
                self._put_list(-revert.task_id, revert.desired, verb)
            else:
                self._rows.put(revert.task_id, current, revert.desired)
            change_id = history.record(revert.task_id, "undone" if undoing else "redone",
                                       current, revert.desired, reverts=revert.last_id)
            self._log.mark_undone(revert.change_ids, change_id)
        self._refuse_orphans(reverts, verb)

    def _refuse_orphans(self, reverts: list[undo.Revert], verb: str) -> None:
        """A task an undo or redo takes away (its creation undone, say) that has got a subtask
        since would leave that subtask under a task that is not there: refused, with the
        reason, rather than moving the subtask somewhere the user did not put it."""
        for revert in reverts:
            if is_list(revert.task_id) or (revert.desired is not None
                                           and "trashed_at" not in revert.desired):
                continue
            child = self._conn.execute("SELECT id, title FROM tasks WHERE parent_id = ? "
                                       "ORDER BY id LIMIT 1", (revert.task_id,)).fetchone()
            if child:
                raise UserError(
                    f"Cannot {verb}: task {revert.task_id} '{revert.title}' has a subtask now "
                    f"(task {child[0]} '{child[1]}'); make it a task of its own or delete it "
                    "first.")

    def _put_list(self, list_id: int, desired: Snapshot | None, verb: str) -> None:
        """Bring a list back (with its id, which sync follows), rename it, or remove it; a list
        still holding tasks, or a name another list has taken since, is refused."""
        current = self._rows.list_state(list_id)
        if desired is None:
            held = self._conn.execute("SELECT count(*) FROM tasks WHERE list_id = ?",
                                      (list_id,)).fetchone()[0]
            if held:
                name = current["name"] if current else "?"
                raise UserError(  # not a conflict --force could override: no task is dropped
                    f"Cannot {verb}: list '{name}' holds {held} task"
                    f"{'s' if held != 1 else ''} now; move {'them' if held != 1 else 'it'} to "
                    "another list first.")
            self._conn.execute("DELETE FROM lists WHERE id = ?", (list_id,))
            return
        if self._conn.execute("SELECT 1 FROM lists WHERE name = ? AND id != ?",
                              (desired["name"], list_id)).fetchone():
            raise UserError(
                f"Cannot {verb}: there is another list '{desired['name']}' now; rename or "
                "remove it first.")
        if current is None:
            self._conn.execute("INSERT INTO lists (id, name, created_at) VALUES (?, ?, ?)",
                               (list_id, desired["name"], desired["created_at"]))
        else:
            self._conn.execute("UPDATE lists SET name = ? WHERE id = ?",
                               (desired["name"], list_id))


def _comparable(subject: int, snapshot: Snapshot | None) -> Snapshot | None:
    return complete(snapshot) if snapshot and not is_list(subject) else snapshot


def moved_with(log: HistoryLog, change: Change) -> list[Change]:
    """A list's removal came with its tasks' moves out of it (in its step): undoing the
    one change (a tool line's Undo) takes back both, or the list would come back empty."""
    if not is_list(change.task_id) or change.before is None or change.after is not None:
        return []
    name = change.before["name"]
    return [other for other in log.live_changes_of_step(change.step)
            if not is_list(other.task_id) and other.before and other.after
            and other.before.get("list") == name and other.after.get("list") != name]


def nothing_to(verb: str, by: Origin | Step, conversation_id: str | None,
               origin: str | tuple[str, ...] | None) -> str:
    """Why undo or redo found nothing, in one sentence naming where it looked."""
    if conversation_id:
        caller = by.origin if isinstance(by, Step) else by
        if caller.kind == "mcp":
            return (f"There is nothing to {verb} from this MCP session; changes made by other "
                    f"MCP clients or in the app are not this session's to {verb}.")
        return f"There is nothing to {verb} in this {caller.scope_name}."
    if origin:
        what = "changed" if verb == "undo" else "undone"
        kinds = (origin,) if isinstance(origin, str) else origin
        return f"There is nothing to {verb} that was {what} " \
               f"{' or '.join(dict.fromkeys(ORIGIN_WORDS[kind] for kind in kinds))}."
    return f"There is nothing to {verb}."
