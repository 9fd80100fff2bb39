"""A lock between processes, and between threads (each holder opens its own descriptor), around
a read-modify-write of a small file (settings.json: two processes saving different settings at
once both keep their change) or the task file's writes, openings and restores."""

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if sys.platform == "win32":  # (os.name == "nt"), spelled so mypy knows msvcrt
    import msvcrt

    WINDOWS_WAIT = 10.0  # seconds, as LK_LOCK's own ten retries

    def _lock(handle: int) -> None:
        """msvcrt's blocking LK_LOCK retries once a second, so any wait would cost a whole
        second (a window write meeting a CLI command's open): ask without blocking, often."""
        deadline = time.monotonic() + WINDOWS_WAIT
        while True:
            try:
                msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
else:
    import fcntl

    def _lock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Holds an exclusive lock on `<path>.lock` (created 0600, left in place: removing it
    would let a third process lock a different file) until the block ends."""
    lock_path = path.with_name(path.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _lock(handle)
        yield
    finally:
        os.close(handle)  # closing releases the lock
