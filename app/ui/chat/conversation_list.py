"""The conversations sidebar: new, search, switch, rename (in place) and delete (asks first).

The list keeps its own keyboard focus: arrows walk it (each step opens that conversation),
F2 renames, Delete deletes. In the search box, Down or Enter go to the results and Esc clears.
"""

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QToolButton, QVBoxLayout, QWidget)

from app.common.errors import UserError
from app.conversations.store import ConversationStore
from app.ui.live_updates import LiveUpdates
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE

ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QWidget):
    selected = Signal(str)          # the user picked this conversation
    new_requested = Signal()
    done = Signal()                 # a dialog or edit ended: the focus may go back to the chat

    def __init__(self, conversations: ConversationStore, live: LiveUpdates, parent=None) -> None:
        super().__init__(parent)
        self.conversations = conversations
        self.current_id: str | None = None
        self.confirm: QMessageBox | None = None  # the open "Delete …?" question, if any
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["s"], SPACE["s"], SPACE["s"], SPACE["s"])
        layout.setSpacing(SPACE["s"])
        # A quiet icon beside the search, as Claude desktop has it: Ctrl+N is the main way.
        self.new_button = QToolButton()
        self.new_button.setProperty("role", "icon")
        self.new_button.setAccessibleName("New conversation")
        self.new_button.setToolTip("New conversation (Ctrl+N)")
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit(placeholderText="Search conversations")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search conversations")
        self.search.textChanged.connect(self.refresh)
        self.search.installEventFilter(self)
        top = QHBoxLayout()
        top.setSpacing(SPACE["xs"])
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self._restyle()
        self.list = QListWidget()
        self.list.setAccessibleName("Conversations")
        # A long title is cut with an ellipsis (its tooltip has it all), not scrolled sideways.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)  # F2 renames
        self.list.currentItemChanged.connect(self._picked)
        self.list.itemChanged.connect(self._renamed)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        rename = QAction("Rename", self.list, shortcut=QKeySequence(Qt.Key.Key_F2))
        rename.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        rename.triggered.connect(self.rename_current)
        delete = QAction("Delete…", self.list, shortcut=QKeySequence.StandardKey.Delete)
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.delete_current)
        self.list.addActions([rename, delete])
        layout.addWidget(self.list, 1)
        self.problem = QLabel(wordWrap=True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self._filling = False
        self._shut_down = False
        # Every change, also one by `task-assistant ask` or another window, lists again.
        live.conversations_changed.connect(self._changed)

    def _restyle(self) -> None:
        self.new_button.setIcon(icon("square-pen"))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the icon's ink follows the theme
            self._restyle()

    def shutdown(self) -> None:
        """Stop listing changes; the main window calls this before the store closes."""
        self._shut_down = True

    def _changed(self, _kind: str, _conversation_id: str) -> None:
        if self._shut_down:
            return
        if self.list.state() == QAbstractItemView.State.EditingState:
            return  # a title being renamed stays in its editor; the rename lists again
        self.refresh()

    def show_current(self, conversation_id: str) -> None:
        """Mark the conversation the chat is showing (without announcing it again)."""
        self.current_id = conversation_id
        self.refresh()

    def refresh(self) -> None:
        self._filling = True
        try:
            self.list.clear()
            for conversation in self.conversations.list(self.search.text()):
                item = QListWidgetItem(conversation.title)
                item.setData(ID_ROLE, conversation.id)
                item.setToolTip(conversation.title)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
                if conversation.id == self.current_id:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False

    def rename_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def delete_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        conversation_id, title = item.data(ID_ROLE), item.text()
        self.confirm = QMessageBox(QMessageBox.Icon.Question, "Delete conversation",
                                   f"Delete “{title}” and all its messages? This cannot be "
                                   "undone. (Tasks the assistant added are kept.)",
                                   QMessageBox.StandardButton.Cancel, self)
        delete = self.confirm.addButton("&Delete", QMessageBox.ButtonRole.DestructiveRole)
        self.confirm.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm.finished.connect(
            lambda _result: self._delete_if(self.confirm.clickedButton() is delete,
                                            conversation_id))
        self.confirm.finished.connect(lambda _result: self.list.setFocus())
        self.confirm.open()  # not exec(): a nested loop would stall every running coroutine

    def _delete_if(self, confirmed: bool, conversation_id: str) -> None:
        self.confirm = None
        if not confirmed or not self._attempt(lambda: self.conversations.delete(conversation_id)):
            return
        if conversation_id == self.current_id:  # the chat showed it: move to the next one
            self.current_id = None
            remaining = self.conversations.list()
            if remaining:
                self.current_id = remaining[0].id
                self.selected.emit(self.current_id)
            else:
                self.new_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                    and self.list.count():
                self.list.setFocus(Qt.FocusReason.TabFocusReason)
                if self.list.currentRow() < 0 or key != Qt.Key.Key_Down:
                    self.list.setCurrentRow(max(0, self.list.currentRow()))
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _picked(self, item: QListWidgetItem | None, _previous) -> None:
        if self._filling or item is None:
            return
        if item.data(ID_ROLE) != self.current_id:
            self.current_id = item.data(ID_ROLE)
            self.selected.emit(self.current_id)

    def _renamed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        if not self._attempt(lambda: self.conversations.rename(item.data(ID_ROLE), item.text())):
            self.refresh()  # put the old title back

    def _attempt(self, change) -> bool:
        try:
            change()
        except UserError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return False
        self.problem.hide()
        return True
