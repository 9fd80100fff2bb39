"""X11: a passive key grab on the root window, through libxcb (which Qt's xcb platform already
loads, so nothing new ships) on a connection of our own.

A passive grab works with no window manager and needs no focus: the server sends the key to us
whichever window has it. The state a key arrives with includes NumLock and CapsLock, so each
shortcut is grabbed four times, once with each combination of those two locks.
"""

import ctypes
import ctypes.util
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

from app.common.errors import UserError
from app.config.shortcut_text import Shortcut

SHIFT, LOCK, CONTROL, MOD1, MOD4 = 1, 2, 4, 8, 64  # core protocol masks; Alt is Mod1, Super Mod4
MODIFIER_MASKS = {"Shift": SHIFT, "Ctrl": CONTROL, "Alt": MOD1, "Meta": MOD4}
KEY_PRESS = 2
BAD_ACCESS = 10  # another client grabbed the same key and modifiers
GRAB_MODE_ASYNC = 1
NUM_LOCK_KEYSYM = 0xFF7F
# Keysyms of the keys outside letters and digits (X11/keysymdef.h).
KEYSYMS = {"Space": 0x20, "Return": 0xFF0D, "Enter": 0xFF8D, "Tab": 0xFF09,
           "Backspace": 0xFF08, "Esc": 0xFF1B, "Insert": 0xFF63, "Del": 0xFFFF, "Home": 0xFF50,
           "End": 0xFF57, "PgUp": 0xFF55, "PgDown": 0xFF56, "Left": 0xFF51, "Up": 0xFF52,
           "Right": 0xFF53, "Down": 0xFF54, "Print": 0xFF61, "Pause": 0xFF13}


def keysym(key: str) -> int:
    """The keysym of a Shortcut's key: letters by their lower-case form, as keymaps list them."""
    if key in KEYSYMS:
        return KEYSYMS[key]
    if key.startswith("F") and key[1:].isdigit():
        return 0xFFBE + int(key[1:]) - 1  # XK_F1 onwards
    return ord(key.lower())


def modifier_mask(shortcut: Shortcut) -> int:
    mask = 0
    for name in shortcut.modifiers:
        mask |= MODIFIER_MASKS[name]
    return mask


def lock_variants(mask: int, num_lock: int) -> list[int]:
    """The states the key may arrive with: the shortcut's own mask with CapsLock and NumLock
    each on or off."""
    return sorted({mask | extra for extra in (0, LOCK, num_lock, LOCK | num_lock)})


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_uint32)), ("rem", ctypes.c_int),
                ("index", ctypes.c_int)]  # data points at xcb_screen_t, whose first field is root


class _Setup(ctypes.Structure):
    _fields_ = [("status", ctypes.c_uint8), ("pad0", ctypes.c_uint8),
                ("major", ctypes.c_uint16), ("minor", ctypes.c_uint16),
                ("length", ctypes.c_uint16), ("release", ctypes.c_uint32),
                ("resource_id_base", ctypes.c_uint32), ("resource_id_mask", ctypes.c_uint32),
                ("motion_buffer_size", ctypes.c_uint32), ("vendor_len", ctypes.c_uint16),
                ("maximum_request_length", ctypes.c_uint16), ("roots_len", ctypes.c_uint8),
                ("pixmap_formats_len", ctypes.c_uint8), ("image_byte_order", ctypes.c_uint8),
                ("bitmap_format_bit_order", ctypes.c_uint8),
                ("bitmap_format_scanline_unit", ctypes.c_uint8),
                ("bitmap_format_scanline_pad", ctypes.c_uint8),
                ("min_keycode", ctypes.c_uint8), ("max_keycode", ctypes.c_uint8)]


class _MappingReply(ctypes.Structure):  # GetKeyboardMapping and GetModifierMapping alike
    _fields_ = [("response_type", ctypes.c_uint8), ("per_key", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16), ("length", ctypes.c_uint32)]


class _Error(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("error_code", ctypes.c_uint8)]


class _KeyEvent(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("detail", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16), ("time", ctypes.c_uint32),
                ("root", ctypes.c_uint32), ("event", ctypes.c_uint32),
                ("child", ctypes.c_uint32), ("root_x", ctypes.c_int16),
                ("root_y", ctypes.c_int16), ("event_x", ctypes.c_int16),
                ("event_y", ctypes.c_int16), ("state", ctypes.c_uint16)]


def _libraries():
    xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    libc = ctypes.CDLL(None)
    pointer = ctypes.c_void_p
    signatures = {
        "xcb_connect": (pointer, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
        "xcb_connection_has_error": (ctypes.c_int, [pointer]),
        "xcb_disconnect": (None, [pointer]),
        "xcb_get_setup": (ctypes.POINTER(_Setup), [pointer]),
        "xcb_setup_roots_iterator": (_ScreenIterator, [ctypes.POINTER(_Setup)]),
        "xcb_get_file_descriptor": (ctypes.c_int, [pointer]),
        "xcb_flush": (ctypes.c_int, [pointer]),
        "xcb_poll_for_event": (pointer, [pointer]),
        "xcb_get_keyboard_mapping": (_Cookie, [pointer, ctypes.c_uint8, ctypes.c_uint8]),
        "xcb_get_keyboard_mapping_reply": (ctypes.POINTER(_MappingReply),
                                           [pointer, _Cookie, pointer]),
        "xcb_get_keyboard_mapping_keysyms": (ctypes.POINTER(ctypes.c_uint32), [pointer]),
        "xcb_get_keyboard_mapping_keysyms_length": (ctypes.c_int, [pointer]),
        "xcb_get_modifier_mapping": (_Cookie, [pointer]),
        "xcb_get_modifier_mapping_reply": (ctypes.POINTER(_MappingReply),
                                           [pointer, _Cookie, pointer]),
        "xcb_get_modifier_mapping_keycodes": (ctypes.POINTER(ctypes.c_uint8), [pointer]),
        "xcb_grab_key_checked": (_Cookie, [pointer, ctypes.c_uint8, ctypes.c_uint32,
                                           ctypes.c_uint16, ctypes.c_uint8, ctypes.c_uint8,
                                           ctypes.c_uint8]),
        "xcb_ungrab_key": (_Cookie, [pointer, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint16]),
        "xcb_request_check": (ctypes.POINTER(_Error), [pointer, _Cookie]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(xcb, name)
        function.restype, function.argtypes = restype, argtypes
    libc.free.argtypes = [ctypes.c_void_p]
    return xcb, libc


class X11Hotkey(QObject):
    """One grabbed shortcut on the display in $DISPLAY."""

    def __init__(self, on_pressed: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_pressed = on_pressed
        self._xcb, self._libc = _libraries()
        self._connection = self._xcb.xcb_connect(None, None)
        if not self._connection or self._xcb.xcb_connection_has_error(self._connection):
            raise UserError("The quick-ask shortcut could not reach the X display.")
        setup = self._xcb.xcb_get_setup(self._connection)
        self._root = self._xcb.xcb_setup_roots_iterator(setup).data[0]
        self._keycodes = (setup.contents.min_keycode, setup.contents.max_keycode)
        self._grabbed: list[tuple[int, int]] = []  # (keycode, state) pairs
        self._wanted: tuple[int, int] | None = None  # (keycode, mask without the locks)
        self._num_lock = 0
        self._notifier = QSocketNotifier(self._xcb.xcb_get_file_descriptor(self._connection),
                                         QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read_events)

    def bind(self, shortcut: Shortcut) -> str:
        """Grabs `shortcut` (after letting go of the one before); UserError when another app
        holds it. Returns the shortcut's text, as bound."""
        self.unbind()
        keycode = self._keycode(keysym(shortcut.key))
        if keycode is None:
            raise UserError(f"{shortcut.text} cannot be used: this keyboard has no "
                            f"{shortcut.key} key.")
        self._num_lock = self._num_lock_mask()
        mask = modifier_mask(shortcut)
        cookies = [(state, self._xcb.xcb_grab_key_checked(
            self._connection, 1, self._root, state, keycode, GRAB_MODE_ASYNC, GRAB_MODE_ASYNC))
            for state in lock_variants(mask, self._num_lock)]
        taken = False
        for state, cookie in cookies:
            error = self._xcb.xcb_request_check(self._connection, cookie)
            if error:
                taken = taken or error.contents.error_code == BAD_ACCESS
                self._libc.free(error)
            else:
                self._grabbed.append((keycode, state))
        if taken or not self._grabbed:
            self.unbind()
            raise UserError(f"{shortcut.text} is already used by another app: choose another "
                            "quick-ask shortcut in Settings.")
        self._wanted = (keycode, mask)
        self._read_events()  # replies may have brought events along
        return shortcut.text

    def unbind(self) -> None:
        for keycode, state in self._grabbed:
            self._xcb.xcb_ungrab_key(self._connection, keycode, self._root, state)
        self._grabbed = []
        self._wanted = None
        self._xcb.xcb_flush(self._connection)

    def close(self) -> None:
        if self._connection:
            self.unbind()
            self._notifier.setEnabled(False)
            self._xcb.xcb_disconnect(self._connection)
            self._connection = None

    def _read_events(self, *_socket) -> None:
        if not self._connection:
            return
        while event := self._xcb.xcb_poll_for_event(self._connection):
            key = ctypes.cast(event, ctypes.POINTER(_KeyEvent)).contents
            pressed = (key.response_type & 0x7F == KEY_PRESS and self._wanted is not None
                       and (key.detail, key.state & ~(LOCK | self._num_lock) & 0xFF)
                       == self._wanted)
            self._libc.free(event)
            if pressed:
                self._on_pressed()
        if self._xcb.xcb_connection_has_error(self._connection):  # the X server went away
            self._notifier.setEnabled(False)

    def _keycode(self, wanted: int) -> int | None:
        first, last = self._keycodes
        cookie = self._xcb.xcb_get_keyboard_mapping(self._connection, first, last - first + 1)
        reply = self._xcb.xcb_get_keyboard_mapping_reply(self._connection, cookie, None)
        if not reply:
            return None
        try:
            per_key = reply.contents.per_key
            syms = self._xcb.xcb_get_keyboard_mapping_keysyms(reply)
            count = self._xcb.xcb_get_keyboard_mapping_keysyms_length(reply)
            for index in range(count):
                if syms[index] == wanted:
                    return first + index // per_key
            return None
        finally:
            self._libc.free(reply)

    def _num_lock_mask(self) -> int:
        """The modifier bit NumLock sets on this server (Mod2 almost everywhere, but a keymap
        decides)."""
        num_lock = self._keycode(NUM_LOCK_KEYSYM)
        cookie = self._xcb.xcb_get_modifier_mapping(self._connection)
        reply = self._xcb.xcb_get_modifier_mapping_reply(self._connection, cookie, None)
        if not reply or num_lock is None:
            if reply:
                self._libc.free(reply)
            return 16  # Mod2
        try:
            per_modifier = reply.contents.per_key
            codes = self._xcb.xcb_get_modifier_mapping_keycodes(reply)
            for index in range(8 * per_modifier):
                if codes[index] == num_lock:
                    return 1 << (index // per_modifier)
            return 16
        finally:
            self._libc.free(reply)
