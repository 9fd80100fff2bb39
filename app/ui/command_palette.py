"""The command palette (Ctrl+K): every action and view of the window by name, with its keys.

Commands are read from the window's own QActions (its menus, the task panel's views, Undo), so
names and shortcuts have one source of truth; lists and Settings' pages are added by name.
Typing filters them (a substring first, then the letters in order, as Linear does) and also
finds tasks and conversations; Enter runs or opens the chosen one, Esc closes and gives the
focus back to where it was.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import cast

from PySide6.QtCore import QEvent, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsDropShadowEffect,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.common.errors import UserError
from app.ui.theme.apply import current, text_size
from app.ui.theme.tokens import SPACE, type_px

WIDTH = 560
VISIBLE_ROWS = 9
FOUND_AT_MOST = 5  # tasks, and conversations, shown for what is typed
SETTINGS_PAGES = ("General", "Appearance", "Tools", "Sync", "Routines")
HINT_ROLE = Qt.ItemDataRole.UserRole + 1  # the keys, or "Task" / "Conversation", on the right


@dataclass(frozen=True)
class Command:
    name: str
    hint: str  # the shortcut as the menus show it, or what kind of thing it opens
    run: Callable[[], None]


def plain(text: str) -> str:
    """A menu text as words: no mnemonic ampersand, no tab-separated keys."""
    return text.split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&")


def keys_of(action) -> str:
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return shortcut or (action.text().split("\t")[1] if "\t" in action.text() else "")


def match_score(query: str, name: str) -> int | None:
    """Lower is better; None when `name` does not match. A substring beats letters in order,
    and one at a word's start beats one inside a word."""
    query, name = query.lower().strip(), name.lower()
    if not query:
        return 0
    at = name.find(query)
    if at >= 0:
        return 0 if at == 0 else (1 if name[at - 1] in " :-" else 2)
    position = 0
    for letter in query:
        position = name.find(letter, position) + 1
        if position == 0:
            return None
    return 3


def window_commands(window) -> list[Command]:
    """What the window can do, in the order its menus list it."""
    commands: list[Command] = []

    def walk(actions) -> None:
        for action in actions:
            if action.menu() is not None:
                walk(action.menu().actions())
            elif not action.isSeparator() and action is not window.palette_action:
                commands.append(Command(plain(action.text()), keys_of(action), action.trigger))

    for top in window.menuBar().actions():
        walk(top.menu().actions())
    from app.ui.tasks.task_panel import FIXED_VIEWS

    panel = window.tasks
    for action in panel.actions():
        name = plain(action.text())
        if name in FIXED_VIEWS:
            commands.append(Command(f"Go to {name}", keys_of(action), action.trigger))
    try:
        lists = [task_list.name for task_list in window.store.lists()]
    except UserError:
        lists = []
    commands += [Command(f"Go to list {name}", "", partial(panel.show_list, name))
                 for name in lists]
    for action in (panel.undo_action, panel.redo_action):
        commands.append(Command(f"{plain(action.text())} the last change to the tasks",
                                keys_of(action), action.trigger))
    for page in settings_pages(window):
        commands.append(Command(f"Settings: {page}", "",
                                partial(window.open_settings_page, page)))
    return commands


def settings_pages(window) -> list[str]:
    present = {"Tools": window.agent.mcp_servers is not None, "Sync": window.sync is not None,
               "Routines": getattr(window, "routines", None) is not None}
    return [page for page in SETTINGS_PAGES if present.get(page, True)]


def found_things(window, query: str) -> list[Command]:
    """Tasks and conversations matching what is typed (two letters or more)."""
    if len(query.strip()) < 2:
        return []
    found: list[Command] = []
    try:
        for task in window.store.search(query, status="all", limit=FOUND_AT_MOST):
            found.append(Command(task.title, "Task", partial(window.open_task, task.id)))
    except UserError:
        pass  # a damaged or unreadable store: the commands still work
    try:
        for talk in window.conversations.list(query)[:FOUND_AT_MOST]:
            found.append(Command(talk.title or "New conversation", "Conversation",
                                 partial(window.open_conversation, talk.id)))
    except UserError:
        pass
    return found


class _HintDelegate(QStyledItemDelegate):
    """The row as the style draws it, with its keys (or kind) right-aligned in muted ink."""

    def paint(self, painter, option, index) -> None:
        row = QStyleOptionViewItem(option)
        self.initStyleOption(row, index)
        hint = index.data(HINT_ROLE)
        room = SPACE["l"] + row.fontMetrics.horizontalAdvance(hint) if hint else 0
        row.text = row.fontMetrics.elidedText(row.text, Qt.TextElideMode.ElideRight,
                                              option.rect.width() - room - SPACE["xl"])
        style = option.widget.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, row, painter, option.widget)
        if hint:
            painter.save()
            painter.setPen(QColor(current().muted))
            painter.drawText(QRect(option.rect).adjusted(0, 0, -SPACE["m"], 0),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, hint)
            painter.restore()

    def sizeHint(self, option, index) -> QSize:
        hint = super().sizeHint(option, index)
        tall = type_px("body", text_size()) + 2 * SPACE["s"] + SPACE["xs"]
        return QSize(hint.width(), max(hint.height(), tall))


class CommandPalette(QFrame):
    """A raised, frameless panel over the top of the window (a child, not a window of its
    own: no window manager decides where it goes or whether it takes the keys)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setProperty("surface", "raised")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("Command palette")
        shadow = QGraphicsDropShadowEffect(self, blurRadius=32, offset=QPointF(0, 8),
                                           color=QColor(0, 0, 0, 70))
        self.setGraphicsEffect(shadow)
        self.field = QLineEdit(placeholderText="Type a command, a view, a task or a conversation")
        self.field.setAccessibleName("Command")
        self.field.textChanged.connect(self._filter)
        self.field.installEventFilter(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Commands")
        self.list.setItemDelegate(_HintDelegate(self.list))
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the field
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemClicked.connect(lambda _item: self.run_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["s"], SPACE["s"], SPACE["s"], SPACE["s"])
        layout.setSpacing(SPACE["s"])
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        self._commands: list[Command] = []
        self._shown: list[Command] = []
        self._focus_before: QWidget | None = None
        # instance() is typed as the core application; under widgets it is the QApplication.
        cast(QApplication, QApplication.instance()).focusChanged.connect(self._focus_moved)
        self.hide()

    # -- opening and closing ----------------------------------------------------------------

    def open_palette(self) -> None:
        focus = QApplication.focusWidget()
        if focus is not None and not self.isAncestorOf(focus):
            self._focus_before = focus
        self._commands = window_commands(self.window_)
        self.field.clear()
        self._filter("")
        self._place()
        self.show()
        self.raise_()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_palette(self, give_focus_back: bool = True) -> None:
        if not self.isVisible():
            return
        self.hide()
        back, self._focus_before = self._focus_before, None
        if give_focus_back and back is not None and back.isVisible():
            back.setFocus(Qt.FocusReason.PopupFocusReason)

    def _focus_moved(self, _old, new) -> None:
        if self.isVisible() and new is not None and not self.isAncestorOf(new):
            self.close_palette(give_focus_back=False)  # a click elsewhere: it goes there

    def _place(self) -> None:
        host = self.window_.centralWidget() or self.window_
        top_left = host.mapTo(self.window_, host.rect().topLeft())
        width = min(WIDTH, host.width() - 2 * SPACE["xl"])
        rows = max(1, min(VISIBLE_ROWS, len(self._shown)))
        row_height = self.list.sizeHintForRow(0) if self.list.count() else 36
        height = self.field.sizeHint().height() + rows * row_height + 3 * SPACE["s"] + 2 * 2
        self.setGeometry(top_left.x() + (host.width() - width) // 2, top_left.y() + SPACE["xxl"],
                         width, height)

    # -- typing and choosing ----------------------------------------------------------------

    def _filter(self, text: str) -> None:
        scored = [(score, number, command) for number, command in enumerate(self._commands)
                  if (score := match_score(text, command.name)) is not None]
        self._shown = [command for *_, command in sorted(scored, key=lambda s: s[:2])]
        self._shown += found_things(self.window_, text)
        self.list.clear()
        for command in self._shown:
            item = QListWidgetItem(command.name)
            item.setData(HINT_ROLE, command.hint)
            item.setToolTip(command.name)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        if self.isVisible():
            self._place()

    def names(self) -> list[str]:
        """What is listed now, top to bottom."""
        return [command.name for command in self._shown]

    def hints(self) -> dict[str, str]:
        return {command.name: command.hint for command in self._shown}

    def run_current(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._shown):
            return
        command = self._shown[row]
        self.close_palette()  # first: what it runs may move the focus on purpose
        command.run()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Escape:
                self.close_palette()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.run_current()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1,
                        Qt.Key.Key_PageDown: VISIBLE_ROWS, Qt.Key.Key_PageUp: -VISIBLE_ROWS}[key]
                if self.list.count():
                    row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                    self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)
