"""macOS: Carbon's RegisterEventHotKey, which needs no accessibility permission (unlike an
event tap), with an application event handler for kEventHotKeyPressed.

Qt's key text on a Mac reads "Ctrl" as the Command key and "Meta" as Control; this follows it,
so the field in Settings and the key grabbed agree. The Carbon calls sit behind `CarbonApi`, so
the translation and the call sequence are tested on any system
(tests/desktop/test_quick_ask_shortcut_seams.py); only macOS runs the real calls.
"""

import ctypes
from collections.abc import Callable

from PySide6.QtCore import QObject

from app.common.errors import UserError
from app.config.shortcut_text import Shortcut

CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 0x0100, 0x0200, 0x0800, 0x1000
MODIFIER_FLAGS = {"Ctrl": CMD_KEY, "Shift": SHIFT_KEY, "Alt": OPTION_KEY, "Meta": CONTROL_KEY}
EVENT_HOT_KEY_EXISTS = -9878  # eventHotKeyExistsErr
SIGNATURE = int.from_bytes(b"TaAs", "big")  # our EventHotKeyID signature (an OSType)
# kVK_* virtual key codes (HIToolbox/Events.h): the position on an ANSI keyboard.
KEY_CODES = {
    "A": 0x00, "S": 0x01, "D": 0x02, "F": 0x03, "H": 0x04, "G": 0x05, "Z": 0x06, "X": 0x07,
    "C": 0x08, "V": 0x09, "B": 0x0B, "Q": 0x0C, "W": 0x0D, "E": 0x0E, "R": 0x0F, "Y": 0x10,
    "T": 0x11, "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "9": 0x19,
    "7": 0x1A, "8": 0x1C, "0": 0x1D, "O": 0x1F, "U": 0x20, "I": 0x22, "P": 0x23, "L": 0x25,
    "J": 0x26, "K": 0x28, "N": 0x2D, "M": 0x2E,
    "Return": 0x24, "Tab": 0x30, "Space": 0x31, "Backspace": 0x33, "Esc": 0x35, "Enter": 0x4C,
    "Insert": 0x72, "Home": 0x73, "PgUp": 0x74, "Del": 0x75, "End": 0x77, "PgDown": 0x79,
    "Left": 0x7B, "Right": 0x7C, "Down": 0x7D, "Up": 0x7E,
    "F1": 0x7A, "F2": 0x78, "F3": 0x63, "F4": 0x76, "F5": 0x60, "F6": 0x61, "F7": 0x62,
    "F8": 0x64, "F9": 0x65, "F10": 0x6D, "F11": 0x67, "F12": 0x6F, "F13": 0x69, "F14": 0x6B,
    "F15": 0x71, "F16": 0x6A, "F17": 0x40, "F18": 0x4F, "F19": 0x50, "F20": 0x5A,
}


def carbon_modifiers(shortcut: Shortcut) -> int:
    flags = 0
    for name in shortcut.modifiers:
        flags |= MODIFIER_FLAGS[name]
    return flags


def key_code(key: str) -> int | None:
    """The kVK_ code, or None for a key a Mac keyboard has not (Print, Pause, F21–F24)."""
    return KEY_CODES.get(key)


class _HotKeyId(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


class _EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


class CarbonApi:
    """The Carbon calls, for real (macOS only)."""

    K_EVENT_CLASS_KEYBOARD = int.from_bytes(b"keyb", "big")
    K_EVENT_HOT_KEY_PRESSED = 5
    HANDLER = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)

    def __init__(self) -> None:
        self._carbon = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")
        self._carbon.GetApplicationEventTarget.restype = ctypes.c_void_p
        self._target = self._carbon.GetApplicationEventTarget()
        self._handler: object | None = None  # kept: Carbon holds only the pointer

    def install_handler(self, on_pressed: Callable[[], None]) -> None:
        def handle(*_: object) -> int:
            on_pressed()
            return 0  # noErr

        self._handler = self.HANDLER(handle)
        spec = _EventTypeSpec(self.K_EVENT_CLASS_KEYBOARD, self.K_EVENT_HOT_KEY_PRESSED)
        reference = ctypes.c_void_p()
        self._carbon.InstallEventHandler(ctypes.c_void_p(self._target), self._handler, 1,
                                         ctypes.byref(spec), None, ctypes.byref(reference))

    def register(self, code: int, modifiers: int) -> tuple[int, object]:
        """(OSStatus, the hot key's reference)."""
        reference = ctypes.c_void_p()
        status = self._carbon.RegisterEventHotKey(
            ctypes.c_uint32(code), ctypes.c_uint32(modifiers), _HotKeyId(SIGNATURE, 1),
            ctypes.c_void_p(self._target), ctypes.c_uint32(0), ctypes.byref(reference))
        return status, reference

    def unregister(self, reference) -> None:
        self._carbon.UnregisterEventHotKey(reference)


class MacHotkey(QObject):
    def __init__(self, on_pressed: Callable[[], None], parent: QObject | None = None,
                 api=None) -> None:
        super().__init__(parent)
        self._api = api or CarbonApi()
        self._api.install_handler(on_pressed)
        self._reference: object | None = None

    def bind(self, shortcut: Shortcut) -> str:
        self.unbind()
        code = key_code(shortcut.key)
        if code is None:
            raise UserError(f"{shortcut.text} cannot be used: a Mac keyboard has no "
                            f"{shortcut.key} key.")
        status, reference = self._api.register(code, carbon_modifiers(shortcut))
        if status == EVENT_HOT_KEY_EXISTS:
            raise UserError(f"{shortcut.text} is already used by another app: choose another "
                            "quick-ask shortcut in Settings.")
        if status != 0:
            raise UserError(f"{shortcut.text} could not be set as the quick-ask shortcut "
                            f"(macOS error {status}).")
        self._reference = reference
        return shortcut.text

    def unbind(self) -> None:
        if self._reference is not None:
            self._api.unregister(self._reference)
            self._reference = None

    def close(self) -> None:
        self.unbind()
