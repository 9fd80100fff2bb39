"""The Windows and macOS shortcut backends through their seams: they cannot run here, so the
key translation, what reaches the OS (a recording stand-in for the three OS calls) and the
sentences are checked. The X11 backend runs for real in test_quick_ask_shortcut_x11.py."""

import ctypes

import pytest

from app.common.errors import UserError
from app.config.shortcut_text import parse
from app.ui.hotkeys import macos, windows, x11


class RecordingWin32:
    def __init__(self, answers=()) -> None:
        self.calls: list[tuple] = []
        self._answers = list(answers)

    def register(self, modifiers: int, key: int) -> int:
        self.calls.append(("register", modifiers, key))
        return self._answers.pop(0) if self._answers else 0

    def unregister(self) -> None:
        self.calls.append(("unregister",))


def test_windows_registers_with_no_repeat_and_lets_go_before_a_change(qapp):
    api = RecordingWin32()
    hotkey = windows.WindowsHotkey(lambda: None, api=api, install_filter=False)
    assert hotkey.bind(parse("Ctrl+Alt+Space")) == "Ctrl+Alt+Space"
    assert hotkey.bind(parse("Shift+Meta+F12")) == "Shift+Meta+F12"
    hotkey.close()
    assert api.calls == [
        ("register", windows.MOD_NOREPEAT | windows.MOD_CONTROL | windows.MOD_ALT, 0x20),
        ("unregister",),
        ("register", windows.MOD_NOREPEAT | windows.MOD_SHIFT | windows.MOD_WIN, 0x7B),
        ("unregister",),
    ]


def test_windows_says_when_another_app_holds_the_keys(qapp):
    api = RecordingWin32([windows.ERROR_HOTKEY_ALREADY_REGISTERED])
    hotkey = windows.WindowsHotkey(lambda: None, api=api, install_filter=False)
    with pytest.raises(UserError, match=r"^Ctrl\+Alt\+J is already used by another app: "):
        hotkey.bind(parse("Ctrl+Alt+J"))
    hotkey.close()
    assert api.calls == [("register", 0x4003, ord("J"))]  # nothing to let go of


@pytest.mark.parametrize(("key", "code"), [("A", 0x41), ("7", 0x37), ("F1", 0x70),
                                           ("F24", 0x87), ("Esc", 0x1B), ("PgDown", 0x22)])
def test_windows_virtual_keys(key, code):
    assert windows.virtual_key(key) == code


def test_windows_picks_our_wm_hotkey_out_of_the_message_loop():
    message = windows._Msg(None, windows.WM_HOTKEY, windows.HOTKEY_ID, 0)
    other = windows._Msg(None, windows.WM_HOTKEY, 7, 0)
    address = ctypes.addressof(message)
    assert windows.is_our_hotkey(b"windows_generic_MSG", address)
    assert not windows.is_our_hotkey(b"windows_generic_MSG", ctypes.addressof(other))
    assert not windows.is_our_hotkey(b"xcb_generic_event_t", address)


class RecordingCarbon:
    def __init__(self, statuses=()) -> None:
        self.calls: list[tuple] = []
        self.pressed = None
        self._statuses = list(statuses)

    def install_handler(self, on_pressed) -> None:
        self.calls.append(("install_handler",))
        self.pressed = on_pressed

    def register(self, code: int, modifiers: int):
        self.calls.append(("register", code, modifiers))
        return (self._statuses.pop(0) if self._statuses else 0), f"ref{len(self.calls)}"

    def unregister(self, reference) -> None:
        self.calls.append(("unregister", reference))


def test_macos_follows_qt_ctrl_is_command_and_registers_once_per_change(qapp):
    api = RecordingCarbon()
    pressed = []
    hotkey = macos.MacHotkey(lambda: pressed.append(1), api=api)
    hotkey.bind(parse("Ctrl+Alt+Space"))
    hotkey.bind(parse("Meta+J"))
    api.pressed()  # what Carbon's kEventHotKeyPressed handler does
    hotkey.close()
    assert pressed == [1]
    assert api.calls == [
        ("install_handler",),
        ("register", 0x31, macos.CMD_KEY | macos.OPTION_KEY),
        ("unregister", "ref2"),
        ("register", 0x26, macos.CONTROL_KEY),
        ("unregister", "ref4"),
    ]


def test_macos_refuses_keys_a_mac_lacks_and_keys_already_taken(qapp):
    api = RecordingCarbon([macos.EVENT_HOT_KEY_EXISTS])
    hotkey = macos.MacHotkey(lambda: None, api=api)
    with pytest.raises(UserError, match=r"^Ctrl\+Print cannot be used: a Mac keyboard has no "):
        hotkey.bind(parse("Ctrl+Print"))
    with pytest.raises(UserError, match=r"^Ctrl\+K is already used by another app: "):
        hotkey.bind(parse("Ctrl+K"))
    assert api.calls == [("install_handler",), ("register", 0x28, macos.CMD_KEY)]


def test_x11_grabs_every_numlock_and_capslock_variant():
    assert x11.lock_variants(x11.CONTROL | x11.MOD1, num_lock=16) == [12, 14, 28, 30]
    assert x11.keysym("J") == ord("j") and x11.keysym("F1") == 0xFFBE
    assert x11.modifier_mask(parse("Shift+Meta+F2")) == x11.SHIFT | x11.MOD4
