"""What a failed SQLite call means to the user, in one sentence, and the memory that a file is
damaged.

A file found damaged (a "malformed" error, or the check at open) gets a marker file beside it,
`<name>.damaged`; while the marker exists every process opens the file read-only, so no write
ever goes into it. Restoring a backup removes the marker.
"""

import sqlite3
from pathlib import Path

from app.common.errors import UserError

# SQLite's primary result codes (the low byte of sqlite_errorcode)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


class DamagedDatabaseError(UserError):
    pass


class DatabaseReadOnlyError(UserError):
    pass


class DatabaseBusyError(UserError):
    pass


class DiskFullError(UserError):
    pass


def damage_marker(path: Path) -> Path:
    return path.with_name(path.name + ".damaged")


def is_marked_damaged(path: Path) -> bool:
    return damage_marker(path).exists()


def restore_hint(path: Path) -> str:
    if path.name == "tasks.sqlite3":
        return "restore the newest backup with `task-assistant backups restore`"
    return "move it aside (rename it) to start a new one; your tasks are not affected"


def damaged_sentence(path: Path) -> str:
    return (f"{path} is damaged, so nothing more will be written to it: "
            f"{restore_hint(path)}.")


def mark_damaged(path: Path, reason: str) -> None:
    try:
        damage_marker(path).write_text(reason + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only or full disk: this process still refuses writes (the error says so)


def busy_sentence(path: Path) -> str:
    # The holder may be another program or another thread of this one (each write takes the
    # lock on a descriptor of its own), so the sentence names neither.
    return (f"{path} is busy: something else has been writing to it for over 10 s, so nothing "
            "was done; try again in a moment.")


def is_damage(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return isinstance(error, sqlite3.DatabaseError) and (
        code in (_CORRUPT, _NOTADB) or "malformed" in str(error)
        or "not a database" in str(error))


def explain(error: sqlite3.Error, path: Path) -> UserError | None:
    """The sentence for `error` on the file at `path`, or None when it is not one the user can
    act on (a bug: the caller lets it through to the crash log)."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    text = str(error)
    if is_damage(error):
        mark_damaged(path, text)
        return DamagedDatabaseError(damaged_sentence(path))
    if code == _FULL or "disk is full" in text:
        return DiskFullError(f"The disk is full, so {path} could not be written and nothing was "
                             "saved: free some space and try again.")
    if code == _READONLY or "readonly database" in text:
        if is_marked_damaged(path):
            return DamagedDatabaseError(damaged_sentence(path))
        return DatabaseReadOnlyError(f"{path} is read-only, so nothing was saved (listing and "
                                     "searching still work).")
    if code in (_BUSY, _LOCKED) or "database is locked" in text:
        return DatabaseBusyError(busy_sentence(path))
    if code in (_CANTOPEN, _IOERR):
        return UserError(f"Could not read or write {path} ({text.rstrip('.')}).")
    return None
