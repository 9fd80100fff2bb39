"""The task panel's sidebar: Today, Upcoming, All, Inbox and each list, Done and Trash, each
with its count. A view is a (kind, name) pair: ("view", "Today") or ("list", "Work").

It also manages the lists, as Things and Todoist do: New list (the + beside "Lists", or
Ctrl+Shift+L) and Rename (F2, a double-click) open a name field in place; Delete (the Delete
key) asks first. The sidebar writes nothing itself: it sends the name typed, or the list to
delete, to the panel, which goes through the store and answers with name_saved, name_refused
or list_removed. Inbox, where new tasks go, can be neither renamed nor deleted.

It sits on the calm chrome surface; counts are in the caption size and muted ink, the chosen
entry on the accent's soft tint (the one style sheet). On a narrow window the shell folds it
to its icons with `set_compact(True)`: names and counts go (each icon's tooltip and accessible
name keep them), the keys stay.
"""

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QContextMenuEvent, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)

from app.tasks import INBOX
from app.ui.tasks.list_name_field import ListNameField
from app.ui.theme import apply
from app.ui.theme.icons import icon, initial
from app.ui.theme.tokens import SPACE, type_px

VIEW_ROLE = Qt.ItemDataRole.UserRole
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
ICONS = {"Today": "sun", "Upcoming": "calendar-days", "All": "layers", "Done": "circle-check-big",
         "Trash": "trash-2"}
TOP_VIEWS = ("Today", "Upcoming", "All")
BOTTOM_VIEWS = ("Done", "Trash")
NEW_LIST_KEYS = "Ctrl+Shift+L"  # Ctrl+Shift+N is New task
INBOX_IS_FIXED = "Inbox is where new tasks go; it cannot be renamed or deleted."
ONLY_LISTS = "Only your lists can be renamed or deleted; pick one first."
WIDE, COMPACT = 200, 52  # the sidebar's width, unfolded and folded to icons


def caption_font(widget) -> QFont:
    font = QFont(widget.font() if widget is not None else QApplication.font())
    font.setPixelSize(type_px("caption", apply.text_size()))
    return font


class _CountDelegate(QStyledItemDelegate):
    """The style's own row, with the name cut before the count, and the count right-aligned
    in muted ink."""

    def paint(self, painter, option, index) -> None:
        count = index.data(COUNT_ROLE)
        row = QStyleOptionViewItem(option)
        self.initStyleOption(row, index)
        widget = option.widget
        style = widget.style() if widget else QApplication.style()
        if getattr(widget, "compact", False):  # the icon alone, in the middle of the row
            row.text = ""
            row.decorationAlignment = Qt.AlignmentFlag.AlignCenter
            row.displayAlignment = Qt.AlignmentFlag.AlignCenter
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, row, painter, widget)
            return
        if count:
            room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, row, widget)
            numeral = QFontMetrics(caption_font(widget)).horizontalAdvance(str(count))
            row.text = row.fontMetrics.elidedText(row.text, Qt.TextElideMode.ElideRight,
                                                  room.width() - numeral - SPACE["m"])
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, row, painter, widget)
        if not count:
            return
        painter.save()
        painter.setFont(caption_font(widget))
        painter.setPen(QColor(apply.current().muted))
        painter.drawText(QRect(option.rect).adjusted(0, 0, -SPACE["m"] - SPACE["s"], 0),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(count))
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        if index.data(Qt.ItemDataRole.SizeHintRole) is not None:
            return index.data(Qt.ItemDataRole.SizeHintRole)  # a heading's, or a row being named
        hint = super().sizeHint(option, index)
        # Never wider than the sidebar: a long name is cut with an ellipsis, and the rows (the
        # heading's + with them) keep to the width that is shown.
        width = hint.width() + 40
        if option.widget is not None:
            width = min(width, option.widget.viewport().width())
        return QSize(width, hint.height() + SPACE["xs"])


class ListsHeading(QWidget):
    """The "Lists" heading and its + (New list) button."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QLabel("Lists")
        self.label.setAccessibleName("Lists")
        self.label.setProperty("role", "heading")  # small, semibold, muted: the one sheet's
        self.add_button = QToolButton()
        self.add_button.setProperty("role", "icon")
        self.add_button.setAutoRaise(True)
        self.add_button.setFixedSize(SPACE["xl"], SPACE["xl"])  # the row's height is set before
        # the style sheet has polished the button: a fixed size keeps the + from being squashed
        self.add_button.setAccessibleName("New list")
        self.add_button.setToolTip(f"New list ({NEW_LIST_KEYS})")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(SPACE["m"] + SPACE["xs"], SPACE["m"], SPACE["s"], 0)
        self.setFixedHeight(SPACE["m"] + SPACE["xl"])
        layout.addWidget(self.label)
        layout.addStretch(1)
        layout.addWidget(self.add_button)
        self.restyle()

    def restyle(self) -> None:
        """The + in the scheme's muted ink (the label's colours are the style sheet's)."""
        self.add_button.setIcon(icon("plus", apply.current().muted))


class TaskSidebar(QListWidget):
    view_chosen = Signal(str, str)     # kind ("view" or "list"), name
    name_submitted = Signal(str, str)  # the list renamed ("" for a new list), the name typed
    delete_requested = Signal(str)     # a list's name: the panel asks, then deletes
    said = Signal(str)                 # a sentence for the panel's status line

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # A palette or style notice that brings a new scheme or text size rebuilds the rows,
        # but after Qt has finished telling this view and its children of the change, never
        # inside that: changing the rows in the middle of it crashed a start once (the change
        # comes while the window is being built).
        self._restyle_soon = QTimer(self, singleShot=True, interval=0)
        self._restyle_soon.timeout.connect(self._restyle)
        self.setAccessibleName("Task views and lists")
        self.setProperty("surface", "chrome")
        self.compact = False
        self.setItemDelegate(_CountDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # see ListNameField
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setIconSize(QSize(16, 16))
        self.setSpacing(0)
        self.setResizeMode(QListView.ResizeMode.Adjust)  # rows follow the sidebar's width
        self._lists: tuple[str, ...] = ()
        self._counts: dict[tuple[str, str], int] = {}
        self._current = ("view", "Today")
        self._menu_target: tuple[str, str] | None = None  # the right-clicked row, for its menu
        self.heading: ListsHeading | None = None
        self.name_field: ListNameField | None = None
        self._renaming: str | None = None  # the list whose name is being typed, "" for a new one
        self._placeholder: QListWidgetItem | None = None  # a new list's row while it is named
        self._leaving = False  # the name was sent because the focus left the field
        self.compact = False  # icons only, for a narrow window (set_compact)
        self._make_actions()
        self.currentItemChanged.connect(self._changed)
        self.itemDoubleClicked.connect(lambda _: self.begin_rename())
        self._rebuild()

    def _make_actions(self) -> None:
        def action(text, keys, slot, context=Qt.ShortcutContext.WidgetShortcut) -> QAction:
            made = QAction(text, self)
            made.setShortcut(QKeySequence(keys))
            made.setShortcutContext(context)
            made.triggered.connect(slot)
            self.addAction(made)
            return made

        # New list works from anywhere in the window; rename and delete only while the sidebar
        # has the focus, so Delete in the task list still trashes tasks.
        self.new_list_action = action("&New list…", NEW_LIST_KEYS, self.begin_new_list,
                                      Qt.ShortcutContext.WindowShortcut)
        self.rename_action = action("&Rename…", "F2", self.begin_rename)
        self.delete_action = action("&Delete…", QKeySequence.StandardKey.Delete,
                                    self.ask_delete)
        # popup(), never exec(): see TaskPanel._make_actions.
        self.context_menu = QMenu(self)
        self.context_menu.setToolTipsVisible(True)  # why Rename and Delete are greyed out
        self.context_menu.addActions([self.new_list_action])
        self.context_menu.addSeparator()
        self.context_menu.addActions([self.rename_action, self.delete_action])
        self.context_menu.aboutToHide.connect(self._menu_closing)
        self._update_actions()

    # -- views -----------------------------------------------------------------------------

    @property
    def current(self) -> tuple[str, str]:
        return self._current

    def choose(self, kind: str, name: str) -> None:
        for item in self._items():
            if item.data(VIEW_ROLE) == (kind, name):
                self.setCurrentItem(item)
                return

    @property
    def lists(self) -> tuple[str, ...]:
        """The list names shown, in their order."""
        return self._lists

    def set_lists(self, names: list[str], counts: dict[tuple[str, str], int]) -> None:
        """The lists (Inbox first) and every entry's count; rebuilt only when the lists changed."""
        self._counts = counts
        if tuple(names) != self._lists:
            self._lists = tuple(names)
            self._rebuild()
        self._show_counts()

    def _show_counts(self) -> None:
        counts = self._counts
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
        self._built_for = (apply.current(), apply.text_size())
        self.blockSignals(True)  # choosing the same view again is no news for the panel
        self.clear()
        for name in TOP_VIEWS:
            self._add(("view", name), ICONS[name])
        self.heading = ListsHeading(self.viewport())  # its place already: no restyle on the move
        self.heading.add_button.clicked.connect(self.begin_new_list)
        self._heading("Lists", self.heading)
        for name in self._lists:
            item = self._add(("list", name), "inbox" if name == INBOX else "list")
            item.setToolTip(INBOX_IS_FIXED if name == INBOX else name)  # a long name is cut
            if self.compact and name != INBOX:  # folded, the icon is all there is to tell by
                item.setIcon(initial(name, apply.current().muted))
        self._placeholder = None
        if self._renaming == "":
            self._placeholder = QListWidgetItem(icon("list", apply.current().muted), "")
            self._placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(self._placeholder)
        self._heading("")
        for name in BOTTOM_VIEWS:
            self._add(("view", name), ICONS[name])
        gone = self._current[0] == "list" and self._current[1] not in self._lists
        if gone:
            self._current = ("list", INBOX)  # its list was removed or renamed elsewhere
        self.choose(*self._current)
        self.blockSignals(False)
        self._show_counts()
        self._update_actions()
        if self.name_field is not None:
            self._place_field()
        if gone:
            self.view_chosen.emit(*self._current)

    def _add(self, view: tuple[str, str], icon_name: str) -> QListWidgetItem:
        item = QListWidgetItem(icon(icon_name, apply.current().muted), view[1])
        item.setData(VIEW_ROLE, view)
        item.setToolTip(view[1])
        self.addItem(item)
        return item

    def _heading(self, text: str, widget: QWidget | None = None) -> None:
        """A row that is no view (arrows skip it): a gap, or `text` drawn by `widget`."""
        item = QListWidgetItem()
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        self.addItem(item)
        if widget is not None:
            item.setSizeHint(widget.sizeHint())
            self.setItemWidget(item, widget)
        item.setHidden(self.compact and bool(text))  # folded: only the gaps stay

    def _changed(self, item, _previous) -> None:
        if item is None or item.data(VIEW_ROLE) is None:
            return
        self._current = item.data(VIEW_ROLE)
        self._update_actions()
        self.view_chosen.emit(*self._current)

    def _update_actions(self, target: tuple[str, str] | None = None) -> None:
        """Rename and Delete for a list of yours; for Inbox and the views, greyed out with the
        reason as their tooltip."""
        kind, name = target or self._current
        mine = kind == "list" and name != INBOX
        for made, verb in ((self.rename_action, "Rename"), (self.delete_action, "Delete")):
            made.setEnabled(mine)
            made.setToolTip(f"{verb} the list “{name}”" if mine else
                            INBOX_IS_FIXED if name == INBOX else ONLY_LISTS)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item: QListWidgetItem | None
        if event.reason() == QContextMenuEvent.Reason.Keyboard:  # the Menu key, Shift+F10
            item = self.currentItem()
            place = self.visualItemRect(item).center() if item else QPoint(0, 0)
        else:
            place = event.pos()
            item = self.itemAt(place)
        view = item.data(VIEW_ROLE) if item is not None else None
        self._menu_target = view or ("view", "")  # a heading or blank space: New list only
        self._update_actions(self._menu_target)
        self.context_menu.popup(self.viewport().mapToGlobal(place))

    def _menu_closing(self) -> None:
        # Qt hides the menu first and then triggers the chosen action: the row under the mouse
        # (and its enabled actions) must last until then, so the actions act on that row.
        QTimer.singleShot(0, self, self._menu_closed)  # not after the sidebar is gone

    def _menu_closed(self) -> None:
        if not self.context_menu.isVisible():  # not already open again on another row
            self._menu_target = None
            self._update_actions()

    def _acted_on(self) -> tuple[str, str]:
        """The row Rename and Delete act on: the right-clicked one while its menu is up."""
        return self._menu_target or self._current

    def set_compact(self, compact: bool) -> None:
        """Fold to the icons alone (True) or unfold (False); the shell calls this as the
        window narrows and widens."""
        if compact == self.compact:
            return
        if compact:
            self._close_field()
        self.compact = compact
        if compact:
            self.setFixedWidth(COMPACT)
        else:
            self.setMinimumWidth(0)
            self.setMaximumWidth(16_777_215)  # QWIDGETSIZE_MAX: the splitter decides again
        self._rebuild()
        self.updateGeometry()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._restyle_soon.start()

    def _restyle(self) -> None:
        # The icons and the heading in the new palette's inks and text size. Most style notices
        # change neither (the style sheet's polish of the window sends several at start-up).
        if self._built_for != (apply.current(), apply.text_size()):
            self._rebuild()
        if self.name_field is not None:
            self.name_field.restyle()

    # -- managing the lists ----------------------------------------------------------------

    def begin_new_list(self) -> None:
        """A new, unnamed row under the lists with the name field on it (Esc gives up)."""
        self._open_field("")

    def begin_rename(self) -> None:
        """The list's name (the current one, or the one right-clicked), in a field in place
        (Enter saves, Esc gives up)."""
        if self.rename_action.isEnabled():
            self._open_field(self._acted_on()[1])

    def ask_delete(self) -> None:
        if self.delete_action.isEnabled():
            self.delete_requested.emit(self._acted_on()[1])

    def name_saved(self, name: str) -> None:
        """The panel stored the name: the field closes and the list is shown, with the focus
        back in the sidebar (unless the user had clicked elsewhere)."""
        self._close_field()
        self._current = ("list", name)
        self.view_chosen.emit(*self._current)  # the panel re-reads the lists and selects it
        if not self._leaving:
            self.setFocus()

    def name_refused(self, sentence: str) -> None:
        """The store's sentence beside the field, which stays open with the name selected;
        nothing was changed. A field the user left closes, and the panel says it."""
        if self.name_field is None:
            return
        if self._leaving:
            self._close_field()
            self.said.emit(sentence)
            return
        self.name_field.refuse(sentence)
        self._place_field()

    def list_removed(self, name: str) -> None:
        """A list the user deleted here: stand on the list in its place (Inbox at last) and
        keep the focus in the sidebar, so Delete, Delete works through them by keyboard."""
        if self._current == ("list", name) and name in self._lists:
            rest = [other for other in self._lists if other != name]
            at = self._lists.index(name)
            self._current = ("list", rest[min(at, len(rest) - 1)])
        self.setFocus()

    def _open_field(self, name: str) -> None:
        self._close_field()
        self._renaming = name
        if name == "":
            self._rebuild()  # adds the new list's row
        field = self.name_field = ListNameField(name, self.viewport())
        field.submitted.connect(self._submit)
        field.cancelled.connect(self._cancel)
        field.left.connect(self._left)
        self._place_field()
        field.show()
        field.line.setFocus()

    def _row_of_field(self) -> QListWidgetItem | None:
        if self._renaming == "":
            return self._placeholder
        return next((item for item in self._items()
                     if item.data(VIEW_ROLE) == ("list", self._renaming)), None)

    def _place_field(self) -> None:
        """On its row, which grows to the field's height (the refused name's sentence too), so
        no other row is covered; re-placed after a rebuild or a resize. A list renamed or
        deleted elsewhere meanwhile takes its field with it."""
        item = self._row_of_field()
        field = self.name_field
        if item is None or field is None:
            self._close_field()
            return
        width = self.viewport().width()
        left = self.iconSize().width() + SPACE["l"] + SPACE["xs"]  # the row's icon stays in sight
        height = field.heightForWidth(width - left) if field.hasHeightForWidth() \
            else field.sizeHint().height()
        item.setSizeHint(QSize(width, height))
        self.doItemsLayout()  # the rows below move down now, not at the next paint
        self.scrollToItem(item)
        field.setGeometry(QRect(self.visualItemRect(item).topLeft() + QPoint(left, 0),
                                QSize(width - left, height)))

    def _unchanged(self, text: str) -> bool:
        """The name typed is the list's own (spaces aside, as the store cleans them)."""
        return bool(self._renaming) and " ".join(text.split()) == self._renaming

    def _submit(self, text: str) -> None:
        if self._unchanged(text):
            self._cancel()  # nothing to write
            return
        self.name_submitted.emit(self._renaming, text)

    def _left(self, text: str) -> None:
        """Clicking elsewhere saves a name typed, as an item editor does; an empty new list
        or an unchanged name is simply given up."""
        if self.name_field is None:
            return
        if not text.strip() or self._unchanged(text):
            self._close_field()
            return
        self._leaving = True
        try:
            self._submit(text)
        finally:
            self._leaving = False

    def _cancel(self) -> None:
        self._close_field()
        self.setFocus()

    def _close_field(self) -> None:
        row = self._row_of_field() if self.name_field is not None else None
        if row is not None:
            row.setData(Qt.ItemDataRole.SizeHintRole, None)  # back to a row's own height
        field, self.name_field = self.name_field, None
        self._renaming = None
        if field is not None:
            field.blockSignals(True)  # hiding it moves the focus: that is no answer
            field.hide()
            field.deleteLater()
        if self._placeholder is not None:
            self.takeItem(self.row(self._placeholder))
            self._placeholder = None

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.name_field is not None:
            self._place_field()

    def sizeHint(self) -> QSize:
        return QSize(COMPACT if self.compact else WIDE, 300)
