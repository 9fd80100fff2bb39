"""One sync at a time across processes (the window's background sync and `sync now`).

An OS file lock, so a process killed mid-sync (kill -9, a crash) releases it at once."""

import os
import sys
from pathlib import Path

from app.common.errors import UserError


class SyncBusyError(UserError):
    pass


class SyncLock:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> "SyncLock":
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(self._fd)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise SyncBusyError("Another sync is running right now; this one was skipped.") \
                from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None


def _lock(fd: int) -> None:
    if sys.platform == "win32":  # (where fcntl is missing) spelled so mypy knows msvcrt
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
