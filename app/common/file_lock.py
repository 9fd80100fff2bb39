"""A lock between processes, and between threads (each holder opens its own descriptor), around
a read-modify-write of a small file (settings.json: two processes saving different settings at
once both keep their change) or the task file's writes, openings and restores.

The wait is bounded: a holder stopped mid-write (Ctrl+Z on a command, a debugger) would
otherwise freeze every other program at its next write, or the window before its first paint.
"""

import errno
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WAIT = 10.0  # seconds, as SQLite's own busy timeout here
_POLL = 0.005  # seconds between tries: a restore's move or a write takes a few milliseconds


class LockTimeout(TimeoutError):
    """Another process held the lock for longer than WAIT."""


if sys.platform == "win32":  # (os.name == "nt"), spelled so mypy knows msvcrt
    import msvcrt

    def _try_lock(handle: int) -> bool:
        # Never LK_LOCK: its retries are a second apart, so any wait would cost a whole second.
        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EDEADLOCK):  # another holder has it
                return False
            raise  # a lock that cannot be taken here at all (a share without byte locks)
        return True
else:
    import fcntl

    def _try_lock(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


@contextmanager
def locked(path: Path, wait: float = WAIT) -> Iterator[None]:
    """Holds an exclusive lock on `<path>.lock` (created 0600, left in place: removing it
    would let a third process lock a different file) until the block ends. LockTimeout (an
    OSError) when another holder keeps it past `wait` seconds."""
    lock_path = path.with_name(path.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise LockTimeout(errno.ETIMEDOUT, f"{path.name} has been held elsewhere "
                                  f"for over {wait:.0f} s")
            time.sleep(_POLL)
        yield
    finally:
        os.close(handle)  # closing releases the lock
