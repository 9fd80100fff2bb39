"""`task-assistant` with no command: the desktop app, on a qasync loop.

One instance per user: a second launch hands its wish ("show the window", "quick ask") to the
running one and exits. Start-up order matters: the window is built and shown first, and only
after its first paint does the agent stack start loading (on a worker thread). Quitting —
Ctrl+Q, the tray's Quit, closing the window where there is no tray, SIGTERM — always takes the
same path: stop the running answers, close the network client and the databases, then leave
the loop, so the exit is 0 with nothing left pending.
"""

import asyncio
import sys
from collections.abc import Callable
from typing import cast

from app import APP_NAME
from app.ui.lifecycle.display_loss import SENTENCE as DISPLAY_LOST
from app.ui.lifecycle.display_loss import DisplayWatch

SHUTDOWN_TIMEOUT = 5.0  # seconds for streams to stop and files to close before giving up


# What a launch asks for, and what it says to an instance that is already running.
START_MESSAGES = {"window": "show", "quick-ask": "quick-ask", "tray": "ping"}


def run(start: str = "window", on_shown: Callable | None = None) -> int:
    """Run the app until it quits. `start` is "window", "quick-ask" (the popup, for an OS
    hotkey) or "tray" (no window: start on login). `on_shown(window)` is called after the
    window's first paint (for the start-up benchmark and tests)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.common.errors import UserError
    from app.common.paths import resource_path
    from app.ui.lifecycle.event_loop import AppEventLoop
    from app.ui.lifecycle.main_thread_gc import MainThreadCollector
    from app.ui.lifecycle.single_instance import start_or_hand_off

    # instance() is typed as the QCoreApplication base; the one app here is a QApplication.
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("task-assistant")
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("task-assistant")  # matches the .desktop file: the shell's icon
    icon = resource_path("task-assistant.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    # Closing the window goes through our own shutdown, not straight out of the loop.
    app.setQuitOnLastWindowClosed(False)
    try:
        server = start_or_hand_off(START_MESSAGES[start])
    except UserError as error:  # one is running but does not answer, or a different version
        _show_fatal(app, str(error))
        return 1
    if server is None:
        return 0  # the running instance does it
    MainThreadCollector(app)  # before any worker thread starts
    display = DisplayWatch()
    display.install()
    try:
        with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:
            return runner.run(_main(app, server, start, on_shown, display))
    except Exception:
        if not display.lost:
            raise
        # The loop could not finish tidily without its display. _main closed the files if it
        # got that far; if not, SQLite's journal keeps them whole as the process ends.
        return 0
    finally:
        server.close()
        display.uninstall()
        if display.lost:
            print(f"task-assistant: {DISPLAY_LOST}", file=sys.stderr)


async def _main(app, server, start: str, on_shown: Callable | None, display) -> int:
    from app.common.errors import UserError
    from app.desktop.reminders import Reminders
    from app.ui.lifecycle.quit_signals import QuitSignals
    from app.ui.shell import Shell
    from app.ui.task_runner import TaskRunner

    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)  # the session manager logging the user out, say
    try:
        workspace = _open_workspace(app)
    except UserError as error:  # a database from a newer version, an unwritable folder…
        _show_fatal(app, str(error))
        return 1
    from app.ui.theme.apply import ThemeFollower

    ThemeFollower(app, workspace.settings)  # before any widget: the first paint is in our look
    runner = TaskRunner()
    # Before the window exists: a SIGTERM that arrives as soon as it does must quit cleanly too.
    signals = QuitSignals(quitting.set)
    shell = Shell(workspace.store, workspace.conversations, workspace.settings, workspace.keys,
                  workspace.agent, runner, Reminders(workspace.store), workspace.sync)
    shell.quit_requested.connect(quitting.set)
    server.message_received.connect(shell.handle)
    window = shell.window

    def shown() -> None:
        # The heavy imports begin once the window is on screen; a tray start waits for intent
        # (Shell.ensure_assistant_loading).
        if window.isVisible():
            workspace.agent.preload()
        # First of the rest: a problem in any later step must not cost this session its
        # routines (a run missed while the app was closed happens now, once).
        shell.routines.start()
        window.check_key()
        shell.check_reminders()  # overdue tasks are announced at start
        shell.back_up_if_due()
        shell.sync.start()  # the first background sync, then every 5 minutes
        for warning in workspace.warnings:  # a damaged conversations file was set aside
            window.statusBar().showMessage(warning)
        if workspace.settings.get("start_on_login"):
            shell.apply_start_on_login()  # keeps the login entry pointing at this copy
        if on_shown is not None:
            on_shown(window)

    if start == "window" or (start == "tray" and not shell.tray.available):
        window.first_painted.connect(shown)
        window.show()
    else:
        shown()  # no window to wait for: the popup, or the tray alone
        if start == "quick-ask":
            shell.quick_ask()
    try:
        await quitting.wait()
    finally:
        signals.restore()
        if display.lost:  # Qt left its loop: nothing can be awaited, the files close now
            workspace.conversations.close()
            workspace.store.close()
        else:
            try:
                await asyncio.wait_for(_close(shell, runner, workspace), SHUTDOWN_TIMEOUT)
            except TimeoutError:
                pass  # an unresponsive server must not keep the app from quitting
        # The window is not deleted here: a turn cut off by the timeout still cleans up its
        # widgets while the loop closes, and the process ends right after.
    return 0


async def _close(shell, runner, workspace) -> None:
    await shell.shutdown()
    await runner.stop()
    await workspace.close()


def _open_workspace(app):
    """The Workspace; when the task file is damaged and a backup exists, the user is offered
    the restore first (the damaged file is kept aside, never overwritten)."""
    from app.common.database_problems import DamagedDatabaseError, is_marked_damaged
    from app.common.paths import tasks_db_path
    from app.tasks import backups
    from app.workspace import Workspace

    path = tasks_db_path()
    problem = None
    if is_marked_damaged(path):  # it opens read-only: offer the way out first
        from app.common.database_problems import damaged_sentence

        problem = damaged_sentence(path)
    else:
        try:
            return Workspace()
        except DamagedDatabaseError as error:
            problem = str(error)
    found = backups.list_backups(path)
    if found and _ask_restore(problem, found[0]):
        backups.restore(path)
    return Workspace()  # declined: read-only if it opens at all, else the sentence


def _ask_restore(problem: str, newest) -> bool:
    from PySide6.QtWidgets import QMessageBox

    from app.ui.question_box import show_default

    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, problem)
    box.setInformativeText(f"Restore the newest backup, taken {newest.taken:%a %d %b %Y %H:%M}? "
                           "The current file is kept aside, not overwritten.")
    restore = box.addButton("Restore backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Don't restore", QMessageBox.ButtonRole.RejectRole)
    show_default(box, restore)
    box.exec()  # before the loop serves anything else, so a modal box is safe here
    return box.clickedButton() is restore


def _show_fatal(app, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    # Before the loop serves anything else, so a modal box is safe here.
    QMessageBox.critical(None, APP_NAME, message)
