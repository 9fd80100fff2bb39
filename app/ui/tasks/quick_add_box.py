"""The panel's add box: one line in quick-add syntax, with chips for what it recognised.

`Pay rent every month on the 1st #home !high ^Work` shows “Pay rent”, the title that will be
saved, then the chips "Wed 1 Apr", "Work", "high", "every month on the 1st", "#home" before
Enter, so a date the parser read differently from what was meant is seen before the task
exists. The chips come in the order of what a misreading would cost, not as typed: the date,
then the list (a new one is made on Enter), then priority, repeat and tags. A chip read
wrongly is taken back with a click, or with Backspace or Delete once Tab has reached it (as in
Todoist): its words then stay in the title. Esc clears the line.

Typing never resizes anything: the chips' row keeps its height whether chips are shown or not
(empty, it shows a quiet example of the syntax), and it asks for no width, so a long line of
chips is cut at the box's edge instead of widening the panel or the window; what is cut is
what matters least, and "+2" at the end says how many (their names in its tooltip).
"""

from typing import cast

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.common.errors import UserError
from app.tasks import quick_add
from app.tasks.validate import list_name_key
from app.ui.theme import apply, icons
from app.ui.theme.tokens import SPACE

CHIP_DELAY_MS = 150  # parse once typing pauses: dateparser is not free
CHIP_ICONS = {"due": "calendar", "repeat": "repeat", "tag": "tag", "priority": "flag",
              "list": "list"}
CHIP_ORDER = ("due", "list", "priority", "repeat", "tag")  # what a misreading costs, most first
KIND_NAMES = {"due": "Due", "repeat": "Repeats", "tag": "Tag", "priority": "Priority",
              "list": "List"}
HINT = "Try “tomorrow 5pm #home !high ^Work”"  # short: it must fit a narrow panel


class ReadingChip(QPushButton):
    """One reading: a click, Backspace or Delete takes it back."""

    taken_back = Signal(str)  # the words it was read from

    def __init__(self, reading: quick_add.Reading, shown: str, parent=None) -> None:
        super().__init__(shown, parent)
        self.source = reading.source
        self.setObjectName(f"chip-{reading.kind}")
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # A chip is read whole ("Mon 7 Dec", "#home"): the title before it gives way first.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        why = f"{KIND_NAMES[reading.kind]}, read from “{reading.source}”"
        self.setAccessibleName(f"{KIND_NAMES[reading.kind]}: {shown}")
        self.setAccessibleDescription(f"Read from “{reading.source}”. Press Backspace to keep "
                                      "these words in the title.")
        self.setToolTip(f"{why}. Click, or press Backspace, to keep these words in the title.")
        self.clicked.connect(lambda: self.taken_back.emit(self.source))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.taken_back.emit(self.source)
            return
        super().keyPressEvent(event)


class QuickAddBox(QWidget):
    submitted = Signal(str)  # the line as typed, on Enter

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.known_lists: set[str] = {"Inbox"}  # chips say when a ^List does not exist yet
        self.kept: set[str] = set()  # the words of readings taken back: they stay in the title
        # Every part is made in its place, its parent first: under the style sheet a widget a
        # size query has polished is polished all over again when it changes parent.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE["xs"])
        self.line = QLineEdit(self)
        self.line.setPlaceholderText("Add a task")
        self.line.setAccessibleName("Add a task")
        self.line.setClearButtonEnabled(True)
        self.line.returnPressed.connect(lambda: self.submitted.emit(self.line.text()))
        self.line.installEventFilter(self)  # Esc clears it
        layout.addWidget(self.line)
        self.chip_row = QStackedWidget(self)
        self.hint = QLabel(HINT, self.chip_row)
        self.hint.setProperty("role", "caption")
        self.hint.setAccessibleName("What the add box reads")
        self.hint.setToolTip("Dates (tomorrow 5pm), repeats (every monday), #tags, !priority "
                             "and ^List are read as you type")
        self.chip_row.addWidget(self.hint)
        # The chips keep their own width inside a clipping frame: a row wider than the panel is
        # cut at its edge (Tab to a chip scrolls it into view) rather than squeezing each chip
        # to a stub or widening the panel.
        self.chip_page = QWidget(self.chip_row)
        self.chip_frame = QScrollArea(self.chip_page)
        self.chip_frame.setWidgetResizable(True)
        self.chip_frame.setFrameShape(QFrame.Shape.NoFrame)
        self.chip_frame.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chip_frame.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chips = QWidget()
        self.chips.setAccessibleName("Recognised")
        self._chip_layout = QHBoxLayout(self.chips)
        self._chip_layout.setContentsMargins(0, 0, 0, 0)
        self._chip_layout.setSpacing(SPACE["xs"])
        self.title_chip = QLabel(self.chips)
        self.title_chip.setObjectName("chip-title")
        self.title_chip.setProperty("role", "caption")
        self.title_chip.setTextFormat(Qt.TextFormat.PlainText)
        self.title_chip.setToolTip("The title that will be saved")
        # The title is what gives way when the row is narrow: the readings stay whole.
        self.title_chip.setMinimumWidth(SPACE["xxl"] * 2)
        self._chip_layout.addWidget(self.title_chip)
        self._chip_layout.addStretch(1)
        self.chip_frame.setWidget(self.chips)  # unpolished still: the move costs no restyle
        # On the page as the line above is: setWidget makes both fill with the palette's
        # window colour, a grey band under the chips.
        self.chips.setAutoFillBackground(False)
        self.chip_frame.viewport().setAutoFillBackground(False)
        # "+2" at the row's end when chips are cut, their names in its tooltip: what is cut is
        # what matters least (CHIP_ORDER), but it is never silently gone.
        self.more = QLabel(self.chip_page)
        self.more.setProperty("role", "caption")
        self.more.hide()
        page = QHBoxLayout(self.chip_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(SPACE["xs"])
        page.addWidget(self.chip_frame, 1)
        page.addWidget(self.more)
        self.chip_row.addWidget(self.chip_page)
        self._recount = QTimer(self, singleShot=True, interval=0)  # once the layout has settled
        self._recount.timeout.connect(self._show_how_many_are_cut)
        for watched in (self.chips, self.chip_frame.viewport()):
            watched.installEventFilter(self)
        self.chip_row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.chip_row.setFixedHeight(self._chip_height())
        layout.addWidget(self.chip_row)
        self._timer = QTimer(self, singleShot=True, interval=CHIP_DELAY_MS)
        self._timer.timeout.connect(self.update_chips)
        self.line.textChanged.connect(self._text_changed)

    def _chip_height(self) -> int:
        probe = ReadingChip(quick_add.Reading("due", "Mon", "mon"), "Mon")
        probe.setIcon(icons.icon("calendar"))
        height = max(probe.sizeHint().height(), self.hint.sizeHint().height())
        probe.deleteLater()
        return height

    def eventFilter(self, watched, event) -> bool:
        if watched in (self.chips, self.chip_frame.viewport()) and event.type() in (
                QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.LayoutRequest):
            self._recount.start()  # a chip came or went, the panel was resized, Tab scrolled
        if watched is self.line and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Escape and self.line.text():
            self.clear()
            return True
        return super().eventFilter(watched, event)

    def text(self) -> str:
        return self.line.text()

    def clear(self) -> None:
        self.line.clear()
        self.kept.clear()
        self.update_chips()

    def saved_title(self) -> str:
        """The title Enter would save now ("" when the line has none)."""
        return self.title_chip.property("title") or ""

    def chip_texts(self) -> list[str]:
        """The reading chips shown now, left to right."""
        return [chip.text() for chip in self.reading_chips()]

    def reading_chips(self) -> list[ReadingChip]:
        # Between the title chip and the closing stretch the row holds reading chips only.
        items = (self._chip_layout.itemAt(number)
                 for number in range(1, self._chip_layout.count() - 1))
        return [cast(ReadingChip, item.widget()) for item in items if item is not None]

    def take_back(self, source: str) -> None:
        """Keep the words `source` in the title instead of reading them."""
        chips = self.reading_chips()
        had_focus = next((number for number, chip in enumerate(chips) if chip.hasFocus()), None)
        self.kept.add(source)
        self.update_chips()
        if had_focus is not None:  # the keyboard stays on the chips, or returns to the line
            left = self.reading_chips()
            (left[min(had_focus, len(left) - 1)] if left else self.line).setFocus()

    def _text_changed(self, text: str) -> None:
        self.kept = {source for source in self.kept if source in text}
        self._timer.start()

    def update_chips(self) -> None:
        self._timer.stop()
        while self._chip_layout.count() > 2:
            item = self._chip_layout.takeAt(1)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        try:
            parsed = (quick_add.parse(self.line.text(), keep=frozenset(self.kept))
                      if self.line.text().strip() else None)
        except UserError:
            parsed = None
        self.title_chip.setProperty("title", parsed.title if parsed else "")
        self.title_chip.setText(f"“{parsed.title}”" if parsed else "")
        self.title_chip.setAccessibleName(f"Title: {parsed.title}" if parsed else "")
        known = {list_name_key(name) for name in self.known_lists}
        readings = sorted(parsed.readings, key=lambda reading: CHIP_ORDER.index(reading.kind)) \
            if parsed else []
        previous: QWidget = self.line
        for reading in readings:
            shown = reading.text
            if reading.kind == "list" and list_name_key(reading.text) not in known:
                shown += " (new list)"
            chip = self._chip(reading, shown)
            self._chip_layout.insertWidget(self._chip_layout.count() - 1, chip)
            chip.show()  # now, not on the layout's queued show: take_back may focus it
            QWidget.setTabOrder(previous, chip)
            previous = chip
        self.chip_row.setCurrentWidget(self.chip_page if parsed is not None else self.hint)
        self._recount.start()

    def _show_how_many_are_cut(self) -> None:
        viewport = self.chip_frame.viewport()
        cut = [chip.text() for chip in self.reading_chips()
               if chip.mapTo(viewport, chip.rect().topLeft()).x() < 0
               or chip.mapTo(viewport, chip.rect().topRight()).x() >= viewport.width()]
        self.more.setText(f"+{len(cut)}")
        self.more.setToolTip("Also read: " + ", ".join(cut))
        self.more.setAccessibleName(f"{len(cut)} more: " + ", ".join(cut))
        self.more.setVisible(bool(cut) and self.chip_row.currentWidget() is self.chip_page)

    def _chip(self, reading: quick_add.Reading, shown: str) -> ReadingChip:
        chip = ReadingChip(reading, shown, self.chips)
        chip.taken_back.connect(self.take_back)
        scheme = apply.current()
        ink = scheme.text
        if reading.kind == "priority" and reading.text in ("high", "medium", "low"):
            ink = scheme.priority[("high", "medium", "low").index(reading.text)]
        chip.setIcon(icons.icon(CHIP_ICONS[reading.kind], ink))
        chip.setProperty("role", "chip")  # the one style sheet draws it
        return chip
