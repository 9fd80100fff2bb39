"""Windows: RegisterHotKey for the thread (no window), with MOD_NOREPEAT so holding the keys
opens quick ask once; Windows posts WM_HOTKEY, which a native event filter picks out of Qt's
message loop.

The Win32 calls sit behind `Win32Api`, so the translation and the call sequence are tested on
any system (tests/desktop/test_quick_ask_shortcut_seams.py); only Windows itself runs the real
calls.
"""

import ctypes
import sys
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication, QObject

from app.common.errors import UserError
from app.config.shortcut_text import Shortcut

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
MODIFIER_FLAGS = {"Alt": MOD_ALT, "Ctrl": MOD_CONTROL, "Shift": MOD_SHIFT, "Meta": MOD_WIN}
WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HOTKEY_ID = 0x5441  # ours within this thread ("TA")
VIRTUAL_KEYS = {"Space": 0x20, "Return": 0x0D, "Enter": 0x0D, "Tab": 0x09, "Backspace": 0x08,
                "Esc": 0x1B, "Insert": 0x2D, "Del": 0x2E, "Home": 0x24, "End": 0x23,
                "PgUp": 0x21, "PgDown": 0x22, "Left": 0x25, "Up": 0x26, "Right": 0x27,
                "Down": 0x28, "Print": 0x2C, "Pause": 0x13}


def modifier_flags(shortcut: Shortcut) -> int:
    flags = MOD_NOREPEAT
    for name in shortcut.modifiers:
        flags |= MODIFIER_FLAGS[name]
    return flags


def virtual_key(key: str) -> int:
    """The VK_ code: letters and digits are their upper-case ASCII code, F1 is 0x70."""
    if key in VIRTUAL_KEYS:
        return VIRTUAL_KEYS[key]
    if key.startswith("F") and key[1:].isdigit():
        return 0x70 + int(key[1:]) - 1
    return ord(key.upper())


class Win32Api:
    """The three calls, for real (Windows only)."""

    # ctypes defines WinDLL and get_last_error only on Windows, so they are typed by hand.
    _user32: ctypes.CDLL
    _last_error: Callable[[], int]

    def __init__(self) -> None:
        if sys.platform != "win32":  # also tells mypy, on other systems, to skip what follows
            raise OSError("RegisterHotKey exists only on Windows.")
        self._user32 = ctypes.WinDLL("user32", use_last_error=True)
        self._last_error = ctypes.get_last_error

    def register(self, modifiers: int, key: int) -> int:
        """0, or the error code (ERROR_HOTKEY_ALREADY_REGISTERED: another app has it)."""
        if self._user32.RegisterHotKey(None, HOTKEY_ID, modifiers, key):
            return 0
        return self._last_error()

    def unregister(self) -> None:
        self._user32.UnregisterHotKey(None, HOTKEY_ID)


class _Msg(ctypes.Structure):
    _fields_ = [("hwnd", ctypes.c_void_p), ("message", ctypes.c_uint),
                ("wParam", ctypes.c_size_t), ("lParam", ctypes.c_ssize_t)]


def is_our_hotkey(event_type: bytes, message_address: int) -> bool:
    if bytes(event_type) != b"windows_generic_MSG" or not message_address:
        return False
    message = _Msg.from_address(int(message_address))
    return message.message == WM_HOTKEY and message.wParam == HOTKEY_ID


class _HotkeyFilter(QAbstractNativeEventFilter):
    def __init__(self, on_pressed: Callable[[], None]) -> None:
        super().__init__()
        self._on_pressed = on_pressed

    def nativeEventFilter(self, event_type, message):
        if is_our_hotkey(event_type, message):
            self._on_pressed()
            return True, 0
        return False, 0


class WindowsHotkey(QObject):
    def __init__(self, on_pressed: Callable[[], None], parent: QObject | None = None,
                 api=None, install_filter: bool = True) -> None:
        super().__init__(parent)
        self._api = api or Win32Api()
        self._registered = False
        self._filter = _HotkeyFilter(on_pressed)
        if install_filter:
            app = QCoreApplication.instance()
            assert app is not None, "a hotkey needs the running app"
            app.installNativeEventFilter(self._filter)

    def bind(self, shortcut: Shortcut) -> str:
        self.unbind()
        error = self._api.register(modifier_flags(shortcut), virtual_key(shortcut.key))
        if error == ERROR_HOTKEY_ALREADY_REGISTERED:
            raise UserError(f"{shortcut.text} is already used by another app: choose another "
                            "quick-ask shortcut in Settings.")
        if error:
            raise UserError(f"{shortcut.text} could not be set as the quick-ask shortcut "
                            f"(Windows error {error}).")
        self._registered = True
        return shortcut.text

    def unbind(self) -> None:
        if self._registered:
            self._api.unregister()
            self._registered = False

    def close(self) -> None:
        self.unbind()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeNativeEventFilter(self._filter)
