"""The quiet sentence under the task list ("Added “Call mom”.", "Undid your change…"), with an
Undo beside a change that can be undone, as Todoist's and Gmail's notices have: Ctrl+Z is for
the keyboard, the button for whoever just clicked a circle by mistake."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.ui.theme.tokens import SPACE

SHOWN_MIN_MS, SHOWN_MS_PER_WORD = 6_000, 400  # long enough to read (and to press Ctrl+Z)


class StatusLine(QWidget):
    """Says one sentence, then steps aside: never for the rest of the session."""

    undo_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Task status")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # titles are never markup
        self.label.setProperty("role", "muted")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setProperty("role", "link")
        self.undo_button.setToolTip("Undo this change (Ctrl+Z)")
        self.undo_button.clicked.connect(self._undo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE["s"])
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.hide)

    def text(self) -> str:
        return self.label.text()

    def say(self, sentence: str, *, undoable: bool = False) -> None:
        """`undoable`: the sentence tells of a change the window's Ctrl+Z takes back."""
        self.label.setText(sentence)
        self.undo_button.setVisible(undoable)
        self.setAccessibleDescription(sentence)
        self.show()
        self.timer.start(max(SHOWN_MIN_MS, len(sentence.split()) * SHOWN_MS_PER_WORD))

    def _undo(self) -> None:
        self.hide()  # the undo says its own sentence
        self.undo_requested.emit()
