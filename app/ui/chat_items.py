"""What a conversation shows, one widget per item: messages, tool activity, approvals, errors.

Colours come from the palette (AlternateBase for the user's messages, the highlight for the
assistant's actions), so light and dark themes, and a switch between them, just work.
"""

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QToolButton, QVBoxLayout)

from app.ui.markdown_view import MarkdownView

BATCH_LINES_SHOWN = 12  # a longer batch scrolls inside its approval card


def _label(text: str, *, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class MessageItem(QFrame):
    """A user's or the assistant's message: markdown, with Copy (and Retry on the last answer)."""

    retry_requested = Signal()
    undo_all_requested = Signal()

    def __init__(self, role: str, text: str = "") -> None:
        super().__init__()
        self.role = role
        if role == "user":
            self.setAutoFillBackground(True)
            self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        header = QHBoxLayout()
        who = _muted(QLabel("You" if role == "user" else "Assistant"))
        who.setAccessibleName("Author")
        header.addWidget(who)
        header.addStretch()
        self.note = _muted(QLabel())  # "Stopped", "Cut off"…
        self.note.hide()
        header.addWidget(self.note)
        self.copy_button = QToolButton(text="Copy", autoRaise=True)
        self.copy_button.setToolTip("Copy this message")
        self.copy_button.clicked.connect(self.copy)
        header.addWidget(self.copy_button)
        self.retry_button = QToolButton(text="Retry", autoRaise=True)
        self.retry_button.setToolTip("Ask for this answer again")
        self.retry_button.clicked.connect(self.retry_requested)
        self.retry_button.hide()
        header.addWidget(self.retry_button)
        self.undo_all_button = QToolButton(text="Undo all", autoRaise=True)
        self.undo_all_button.setToolTip("Undo every change to tasks this answer made")
        self.undo_all_button.clicked.connect(self.undo_all_requested)
        self.undo_all_button.hide()
        header.addWidget(self.undo_all_button)
        layout.addLayout(header)
        self.view = MarkdownView()
        self.view.setAccessibleName("Your message" if role == "user" else "Answer")
        layout.addWidget(self.view)
        if text:
            self.view.set_markdown(text)

    @property
    def text(self) -> str:
        return self.view.markdown

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.view.markdown)

    def mark(self, note: str) -> None:
        self.note.setText(note)
        self.note.show()


class ToolItem(QFrame):
    """One line for what the agent did: "✓ Added 'Buy milk', due Fri 27 Nov", with Undo when
    it changed a task (`change` is that change's row in the task history)."""

    undo_requested = Signal()

    def __init__(self, summary: str, ok: bool = True, running: bool = False) -> None:
        super().__init__()
        self.change: int | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 0, 10, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self.undo_button = QToolButton(text="Undo", autoRaise=True)
        self.undo_button.setToolTip("Undo this change")
        self.undo_button.clicked.connect(self.undo_requested)
        self.undo_button.hide()
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        self.show_result(summary, ok, running)

    def text(self) -> str:
        return self.label.text()

    def show_result(self, summary: str, ok: bool, running: bool = False,
                    change: int | None = None) -> None:
        self.summary = summary
        self.ok = ok
        self.change = change
        self.label.setText(f"{'…' if running else '✓' if ok else '✗'} {summary}")
        self.label.setForegroundRole(QPalette.ColorRole.Link if ok else QPalette.ColorRole.Text)
        self.undo_button.setVisible(change is not None)

    def mark_undone(self) -> None:
        self.undo_button.hide()
        self.label.setText(f"↶ {self.summary} (undone)")
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


def format_arguments(arguments: dict) -> str:
    """Every argument the agent passed, one per line, so nothing is approved unseen."""
    if not arguments:
        return "(no arguments)"
    return "\n".join(f"{name}: {json.dumps(value, ensure_ascii=False)}"
                     for name, value in arguments.items())


class ApprovalItem(QFrame):
    """"Delete task 7 'Renew passport'?" with the full arguments; Deny is the safe default."""

    decided = Signal(bool)

    def __init__(self, summary: str, arguments: dict, changes: tuple[str, ...] = ()) -> None:
        """`changes`: a batch's changes, one per line (shown instead of the arguments)."""
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.question = _label(f"The assistant wants to: {summary}. Allow it?")
        self.question.setForegroundRole(QPalette.ColorRole.ToolTipText)
        layout.addWidget(self.question)
        self.details = _label("\n".join(changes) if changes else format_arguments(arguments))
        self.details.setForegroundRole(QPalette.ColorRole.ToolTipText)
        font = self.details.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        self.details.setFont(font)
        if len(changes) > BATCH_LINES_SHOWN:  # every line stays readable, the card stays short
            scroller = QScrollArea()
            scroller.setWidget(self.details)
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QFrame.Shape.NoFrame)
            scroller.setMaximumHeight(self.details.fontMetrics().lineSpacing()
                                      * BATCH_LINES_SHOWN)
            layout.addWidget(scroller)
        else:
            layout.addWidget(self.details)
        buttons = QHBoxLayout()
        self.allow_button = QPushButton("Allow once")
        self.deny_button = QPushButton("Deny")
        self.deny_button.setDefault(True)  # Enter on the card denies: the safe choice
        self.deny_button.setAutoDefault(True)
        self.allow_button.setAutoDefault(False)
        self.allow_button.clicked.connect(lambda: self.decide(True))
        self.deny_button.clicked.connect(lambda: self.decide(False))
        buttons.addStretch()
        buttons.addWidget(self.deny_button)
        buttons.addWidget(self.allow_button)
        layout.addLayout(buttons)
        self.answer: bool | None = None

    def decide(self, allowed: bool) -> None:
        if self.answer is not None:
            return
        self.answer = allowed
        self.allow_button.setEnabled(False)
        self.deny_button.setEnabled(False)
        self.question.setText(self.question.text().removesuffix(" Allow it?")
                              + (" — allowed." if allowed else " — denied."))
        self.decided.emit(allowed)

    def expire(self) -> None:
        """The turn ended (stopped) before an answer: nothing ran."""
        if self.answer is None:
            self.answer = False
            self.allow_button.setEnabled(False)
            self.deny_button.setEnabled(False)
            self.question.setText(self.question.text().removesuffix(" Allow it?")
                                  + " — not done (stopped).")


class ErrorItem(QFrame):
    """What went wrong, in one sentence, with the actions that help ("Settings…", "Retry")."""

    action_requested = Signal(str)  # the action's label

    def __init__(self, message: str, actions: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.message = _label(message)
        layout.addWidget(self.message, 1)
        self.buttons: dict[str, QPushButton] = {}
        for action in actions:
            button = self.buttons[action] = QPushButton(action)
            button.clicked.connect(lambda _checked=False, name=action:
                                   self.action_requested.emit(name))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

    def retire(self) -> None:
        """Once retried (or superseded), its actions are no longer offered."""
        for button in self.buttons.values():
            button.hide()


class NoticeItem(QLabel):
    """A passing remark from the app itself: "The model is overloaded; trying again in 3 s."."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.setContentsMargins(10, 0, 10, 0)
        _muted(self)

