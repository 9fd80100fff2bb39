"""SIGTERM and SIGINT (Ctrl+C in the terminal) quit the app the same clean way Ctrl+Q does.

A Python signal handler only runs when the interpreter gets control, and while Qt waits for
events it may not for a long time. So the C-level handler writes the signal's number to a
socket (set_wakeup_fd) that a QSocketNotifier watches: the byte wakes Qt, and the quit runs at
once, from the event loop. Never from the Python handler itself: that runs between any two
bytecodes of whatever the GUI thread was doing (the event loop's own bookkeeping included), and
setting an asyncio event there can be lost, leaving the app running after the signal.
"""

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

QUITTING = (signal.SIGTERM, signal.SIGINT)


class QuitSignals(QObject):
    def __init__(self, quit: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit = quit
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        # A Python handler must be set for the wakeup byte to be written (and for SIGINT not
        # to raise KeyboardInterrupt); the work is done in _drain.
        self._previous = {number: signal.signal(number, lambda *_: None) for number in QUITTING}

    def _drain(self) -> None:
        received = b""
        try:
            while chunk := self._reader.recv(64):
                received += chunk
        except BlockingIOError:
            pass
        if any(number in received for number in QUITTING):
            self._quit()

    def restore(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()
