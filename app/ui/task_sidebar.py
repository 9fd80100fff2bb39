"""The task panel's sidebar: Today, Upcoming, All, Inbox and each list, Done and Trash, each
with its count. A view is a (kind, name) pair: ("view", "Today") or ("list", "Work")."""

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QListWidget, QListWidgetItem, QStyle,
                               QStyledItemDelegate)

from app.ui import design
from app.ui.icons import icon

VIEW_ROLE = Qt.ItemDataRole.UserRole
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
ICONS = {"Today": "sun", "Upcoming": "calendar-days", "All": "layers", "Done": "circle-check-big",
         "Trash": "trash-2"}
TOP_VIEWS = ("Today", "Upcoming", "All")
BOTTOM_VIEWS = ("Done", "Trash")


class _CountDelegate(QStyledItemDelegate):
    """The style's own row, and the count right-aligned in muted ink."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        count = index.data(COUNT_ROLE)
        if not count:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setFont(design.small_font(option.widget))
        painter.setPen(option.palette.highlightedText().color() if selected
                       else design.ink("muted", option.palette))
        painter.drawText(QRect(option.rect).adjusted(0, 0, -design.M, 0),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(count))
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 40, hint.height() + design.S)


class TaskSidebar(QListWidget):
    view_chosen = Signal(str, str)  # kind ("view" or "list"), name

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Task views and lists")
        self.setItemDelegate(_CountDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setIconSize(QSize(16, 16))
        self._lists: tuple[str, ...] = ()
        self._counts: dict[tuple[str, str], int] = {}
        self._current = ("view", "Today")
        self.currentItemChanged.connect(self._changed)
        self._rebuild()

    @property
    def current(self) -> tuple[str, str]:
        return self._current

    def choose(self, kind: str, name: str) -> None:
        for item in self._items():
            if item.data(VIEW_ROLE) == (kind, name):
                self.setCurrentItem(item)
                return

    def set_lists(self, names: list[str], counts: dict[tuple[str, str], int]) -> None:
        """The lists (Inbox first) and every entry's count; rebuilt only when the lists changed."""
        self._counts = counts
        if tuple(names) != self._lists:
            self._lists = tuple(names)
            self._rebuild()
        for item in self._items():
            count = counts.get(item.data(VIEW_ROLE), 0)
            item.setData(COUNT_ROLE, count)
            name = item.data(VIEW_ROLE)[1]
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}, {count}")

    def count_of(self, kind: str, name: str) -> int:
        return self._counts.get((kind, name), 0)

    def _items(self) -> list[QListWidgetItem]:
        return [self.item(row) for row in range(self.count())
                if self.item(row).data(VIEW_ROLE) is not None]

    def _rebuild(self) -> None:
        self.blockSignals(True)
        self.clear()
        for name in TOP_VIEWS:
            self._add(("view", name), ICONS[name])
        self._heading("Lists")
        for name in self._lists:
            self._add(("list", name), "inbox" if name == "Inbox" else "list")
        self._heading("")
        for name in BOTTOM_VIEWS:
            self._add(("view", name), ICONS[name])
        self.blockSignals(False)
        if self._current[0] == "list" and self._current[1] not in self._lists:
            self._current = ("list", "Inbox")  # its list was removed or renamed
            self.choose(*self._current)
            self.view_chosen.emit(*self._current)
        else:
            self.choose(*self._current)

    def _add(self, view: tuple[str, str], icon_name: str) -> None:
        item = QListWidgetItem(icon(icon_name), view[1])
        item.setData(VIEW_ROLE, view)
        self.addItem(item)

    def _heading(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)  # not a view: arrows skip it
        item.setFont(design.small_font(self))
        self.addItem(item)

    def _changed(self, item, _previous) -> None:
        if item is None or item.data(VIEW_ROLE) is None:
            return
        self._current = item.data(VIEW_ROLE)
        self.view_chosen.emit(*self._current)

    def sizeHint(self) -> QSize:
        return QSize(150, 300)
