"""The quick-ask shortcut, held for the whole desktop while the app runs.

It follows the `quick_ask_shortcut` setting as it changes (Settings, or `task-assistant settings
set` while the app runs), through the backend this desktop has: X11's key grab, the
GlobalShortcuts portal on Wayland, Windows' RegisterHotKey or macOS's Carbon hot keys. `status`
is the one sentence Settings shows: what is bound, or why nothing is (a key another app holds is
also logged). The portal answers later: its backend's `bind` returns None and its `answered`
signal brings the sentence.
"""

import logging
import os
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from app.common.errors import UserError
from app.config import shortcut_text
from app.ui.hotkeys import NOT_AVAILABLE

log = logging.getLogger(__name__)
__all__ = ["NOT_AVAILABLE", "GlobalShortcut"]


def is_wayland_session() -> bool:
    """A Wayland session, whatever Qt draws through: under XWayland an X11 grab would only see
    keys while one of our own windows has focus, so the portal is the way there too."""
    return bool(os.environ.get("WAYLAND_DISPLAY")) \
        or os.environ.get("QT_QPA_PLATFORM", "").startswith("wayland") \
        or os.environ.get("XDG_SESSION_TYPE") == "wayland"


def _backend_for_this_desktop(pressed, parent):
    """The backend, or None where none can work (offscreen, an unknown platform)."""
    platform = QGuiApplication.platformName()
    if sys.platform == "win32":
        from app.ui.hotkeys.windows import WindowsHotkey

        return WindowsHotkey(pressed, parent)
    if sys.platform == "darwin":
        from app.ui.hotkeys.macos import MacHotkey

        return MacHotkey(pressed, parent)
    if is_wayland_session():
        from app.ui.hotkeys.wayland import WaylandHotkey

        return WaylandHotkey(pressed, parent)
    if platform == "xcb":
        from app.ui.hotkeys.x11 import X11Hotkey

        return X11Hotkey(pressed, parent)
    return None


class GlobalShortcut(QObject):
    pressed = Signal()
    status_changed = Signal(str)

    def __init__(self, parent: QObject | None = None, backend_factory=_backend_for_this_desktop):
        super().__init__(parent)
        self.status = ""
        self._factory = backend_factory
        self._backend = None
        self._tried = False

    def apply(self, text: str) -> None:
        """Bind the shortcut the setting names ("none": let go of it)."""
        try:
            shortcut = shortcut_text.parse(text)
        except ValueError:  # the settings file checks it; a hand-edited one falls back here
            shortcut = shortcut_text.parse(shortcut_text.check("Ctrl+Alt+Space"))
        if shortcut is None:
            if self._backend is not None:
                self._backend.unbind()
            self._say("No quick-ask shortcut is set.")
            return
        backend = self._get_backend()
        if backend is None:
            self._say(NOT_AVAILABLE)
            return
        try:
            bound = backend.bind(shortcut)
        except UserError as error:
            log.warning("%s", error)
            self._say(str(error))
            return
        if bound is None:  # the desktop answers later, through the backend's `answered`
            self._say(f"Asking the desktop to bind {shortcut.text} to quick ask…")
            return
        self._say(f"{bound} opens quick ask from anywhere.")

    def _get_backend(self):
        if not self._tried:
            self._tried = True
            try:
                self._backend = self._factory(self.pressed.emit, self)
                answered = getattr(self._backend, "answered", None)
                if answered is not None:
                    answered.connect(self._say)
            except (UserError, OSError) as error:  # no libxcb, no display to connect to
                log.warning("%s", error)
                self._backend = None
        return self._backend

    def _say(self, sentence: str) -> None:
        self.status = sentence
        self.status_changed.emit(sentence)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None
