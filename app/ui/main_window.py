"""The main window: conversations on the left, the chat in the middle, tasks on the right."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter

from app import APP_NAME
from app.assistant.loader import AssistantLoader
from app.common.errors import UserError
from app.config.keystore import KeyStore
from app.config.settings import Settings
from app.conversations.store import ConversationStore
from app.tasks import TaskStore
from app.ui.chat.chat_panel import ChatPanel
from app.ui.live_updates import LiveUpdates
from app.ui.chat.conversation_list import ConversationList
from app.ui.tasks.task_panel import TaskPanel
from app.ui.task_runner import TaskRunner
from app.ui.window_state import WindowState

DEFAULT_SIZE = (1180, 760)
SWITCH_PANEL_KEYS = "F6"  # the usual key for the next pane (browsers, file managers)
# Below these window widths the side panels fold away, so the chat and its message box keep
# room to work: first the tasks, then the conversations (Ctrl+F still finds one).
TASKS_FOLD = 980
SIDEBAR_FOLD = 640


class MainWindow(QMainWindow):
    quit_requested = Signal()   # Ctrl+Q
    close_requested = Signal()  # the window's close button: the shell decides (tray or quit)
    first_painted = Signal()

    def __init__(self, store: TaskStore, conversations: ConversationStore, settings: Settings,
                 keys: KeyStore, agent: AssistantLoader, runner: TaskRunner,
                 live: LiveUpdates | None = None, sync=None) -> None:
        """`live`: the app's LiveUpdates (the shell's); a window on its own makes its own.
        `sync`: the app's BackgroundSync, shown quietly in the status bar and in Settings."""
        super().__init__()
        self.conversations = conversations
        self.settings = settings
        self.keys = keys
        self.agent = agent
        self.runner = runner
        self._owns_live = live is None
        self.live = live or LiveUpdates(store, conversations, parent=self)
        self.settings_dialog = None
        self.global_shortcut = None  # the Shell's quick-ask shortcut, for Settings to show
        self.shortcut_sheet = None
        self.sync = sync
        self._painted = False
        self.setWindowTitle(APP_NAME)
        self.state = WindowState()

        self.sidebar = ConversationList(conversations, self.live)
        self.chat = ChatPanel(conversations, store, agent, runner)
        self.tasks = TaskPanel(store, self.live)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        # The chat keeps its prose to a readable width anyway, so a wide window shares its room
        # with the tasks, whose panel holds its own list sidebar and needs the width for titles.
        for widget, stretch in ((self.sidebar, 0), (self.chat, 3), (self.tasks, 2)):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setSizes([220, 620, 520])
        self.setCentralWidget(self.splitter)

        # A conversation picked in the list opens without taking the focus from the list, so
        # arrows, F2 and Delete keep working there.
        self.sidebar.selected.connect(self.open_conversation)
        self.sidebar.new_requested.connect(self.new_conversation)
        self.chat.settings_requested.connect(self.open_settings)
        self._build_menus()
        self._restore()
        if sync is not None:
            from app.ui.sync_status import SyncStatusLabel

            self.sync_status = SyncStatusLabel(sync)
            self.sync_status.clicked.connect(self.open_sync_settings)
            self.statusBar().addPermanentWidget(self.sync_status)

    def _build_menus(self) -> None:
        def action(menu, text, shortcut, slot, role=None) -> QAction:
            item = QAction(text, self, shortcut=QKeySequence(shortcut))
            item.triggered.connect(slot)
            if role is not None:
                item.setMenuRole(role)
            menu.addAction(item)
            return item

        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "&New conversation", QKeySequence.StandardKey.New, self.new_conversation)
        action(file_menu, "&Settings…", "Ctrl+,", self.open_settings,
               QAction.MenuRole.PreferencesRole)
        file_menu.addSeparator()
        # Not StandardKey.Quit: it is empty on Windows (and offscreen), and the sheet says Ctrl+Q.
        action(file_menu, "&Quit", "Ctrl+Q", self.quit_requested,
               QAction.MenuRole.QuitRole)
        chat_menu = self.menuBar().addMenu("&Chat")
        # Esc itself belongs to the chat panel (a second Esc shortcut would make it ambiguous).
        action(chat_menu, "&Stop answer\tEsc", "", self.chat.stop)
        action(chat_menu, "&Retry last answer", "Ctrl+R", self.chat.retry)
        action(chat_menu, "&Find conversation", QKeySequence.StandardKey.Find,
               self.sidebar.search.setFocus)
        action(chat_menu, "&Message box", "Ctrl+L", self.chat.input.setFocus)
        action(chat_menu, "&Tasks and back", SWITCH_PANEL_KEYS, self.switch_panel)
        help_menu = self.menuBar().addMenu("&Help")
        sheet = action(help_menu, "&Keyboard shortcuts", "Ctrl+/", self.show_shortcuts)
        sheet.setShortcuts([QKeySequence("Ctrl+/"), QKeySequence(Qt.Key.Key_F1)])

    def switch_panel(self) -> None:
        """F6: from anywhere in the chat to the task list, and from the tasks back to the
        message box, so neither needs the mouse or a long walk with Tab."""
        if self.tasks.isAncestorOf(QApplication.focusWidget()) or not self.tasks.isVisible():
            self.chat.focus_message_box()
        else:  # the list, or the views beside it when the list is empty
            target = self.tasks.view if self.tasks.view.isVisible() else self.tasks.sidebar
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- conversations ----------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.state.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        splitter = self.state.splitter()
        if splitter is not None:
            self.splitter.restoreState(splitter)
        conversations = self.conversations
        remembered = self.state.conversation()
        try:
            conversation = conversations.get(remembered) if remembered else conversations.latest()
        except UserError:  # deleted meanwhile (the CLI, another window)
            conversation = conversations.latest()
        if conversation is None:
            self.new_conversation()
        else:
            self.open_conversation(conversation.id)
        self.chat.input.setFocus()

    def open_conversation(self, conversation_id: str) -> None:
        self.chat.open_conversation(conversation_id)
        self.sidebar.show_current(conversation_id)

    def new_conversation(self) -> None:
        try:
            conversation = self.conversations.create()
        except UserError as error:
            self.statusBar().showMessage(str(error))
            return
        self.open_conversation(conversation.id)
        self.chat.input.setFocus()

    # -- settings and the key ---------------------------------------------------------------

    def open_settings(self) -> None:
        from app.ui.settings.settings_dialog import SettingsDialog

        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.settings, self.keys, self.runner, self,
                                                  mcp_servers=self.agent.mcp_servers,
                                                  sync=self.sync,
                                                  shortcut=self.global_shortcut,
                                                  routines=getattr(self, "routines", None),
                                                  preload=self.agent.preload)
            self.settings_dialog.key_changed.connect(self._key_changed)
            self.settings_dialog.finished.connect(self._settings_closed)
        self.settings_dialog.open()
        if self.chat.key_prompt.isVisible():
            self.settings_dialog.focus_key_field()

    def open_sync_settings(self) -> None:
        self.open_settings()
        if self.settings_dialog.sync_page is not None:
            self.settings_dialog.pages.setCurrentWidget(self.settings_dialog.sync_page)

    def _settings_closed(self) -> None:
        self.settings_dialog.deleteLater()
        self.settings_dialog = None
        self.chat.focus_message_box()  # after any dialog, the keys go back to the message box

    def show_shortcuts(self) -> None:
        from app.ui.shortcut_sheet import ShortcutSheet

        if self.shortcut_sheet is None:
            self.shortcut_sheet = ShortcutSheet(self)
            self.shortcut_sheet.finished.connect(self.chat.focus_message_box)
        self.shortcut_sheet.open()  # not exec(): no nested loop under qasync

    def _key_changed(self) -> None:
        self.agent.key_changed()
        self.check_key()

    def check_key(self) -> None:
        """Show the "add your key" prompt when no key is set (looked up off the UI thread)."""
        self.runner.start(self._check_key())

    async def _check_key(self) -> None:
        import asyncio

        try:
            source = await asyncio.to_thread(self.keys.source)
        except UserError:
            source = None  # the keyring is unusable: the prompt leads to Settings, which says why
        self.chat.show_key_prompt(source is None)

    # -- start-up and quitting ----------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.tasks.setVisible(self.width() >= TASKS_FOLD)
        self.sidebar.setVisible(self.width() >= SIDEBAR_FOLD or self.sidebar.search.hasFocus())

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted)  # after this paint has reached the screen

    def closeEvent(self, event) -> None:
        # Quitting is asynchronous (streams stop, databases close, then we exit), and closing
        # may mean "to the tray": either way the shell decides, not Qt.
        event.ignore()
        self.close_requested.emit()

    async def shutdown(self) -> None:
        self.state.save(self.saveGeometry(), self.splitter.saveState(), self.chat.conversation_id)
        if self.settings_dialog is not None:
            self.settings_dialog.close()
        await self.chat.shutdown()
        self.tasks.shutdown()
        self.sidebar.shutdown()
        if self._owns_live:
            self.live.stop()
        self.hide()
