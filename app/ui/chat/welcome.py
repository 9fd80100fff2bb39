"""The chat before its first message: a greeting and a few example requests in the column.
Clicking an example sends it, so a new user sees the assistant work at once. Without an API key
the examples would only fail, so it says instead what the chat will do once a key is added (the
key button sits by the composer, in the key prompt)."""

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.tokens import READABLE_WIDTH, SPACE

EXAMPLES = (
    "What's due this week?",
    "Add “renew the passport” for next Friday, high priority",
    "Plan my day from what's overdue and due today",
    "Move everything tagged errands to Saturday",
)
WHAT_IT_DOES = (
    "Add, change and complete tasks when you ask in your own words",
    "Tell you what is due, overdue or coming up, and plan your day",
    "Undo anything it changed, one step or a whole answer at once",
)


class Welcome(QWidget):
    example_chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(SPACE["l"], SPACE["xl"], SPACE["l"], SPACE["l"])
        column = QWidget()
        column.setMaximumWidth(READABLE_WIDTH)
        outer.addWidget(column)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE["s"])
        layout.addStretch(2)
        self.greeting = QLabel()
        self.greeting.setProperty("role", "display")
        self.greeting.setWordWrap(True)
        layout.addWidget(self.greeting)
        self.subtitle = QLabel()
        self.subtitle.setProperty("role", "muted")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)
        layout.addSpacing(SPACE["l"])
        self.examples: list[QPushButton] = []
        for example in EXAMPLES:
            button = QPushButton(example)
            button.setProperty("role", "suggestion")
            button.setAutoDefault(False)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip("Send this request")
            button.clicked.connect(lambda _checked=False, text=example:
                                   self.example_chosen.emit(text))
            layout.addWidget(button)
            self.examples.append(button)
        self.abilities: list[QWidget] = []
        self._checks: list[QLabel] = []
        for ability in WHAT_IT_DOES:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, SPACE["xs"], 0, SPACE["xs"])
            line.setSpacing(SPACE["s"])
            check = QLabel()
            line.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
            words = QLabel(ability)
            words.setWordWrap(True)
            line.addWidget(words, 1)
            layout.addWidget(row)
            self.abilities.append(row)
            self._checks.append(check)
        layout.addStretch(3)
        self.show_key_needed(False)

    def show_key_needed(self, needed: bool) -> None:
        self.key_needed = needed
        self.greeting.setText("Your tasks, by asking" if needed else "What can I help with?")
        self.subtitle.setText(
            "Add a Gemini API key below and the assistant will:" if needed else
            "Ask about your tasks or say what to add. Try one of these:")
        for button in self.examples:
            button.setVisible(not needed)
        for row in self.abilities:
            row.setVisible(needed)
        self._tint()

    def _tint(self) -> None:
        """Icons are tinted pixmaps: drawn again in the scheme's colours after a switch."""
        for check in self._checks:
            check.setPixmap(icon("check", apply.current().success).pixmap(16, 16))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._tint()
