"""The box a message is typed in: Enter sends, Shift+Enter starts a new line, and Up in an
empty box edits your last message (as in most chat apps)."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit

MAX_LINES_SHOWN = 8


class MessageInput(QPlainTextEdit):
    submitted = Signal(str)
    edit_last_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Ask about your tasks, or say what to add…")
        self.setToolTip("Enter sends, Shift+Enter starts a new line")
        self.setAccessibleName("Message")
        self.setTabChangesFocus(True)
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            text = self.toPlainText()
            if text.strip():
                self.submitted.emit(text)
            return
        if event.key() == Qt.Key.Key_Up and not self.toPlainText() and not event.modifiers():
            self.edit_last_requested.emit()
            return
        if enter:  # Shift+Enter: a plain new line, not Qt's line separator character
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)

    def _fit_height(self) -> None:
        """Grow with the text up to a few lines, then scroll."""
        lines = min(max(self.document().lineCount(), 1), MAX_LINES_SHOWN)
        line = self.fontMetrics().lineSpacing()
        margins = self.contentsMargins()
        self.setFixedHeight(lines * line + 2 * int(self.document().documentMargin())
                            + margins.top() + margins.bottom() + 4)
