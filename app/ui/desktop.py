"""`task-assistant` with no command: the desktop app, on a qasync loop.

Start-up order matters: the window is built and shown first, and only after its first paint
does the agent stack start loading (on a worker thread). Quitting — Ctrl+Q, closing the
window, SIGTERM — always takes the same path: stop the running answer, close the network
client and the databases, then leave the loop, so the exit is 0 with nothing left pending.
"""

import asyncio
import sys
from collections.abc import Callable

from app import APP_NAME

SHUTDOWN_TIMEOUT = 5.0  # seconds for streams to stop and files to close before giving up


def run(on_shown: Callable | None = None) -> int:
    """Run the app until it quits; `on_shown(window)` is called after the first paint (for the
    start-up benchmark and tests)."""
    import qasync
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.paths import resource_path

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("task-assistant")
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("task-assistant")  # matches the .desktop file: the shell's icon
    icon = resource_path("task-assistant.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    # Closing the window goes through our own shutdown, not straight out of the loop.
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(_main(app, on_shown))


async def _main(app, on_shown: Callable | None) -> int:
    from app.errors import UserError
    from app.ui.main_window import MainWindow
    from app.ui.quit_signals import QuitSignals
    from app.ui.task_runner import TaskRunner
    from app.workspace import Workspace

    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)  # the session manager logging the user out, say
    try:
        workspace = Workspace()
    except UserError as error:  # a database from a newer version, an unwritable folder…
        _show_fatal(app, str(error))
        return 1
    runner = TaskRunner()
    window = MainWindow(workspace, runner)
    window.quit_requested.connect(quitting.set)
    signals = QuitSignals(quitting.set)

    def shown() -> None:
        workspace.preload()  # the heavy imports begin once the window is on screen
        window.check_key()
        if on_shown is not None:
            on_shown(window)

    window.first_painted.connect(shown)
    window.show()
    try:
        await quitting.wait()
    finally:
        signals.restore()
        try:
            await asyncio.wait_for(_close(window, runner, workspace), SHUTDOWN_TIMEOUT)
        except TimeoutError:
            pass  # an unresponsive server must not keep the app from quitting
        window.deleteLater()
    return 0


async def _close(window, runner, workspace) -> None:
    await window.shutdown()
    await runner.stop()
    await workspace.close()


def _show_fatal(app, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    # Before the loop serves anything else, so a modal box is safe here.
    QMessageBox.critical(None, APP_NAME, message)
