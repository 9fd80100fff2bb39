"""The self-test's window check (app.diagnostics.self_test): Qt's plugins are there and the
real main window paints. The caller provides a temporary TASK_ASSISTANT_HOME and picks the
platform."""

import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from app.common.install import CheckFailed, reinstall_hint

PAINT_TIMEOUT_MS = 5_000
ICON_SIZE = 64

# What the window needs to open on this OS's desktops. On Linux that is X11 and Wayland, where
# the Wayland plugin also needs its xdg-shell integration to show a window at all.
PLATFORM_PLUGINS = {
    "linux": ["platforms/xcb", "platforms/wayland", "wayland-shell-integration/xdg-shell"],
    "win32": ["platforms/windows"],
    "darwin": ["platforms/cocoa"],
}


def plugins_dir() -> Path:
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))


def plugin_file(plugins: Path, plugin: str) -> Path | None:
    """The file of "platforms/xcb" (libqxcb.so, qxcb.dll...) in a plugins folder, or None."""
    folder, name = plugin.split("/")
    for path in sorted((plugins / folder).glob("*")):
        stem = path.name.split(".")[0].removeprefix("lib")
        if stem in (name, f"q{name}"):
            return path
    return None


def required_plugins(platform: str = sys.platform) -> list[str]:
    return PLATFORM_PLUGINS["linux" if platform.startswith("linux") else platform]


def check_plugins(plugins: Path, needed: list[str]) -> list[str]:
    """Each plugin is found and loads (a missing system library shows only when loading);
    raises CheckFailed naming what is missing. Returns the names checked."""
    from PySide6.QtCore import QPluginLoader

    files = {plugin: plugin_file(plugins, plugin) for plugin in needed}
    missing = [plugin for plugin, file in files.items() if file is None]
    if missing:
        names = " and ".join(plugin.split("/")[1] for plugin in missing)
        raise CheckFailed(f"Qt's {names} plugin{'s are' if len(missing) > 1 else ' is'} missing "
                          f"from {plugins}, so the window cannot open: {reinstall_hint()}.")
    for plugin, file in files.items():
        loader = QPluginLoader(str(file))
        if not loader.load():
            raise CheckFailed(f"Qt's {plugin.split('/')[1]} plugin cannot be loaded "
                              f"({loader.errorString()}): install the system library it names, "
                              f"or {reinstall_hint()}.")
    return [plugin.split("/")[1] for plugin in needed]


def check_icon(svg: Path) -> None:
    """The app icon draws: it fails when Qt's SVG plugins were left out of the bundle."""
    from PySide6.QtGui import QIcon

    if QIcon(str(svg)).pixmap(ICON_SIZE, ICON_SIZE).isNull():
        raise CheckFailed(f"The app icon ({svg.name}) cannot be drawn, which means Qt's SVG "
                          f"plugins (iconengines/qsvgicon, imageformats/qsvg) are missing or do "
                          f"not load: {reinstall_hint()}.")


def check_window() -> str:
    from PySide6.QtWidgets import QApplication

    from app.common.paths import resource_path

    needed = required_plugins()
    if QApplication.instance() is None and os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        needed = [*needed, "platforms/offscreen"]  # Qt aborts the process when it is missing
    checked = check_plugins(plugins_dir(), needed)
    # instance() is typed as the QCoreApplication base; the one app here is a QApplication.
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    with _quiet_qt():
        size = _paint_main_window()
    svg = resource_path("task-assistant.svg")
    if svg is not None:  # a missing file is the resources check's sentence, not this one's
        check_icon(svg)
    return (f"painted {size} on {app.platformName()}; plugins {', '.join(checked)} load"
            + ("; icon drawn" if svg is not None else ""))


@contextmanager
def _quiet_qt() -> Iterator[None]:
    """Qt's warnings off (offscreen says it cannot resize windows): this check's verdict is its
    line. Critical and fatal messages still reach stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind, _context, message) -> None:
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            print(message, file=sys.stderr, flush=True)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def _paint_main_window() -> str:
    """Build the window the app shows (without the agent or any network), wait for its first
    paint and grab it; everything is closed again."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    from app.ui.main_window import MainWindow
    from app.ui.task_runner import TaskRunner
    from app.workspace import Workspace

    workspace = Workspace()
    try:
        window = MainWindow(workspace.store, workspace.conversations, workspace.settings,
                            workspace.keys, workspace.agent, TaskRunner())
        try:
            loop = QEventLoop()
            painted: list[bool] = []

            def on_painted() -> None:
                painted.append(True)
                loop.quit()

            window.first_painted.connect(on_painted)
            timeout = QTimer(singleShot=True, interval=PAINT_TIMEOUT_MS)
            timeout.timeout.connect(loop.quit)
            timeout.start()
            window.show()
            loop.exec()
            timeout.stop()
            if not painted:
                raise CheckFailed(f"The main window was not painted within "
                                  f"{PAINT_TIMEOUT_MS // 1000} seconds: {reinstall_hint()}.")
            picture = window.grab()
            if picture.isNull():
                raise CheckFailed(f"The main window could not be drawn into an image: "
                                  f"{reinstall_hint()}.")
            return f"{picture.width()}x{picture.height()}"
        finally:
            # What quitting does (the chat has no turn running, so no loop is needed for it).
            asyncio.run(window.shutdown())
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    finally:
        asyncio.run(workspace.close())
