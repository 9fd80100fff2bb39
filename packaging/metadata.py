"""Everything the installers say about the app, in one place.

The name and version are the app's own (`app/__init__.py`, which the app shows in --version and
which pyproject.toml reads too); everything only an installer needs is spelled here. Every
recipe (the PyInstaller spec, the .deb, the NSIS script, the macOS Info.plist) takes its
values from this module and nowhere else.
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _app_constant(name: str) -> str:
    # Read, not imported: the build must not depend on the app's own dependencies.
    tree = ast.parse((REPO / "app" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise LookupError(f"app/__init__.py does not define {name}")


NAME = _app_constant("APP_NAME")             # "Task Assistant": windows, menus, installers
VERSION = _app_constant("__version__")       # "0.1.0"
COMMAND = "task-assistant"                   # the executable, the .deb package, the icon name
DESCRIPTION = "A desktop chat assistant that manages your tasks with Gemini."
# For package managers: a one-line summary, then paragraphs.
DESCRIPTION_LONG = """\
chat assistant that manages your tasks with Gemini
Task Assistant is a desktop chat window and a tray quick-ask popup. Ask it to
add, find, update or complete tasks in plain words ("remind me to renew my
passport next Friday, and what's due this week?"); the tasks stay in a local
SQLite file and the Gemini API key in the system keyring.
"""
PUBLISHER = "Task Assistant developers"
HOMEPAGE = "https://github.com/task-assistant/task-assistant"
MAINTAINER = "Task Assistant developers <maintainers@task-assistant.invalid>"
LICENSE = "MIT"
COPYRIGHT = "Copyright (c) 2026 Task Assistant developers"

# macOS: the bundle identifier ties Keychain access and notarisation to the app; never change it.
BUNDLE_ID = "org.taskassistant.TaskAssistant"
# Windows: the key under ...\CurrentVersion\Uninstall and the Start menu/shortcut names.
WINDOWS_UNINSTALL_KEY = "TaskAssistant"
WINDOWS_GUI_EXE = f"{NAME}.exe"              # no console window: shortcuts, start on login
                                             # (app/desktop/autostart.py finds it by this name)
WINDOWS_CLI_EXE = f"{COMMAND}.exe"           # a console program: ask, tasks, --self-test

# Debian: the packages of the shared libraries the bundle takes from the system rather than
# shipping them (bundle_contents.SYSTEM_LIBRARIES says which and why);
# tests/packaging/test_packaging_linux.py checks that every library a bundled binary links is
# either shipped or in one of these. The names hold from Debian 11 and Ubuntu 20.04 on. libc6 is
# added by the build, with the glibc version the bundle really needs.
DEB_SECTION = "utils"
DEB_DEPENDS = [
    "libstdc++6", "libgcc-s1", "libegl1", "libgl1", "libfontconfig1", "libfreetype6",
    "libdbus-1-3", "libglib2.0-0", "libgssapi-krb5-2",
    "libx11-6", "libx11-xcb1", "libxkbcommon0", "libxkbcommon-x11-0", "libxcb1", "libxcb-cursor0",
    "libxcb-glx0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render0", "libxcb-render-util0", "libxcb-shape0", "libxcb-shm0", "libxcb-sync1",
    "libxcb-util1", "libxcb-xfixes0", "libxcb-xinerama0", "libxcb-xkb1",
    "libwayland-client0", "libwayland-cursor0", "libwayland-egl1",
    "libportaudio2",  # the microphone (sounddevice finds the system's PortAudio on Linux)
]
# A Secret Service keeps the API key; desktops ship one, and a Recommends would pull GNOME
# Keyring onto KDE systems. Without one the app asks for GEMINI_API_KEY in the environment.
DEB_SUGGESTS = ["gnome-keyring | kwalletmanager | keepassxc"]


def version_tuple() -> tuple[int, int, int, int]:
    """1.2.3 as (1, 2, 3, 0): Windows' file version resource wants four numbers."""
    numbers = [int(part) for part in VERSION.split("+")[0].split("-")[0].split(".")]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]
