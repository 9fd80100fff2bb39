"""Opening a SQLite file safely: private, checked, version first, then WAL, then pending
migrations (race-free between processes).

Both databases (tasks, conversations) open through here, each with its own list of migrations.
"""

import functools
import inspect
import os
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from app.common.database_problems import DatabaseBusyError, explain, is_marked_damaged
from app.common.errors import UserError
from app.common.private_files import private_database, private_dir


class DatabaseTooNewError(UserError):
    pass


class DatabaseUnreadableError(UserError):
    pass


# A migration is a script, or a repair function of the connection that may return a sentence.
Migration = str | Callable[[sqlite3.Connection], str | None]
StoreClass = TypeVar("StoreClass", bound=type)

_SQLITE_MAGIC = b"SQLite format 3\0"
BUSY_TIMEOUT = 10  # seconds a write waits for another process before it is "busy"


def open_database(path: Path, migrations: Sequence[Migration]) -> sqlite3.Connection:
    """Open (creating if needed, private) and migrate; never touch a file from a newer version.

    Read-only when the file is known to be damaged or cannot be written (a read-only data
    directory): reads work, every write fails with one sentence (see database_problems).
    """
    private_dir(path.parent)
    private_database(path)
    read_only = is_marked_damaged(path) or not _writable(path)
    # Switching a file into WAL (a new or older store) can answer "busy" at once, without
    # waiting, while another process does the same: then the whole opening is tried again.
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return _open(path, migrations, read_only)
        except DatabaseBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


# Python's own open() and close() of a database file that SQLite holds open in this process
# releases SQLite's locks on it (POSIX advisory locks belong to the process and the file, not
# to a descriptor). Another process's connection then believes it is the last one, checkpoints
# and deletes the WAL under a live connection, whose later writes are lost: a window start
# opening the task file a second time (routines, sync) lost the assistant's new task that way.
# So the header is read only while no connection of this process holds the file; a file held
# here was checked when it was first opened, and SQLite guards it from then on.
class _Connection(sqlite3.Connection):
    """sqlite3's connection, which (unlike the base class) can be weakly referenced."""


_held: dict[tuple[str, int], weakref.WeakSet[_Connection]] = {}
_held_lock = threading.Lock()


def _file_key(path: Path) -> tuple[str, int] | None:
    try:
        return str(path.resolve()), path.stat().st_ino
    except OSError:
        return None  # not there yet: SQLite creates it


def _is_open(conn: _Connection) -> bool:
    try:
        conn.in_transaction  # noqa: B018  (a closed connection raises here)
    except sqlite3.ProgrammingError:
        return False
    return True


def _check_header_unless_held(path: Path) -> None:
    with _held_lock:
        key = _file_key(path)
        if key is not None and not any(_is_open(conn) for conn in _held.get(key, ())):
            _check_header(path)


def _hold(path: Path, conn: sqlite3.Connection) -> None:
    key = _file_key(path)
    if key is not None and isinstance(conn, _Connection):
        with _held_lock:
            _held.setdefault(key, weakref.WeakSet()).add(conn)


def _open(path: Path, migrations: Sequence[Migration], read_only: bool) -> sqlite3.Connection:
    try:
        _check_header_unless_held(path)
    except sqlite3.Error as error:
        problem = explain(error, path)
        raise problem or DatabaseUnreadableError(
            f"Could not open {path}: {str(error).rstrip('.')}.") from None
    conn = _connect(path, read_only)
    _hold(path, conn)
    try:
        _check_tables(conn)
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        _refuse_newer(path, version, migrations)
        if not read_only:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives a crash
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA mmap_size=268435456")  # reads straight from the page cache
        if version < len(migrations):
            if read_only:
                raise DatabaseUnreadableError(f"{path} needs an update this version makes, but "
                                              "it cannot be written; nothing was changed.")
            _migrate(conn, path, migrations)
    except sqlite3.Error as error:
        conn.close()
        problem = explain(error, path)
        if problem is None:
            problem = DatabaseUnreadableError(f"Could not open {path}: {str(error).rstrip('.')}.")
        raise problem from None
    except BaseException:
        conn.close()
        raise
    return conn


def _writable(path: Path) -> bool:
    # SQLite needs the directory too (the -wal and -shm files live beside the database).
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        return _sqlite_connect(path)
    uri = path.resolve().as_uri()
    # A WAL file's readers need its -shm; in a read-only directory without one, read the
    # file as it stands (a cleanly closed store has everything in the main file).
    shm_missing = not path.with_name(path.name + "-shm").exists()
    flags = "mode=ro&immutable=1" if shm_missing and not os.access(path.parent, os.W_OK) \
        else "mode=ro"
    return _sqlite_connect(f"{uri}?{flags}", uri=True)


def _sqlite_connect(target: Path | str, uri: bool = False) -> sqlite3.Connection:
    # Autocommit mode: every write goes through transaction(), which says BEGIN itself.
    return sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT,
                           check_same_thread=False, uri=uri, factory=_Connection)


def _check_header(path: Path) -> None:
    """The cheap check at open: the first page's header is SQLite's, and the file is as long
    as the header says (a truncated or overwritten file fails here, before any query)."""
    with open(path, "rb") as file:
        header = file.read(100)
        size = os.fstat(file.fileno()).st_size
    if not header:
        return  # a new, empty file
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise sqlite3.DatabaseError("file is not a database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_counts_valid = header[24:28] == header[92:96]  # SQLite's own validity rule
    if page_size < 512 or page_size & (page_size - 1) or size % page_size:
        raise sqlite3.DatabaseError("database disk image is malformed (bad page size)")
    if header_counts_valid and pages and pages * page_size > size:
        raise sqlite3.DatabaseError("database disk image is malformed (file is truncated)")


def _check_tables(conn: sqlite3.Connection) -> None:
    """The rest of the cheap check: the schema and the first page of every table read back
    (a few pages whatever the file's size; damage deeper in is caught when it is read)."""
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                          "AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall()
    for (name,) in tables:
        conn.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()


def _refuse_newer(path: Path, version: int, migrations: Sequence[Migration]) -> None:
    if version > len(migrations):
        raise DatabaseTooNewError(
            f"{path} was written by a newer version of Task Assistant (schema {version}; "
            f"this version knows up to {len(migrations)}). Update the app; the file was "
            "left untouched.")


def _migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration]) -> None:
    """Each pending migration in its own write transaction, the version read inside it: when
    two processes open a new or older file at once, the second waits for the first and then
    finds nothing left to do, so no migration ever runs twice. A migration is a script, or a
    function of the connection (a repair) that may return a sentence for the user: it is
    written to stderr once, after its transaction committed."""
    while True:
        notice = None
        with transaction(conn):
            version: int = conn.execute("PRAGMA user_version").fetchone()[0]
            _refuse_newer(path, version, migrations)
            if version >= len(migrations):
                return
            step = migrations[version]
            if callable(step):
                notice = step(conn)
            else:  # executescript() would commit on its own; run each statement in this one
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        if notice:
            print(notice, file=sys.stderr)


def guarded(cls: StoreClass) -> StoreClass:
    """Class decorator for a store with a `path`: every SQLite error from its public methods
    becomes the one sentence `database_problems.explain` gives (damaged, full, read-only,
    busy), so no front end ever shows "something went wrong" for them. A store that can find
    its file replaced (a restored backup) has `_follow_replaced_file`, called first."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member) \
                or inspect.iscoroutinefunction(member):
            continue
        setattr(cls, name, _guard(member))
    return cls


def _guard(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def guarded_method(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            follow = getattr(self, "_follow_replaced_file", None)
            if follow is not None and method.__name__ != "close":
                follow()
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            problem = explain(error, self.path)
            if problem is None:
                raise
            raise problem from None
    return guarded_method


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


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device and inode), or None when there is none: a file put in
    its place (a restored backup) has another identity."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


class OutsideWrites:
    """Whether another connection committed to the file since the last look: another process
    (the CLI, `ask`, another window) or another connection in this one (the Agents SDK's)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._version = self._read()

    def _read(self) -> int:
        # data_version changes only for commits by other connections, never for our own.
        version: int = self._conn.execute("PRAGMA data_version").fetchone()[0]
        return version

    def happened(self) -> bool:
        version = self._read()
        changed, self._version = version != self._version, version
        return changed
