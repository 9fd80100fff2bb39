"""A lock between processes around a read-modify-write of a small file (settings.json): two
processes saving different settings at once both keep their change."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Holds an exclusive lock on `<path>.lock` (created 0600, left in place: removing it
    would let a third process lock a different file) until the block ends."""
    lock_path = path.with_name(path.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":  # (os.name == "nt"), spelled so mypy knows msvcrt
            import msvcrt

            msvcrt.locking(handle, msvcrt.LK_LOCK, 1)  # retries for ~10 s, then OSError
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock
