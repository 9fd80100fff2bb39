"""The main window: conversations on the left, the chat in the middle, tasks on the right.

As the window narrows the tasks stay: the conversation list folds first (into a drawer that
opens over the chat, from the corner button, Ctrl+B or Ctrl+F), then the task sidebar folds to
its icons. At 960 px (half a 1920 screen) the chat and the tasks are both on screen.
"""

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsDropShadowEffect,
    QMainWindow,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.assistant.loader import AssistantLoader
from app.common.errors import UserError
from app.config.keystore import KeyStore
from app.config.settings import Settings
from app.conversations.store import ConversationStore
from app.tasks import TaskStore
from app.ui.chat.chat_panel import ChatPanel
from app.ui.chat.conversation_list import ConversationList
from app.ui.live_updates import LiveUpdates
from app.ui.task_runner import TaskRunner
from app.ui.tasks.task_panel import TaskPanel
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE
from app.ui.window_state import WindowState

if TYPE_CHECKING:  # each is imported where it is made (on first use, or by the Shell)
    from app.ui.command_palette import CommandPalette
    from app.ui.hotkeys.global_shortcut import GlobalShortcut
    from app.ui.routine_timer import RoutineTimer
    from app.ui.settings.settings_dialog import SettingsDialog
    from app.ui.shortcut_sheet import ShortcutSheet

DEFAULT_SIZE = (1180, 760)
# Window widths below which a side panel folds (the tasks themselves never do): first the
# conversation list becomes a drawer, then the task sidebar shows only its icons.
CONVERSATIONS_FOLD = 1100
TASK_SIDEBAR_FOLD = 1000
DRAWER_WIDTH = 280
CONVERSATIONS_WIDTH = 220
CONVERSATIONS_KEYS = "Ctrl+B"      # VS Code's primary side bar
TASKS_KEYS = "Ctrl+Alt+B"          # and its secondary one
SWITCH_PANEL_KEYS = "F6"           # the desktop's usual "next pane"
PALETTE_KEYS = "Ctrl+K"            # Linear, Slack, Claude desktop
THEME_NAMES = (("system", "System"), ("light", "Light"), ("dark", "Dark"))


def holds_focus(widget: QWidget) -> bool:
    """Whether the keyboard focus is on `widget` or inside it."""
    focus = QApplication.focusWidget()
    return focus is not None and widget.isAncestorOf(focus)


class ConversationDrawer(QFrame):
    """The conversation list over the chat's left edge, for a narrow window. Esc, or picking a
    conversation, closes it; the focus goes back where it was."""

    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setProperty("surface", "chrome")
        self.setObjectName("ConversationDrawer")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Lifted over the chat: its right edge (the style sheet's) and a soft shadow.
        self.setGraphicsEffect(QGraphicsDropShadowEffect(self, blurRadius=24, offset=QPointF(4, 0),
                                                         color=QColor(0, 0, 0, 60)))
        QVBoxLayout(self).setContentsMargins(0, 0, 1, 0)  # 1 px: the border on its right
        self.hide()

    def hold(self, widget: QWidget) -> None:
        layout = self.layout()
        if layout is not None:  # made in __init__; Qt's type allows none
            layout.addWidget(widget)

    def open_over(self, area: QWidget) -> None:
        window = self.parentWidget()
        if window is None:  # given in __init__; Qt's type allows none
            return
        corner = area.mapTo(window, area.rect().topLeft())
        self.setGeometry(corner.x(), corner.y(),
                         min(DRAWER_WIDTH, area.width() - SPACE["xxl"]), area.height())
        self.show()
        self.raise_()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_drawer()
            return
        super().keyPressEvent(event)

    def close_drawer(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()


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
        self.settings_dialog: SettingsDialog | None = None
        self.global_shortcut: GlobalShortcut | None = None  # the Shell's, for Settings to show
        self.routines: RoutineTimer | None = None  # the Shell's, for Settings → Routines
        self.shortcut_sheet: ShortcutSheet | None = None
        self.sync = sync
        self._painted = False
        self.setWindowTitle(APP_NAME)
        self.state = WindowState()

        self.store = store
        # Each panel made in its place, parent first, with its own surface (chrome for the side
        # panels, the page for the chat): under the style sheet a widget polished early is
        # polished again, its whole subtree, each time it changes parent. The splitter's handle
        # is the 1 px border between them (the style sheet's).
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.setCentralWidget(self.splitter)
        self.sidebar = ConversationList(conversations, self.live, self.splitter)
        self.chat = ChatPanel(conversations, store, agent, runner, parent=self.splitter)
        self.live.conversations_changed.connect(lambda *_: self.chat.show_title())  # renames
        self.tasks = TaskPanel(store, self.live, self.splitter)
        self.splitter.setHandleWidth(1)
        self.splitter.setChildrenCollapsible(False)  # a panel leaves by its toggle, not a drag
        # The chat keeps its prose to a readable width anyway, so it shares its room equally
        # with the tasks, whose panel holds its own list sidebar and needs the width for titles.
        for widget, stretch in ((self.sidebar, 0), (self.chat, 1), (self.tasks, 1)):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setSizes([CONVERSATIONS_WIDTH, 470, 470])
        # The overlays are the window's children: a splitter would make any child a pane.
        self.drawer = ConversationDrawer(self)
        self.drawer.closed.connect(self._drawer_closed)
        self._focus_before_drawer: QWidget | None = None
        self.conversations_folded = False
        self.conversations_wanted = True  # Ctrl+B's choice for a wide window
        # The folded list's way back: a quiet corner button over the chat's top left.
        self.drawer_button = QToolButton(self)
        self.drawer_button.setProperty("role", "icon")
        self.drawer_button.setAccessibleName("Show conversations")
        self.drawer_button.setToolTip(f"Conversations ({CONVERSATIONS_KEYS})")
        self.drawer_button.clicked.connect(self.toggle_conversations)
        self.drawer_button.hide()
        self.palette_popup: CommandPalette | None = None  # made on first use

        # A conversation picked in the list opens without taking the focus from the list, so
        # arrows, F2 and Delete keep working there.
        self.sidebar.selected.connect(self.open_conversation)
        # In the drawer a click (or Enter) on a conversation opens it and puts the drawer away;
        # arrows only walk, as in the docked list.
        self.sidebar.list.viewport().installEventFilter(self)
        self.sidebar.list.itemActivated.connect(lambda _item: self.drawer.close_drawer())
        self.sidebar.new_requested.connect(self.new_conversation)
        self.chat.settings_requested.connect(self.open_settings)
        self._build_menus()
        self._restyle()
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
        self.new_conversation_action = action(file_menu, "&New conversation",
                                              QKeySequence.StandardKey.New,
                                              self.new_conversation)
        file_menu.addAction(self.tasks.new_action)  # Ctrl+Shift+N, the panel's own
        self.settings_action = action(file_menu, "&Settings…", "Ctrl+,", self.open_settings,
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
               self.find_conversation)
        action(chat_menu, "&Message box", "Ctrl+L", self.chat.input.setFocus)
        view_menu = self.menuBar().addMenu("&View")
        self.palette_action = action(view_menu, "&Command palette…", PALETTE_KEYS,
                                     self.open_command_palette)
        view_menu.addSeparator()
        self.conversations_action = action(view_menu, "&Conversations", CONVERSATIONS_KEYS,
                                           self.toggle_conversations)
        self.conversations_action.setCheckable(True)
        self.conversations_action.setChecked(True)
        self.tasks_action = action(view_menu, "&Tasks", TASKS_KEYS, self.toggle_tasks)
        self.tasks_action.setCheckable(True)
        self.tasks_action.setChecked(True)
        action(view_menu, "Switch between c&hat and tasks", SWITCH_PANEL_KEYS,
               self.switch_panel)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("T&heme")
        self.theme_actions = QActionGroup(self)
        for value, name in THEME_NAMES:
            item = QAction(f"{name} theme", self, checkable=True)
            item.setData(value)
            item.triggered.connect(lambda _=False, v=value: self.set_theme(v))
            self.theme_actions.addAction(item)
            theme_menu.addAction(item)
        self._check_theme()
        help_menu = self.menuBar().addMenu("&Help")
        sheet = action(help_menu, "&Keyboard shortcuts", "Ctrl+/", self.show_shortcuts)
        sheet.setShortcuts([QKeySequence("Ctrl+/"), QKeySequence(Qt.Key.Key_F1)])

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
        if self.chat.conversation_id is not None and not self.chat.view.items():
            # The empty conversation on screen is already a new one: Ctrl+N pressed again
            # must not leave a pile of empty "New conversation" rows behind.
            self.chat.input.setFocus()
            return
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
                                                  routines=self.routines,
                                                  preload=self.agent.preload)
            self.settings_dialog.key_changed.connect(self._key_changed)
            self.settings_dialog.finished.connect(self._settings_closed)
        self.settings_dialog.open()
        if self.chat.key_prompt.isVisible():
            self.settings_dialog.focus_key_field()

    def open_sync_settings(self) -> None:
        self.open_settings()
        dialog = self.settings_dialog
        if dialog is not None and dialog.sync_page is not None:
            dialog.pages.setCurrentWidget(dialog.sync_page)

    def _settings_closed(self) -> None:
        if self.settings_dialog is not None:
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

    # -- panels: folding, toggles, the drawer ------------------------------------------------

    def _fit_panels(self) -> None:
        """Fold what the width cannot hold: the conversation list first, then the task
        sidebar's names. The task list itself always stays."""
        fold = self.width() < CONVERSATIONS_FOLD
        if fold != self.conversations_folded:
            self._fold_conversations(fold)
        compact = self.width() < TASK_SIDEBAR_FOLD
        if compact != self.tasks.sidebar.compact:
            self.tasks.sidebar.set_compact(compact)
            sizes = self.tasks.splitter.sizes()
            wide = self.tasks.sidebar.sizeHint().width()
            self.tasks.splitter.setSizes([wide, max(0, sum(sizes) - wide)])
        self._place_overlays()

    def _fold_conversations(self, fold: bool) -> None:
        self.conversations_folded = fold
        had_focus = holds_focus(self.sidebar)
        if fold:
            self.drawer.hold(self.sidebar)  # reparenting takes it out of the splitter
            self.sidebar.show()
            self._share_width()
        else:
            self.drawer.close_drawer()
            self.splitter.insertWidget(0, self.sidebar)
            self.splitter.setStretchFactor(0, 0)
            self.sidebar.setVisible(self.conversations_wanted)
            self._share_width()
        self.drawer_button.setVisible(fold)
        self._sync_conversations_action()
        if had_focus and not self.sidebar.isVisible():
            self.chat.focus_message_box()

    def _share_width(self) -> None:
        """The docked list at its width, the rest shared equally by the chat and the tasks."""
        total = sum(self.splitter.sizes()) or self.width()
        docked = self.splitter.indexOf(self.sidebar) == 0
        listed = CONVERSATIONS_WIDTH if docked and self.sidebar.isVisibleTo(self) else 0
        rest = max(0, total - listed)
        self.splitter.setSizes(([listed] if docked else []) + [rest // 2, rest - rest // 2])

    def _place_overlays(self) -> None:
        margin = SPACE["s"]
        corner = self.chat.mapTo(self, self.chat.rect().topLeft())
        self.drawer_button.adjustSize()  # outside any layout it would keep Qt's 100×30
        self.drawer_button.move(corner.x() + margin, corner.y() + margin)
        self.drawer_button.raise_()
        if self.drawer.isVisible():
            self.drawer.open_over(self.chat)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and self.drawer.isVisible() \
                and watched is self.sidebar.list.viewport():
            QTimer.singleShot(0, self.drawer.close_drawer)  # after the list has taken the click
        return super().eventFilter(watched, event)

    def toggle_conversations(self) -> None:
        if not self.conversations_folded:
            self.conversations_wanted = self.sidebar.isHidden()
            self.sidebar.setVisible(self.conversations_wanted)
            if not self.sidebar.isVisible() and holds_focus(self.sidebar):
                self.chat.focus_message_box()
        elif self.drawer.isVisible():
            self.drawer.close_drawer()
        else:
            self.open_drawer()
        self._sync_conversations_action()

    def open_drawer(self) -> None:
        self._focus_before_drawer = QApplication.focusWidget()
        self.drawer.open_over(self.chat)
        self.sidebar.list.setFocus(Qt.FocusReason.OtherFocusReason)
        self._sync_conversations_action()

    def _drawer_closed(self) -> None:
        self._sync_conversations_action()
        back = self._focus_before_drawer
        self._focus_before_drawer = None
        if back is not None and back.isVisible() and not self.sidebar.isAncestorOf(back):
            back.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.chat.focus_message_box()

    def _sync_conversations_action(self) -> None:
        shown = self.drawer.isVisible() if self.conversations_folded else \
            not self.sidebar.isHidden()
        self.conversations_action.setChecked(shown)

    def find_conversation(self) -> None:
        """Ctrl+F: the search box, in the drawer when the list is folded."""
        if self.conversations_folded and not self.drawer.isVisible():
            self.open_drawer()
        elif not self.conversations_folded and self.sidebar.isHidden():
            self.toggle_conversations()
        self.sidebar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.sidebar.search.selectAll()

    def toggle_tasks(self) -> None:
        """The user's own choice: the width never hides the tasks."""
        shown = self.tasks.isHidden()
        if not shown and holds_focus(self.tasks):
            self.chat.focus_message_box()
        self.tasks.setVisible(shown)
        self.tasks_action.setChecked(shown)

    def switch_panel(self) -> None:
        """F6: from the chat to the task list and back."""
        if holds_focus(self.tasks):
            self.chat.focus_message_box()
            return
        if self.tasks.isHidden():
            self.toggle_tasks()
        # The list when it has tasks, else the add box (an empty view shows a sentence), else
        # the views' sidebar (an empty Done or Trash has no add box).
        target = next((widget for widget in (self.tasks.view, self.tasks.add_line)
                       if widget.isVisible()), self.tasks.sidebar)
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- the look ---------------------------------------------------------------------------

    def set_theme(self, theme: str) -> None:
        """The View menu's and the palette's theme switch: the setting, which the app's
        ThemeFollower puts on screen."""
        self.settings.set("theme", theme)
        self._check_theme()

    def _check_theme(self) -> None:
        for item in self.theme_actions.actions():
            item.setChecked(item.data() == self.settings.get("theme"))

    def _restyle(self) -> None:
        self.drawer_button.setIcon(icon("panel-left"))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a theme switch: icons re-tinted
            self._restyle()
            self._check_theme()

    # -- the command palette ----------------------------------------------------------------

    def open_command_palette(self) -> None:
        from app.ui.command_palette import CommandPalette

        if self.palette_popup is None:
            self.palette_popup = CommandPalette(self)
        self.palette_popup.open_palette()

    def open_task(self, task_id: int) -> None:
        """Show a task where it lives (its list, or Done), selected, with the focus."""
        try:
            task = self.store.get(task_id)
        except UserError as error:  # deleted meanwhile
            self.statusBar().showMessage(str(error))
            return
        if self.tasks.isHidden():
            self.toggle_tasks()
        self.tasks.refresh()  # a task or list added a moment ago may not be listed yet
        if self.tasks.model.task(task.id) is None:
            if task.status == "done":
                self.tasks.show_view("Done")
            else:
                self.tasks.show_list(task.list)
        self.tasks.select_task(task.id)
        self.tasks.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_settings_page(self, title: str) -> None:
        self.open_settings()
        if self.settings_dialog is not None:
            self.settings_dialog.show_page(title)

    # -- start-up and quitting ----------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_panels()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_panels()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # after this paint has reached the screen

    def closeEvent(self, event) -> None:
        # Quitting is asynchronous (streams stop, databases close, then we exit), and closing
        # may mean "to the tray": either way the shell decides, not Qt.
        event.ignore()
        self.close_requested.emit()

    async def shutdown(self) -> None:
        if self.conversations_folded:  # the saved sizes are the three panels'
            self._fold_conversations(False)
        self.state.save(self.saveGeometry(), self.splitter.saveState(), self.chat.conversation_id)
        if self.settings_dialog is not None:
            self.settings_dialog.close()
        await self.chat.shutdown()
        self.tasks.shutdown()
        self.sidebar.shutdown()
        if self._owns_live:
            self.live.stop()
        self.hide()
