"""The routines, in a table of the task file (migration 5): written in its transactions, kept
private and backed up with the tasks. A connection per call: routines change rarely, and a
restored backup is then read as it is.

`claim` is how a run is decided: the check that an occurrence has not run and the record that
it has are one write transaction, so of two processes (the window and a `--tray`) only one
ever runs it.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from app.common import clock
from app.common.database import guarded, open_database, transaction
from app.common.errors import UserError
from app.routines.builtins import BUILTINS, builtin
from app.routines.model import Routine
from app.routines.schedule import next_run
from app.routines.when import in_words, read_when
from app.tasks.migrations import MIGRATIONS
from app.tasks.when.dates import timestamp

MAX_ROUTINES = 100
MAX_NAME = 80
MAX_PROMPT = 4000
_COLUMNS = "id, name, prompt, rule, enabled, since, last_run, last_conversation, last_outcome"


class RoutineNotFoundError(UserError):
    pass


def _routine(row: tuple) -> Routine:
    routine_id, name, prompt, rule, enabled, since, last_run, conversation, outcome = row
    return Routine(routine_id, name, prompt, rule, bool(enabled), since, last_run, conversation,
                   outcome, builtin=builtin(name) is not None)


@guarded
class RoutineStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = open_database(self.path, MIGRATIONS)
        try:
            yield conn
        finally:
            conn.close()

    # -- reading ---------------------------------------------------------------------------

    def stored(self) -> list[Routine]:
        with self._connection() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM routines ORDER BY name").fetchall()
        return [_routine(row) for row in rows]

    def all(self) -> list[Routine]:
        """Every routine: the stored ones, and the built-in ones not stored yet (off)."""
        stored = self.stored()
        names = {routine.name.casefold() for routine in stored}
        offered = [r for r in BUILTINS if r.name.casefold() not in names]
        return sorted(stored + offered, key=lambda r: r.name.casefold())

    def get(self, name: str) -> Routine:
        wanted = str(name).strip().casefold()
        found = next((r for r in self.all() if r.name.casefold() == wanted), None)
        if found is None:
            raise RoutineNotFoundError(f"There is no routine called '{str(name).strip()}'; "
                                       "`task-assistant routines` lists them.")
        return found

    # -- writing ---------------------------------------------------------------------------

    def add(self, name: str, when: str, prompt: str, *, enabled: bool = True) -> Routine:
        name, prompt = _checked_name(name), _checked_prompt(prompt)
        rule = _runnable(read_when(when))
        with self._connection() as conn, transaction(conn):
            self._refuse_taken(conn, name)
            if conn.execute("SELECT count(*) FROM routines").fetchone()[0] >= MAX_ROUTINES:
                raise UserError(f"There are {MAX_ROUTINES} routines already; remove one first.")
            self._insert(conn, name, prompt, rule, enabled)
        return self.get(name)

    def edit(self, name: str, *, when: str | None = None, prompt: str | None = None) -> Routine:
        current = self.get(name)
        if when is None and prompt is None:
            raise UserError("Give --when or --prompt (or both) to change.")
        rule = _runnable(read_when(when)) if when is not None else current.rule
        prompt = _checked_prompt(prompt) if prompt is not None else current.prompt
        with self._connection() as conn, transaction(conn):
            if current.id is None:  # a built-in one, stored when first changed
                self._insert(conn, current.name, prompt, rule, False)
            else:
                since = timestamp() if rule != current.rule else current.since
                self._update(conn, current, "prompt = ?, rule = ?, since = ?",
                             (prompt, rule, since))
        return self.get(current.name)

    def set_enabled(self, name: str, enabled: bool) -> Routine:
        current = self.get(name)
        with self._connection() as conn, transaction(conn):
            if current.id is None:
                self._insert(conn, current.name, current.prompt, current.rule, enabled)
            elif current.enabled != enabled:
                self._update(conn, current, "enabled = ?, since = ?", (int(enabled), timestamp()))
        return self.get(current.name)

    def remove(self, name: str) -> Routine:
        current = self.get(name)
        if current.id is None:
            raise UserError(f"'{current.name}' is built in and not turned on; there is nothing "
                            "to remove.")
        with self._connection() as conn, transaction(conn):
            conn.execute("DELETE FROM routines WHERE id = ?", (current.id,))
        return current

    def claim(self, name: str, occurrence: datetime, *, manual: bool = False) -> bool:
        """Record that `occurrence` runs now, if nobody has: True for the one caller that may
        run it. A manual run (`routines run`) is always allowed, and counts as today's."""
        with self._connection() as conn, transaction(conn):
            row = conn.execute("SELECT enabled, last_run FROM routines WHERE name = ?",
                               (name,)).fetchone()
            if row is None:
                return manual  # a built-in one, not stored: it can be run by hand only
            enabled, last_run = row
            if not manual and (not enabled or (last_run and datetime.fromisoformat(last_run)
                                               >= occurrence)):
                return False
            conn.execute("UPDATE routines SET last_run = ? WHERE name = ?",
                         (timestamp(occurrence), name))
        return True

    def record_outcome(self, name: str, conversation_id: str | None, outcome: str) -> None:
        with self._connection() as conn, transaction(conn):
            conn.execute("UPDATE routines SET last_conversation = ?, last_outcome = ? "
                         "WHERE name = ?", (conversation_id, outcome[:500], name))

    # -- inside a transaction ----------------------------------------------------------------

    @staticmethod
    def _refuse_taken(conn: sqlite3.Connection, name: str) -> None:
        taken = conn.execute("SELECT name FROM routines WHERE name = ?", (name,)).fetchone()
        if taken or (builtin(name) is not None):
            raise UserError(f"There is already a routine called '{taken[0] if taken else name}'"
                            "; choose another name or edit that one.")

    @staticmethod
    def _insert(conn: sqlite3.Connection, name: str, prompt: str, rule: str,
                enabled: bool) -> None:
        stamp = timestamp()
        conn.execute("INSERT INTO routines (name, prompt, rule, enabled, since, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (name, prompt, rule, int(enabled), stamp,
                                                   stamp))

    @staticmethod
    def _update(conn: sqlite3.Connection, current: Routine, assignments: str,
                values: tuple) -> None:
        changed = conn.execute(f"UPDATE routines SET {assignments} WHERE id = ?",
                               (*values, current.id)).rowcount
        if not changed:  # removed by another process since it was read
            raise RoutineNotFoundError(f"The routine '{current.name}' was removed meanwhile; "
                                       "nothing was changed.")


def _checked_name(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise UserError("Give the routine a name, like \"Morning check\".")
    if len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise UserError(f"A routine's name is one line of at most {MAX_NAME} characters.")
    return cleaned


def _checked_prompt(prompt: str) -> str:
    cleaned = str(prompt).strip()
    if not cleaned:
        raise UserError("Give the routine a prompt: what the assistant should do.")
    if len(cleaned) > MAX_PROMPT:
        raise UserError(f"A routine's prompt is at most {MAX_PROMPT} characters.")
    return cleaned


def _runnable(rule: str) -> str:
    if next_run(rule, clock.now()) is None:
        raise UserError(f"'{in_words(rule)}' never runs again: check its UNTIL or COUNT.")
    return rule
