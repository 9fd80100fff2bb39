"""A private log file of capped size that a child process's stderr can be poured into.

Programs we start (the user's MCP servers) write to stderr whatever they like; on our own stderr
it would mix with our output. `pipe()` gives the child a pipe instead, and a thread copies each
line (known secrets redacted) into the file. Once the file reaches `limit` bytes it becomes
NAME.1 (replacing the one before) and a fresh file starts, so the newest output is always kept,
at most twice `limit` on disk, and a chatty child never blocks on a full pipe. Files are 0600.
"""

import os
import threading
from pathlib import Path
from typing import TextIO

from app.common.private_files import open_private_append, private_dir
from app.common.redact import redact

LIMIT = 1024 * 1024     # bytes per file: the newest 1-2 MB are kept
LINE_LIMIT = 64 * 1024  # bytes read at once; a longer "line" is written in pieces


class CappedLog:
    def __init__(self, path: Path, limit: int = LIMIT):
        self.path = Path(path)
        self.limit = limit
        self._lock = threading.Lock()  # drain threads and the caller write to one file

    @property
    def older(self) -> Path:
        return self.path.with_name(self.path.name + ".1")

    def write(self, text: str) -> None:
        """Append `text`; a disk that refuses loses the text, never the caller's work."""
        data = redact(text)
        with self._lock:
            try:
                private_dir(self.path.parent)
                if self.path.exists() and self.path.stat().st_size >= self.limit:
                    os.replace(self.path, self.older)
                with open_private_append(self.path) as log:
                    log.write(data)
            except OSError:
                pass

    def pipe(self) -> tuple[TextIO, threading.Thread]:
        """The write end of a new pipe, for a child's stderr, and the thread copying from it.
        Close the write end once the child is started (the child keeps its own copy); the
        thread ends when the child has exited: join it to have the last lines on disk."""
        read_fd, write_fd = os.pipe()
        drain = threading.Thread(target=self._drain, args=(read_fd,), daemon=True,
                                 name=f"log {self.path.name}")
        drain.start()
        return os.fdopen(write_fd, "w", encoding="utf-8"), drain

    def _drain(self, read_fd: int) -> None:
        """Whole lines at a time (a secret is never cut in two before redaction), as many as
        have arrived: one write per read, however chatty the child."""
        pending = b""
        with open(read_fd, "rb", buffering=0) as stream:
            while chunk := stream.read(LINE_LIMIT):
                lines, newline, pending = (pending + chunk).rpartition(b"\n")
                if newline:
                    self.write((lines + newline).decode("utf-8", "replace"))
                elif len(pending) >= LINE_LIMIT:
                    self.write(pending.decode("utf-8", "replace"))
                    pending = b""
        if pending:
            self.write(pending.decode("utf-8", "replace"))

    def remove(self) -> None:
        for path in (self.path, self.older):
            path.unlink(missing_ok=True)
