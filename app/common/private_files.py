"""Files only their owner may read (POSIX): the data directory 0700, every file in it 0600.

Tasks, conversations, settings and the log are personal; a shared machine must not show them
to other accounts. New files are created private, and looser ones are tightened when opened.
On Windows the permission bits mean nothing, so these do nothing there.
"""

import io
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
_POSIX = os.name == "posix"


def tighten(path: Path, mode: int = FILE_MODE) -> None:
    """Removes group and other permissions from `path` if it exists; never fails (a read-only
    directory or a file owned by someone else is left as it is)."""
    if not _POSIX:
        return
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
        if current & 0o077:
            os.chmod(path, current & ~0o077 & (mode | 0o700))
    except OSError:
        pass


def private_dir(path: Path) -> Path:
    """Creates `path` (and its parents) with 0700, or tightens it; returns it."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(path, DIR_MODE)
    return path


def tighten_tree(path: Path) -> None:
    """Tightens every file and folder under `path` (the data directory holds few)."""
    if not _POSIX:
        return
    for folder, folders, files in os.walk(path):
        for name in folders:
            tighten(Path(folder, name), DIR_MODE)
        for name in files:
            tighten(Path(folder, name))


def private_database(path: Path) -> None:
    """Creates an empty SQLite file as 0600 before SQLite does (SQLite gives its -wal and -shm
    files the database's own mode), and tightens an existing one with its companions."""
    if _POSIX and not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
        except OSError:
            return  # a read-only directory: opening will say so
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        tighten(companion)


def open_private_append(path: Path) -> io.TextIOWrapper:
    """`path` opened for appending text, created 0600 (the log)."""
    handle = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, FILE_MODE)
    tighten(path)
    return os.fdopen(handle, "a", encoding="utf-8")
