"""A question the agent asks before it acts: what it wants to do, every argument, Deny or Allow.

A reusable widget (task deletions, MCP tools, bulk approvals): give it the question and the
details. It takes the keyboard focus when shown; Deny is the default, so Enter or Space
denies, and Alt+A (shown on the button) allows. The owner returns the focus where it belongs
(the message box) on `closed`. Details longer than LINES_SHOWN lines (a bulk batch) scroll
inside the card, so every line stays readable and the card stays short.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout

from app.ui.chat.code_block import monospace
from app.ui.theme.surface import Surface
from app.ui.theme.tokens import SPACE, WEIGHTS

ALLOW_KEYS = "Alt+A"
LINES_SHOWN = 12  # longer details scroll inside the card


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ApprovalCard(Surface):
    decided = Signal(bool)
    always_allowed = Signal()  # the `always` button: allowed for good (then decided(True) too)
    closed = Signal(bool)   # answered or expired; True if the keyboard focus was on the card

    def __init__(self, question: str, details: str = "", *, allow: str = "Allow once",
                 deny: str = "Deny", always: str | None = None) -> None:
        super().__init__("card", outlined=True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("Approval needed")
        self.setAccessibleDescription(question)
        layout = QVBoxLayout(self)
        # Stands out from the quiet transcript: the warning surface, an outline, room inside.
        layout.setContentsMargins(SPACE["l"], SPACE["m"] + 2, SPACE["l"], SPACE["m"] + 2)
        layout.setSpacing(SPACE["s"] + 2)
        self.question = _label(question)
        font = self.question.font()
        font.setWeight(QFont.Weight(WEIGHTS["semibold"]))
        self.question.setFont(font)
        layout.addWidget(self.question)
        self.details = _label(details)
        self.details.setFont(monospace(self.details.font()))
        if details.count("\n") >= LINES_SHOWN:
            layout.addWidget(self._scrolling(self.details))
        else:
            layout.addWidget(self.details)
        self.details.setVisible(bool(details))  # after it has a parent: not a window of its own
        buttons = QHBoxLayout()
        self.always_button = None
        if always:  # e.g. "Always allow this tool"
            self.always_button = QPushButton(always)
            self.always_button.setProperty("role", "quiet")
            self.always_button.setAutoDefault(False)
            self.always_button.clicked.connect(self._allow_always)
            buttons.addWidget(self.always_button)
        buttons.addStretch()
        self.deny_button = QPushButton(f"{deny}  (Enter)")
        self.deny_button.setAccessibleName(deny)
        self.deny_button.setDefault(True)  # Enter on the card denies: the safe choice
        self.deny_button.setAutoDefault(True)
        self.allow_button = QPushButton(f"{allow}  ({ALLOW_KEYS})")
        self.allow_button.setAccessibleName(allow)
        self.allow_button.setAutoDefault(False)
        self.deny_button.clicked.connect(lambda: self.decide(False))
        self.allow_button.clicked.connect(lambda: self.decide(True))
        buttons.addWidget(self.deny_button)
        buttons.addWidget(self.allow_button)
        layout.addLayout(buttons)
        allow_keys = QShortcut(QKeySequence(ALLOW_KEYS), self)
        allow_keys.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        allow_keys.activated.connect(lambda: self.decide(True))
        self.answer: bool | None = None

    @staticmethod
    def _scrolling(details: QLabel) -> QScrollArea:
        """`details` in a scroller LINES_SHOWN lines high, on the card's own background."""
        scroller = QScrollArea()
        scroller.setWidget(details)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the focus stays on Deny
        scroller.viewport().setAutoFillBackground(False)
        details.setAutoFillBackground(False)
        scroller.setFixedHeight(details.fontMetrics().lineSpacing() * LINES_SHOWN)
        return scroller

    def take_focus(self) -> None:
        self.deny_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _allow_always(self) -> None:
        if self.answer is None:
            self.always_allowed.emit()
            self.decide(True)

    def decide(self, allowed: bool) -> None:
        if self.answer is not None:
            return
        self._close(allowed, "You allowed it." if allowed else "You said no, so nothing changed.")
        self.decided.emit(allowed)

    def expire(self, why: str = "Nothing changed: the answer ended before you chose.") -> None:
        """The turn ended before an answer: nothing ran."""
        if self.answer is None:
            self._close(False, why)

    def _close(self, answer: bool, outcome: str) -> None:
        buttons = [b for b in (self.deny_button, self.allow_button, self.always_button) if b]
        had_focus = any(button.hasFocus() for button in buttons)
        self.answer = answer
        # The owner moves the focus first: a hidden focused button would pass it along the
        # tab chain (to "Allow", then "New conversation"), where keys typed meanwhile go.
        self.closed.emit(had_focus)
        for button in buttons:
            button.setEnabled(False)
            button.hide()
        # The card says the outcome once, as a sentence; the tool's own line is not shown.
        self.question.setText(f"{self.question.text().removesuffix(' Allow it?')} {outcome}")
