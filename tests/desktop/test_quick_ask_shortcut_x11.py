"""The built-in quick-ask shortcut on a real X server: a `--tray` app on a private Xvfb with no
window manager (trayer is a tray host, not a window manager), pressed through the server with
xdotool's XTEST keyboard, and a second X client that grabs keys the way another app would."""

import os
import subprocess
import sys
import time

import pytest
from conftest import CLI, piped
from test_ui_desktop_integration import (
    QUICK_ASK_TITLE,
    STARTUP,
    TRAY_HOST_MARKS,
    X_MARKS,
    embedded_tray_icons,
    marked,
    on_display,
    run_x,
    started,
    top_level_windows,
    tray_host,
    windows_of,
)
from test_ui_real_display import display_fixture  # noqa: F401  (fixture)

__all__ = ["started", "tray_host"]  # fixtures, imported to be used here
PRESS_AGAIN = 1.0  # seconds to wait for the popup before pressing again (a live change lands)

# Another X client holding a key: grabs it on the root window (ctypes + libX11), prints "held"
# or "taken" (BadAccess: someone else has it), then keeps it until stdin closes.
OTHER_CLIENT = r"""
import ctypes, sys
xlib = ctypes.CDLL("libX11.so.6")
xlib.XOpenDisplay.restype = ctypes.c_void_p
xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
xlib.XDefaultRootWindow.restype = ctypes.c_ulong
xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
xlib.XStringToKeysym.restype = ctypes.c_ulong
xlib.XStringToKeysym.argtypes = [ctypes.c_char_p]
xlib.XKeysymToKeycode.restype = ctypes.c_ubyte
xlib.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
xlib.XGrabKey.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_ulong,
                          ctypes.c_int, ctypes.c_int, ctypes.c_int]
xlib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
errors = []
HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
handler = HANDLER(lambda display, event: errors.append(1) or 0)
xlib.XSetErrorHandler(handler)
display = xlib.XOpenDisplay(None)
keycode = xlib.XKeysymToKeycode(display, xlib.XStringToKeysym(sys.argv[1].encode()))
CONTROL, MOD1 = 4, 8
xlib.XGrabKey(display, keycode, CONTROL | MOD1, xlib.XDefaultRootWindow(display), 1, 1, 1)
xlib.XSync(display, 0)
print("taken" if errors else "held", flush=True)
sys.stdin.read()
"""


class OtherClient:
    def __init__(self, display: str, keysym: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", OTHER_CLIENT, keysym], env={**os.environ, "DISPLAY": display},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.result = piped(self.process.stdout).readline().strip()

    def close(self) -> None:
        piped(self.process.stdin).close()
        self.process.wait(timeout=10)


def other_client_result(display: str, keysym: str) -> str:
    """Whether another client could grab Ctrl+Alt+`keysym` now ("held") or not ("taken")."""
    client = OtherClient(display, keysym)
    client.close()
    return client.result


def in_tray(app, display: str) -> None:
    """Started, with the shortcut applied: the Shell binds it before its tray icon docks."""
    app.wait_until(lambda: embedded_tray_icons(display, app.pid), STARTUP,
                   "docking its icon in the tray")
    assert not top_level_windows(display, "Task Assistant"), "a tray start shows no window"


def quick_ask_shown(app, display: str) -> bool:
    ours = windows_of(display, app.pid)
    return any(window in ours for window in top_level_windows(display, QUICK_ASK_TITLE))


def quick_ask_has_the_keyboard(display: str) -> bool:
    """The X input focus is on quick ask's window, where typing (and Esc) goes."""
    focus = run_x(display, "xdotool", "getwindowfocus")
    return focus.returncode == 0 and int(focus.stdout.split()[0]) in top_level_windows(
        display, QUICK_ASK_TITLE)


def press_until_quick_ask(app, display: str, keys: str) -> None:
    deadline = time.monotonic() + STARTUP
    while not quick_ask_shown(app, display):
        assert time.monotonic() < deadline, f"{keys} did not open quick ask:\n{app.stderr}"
        assert run_x(display, "xdotool", "key", keys).returncode == 0
        pressed = time.monotonic()
        while time.monotonic() - pressed < PRESS_AGAIN and not quick_ask_shown(app, display):
            assert app.alive(), app.stderr
            time.sleep(0.05)


@pytest.mark.timeout(240)
@marked(*X_MARKS, *TRAY_HOST_MARKS)
def test_the_default_shortcut_opens_quick_ask_and_a_changed_one_takes_effect_live(
        started, display, tray_host, app_home):
    app = on_display(started, display, "--tray")
    in_tray(app, display)
    assert other_client_result(display, "space") == "taken"  # the app holds Ctrl+Alt+Space

    press_until_quick_ask(app, display, "ctrl+alt+space")
    # Mapped comes a moment before focused: an Esc sent in between went to the root window.
    app.wait_until(lambda: quick_ask_has_the_keyboard(display), STARTUP,
                   "giving quick ask the keyboard")
    assert run_x(display, "xdotool", "key", "Escape").returncode == 0
    app.wait_until(lambda: not quick_ask_shown(app, display), STARTUP, "hiding quick ask")

    changed = subprocess.run([*CLI, "settings", "set", "quick_ask_shortcut", "ctrl+alt+j"],
                             env=app.env, capture_output=True, text=True, timeout=60)
    assert changed.returncode == 0 and changed.stdout == "Saved quick_ask_shortcut: Ctrl+Alt+J\n"
    # The running app lets go of the old key and grabs the new one, without a restart.
    app.wait_until(lambda: other_client_result(display, "space") == "held", STARTUP,
                   "letting go of Ctrl+Alt+Space")
    press_until_quick_ask(app, display, "ctrl+alt+j")
    assert app.alive()


@pytest.mark.timeout(240)
@marked(*X_MARKS, *TRAY_HOST_MARKS)
def test_a_shortcut_another_app_holds_is_said_in_one_sentence_and_the_app_keeps_running(
        started, display, tray_host, app_home):
    other = OtherClient(display, "space")
    try:
        assert other.result == "held"
        app = on_display(started, display, "--tray")
        in_tray(app, display)
        sentence = ("Ctrl+Alt+Space is already used by another app: choose another quick-ask "
                    "shortcut in Settings.")
        app.wait_until(lambda: sentence in app.stderr, STARTUP, "saying the key is taken")
        assert app.alive()
        assert "Traceback" not in app.stderr
    finally:
        other.close()
