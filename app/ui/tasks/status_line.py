"""The quiet sentence under the task list ("Added “Call mom”.", "Undid your change…"), with an
Undo beside a change that can be undone, as Todoist's and Gmail's notices have: Ctrl+Z is for
the keyboard, the button for whoever just clicked a circle by mistake."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.tasks import Step
from app.ui.theme.tokens import SPACE

SHOWN_MIN_MS, SHOWN_MS_PER_WORD = 6_000, 400  # long enough to read (and to press Ctrl+Z)


class StatusLine(QWidget):
    """Says one sentence, then steps aside: never for the rest of the session."""

    undo_requested = Signal(int)  # the step the sentence told of

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
        # Tab reaches it, a click does not take the focus: hidden by its own click, it would
        # hand the focus to whatever widget Qt picks next (the sidebar's "New list").
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.undo_button.clicked.connect(self._undo)
        self._step: int | None = None
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

    def say(self, sentence: str, *, step: Step | None = None) -> None:
        """`step`: the change the sentence tells of, which Undo takes back (that one, not the
        newest, which may be the assistant's by then); none when it wrote nothing."""
        self._step = step.id if step is not None else None
        self.label.setText(sentence)
        self.undo_button.setVisible(self._step is not None)
        self.setAccessibleDescription(sentence)
        self.show()
        self.timer.start(max(SHOWN_MIN_MS, len(sentence.split()) * SHOWN_MS_PER_WORD))

    def _undo(self) -> None:
        self.hide()  # the undo says its own sentence
        if self._step is not None:
            self.undo_requested.emit(self._step)
