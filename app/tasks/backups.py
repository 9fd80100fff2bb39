"""Backups of the task file in `backups/` beside it: consistent copies taken with SQLite's online
backup API while the store is in use, 7 daily and 4 weekly kept, and a restore that never loses
the current file.

A copy is checked (`PRAGMA quick_check`) before it is kept: a damaged store is found here, is
marked damaged, and never pushes a good backup out of the rotation.
"""

import os
import re
import sqlite3
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from app.common import clock
from app.common.database import BUSY_TIMEOUT
from app.common.database_problems import (
    DamagedDatabaseError,
    DatabaseBusyError,
    busy_sentence,
    damage_marker,
    damaged_sentence,
    is_damage,
    is_marked_damaged,
    mark_damaged,
)
from app.common.errors import UserError
from app.common.file_lock import LockTimeout, locked
from app.common.private_files import private_dir, tighten

FOLDER = "backups"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_SET_ASIDE = 3  # files a restore moved aside: the newest are kept, older ones removed
INTERVAL = timedelta(days=1)
_NAME = re.compile(r"tasks-(\d{4}-\d\d-\d\dT\d{6})(?:-(\d+))?\.sqlite3")
_STAMP = "%Y-%m-%dT%H%M%S"
_ASIDE = re.compile(r"\.before-restore-(\d{4}-\d\d-\d\dT\d{6})(?:-(\d+))?")

Backup = namedtuple("Backup", ("name", "path", "taken", "size"))


def folder(db_path: Path) -> Path:
    return db_path.parent / FOLDER


def list_backups(db_path: Path) -> list[Backup]:
    """Every backup, newest first."""
    try:
        entries = list(folder(db_path).iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if not match:
            continue
        try:
            size = entry.stat().st_size
        except OSError:
            continue  # pruned by another process since the listing
        taken = datetime.strptime(match.group(1), _STAMP)
        found.append((taken, int(match.group(2) or 1), Backup(entry.name, entry, taken, size)))
    return [backup for *_, backup in sorted(found, key=lambda item: item[:2], reverse=True)]


def is_due(db_path: Path) -> bool:
    """True when there is no backup yet, or the newest is more than a day old."""
    backups = list_backups(db_path)
    return not backups or _local_now() - backups[0].taken > INTERVAL


def take_if_due(db_path: Path) -> Backup | None:
    """The automatic backup: at start, and checked hourly while the app runs (so a laptop that
    slept still gets one a day)."""
    return take(db_path) if db_path.exists() and is_due(db_path) else None


def take(db_path: Path) -> Backup:
    """A consistent copy of the store as it is now, checked, then the rotation pruned.
    UserError when the store is damaged or the copy fails.

    Under the backups' lock, which a restore holds too: a backup taken between a restore's
    move aside and its putting the backup in place read no file, or a new one with the old
    -wal; two in one second (the window's and the CLI's) copied into one file and pruned each
    other's. Writers carry on meanwhile (the online backup reads a consistent snapshot): a
    100,000-task file takes ~0.4 s to copy and check, which a window write must not wait for."""
    with _backups_lock(db_path):
        return _take(db_path)


def _take(db_path: Path) -> Backup:
    if is_marked_damaged(db_path):
        raise DamagedDatabaseError(damaged_sentence(db_path) + " (No backup was taken.)")
    if not db_path.exists():
        raise UserError(f"There is no task file to back up yet ({db_path}).")
    target = _new_path(db_path)
    partial = target.with_name("." + target.name + ".partial")
    try:
        problem = _copy(db_path, partial) or _check(partial)
        if problem:
            mark_damaged(db_path, problem)
            raise DamagedDatabaseError(damaged_sentence(db_path) + " (No backup was taken.)")
        os.replace(partial, target)
    except OSError as error:
        raise UserError(f"The backup could not be written to {target.parent} "
                        f"({error.strerror or error}).") from None
    finally:
        partial.unlink(missing_ok=True)
    prune(db_path)
    return list_backups(db_path)[0]


def prune(db_path: Path) -> list[Backup]:
    """Keeps the newest backup of each of the last 7 days that have one and of each of the
    last 4 weeks; removes the rest and returns them."""
    backups = list_backups(db_path)
    keep: set[str] = set()
    periods: tuple[tuple[Callable[[datetime], object], int], ...] = (
        (lambda taken: taken.date(), KEEP_DAILY),
        (lambda taken: taken.isocalendar()[:2], KEEP_WEEKLY))
    for period, count in periods:
        seen: list[object] = []
        for backup in backups:  # newest first: the first of each period is its newest
            key = period(backup.taken)
            if key not in seen and len(seen) < count:
                seen.append(key)
                keep.add(backup.name)
    removed = [backup for backup in backups if backup.name not in keep]
    for backup in removed:
        backup.path.unlink(missing_ok=True)
    return removed


def restore(db_path: Path, name: str | None = None) -> tuple[Backup, Path | None]:
    """Puts a backup (the newest, or `name`) in place of the store. The current file (with its
    -wal) is moved aside, never overwritten, and returned; this works when it is damaged.
    A running window, `ask` or `mcp serve` keeps working: each TaskStore reopens the file at
    the path before its next call, and the window shows the restored tasks within a second.
    Ids keep counting from where the current file got to (see _keep_ids_ahead).

    Under the backups' lock (no backup being taken prunes the chosen one away, or reads the
    file mid-move), and for the move itself the write lock: no write lands between reading the
    ids handed out and the move (a TaskStore that waited for the lock writes to the restored
    file), and no store opens between the move aside and the backup put in place."""
    with _backups_lock(db_path):
        return _restore(db_path, name)


def _restore(db_path: Path, name: str | None) -> tuple[Backup, Path | None]:
    backups = list_backups(db_path)
    if not backups:
        raise UserError(f"There are no backups in {folder(db_path)} yet.")
    chosen = backups[0] if name is None else next(
        (backup for backup in backups if backup.name == name.strip()), None)
    if chosen is None:
        raise UserError(f"There is no backup called {name!r}: see `task-assistant backups` "
                        "for their names.")
    incoming = db_path.with_name("." + db_path.name + ".restoring")
    try:
        problem = _check(chosen.path)
        if problem:
            raise UserError(f"The backup {chosen.name} is itself damaged ({problem}); choose "
                            "an older one by name.")
        _copy(chosen.path, incoming)
        with write_lock(db_path):
            _keep_ids_ahead(incoming, db_path)
            aside = _move_aside(db_path)
            os.replace(incoming, db_path)
        tighten(db_path)
        damage_marker(db_path).unlink(missing_ok=True)
    except OSError as error:
        raise UserError(f"The backup could not be restored ({error.strerror or error}); "
                        "nothing was changed.") from None
    finally:
        incoming.unlink(missing_ok=True)
    _prune_set_aside(db_path)
    return chosen, aside


@contextmanager
def _backups_lock(db_path: Path) -> Iterator[None]:
    """Held by a backup being taken and by a restore, so neither reads or prunes the files the
    other is moving; taken before the write lock, never inside it."""
    with ExitStack() as stack:
        try:
            stack.enter_context(locked(db_path.with_name(db_path.name + ".backups")))
        except LockTimeout:
            raise UserError(f"A backup or restore of {db_path} has been under way for over "
                            "10 s; nothing was done. Try again once it ends.") from None
        except OSError:
            pass  # a read-only folder: no backup can be written there anyway
        yield


_held_here = threading.local()  # the lock files this thread holds: taking one again is a no-op


OPENING_WAIT = 1.0  # seconds an opening waits for the lock: a restore's move takes milliseconds


@contextmanager
def write_lock(db_path: Path, *, opening: bool = False) -> Iterator[None]:
    """Held by every write to the task file, by every opening of it, and by a restore, so
    none of them overlap. Where the lock file cannot be made (a read-only folder, where no
    write succeeds anyway) the write goes ahead without it. Held by another program for over
    10 s (stopped mid-write), a write is refused with one sentence; an opening waits a second,
    then goes ahead without it, so reading still works (TaskStore._open's identity check
    keeps it off a file a restore set aside).

    Taken again by the thread that holds it (a write that reopens a restored file), it is
    already held: a second flock on another descriptor would wait for this thread forever."""
    held: set[str] = getattr(_held_here, "paths", set())
    _held_here.paths = held
    key = os.path.abspath(db_path)  # as the lock file's path is made: the file actually locked
    if key in held:
        yield
        return
    with ExitStack() as stack:
        try:
            # A write waits as long as SQLite's own busy wait, and is refused in its words.
            stack.enter_context(locked(db_path, OPENING_WAIT if opening else BUSY_TIMEOUT))
        except LockTimeout:
            # Nothing is written, and the sentence says why. An opening reads on without the
            # lock, but never creates the file: its holder may be a restore stopped between
            # moving the file aside and putting the backup in place.
            if not opening or not db_path.exists():
                raise DatabaseBusyError(busy_sentence(db_path)) from None
        except OSError:
            pass
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)


# -- files ------------------------------------------------------------------------------------

def _local_now() -> datetime:
    return clock.now().astimezone().replace(tzinfo=None)


def _new_path(db_path: Path) -> Path:
    base = private_dir(folder(db_path)) / f"tasks-{_local_now().strftime(_STAMP)}"
    path, number = base.with_suffix(".sqlite3"), 1
    while path.exists():  # two backups in one second
        number += 1
        path = base.with_name(f"{base.name}-{number}.sqlite3")
    return path


def _copy(source: Path, target: Path) -> str | None:
    """SQLite's online backup: a consistent snapshot even while another connection writes.
    The copy is one self-contained file (rollback journal, no -wal) created 0600. Returns
    what is wrong with the source when its pages could not be read (a damaged schema)."""
    target.unlink(missing_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")
        finally:
            writer.close()
    except sqlite3.DatabaseError as error:
        if is_damage(error):  # the copy is new: what could not be read is the store
            return str(error)
        raise OSError(0, str(error)) from None
    finally:
        reader.close()
    return None


def _keep_ids_ahead(incoming: Path, current: Path) -> None:
    """Ids handed out since the backup are never handed out again: a window or an MCP client
    still holding task 57, or a chat's Undo holding history row 900, must not reach another
    task or change after the restore. Best effort from a damaged current file."""
    # Without a -wal everything is in the main file: read it as it stands, creating no -wal or
    # -shm beside it (they would be set aside with it as clutter).
    flags = "mode=ro" if current.with_name(current.name + "-wal").exists() \
        else "mode=ro&immutable=1"
    try:
        reader = sqlite3.connect(f"{current.resolve().as_uri()}?{flags}", uri=True, timeout=10)
        try:
            used = reader.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
        finally:
            reader.close()
    except sqlite3.Error:
        return  # damaged or absent: its ids cannot be read, and it is kept aside anyway
    writer = sqlite3.connect(incoming)
    try:
        with writer:
            for name, seq in used:
                moved = writer.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) "
                                       "WHERE name = ?", (seq, name)).rowcount
                if not moved:
                    writer.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                   (name, seq))
    finally:
        writer.close()


def _check(path: Path) -> str | None:
    """None when the file passes SQLite's quick check, else what is wrong. A file that cannot
    be read at all (gone, unreadable) is an OSError, not damage: it must not mark the store."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        if is_damage(error):
            return str(error)
        raise OSError(0, str(error)) from None
    return None if result == "ok" else result


def set_aside_files(db_path: Path) -> list[Path]:
    """The files restores moved aside (not their -wal companions), newest first."""
    found = []
    for entry in db_path.parent.glob(db_path.name + ".before-restore-*"):
        match = _ASIDE.fullmatch(entry.name[len(db_path.name):])
        if match:
            found.append((match.group(1), int(match.group(2) or 1), entry))
    return [entry for *_, entry in sorted(found, reverse=True)]


def _prune_set_aside(db_path: Path) -> None:
    """17 restores must not leave 51 files: the newest KEEP_SET_ASIDE stay, with their -wal."""
    for old in set_aside_files(db_path)[KEEP_SET_ASIDE:]:
        for path in (old, old.with_name(old.name + "-wal"), old.with_name(old.name + "-shm")):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass  # removed next time


def _move_aside(db_path: Path) -> Path | None:
    if not db_path.exists():
        return None
    stamp = _local_now().strftime(_STAMP)
    # Numbered past every one of this second, never into a gap pruning left: the newest file
    # must sort newest, or the next pruning would remove it.
    taken = [int(match.group(2) or 1) for match in
             (_ASIDE.fullmatch(path.name[len(db_path.name):])
              for path in set_aside_files(db_path)) if match and match.group(1) == stamp]
    number = max(taken, default=0) + 1
    aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}"
                              + (f"-{number}" if number > 1 else ""))
    while aside.exists():
        number += 1
        aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}-{number}")
    os.replace(db_path, aside)
    for suffix in ("-wal", "-shm"):  # the -wal holds the newest writes: it goes with its file
        companion = db_path.with_name(db_path.name + suffix)
        if companion.exists():
            if suffix == "-wal":
                os.replace(companion, aside.with_name(aside.name + suffix))
            else:
                companion.unlink()
    return aside
