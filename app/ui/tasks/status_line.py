"""The quiet sentence under the task list ("Added “Call mom”.", "Undid your change…")."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel

SHOWN_MIN_MS, SHOWN_MS_PER_WORD = 6_000, 400  # long enough to read (and to press Ctrl+Z)


class StatusLine(QLabel):
    """Says one sentence, then steps aside: never for the rest of the session."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # titles are never markup
        self.setAccessibleName("Task status")
        self.setProperty("role", "muted")
        self.hide()
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.hide)

    def say(self, sentence: str) -> None:
        self.setText(sentence)
        self.show()
        self.timer.start(max(SHOWN_MIN_MS, len(sentence.split()) * SHOWN_MS_PER_WORD))
