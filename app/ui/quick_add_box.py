"""The panel's add box: one line in quick-add syntax, with chips for what it recognised.

`Pay rent every month on the 1st #home !high ^Work` shows the chips "Mon 1 Dec", "every month
on the 1st", "#home", "high", "Work" before Enter, so a date the parser read differently from
what was meant is seen before the task exists.
"""

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.common.errors import UserError
from app.tasks import quick_add
from app.ui import design

CHIP_DELAY_MS = 150  # parse once typing pauses: dateparser is not free
CHIP_ICONS = {"due": "calendar", "repeat": "repeat", "tag": "tag", "priority": "flag",
              "list": "list"}


class QuickAddBox(QWidget):
    submitted = Signal(str)  # the line as typed, on Enter

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.known_lists: set[str] = {"Inbox"}  # chips say when a ^List does not exist yet
        self.line = QLineEdit()
        self.line.setPlaceholderText("Add a task… (tomorrow 5pm, every monday, #tag, !high, ^List)")
        self.line.setAccessibleName("Add a task")
        self.line.setClearButtonEnabled(True)
        self.line.returnPressed.connect(lambda: self.submitted.emit(self.line.text()))
        self.chips = QWidget()
        self.chips.setAccessibleName("Recognised")
        self._chip_layout = QHBoxLayout(self.chips)
        self._chip_layout.setContentsMargins(0, 0, 0, 0)
        self._chip_layout.setSpacing(design.S)
        self._chip_layout.addStretch(1)
        self.chips.hide()
        self._timer = QTimer(self, singleShot=True, interval=CHIP_DELAY_MS)
        self._timer.timeout.connect(self.update_chips)
        self.line.textChanged.connect(lambda _: self._timer.start())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(design.S)
        layout.addWidget(self.line)
        layout.addWidget(self.chips)

    def text(self) -> str:
        return self.line.text()

    def clear(self) -> None:
        self.line.clear()
        self.update_chips()

    def chip_texts(self) -> list[str]:
        """The chips shown now, left to right."""
        return [self._chip_layout.itemAt(number).widget().text()
                for number in range(self._chip_layout.count() - 1)]

    def update_chips(self) -> None:
        self._timer.stop()
        while self._chip_layout.count() > 1:
            widget = self._chip_layout.takeAt(0).widget()
            widget.deleteLater()
        try:
            parsed = quick_add.parse(self.line.text()) if self.line.text().strip() else None
        except UserError:
            parsed = None
        chips = list(parsed.chips) if parsed else []
        for kind, text in chips:
            if kind == "list" and text not in self.known_lists:
                text += " (new list)"
            self._chip_layout.insertWidget(self._chip_layout.count() - 1, self._chip(kind, text))
        self.chips.setVisible(bool(chips))

    def _chip(self, kind: str, text: str) -> QLabel:
        chip = QLabel(text)
        chip.setObjectName(f"chip-{kind}")
        chip.setTextFormat(Qt.TextFormat.PlainText)
        chip.setAccessibleName(f"{kind}: {text}")
        chip.setToolTip({"due": "Due", "repeat": "Repeats", "tag": "Tag",
                         "priority": "Priority", "list": "List"}[kind])
        chip.setFont(design.small_font(self))
        background = design.surface("you")
        ink = design.priority_ink(text) if kind == "priority" else design.ink("tool")
        chip.setStyleSheet(f"QLabel {{ background: {design.rgb(background)}; color: "
                           f"{design.rgb(ink)}; border-radius: {design.RADIUS}px; "
                           f"padding: {design.XS}px {design.M}px; }}")
        return chip
