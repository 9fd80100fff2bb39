"""SIGTERM and SIGINT (Ctrl+C in the terminal) quit the app the same clean way Ctrl+Q does.

A Python signal handler only runs when the interpreter gets control, and while Qt waits for
events it may not for a long time. So the C-level handler writes to a socket (set_wakeup_fd)
that a QSocketNotifier watches: the byte wakes Qt, and the quit runs at once.
"""

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier


class QuitSignals(QObject):
    def __init__(self, quit: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous = {number: signal.signal(number, lambda *_: quit())
                          for number in (signal.SIGTERM, signal.SIGINT)}

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass

    def restore(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()
