"""Opening a SQLite file safely: version check first, then WAL, then pending migrations.

Both databases (tasks, conversations) open through here, each with its own list of migrations.
"""

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

from app.common.errors import UserError


class DatabaseTooNewError(UserError):
    pass


class DatabaseUnreadableError(UserError):
    pass


def open_database(path: Path, migrations: list[str]) -> sqlite3.Connection:
    """Open (creating if needed) and migrate; never touch a file from a newer version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: every write goes through transaction(), which says BEGIN itself.
    conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise DatabaseTooNewError(
                f"{path} was written by a newer version of Task Assistant (schema {version}; "
                f"this version knows up to {len(migrations)}). Update the app; the file was "
                "left untouched."
            )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives a crash
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA mmap_size=268435456")  # reads straight from the page cache
        _migrate(conn, version, migrations)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise DatabaseUnreadableError(f"Could not open {path}: {str(error).rstrip('.')}.") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection, version: int, migrations: list[str]) -> None:
    for number, script in enumerate(migrations[version:], start=version + 1):
        # executescript() would commit on its own; run each statement inside one transaction.
        with transaction(conn):
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")


def _statements(script: str) -> Iterator[str]:
    """Split a script at the semicolons that end statements (not those inside triggers)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error: a write is whole or absent."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class OutsideWrites:
    """Whether another connection committed to the file since the last look: another process
    (the CLI, `ask`, another window) or another connection in this one (the Agents SDK's)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._version = self._read()

    def _read(self) -> int:
        # data_version changes only for commits by other connections, never for our own.
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def happened(self) -> bool:
        version = self._read()
        changed, self._version = version != self._version, version
        return changed
