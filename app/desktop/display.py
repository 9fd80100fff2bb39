"""Whether a window can open here, asked before Qt starts.

Without a display, Qt's xcb plugin aborts the whole process (a core dump, exit 134, and a hint
that blames libxcb-cursor0 even when it is installed). Asked first, the same situation becomes
one sentence and an ordinary exit. Only Linux and the other X11/Wayland systems need asking:
Windows and macOS always have their own display.
"""

import ctypes
import ctypes.util
import os
import socket
import sys

COMMANDS_WITHOUT_DISPLAY = "`tasks`, `ask`, `key` and `settings` work without one"


def missing_display() -> str | None:
    """None when a window can open; otherwise the sentence that tells the user why not."""
    if sys.platform in ("win32", "darwin"):
        return None
    # QT_QPA_PLATFORM may be a list to try in turn ("wayland;xcb"), each with options (":…").
    chosen = {each.split(":")[0] for each in os.environ.get("QT_QPA_PLATFORM", "").split(";")}
    chosen.discard("")
    wanted = {"DISPLAY": "xcb" in chosen, "WAYLAND_DISPLAY": "wayland" in chosen}
    if not chosen:
        wanted = dict.fromkeys(wanted, True)  # Qt's own choice: either display will do
    elif not any(wanted.values()):
        return None  # offscreen, vnc, eglfs…: a platform the user chose on purpose
    x_name = os.environ.get("DISPLAY", "") if wanted["DISPLAY"] else ""
    wayland_name = os.environ.get("WAYLAND_DISPLAY", "") if wanted["WAYLAND_DISPLAY"] else ""
    if not x_name and not wayland_name:
        unset = [name for name, asked in wanted.items() if asked]
        return (f"There is no display to open the window on ({' and '.join(unset)} "
                f"{'are' if len(unset) > 1 else 'is'} not set); {COMMANDS_WITHOUT_DISPLAY}.")
    if (wayland_name and _wayland_reachable(wayland_name)) or (x_name and _x_reachable(x_name)):
        return None
    shown = " or ".join(f"'{name}'" for name in (x_name, wayland_name) if name)
    return (f"The display {shown} cannot be reached, so the window cannot open; "
            f"{COMMANDS_WITHOUT_DISPLAY}.")


def _x_reachable(name: str) -> bool:
    """Connect the way Qt will (libxcb, with the same authorisation); True if it cannot tell."""
    path = ctypes.util.find_library("xcb")
    if path is None:
        return True  # no libxcb to ask: let Qt report it, in its own words
    xcb = ctypes.CDLL(path)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(name.encode(), None)  # never NULL: errors are a state
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def _wayland_reachable(name: str) -> bool:
    path = name if os.path.isabs(name) else os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""),
                                                         name)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except OSError:
            return False
    return True
