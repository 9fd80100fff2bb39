"""The running app as a whole: the main window, the tray, the quick-ask popup and reminders.

Everything that opens or closes a window goes through here, so "close keeps the app in the
tray", "a second launch brings the window forward" and "quit" each have one implementation.
"""

import sqlite3
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app import APP_NAME
from app.assistant.loader import AssistantLoader
from app.common.errors import UserError
from app.config.keystore import KeyStore
from app.config.settings import Settings
from app.conversations.store import ConversationStore
from app.desktop.reminders import Reminders
from app.tasks import TaskStore
from app.ui.chat.code_block import warm_highlighting
from app.ui.hotkeys.global_shortcut import GlobalShortcut
from app.ui.live_updates import LiveUpdates
from app.ui.main_window import MainWindow
from app.ui.task_runner import TaskRunner
from app.ui.tray import Tray

if TYPE_CHECKING:  # built by the Workspace; importing it here would load sync before first paint
    from app.sync.service import SyncService
    from app.ui.chat.quick_ask import QuickAsk  # made on first use, in quick_ask()

BACKUP_CHECK_MS = 3_600_000  # hourly: a backup is taken when the newest is over a day old
REMINDER_CHECK_MS = 30_000  # also catches a task added for "now" within half a minute
ROUTINES_OFFER = ("The assistant can come to you: turn on “Plan my day” (weekdays at 8:00) or "
                  "“Weekly review” (Fridays at 17:00) in Settings → Routines.")
TRAY_HINT = (f"{APP_NAME} is still running in the tray, so reminders and quick ask keep "
             "working. Quit from the tray menu, or turn this off in Settings.")


class Shell(QObject):
    quit_requested = Signal()

    def __init__(self, store: TaskStore, conversations: ConversationStore, settings: Settings,
                 keys: KeyStore, agent: AssistantLoader, runner: TaskRunner,
                 reminders: Reminders | None, sync: "SyncService") -> None:
        """`sync`: the Workspace's SyncService, run in the background here."""
        super().__init__()
        self.store = store
        self.conversations = conversations
        self.settings = settings
        self.agent = agent
        self.runner = runner
        self.live = LiveUpdates(store, conversations, settings, self)
        from app.ui.background_sync import BackgroundSync

        self.sync = BackgroundSync(sync, store, self.live, runner, self)
        self.routines = self._routine_timer()
        self.window = MainWindow(store, conversations, settings, keys, agent, runner, self.live,
                                 sync=self.sync)
        self.window.routines = self.routines  # Settings → Routines
        self.window.quit_requested.connect(self.quit_requested)
        self.window.close_requested.connect(self._window_closed)
        self.popup: QuickAsk | None = None  # built on first use: most sessions never open it
        agent.also_load.append(warm_highlighting)  # the first code block's lexer, built ahead
        self.tray = Tray(self)
        self.tray.quick_ask_requested.connect(self.quick_ask)
        self.tray.open_requested.connect(self.show_window)
        self.tray.today_requested.connect(lambda: self.show_tasks("Today"))
        self.tray.task_requested.connect(self.show_task)
        self.tray.quit_requested.connect(self.quit_requested)
        self.tray.show()
        self.shortcut = GlobalShortcut(self)
        self.shortcut.pressed.connect(self.quick_ask)
        self.shortcut.apply(settings.get("quick_ask_shortcut"))
        self.window.global_shortcut = self.shortcut
        self.tray.conversation_requested.connect(self._continue_in_window)
        self.routines.ran.connect(self._routine_ran)
        self.routines.problem.connect(self.window.statusBar().showMessage)
        self._offer_routines()

        self.live.tasks_changed.connect(self._update_due_count)
        self.live.day_changed.connect(self._update_due_count)  # midnight changes it, unwritten
        self.live.setting_changed.connect(self._apply_setting)
        self._update_due_count()

        self.reminders = reminders
        self.reminder_timer = QTimer(self, interval=REMINDER_CHECK_MS)
        self.reminder_timer.timeout.connect(self.check_reminders)
        if reminders is not None:
            self.reminder_timer.start()
        self.tray_timer = QTimer(self, interval=60_000)
        self.tray_timer.timeout.connect(self.tray.show)  # a tray that appeared since
        self.tray_timer.start()
        self.backup_timer = QTimer(self, interval=BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.back_up_if_due)
        self.backup_timer.start()

    # -- what a launch, the tray or a hotkey asks for ---------------------------------------

    def handle(self, message: str) -> None:
        """A message from a second launch: "show" or "quick-ask"."""
        if message == "quick-ask":
            self.quick_ask()
        elif message == "show":
            self.show_window()

    def ensure_assistant_loading(self) -> None:
        """Someone is about to ask (the window, quick ask, a routine about to run): start
        loading the agent stack now. A tray start waits for this, so it stays light."""
        self.agent.preload()

    def show_window(self) -> None:
        self.ensure_assistant_loading()
        if self.window.isMinimized():
            self.window.showNormal()
        else:
            self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def show_tasks(self, view: str) -> None:
        self.show_window()
        self.window.tasks.show_view(view)

    def show_task(self, task_id: int) -> None:
        """A clicked reminder: the task in its list, with Done and Snooze above it (tray
        notifications cannot carry buttons themselves)."""
        self.show_window()
        self.window.tasks.show_reminder(task_id)

    def quick_ask(self) -> None:
        self.ensure_assistant_loading()
        if self.popup is None:
            from app.ui.chat.quick_ask import QuickAsk

            self.popup = QuickAsk(self.conversations, self.store, self.agent, self.runner)
            self.popup.open_in_window.connect(self._continue_in_window)
            self.popup.chat.settings_requested.connect(self.window.open_settings)
        self.popup.popup()

    def _continue_in_window(self, conversation_id: str) -> None:
        if conversation_id:
            self.window.open_conversation(conversation_id)
        self.show_window()

    # -- routines -----------------------------------------------------------------------------

    def _routine_timer(self):
        from app.common.paths import tasks_db_path
        from app.routines.scheduler import RoutineScheduler, agent_run
        from app.routines.store import RoutineStore
        from app.ui.routine_timer import RoutineTimer

        scheduler = RoutineScheduler(RoutineStore(tasks_db_path()),
                                     agent_run(self.agent, self.conversations, self.store))
        return RoutineTimer(scheduler, self.runner, self)

    def _offer_routines(self) -> None:
        """At first run, once: the two built-in routines exist, off, in Settings."""
        if self.window.state.routines_offered():
            return
        self.window.state.remember_routines_offer()
        self.window.statusBar().showMessage(ROUTINES_OFFER)

    def _routine_ran(self, outcome) -> None:
        """A notification with the run's first lines (clicking opens its conversation);
        without a tray, the status line says it."""
        if self.tray.show():
            self.tray.notify(outcome.title, outcome.first_lines(),
                             conversation_id=outcome.conversation_id)
        else:
            self.window.statusBar().showMessage(
                f"{outcome.title}: {outcome.first_lines(1)}")

    # -- closing ------------------------------------------------------------------------------

    def _window_closed(self) -> None:
        if not (self.settings.get("close_to_tray") and self.tray.show()):
            self.quit_requested.emit()
            return
        self.window.hide()
        if not self.window.state.tray_hint_shown():
            self.window.state.remember_tray_hint()
            self.tray.notify(APP_NAME, TRAY_HINT)

    async def shutdown(self) -> None:
        self.reminder_timer.stop()
        self.tray_timer.stop()
        self.backup_timer.stop()
        self.shortcut.close()
        self.routines.stop()
        self.sync.stop()
        if self.reminders is not None:
            self.reminders.close()
        self.live.stop()
        if self.popup is not None:
            await self.popup.chat.shutdown()
            self.popup.hide()
        await self.window.shutdown()
        self.tray.hide()

    # -- the tray's number, reminders, start on login -----------------------------------------

    def _update_due_count(self, *_change) -> None:
        try:
            self.tray.show_due_count(self.store.count_due_today())
        except sqlite3.ProgrammingError:  # a queued update arriving after the store closed
            pass

    def back_up_if_due(self) -> None:
        """The automatic backup, on a worker thread: copying 100k tasks takes a moment."""
        self.runner.start(self._back_up_if_due())

    async def _back_up_if_due(self) -> None:
        import asyncio

        from app.tasks.backups import take_if_due

        try:
            await asyncio.to_thread(take_if_due, self.store.path)
        except UserError as error:  # a damaged store or a full disk: said, never a crash
            self.window.statusBar().showMessage(str(error))

    def check_reminders(self) -> None:
        if self.reminders is None or not self.settings.get("reminders"):
            return
        due = self.reminders.due_now()
        if not due:
            return
        title, message = self.reminders.summarize(due)
        if self.tray.available:
            self.tray.notify(title, message, due[0].task_id if len(due) == 1 else None)
        else:  # no tray to show a bubble: the window's status bar carries it instead
            self.window.statusBar().showMessage(f"{title}: {message}")
        self.reminders.mark_notified(due)

    def _apply_setting(self, name: str) -> None:
        if name == "start_on_login":
            self.apply_start_on_login()
        elif name == "quick_ask_shortcut":
            self.shortcut.apply(self.settings.get("quick_ask_shortcut"))

    def apply_start_on_login(self) -> None:
        from app.desktop.autostart import Autostart, launch_command

        autostart = Autostart()
        try:
            if self.settings.get("start_on_login"):
                # Rewritten every time (it is cheap and atomic): if the app moved, the entry
                # follows it.
                autostart.enable(launch_command(extra=["--tray"]))
            elif autostart.enabled():
                autostart.disable()
        except UserError as error:
            self.window.statusBar().showMessage(str(error))
