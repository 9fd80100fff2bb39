"""The transcript: a scrolling column of items that follows new text while at the bottom.

It builds only what is near the view. A conversation opens with its newest items built and
the rest kept as factories (`snapshot()`s, a few hundred bytes each); scrolling near the top
builds the previous batch in place. While following a long session, items far above the view
are turned back into factories, so memory stays flat however long the conversation gets.
The text column keeps a readable width (READABLE_WIDTH) centred on wide windows, the composer
below aligned to it; a button brings back the bottom.
"""

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.theme.icons import icon
from app.ui.theme.tokens import READABLE_WIDTH, SPACE

FOLLOW_SLACK = 8      # pixels from the bottom that still count as "at the bottom"
BATCH = 40            # items built at once: on opening, and each time the top comes near
KEEP_BUILT = 160      # past this many built items, the oldest become factories again
NEAR_TOP = 400        # pixels from the top that build the previous batch

Factory = Callable[[], QWidget]
Item = TypeVar("Item", bound=QWidget)  # add() hands back the very item it was given


class ChatView(QScrollArea):
    # An item built from a factory (opening a history, or scrolling back to a dropped item):
    # its owner connects its actions again, as it did for the live one.
    built = Signal(QWidget)
    emptied = Signal(bool)  # True when the last item went, False when the first arrived

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Conversation")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # one tab stop: arrows and PgUp scroll
        content = QWidget()
        content.setAccessibleName("Messages")
        self._layout = QVBoxLayout(content)
        self._layout.setSpacing(SPACE["s"])  # tool lines sit close; messages add their own room
        self._layout.addStretch(1)  # items sit at the bottom of a short conversation
        self.setWidget(content)
        self._unbuilt: list[Factory] = []   # items above the first built one, oldest first
        self._was_empty = True
        self._following = True
        self._anchor: int | None = None     # distance from the bottom to keep after a prepend
        self.to_bottom = QToolButton(self)
        self.to_bottom.setProperty("role", "quiet")
        self.to_bottom.setIcon(icon("arrow-down"))
        self.to_bottom.setText("Newest")
        self.to_bottom.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.to_bottom.setToolTip("Scroll to the newest message (Ctrl+End)")
        self.to_bottom.setAccessibleName("Scroll to the newest message")
        self.to_bottom.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.to_bottom.clicked.connect(self.scroll_to_bottom)
        self.to_bottom.hide()
        # Tab walks the transcript in reading order (message, its actions, the next message),
        # whatever order the items were built in; re-ordered once per batch of changes.
        self._tab_order = QTimer(self, singleShot=True, interval=0)
        self._tab_order.timeout.connect(self._order_tabs)
        bar = self.verticalScrollBar()
        # Scrolling up to read stops the view from jumping; scrolling back down resumes it.
        bar.valueChanged.connect(self._note_position)
        bar.rangeChanged.connect(self._range_changed)
        self._fit_column()

    # -- items ------------------------------------------------------------------------------

    def add(self, item: Item) -> Item:
        self._layout.addWidget(item)
        self._tell_if_empty()  # before show(): the view must be on screen for a card's focus
        item.show()  # now, not on the next turn of the loop: a card must be able to take focus
        self._following = True  # a new item (the user just sent something) is worth seeing
        self._update_button()
        QTimer.singleShot(0, self._trim)
        self._tab_order.start()
        return item

    def remove(self, item: QWidget) -> None:
        self._layout.removeWidget(item)
        item.hide()
        item.deleteLater()
        self._tell_if_empty()

    def items(self) -> list[QWidget]:
        """The built items, oldest first."""
        items = (self._layout.itemAt(i) for i in range(1, self._layout.count()))
        return [widget for item in items
                if item is not None and (widget := item.widget()) is not None]

    @property
    def unbuilt(self) -> int:
        return len(self._unbuilt)

    @property
    def empty(self) -> bool:
        return self._layout.count() <= 1 and not self._unbuilt

    def _tell_if_empty(self) -> None:
        if self.empty != self._was_empty:
            self._was_empty = self.empty
            self.emptied.emit(self._was_empty)

    def clear(self) -> None:
        for item in self.items():
            self.remove(item)
        self._unbuilt = []
        self._following = True
        self._tell_if_empty()

    def set_items(self, factories: list[Factory]) -> None:
        """Show a whole history: only its newest batch is built now."""
        self.clear()
        self._unbuilt = list(factories[:-BATCH]) if len(factories) > BATCH else []
        for factory in factories[-BATCH:]:
            item = factory()
            self._layout.addWidget(item)
            self.built.emit(item)
        self._tell_if_empty()
        self._following = True
        self._update_button()
        self._tab_order.start()

    def build_older(self) -> int:
        """Build the previous batch above the first built item, keeping what is in view still."""
        if not self._unbuilt:
            return 0
        batch, self._unbuilt = self._unbuilt[-BATCH:], self._unbuilt[:-BATCH]
        bar = self.verticalScrollBar()
        self._anchor = bar.maximum() - bar.value()
        for position, factory in enumerate(batch):
            item = factory()
            self._layout.insertWidget(1 + position, item)
            self.built.emit(item)
        self._tab_order.start()
        return len(batch)

    def _trim(self) -> None:
        """Turn the oldest built items back into factories while the view follows the end."""
        shown = self.items()
        if not self._following or len(shown) <= KEEP_BUILT:
            return
        for item in shown[:len(shown) - KEEP_BUILT + BATCH]:
            snapshot = getattr(item, "snapshot", None)
            if snapshot is None:
                break  # an item that cannot be rebuilt stays, and so does all after it
            self._unbuilt.append(snapshot())
            self.remove(item)

    def order_tabs_soon(self) -> None:
        """After a turn: code blocks and cards made while it streamed join the reading order."""
        self._tab_order.start()

    def _order_tabs(self) -> None:
        previous: QWidget = self
        for item in self.items():
            stops = [item] if item.focusPolicy() & Qt.FocusPolicy.TabFocus else []
            stops += [button for button in item.findChildren(QAbstractButton)
                      if button.focusPolicy() & Qt.FocusPolicy.TabFocus]
            for stop in stops:
                QWidget.setTabOrder(previous, stop)
                previous = stop

    # -- scrolling --------------------------------------------------------------------------

    def scroll_to_bottom(self) -> None:
        self._following = True
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        self._update_button()

    def _note_position(self, value: int) -> None:
        bar = self.verticalScrollBar()
        if self._anchor is None:
            self._following = value >= bar.maximum() - FOLLOW_SLACK
        if value < NEAR_TOP and self._unbuilt and self._anchor is None:
            QTimer.singleShot(0, self.build_older)
        self._update_button()

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        bar = self.verticalScrollBar()
        if self._anchor is not None:
            anchor, self._anchor = self._anchor, None
            bar.setValue(maximum - anchor)
        elif self._following:
            bar.setValue(maximum)
        self._update_button()

    def _update_button(self) -> None:
        bar = self.verticalScrollBar()
        away = not self._following and bar.maximum() - bar.value() > FOLLOW_SLACK
        self.to_bottom.setVisible(away)
        if away:
            self.to_bottom.raise_()

    # -- the column -------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_column()
        self.to_bottom.adjustSize()
        self.to_bottom.move((self.viewport().width() - self.to_bottom.width()) // 2,
                            self.viewport().height() - self.to_bottom.height() - SPACE["m"])

    def _fit_column(self) -> None:
        """Centre a column of readable width; narrow windows use all of it."""
        side = max(SPACE["l"], (self.viewport().width() - READABLE_WIDTH) // 2)
        self._layout.setContentsMargins(side, SPACE["xl"], side, SPACE["l"])

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for item in self.items():
                restyle = getattr(item, "restyle", None)
                if restyle is not None:
                    restyle()
