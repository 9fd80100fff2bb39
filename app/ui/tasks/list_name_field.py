"""The sidebar's inline field for a list's name (a new list, or a rename), with the store's
sentence under it when the name is refused.

It lies over the list's row, as an item editor would, but it is its own widget: a refused name
keeps the field open with the sentence beside it, which the view's editor machinery (commit and
close on Enter) cannot do.
"""

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout

from app.ui.theme.tokens import SPACE


class ListNameField(QFrame):
    submitted = Signal(str)  # Enter: the name typed
    cancelled = Signal()     # Esc
    left = Signal(str)       # the focus went elsewhere in the window: the name typed

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        # It covers the row's name in the sidebar's own colour, no box of its own around the
        # rounded field: a framed white panel read as a second, broken field.
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setProperty("surface", "chrome")
        self.line = QLineEdit(name)
        self.line.setAccessibleName("List name")
        self.line.setPlaceholderText("New list")
        self.line.selectAll()
        self.line.installEventFilter(self)
        self.problem = QLabel()
        self.problem.setAccessibleName("Problem with the list name")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setProperty("role", "error")  # the danger ink of the one style sheet
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["xs"], SPACE["xs"], SPACE["xs"], SPACE["xs"])
        layout.setSpacing(SPACE["xs"])
        layout.addWidget(self.line)
        layout.addWidget(self.problem)
        self.restyle()

    @property
    def text(self) -> str:
        return self.line.text()

    def refuse(self, sentence: str) -> None:
        """Keep the field open, say why beside it, and select the name to type over it."""
        self.problem.setText(sentence)
        self.problem.show()
        self.line.setAccessibleDescription(sentence)
        self.line.selectAll()
        self.line.setFocus()

    def restyle(self) -> None:
        """Nothing to re-read: the style sheet follows the scheme (kept for the sidebar)."""

    def eventFilter(self, watched, event) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.submitted.emit(self.text)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.cancelled.emit()
                return True
        if watched is self.line and event.type() == QEvent.Type.FocusOut \
                and event.reason() not in (Qt.FocusReason.ActiveWindowFocusReason,
                                           Qt.FocusReason.PopupFocusReason):
            # Another window (or a menu) taking the focus is no answer: the field stays open.
            self.left.emit(self.text)
        return super().eventFilter(watched, event)
