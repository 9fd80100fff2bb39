"""The conversations sidebar: new, search, switch, rename (in place) and delete (asks first).

The list keeps its own keyboard focus: arrows walk it (each step opens that conversation),
F2 renames, Delete deletes. In the search box, Down or Enter go to the results and Esc clears.
A calm chrome column: a quiet "New chat" icon (Ctrl+N, the File menu's key), a rounded search
field, and rows of a title with a quiet date at its right.
"""

from datetime import datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.common import clock
from app.common.errors import UserError
from app.conversations.store import ConversationStore
from app.ui.live_updates import LiveUpdates
from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE, type_px

if TYPE_CHECKING:  # made on first use, after the window's first paint
    from app.ui.question_box import QuestionBox

ID_ROLE = Qt.ItemDataRole.UserRole
WHEN_ROLE = Qt.ItemDataRole.UserRole + 1  # the quiet date at the row's right


def when_label(updated_at: str, now: datetime) -> str:
    """When a conversation last changed, as briefly as a sidebar needs: "14:05" today,
    "Yesterday", "Mon" within the week, "3 Dec" this year, "3 Dec 2025" before."""
    try:
        moment = datetime.fromisoformat(updated_at).astimezone(now.tzinfo)
    except (TypeError, ValueError):
        return ""
    days = (now.date() - moment.date()).days
    if days <= 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return "Yesterday"
    if days < 7:
        return moment.strftime("%a")
    if moment.year == now.year:
        return f"{moment.day} {moment.strftime('%b')}"
    return f"{moment.day} {moment.strftime('%b %Y')}"


class ConversationRow(QStyledItemDelegate):
    """The row's background as the style sheet draws it, then the title (cut with an
    ellipsis) and the date in the muted caption ink, right-aligned."""

    def paint(self, painter, option, index) -> None:
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        title, options.text = options.text, ""
        widget = option.widget
        widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, options, painter,
                                   widget)
        scheme = apply.current()
        room = option.rect.adjusted(SPACE["m"] + SPACE["xs"], 0, -SPACE["m"], 0)
        when = index.data(WHEN_ROLE) or ""
        painter.save()
        small = QFont(option.font)
        small.setPixelSize(type_px("caption", apply.text_size()))
        painter.setFont(small)
        painter.setPen(QColor(scheme.muted))
        width = painter.fontMetrics().horizontalAdvance(when)
        painter.drawText(room, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        painter.setFont(option.font)
        painter.setPen(QColor(scheme.text))
        text_room = QRect(room).adjusted(0, 0, -(width + SPACE["s"]) if when else 0, 0)
        shown = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight,
                                                 text_room.width())
        painter.drawText(text_room, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         shown)
        painter.restore()

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        hint.setHeight(max(hint.height(), option.fontMetrics.height() + 2 * SPACE["s"] + 2))
        return hint


class ConversationList(QWidget):
    selected = Signal(str)          # the user picked this conversation
    new_requested = Signal()
    done = Signal()                 # a dialog or edit ended: the focus may go back to the chat

    def __init__(self, conversations: ConversationStore, live: LiveUpdates, parent=None) -> None:
        super().__init__(parent)
        self.conversations = conversations
        self.current_id: str | None = None
        self.confirm: QuestionBox | None = None  # the open "Delete …?" question, if any
        self.setProperty("surface", "chrome")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["s"], SPACE["m"], SPACE["s"], SPACE["s"])
        layout.setSpacing(SPACE["s"])
        header = QHBoxLayout()
        header.setContentsMargins(SPACE["s"], 0, 0, 0)
        heading = QLabel("Chats")
        heading.setProperty("role", "heading")
        header.addWidget(heading, 1)
        self.new_button = QToolButton()
        self.new_button.setProperty("role", "icon")
        self.new_button.setIcon(icon("square-pen"))
        self.new_button.setToolTip("New chat (Ctrl+N)")
        self.new_button.setAccessibleName("New chat")
        self.new_button.clicked.connect(self.new_requested)
        header.addWidget(self.new_button)
        layout.addLayout(header)
        self.search = QLineEdit(placeholderText="Search chats")
        self.search.setProperty("role", "search")
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
        self.no_match = QLabel(wordWrap=True)  # a search that finds nothing says so
        self.no_match.setProperty("role", "caption")
        # Wrapped and never asking for width (an unbroken word would widen the column).
        self.no_match.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.no_match.setContentsMargins(SPACE["s"], 0, SPACE["s"], 0)
        self.no_match.hide()
        layout.addWidget(self.no_match)
        self.list = QListWidget()
        self.list.setAccessibleName("Conversations")
        self.list.setItemDelegate(ConversationRow(self.list))
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
        delete = QAction("Delete…", self.list,
                         shortcut=QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.delete_current)
        self.list.addActions([rename, delete])
        layout.addWidget(self.list, 1)
        self.problem = QLabel(wordWrap=True)
        self.problem.setProperty("role", "error")
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
            now = clock.now().astimezone()
            query = self.search.text()
            for conversation in self.conversations.list(query):
                item = QListWidgetItem(conversation.title)
                item.setData(ID_ROLE, conversation.id)
                item.setData(WHEN_ROLE, when_label(conversation.updated_at, now))
                item.setToolTip(conversation.title)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
                if conversation.id == self.current_id:
                    self.list.setCurrentItem(item)
            shown = query.strip() if len(query.strip()) <= 40 else query.strip()[:39] + "…"
            self.no_match.setText(f"No conversation mentions “{shown}”.")
            self.no_match.setVisible(bool(query.strip()) and self.list.count() == 0)
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
        from app.ui.question_box import question

        self.confirm = question(self, "Delete conversation",
                                f"Delete “{title}” and all its messages? This cannot be "
                                "undone. (Tasks the assistant added are kept.)", "&Delete")
        delete = self.confirm.confirm
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
            key = cast(QKeyEvent, event).key()  # Qt delivers a KeyPress as a QKeyEvent
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

