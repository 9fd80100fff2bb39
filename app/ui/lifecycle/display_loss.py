"""Noticing that the display went away under the window (the X server stopped, a remote
session dropped). Qt says so only in a warning ("The X11 connection broke …", once per try)
and then leaves its event loop, so asyncio code can no longer run: the app closes its files
without the loop and ends with one sentence, as a normal way to end.
"""

import sys
from collections.abc import Callable

LOST_DISPLAY = ("The X11 connection broke", "The Wayland connection broke")
SENTENCE = "The display went away, so the app closed its files and quit."


class DisplayWatch:
    """Qt's messages pass through as before, except the lost display's, which set `lost`."""

    def __init__(self) -> None:
        self.lost = False
        self._previous: Callable[..., object] | None = None  # Qt's handler before ours

    def install(self) -> None:
        from PySide6.QtCore import qInstallMessageHandler

        self._previous = qInstallMessageHandler(self._handle)

    def uninstall(self) -> None:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(self._previous)

    def _handle(self, _kind, context, message: str) -> None:
        if message.startswith(LOST_DISPLAY):
            self.lost = True  # said once, by the caller, in words; Qt repeats it per try
            return
        if self._previous is not None:  # a test's handler, say: it keeps seeing the rest
            self._previous(_kind, context, message)
            return
        category = context.category if context is not None else None
        prefix = f"{category}: " if category and category != "default" else ""
        print(prefix + message, file=sys.stderr, flush=True)  # Qt's own format
