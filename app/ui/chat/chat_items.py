"""What a conversation shows: messages, tool activity, approvals, errors and notices.

Colours come from the design system (derived from the palette at paint or restyle time), so
light, dark and high-contrast palettes, and a switch between them, just work. Buttons inside
the transcript are not tab stops (the keyboard has shortcuts for them: see the shortcut sheet),
and every item can `snapshot()` itself: a factory that builds it again, so the transcript can
drop items far from the view and rebuild them when scrolled back (chat_view.py).
"""

import json

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.ui.theme import design
from app.ui.chat.answer_body import AnswerBody
from app.ui.chat.approval_card import ApprovalCard
from app.ui.theme.icons import icon
from app.ui.theme.surface import Surface


def _label(text: str = "", *, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setFont(design.small_font(label))
    return label


def tool_button(text: str, icon_name: str, tip: str) -> QToolButton:
    """A small action in the transcript: an icon and a word. Tab reaches it inside the
    transcript, message by message; a click does not take the focus from the message box."""
    button = QToolButton(autoRaise=True)
    button.setText(text)
    button.setIcon(icon(icon_name))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setToolTip(tip)
    button.setAccessibleName(text)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return button


class MessageItem(Surface):
    """A message: yours as typed (newlines kept), the assistant's as markdown with code blocks.
    Actions show where they apply: Copy always; Edit on your last message; Retry on the last
    answer; Continue on a stopped one; ‹ 1/2 › when Retry made more than one version; Undo all
    on an answer whose tools changed tasks (`changes`: those changes' rows in the task history;
    the panel shows the button while any of them is not undone)."""

    retry_requested = Signal()
    continue_requested = Signal()
    edit_requested = Signal()
    undo_all_requested = Signal()

    def __init__(self, role: str, text: str = "", note: str = "",
                 versions: list[str] | None = None, changes: tuple[int, ...] = ()) -> None:
        super().__init__("you" if role == "user" else "")  # answers sit on the page itself
        self.role = role
        self.changes = tuple(changes)
        # A stop of its own, outlined while it has the focus; its actions follow it.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(design.L, design.M, design.L, design.M)
        layout.setSpacing(design.S)
        header = QHBoxLayout()
        header.setSpacing(design.S)
        self.who = QLabel("You" if role == "user" else "Assistant")
        font = design.small_font(self.who)
        font.setBold(True)
        self.who.setFont(font)
        header.addWidget(self.who)
        self.note = _muted(QLabel())  # "Stopped", "Cut off"…
        self.note.hide()
        header.addWidget(self.note)
        header.addStretch()
        self.older = tool_button("", "chevron-left", "Earlier version of this answer")
        self.older.setAccessibleName("Earlier version")
        self.version_label = _muted(QLabel())
        self.newer = tool_button("", "chevron-right", "Later version of this answer")
        self.newer.setAccessibleName("Later version")
        self.older.clicked.connect(lambda: self.show_version(self.version - 1))
        self.newer.clicked.connect(lambda: self.show_version(self.version + 1))
        for widget in (self.older, self.version_label, self.newer):
            widget.hide()
            header.addWidget(widget)
        self.copy_button = tool_button("Copy", "copy", "Copy this message")
        self.copy_button.clicked.connect(self.copy)
        self.edit_button = tool_button("Edit", "pencil", "Edit and send again (Up in an empty "
                                                         "message box)")
        self.edit_button.clicked.connect(self.edit_requested)
        self.continue_button = tool_button("Continue", "play", "Continue this answer (Ctrl+Shift+Enter)")
        self.continue_button.clicked.connect(self.continue_requested)
        self.retry_button = tool_button("Retry", "refresh-cw", "Ask for this answer again "
                                                               "(Ctrl+R)")
        self.retry_button.clicked.connect(self.retry_requested)
        self._retry_tip = self.retry_button.toolTip()
        self.undo_all_button = tool_button("Undo all", "undo-2", "Undo every change to tasks "
                                                                 "this answer made")
        self.undo_all_button.clicked.connect(self.undo_all_requested)
        for button in (self.copy_button, self.edit_button, self.continue_button,
                       self.retry_button, self.undo_all_button):
            header.addWidget(button)
        self.edit_button.hide()
        self.continue_button.hide()
        self.retry_button.hide()
        self.undo_all_button.hide()
        layout.addLayout(header)
        if role == "user":
            self.view = _label(text)  # as typed: no markdown, newlines kept
            self.view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.view.toPlainText = self.view.text
        else:
            self.view = AnswerBody(text)
        layout.addWidget(self.view)
        self.versions = list(versions or [])
        self.version = len(self.versions)  # the newest, shown: one past the earlier ones
        self._update_versions()
        if note:
            self.mark(note)
        self._describe()

    def allow_retry(self, allowed: bool, why_not: str) -> None:
        """Retry stays in its place, greyed, with the reason as its tooltip."""
        self.retry_button.setEnabled(allowed)
        self.retry_button.setToolTip(self._retry_tip if allowed else why_not)

    @property
    def text(self) -> str:
        """The message (for an answer: the current version, whichever one is shown)."""
        if self.role == "user":
            return self.view.text()
        return self._newest if self.version < len(self.versions) else self.view.markdown

    def snapshot(self):
        # Only plain values: a factory holding `self` would keep the dropped item alive.
        role, text, note, versions = self.role, self.text, self.note.text(), list(self.versions)
        changes = self.changes
        return lambda: MessageItem(role, text, note, versions, changes)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.shown_text())

    def shown_text(self) -> str:
        if self.version < len(self.versions):
            return self.versions[self.version]
        return self.text

    def mark(self, note: str) -> None:
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self._describe()

    def set_versions(self, earlier: list[str]) -> None:
        """Earlier answers to the same message, oldest first; this item shows the newest."""
        self.versions = list(earlier)
        self.version = len(self.versions)
        self._update_versions()

    def show_version(self, index: int) -> None:
        """Browse the versions Retry made: 0 is the first; len(versions) the current one."""
        index = max(0, min(index, len(self.versions)))
        if index == self.version:
            return
        if self.version == len(self.versions):
            self._newest = self.view.markdown
        self.version = index
        shown = self.versions[index] if index < len(self.versions) else self._newest
        self.view.set_markdown(shown)
        self._update_versions()

    def _update_versions(self) -> None:
        many = bool(self.versions)
        for widget in (self.older, self.version_label, self.newer):
            widget.setVisible(many)
        total = len(self.versions) + 1
        self.version_label.setText(f"{self.version + 1}/{total}")
        self.version_label.setAccessibleName(f"Version {self.version + 1} of {total}")
        self.older.setEnabled(self.version > 0)
        self.newer.setEnabled(self.version < len(self.versions))

    def _describe(self) -> None:
        who = "You" if self.role == "user" else "Assistant"
        note = f" ({self.note.text()})" if self.note.text() else ""
        self.setAccessibleName(f"{who}{note}")


class ToolItem(QWidget):
    """One line for what the agent did: "✓ Added 'Buy milk', due Fri 27 Nov", with Undo when it
    changed a task (`change`: that change's row in the task history); "↶ … (undone)" after."""

    undo_requested = Signal()

    def __init__(self, summary: str, ok: bool = True, running: bool = False,
                 change: int | None = None, undone: bool = False) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(design.L, 0, design.L, 0)
        layout.setSpacing(design.S)
        self.label = _label(selectable=False)
        layout.addWidget(self.label, 1)
        self.undo_button = tool_button("Undo", "undo-2", "Undo this change")
        self.undo_button.clicked.connect(self.undo_requested)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        self.show_result(summary, ok, running, change)
        if undone:
            self.mark_undone()

    def text(self) -> str:
        return self.label.text()

    def show_result(self, summary: str, ok: bool, running: bool = False,
                    change: int | None = None) -> None:
        self.summary = summary
        self.ok = ok
        self.running = running
        self.change = change
        self.undone = False
        self.label.setText(f"{'…' if running else '✓' if ok else '✗'} {summary}")
        self.setAccessibleName(("Running: " if running else "Done: " if ok else "Failed: ")
                               + summary)
        self.undo_button.setVisible(change is not None)
        self.restyle()

    def mark_undone(self) -> None:
        self.undone = True
        self.undo_button.hide()
        self.label.setText(f"↶ {self.summary} (undone)")
        self.setAccessibleName(f"Undone: {self.summary}")
        self.restyle()

    def restyle(self) -> None:
        colours = QPalette(design.palette())
        colours.setColor(QPalette.ColorRole.WindowText, design.ink(
            "muted" if self.undone else "tool" if self.ok else "failed"))
        self.setPalette(colours)  # the line inherits it
        self.undo_button.setIcon(icon("undo-2"))

    def snapshot(self):
        summary, ok, change, undone = self.summary, self.ok, self.change, self.undone
        return lambda: ToolItem(summary, ok, change=change, undone=undone)


def format_arguments(arguments: dict) -> str:
    """Every argument the agent passed, one per line, so nothing is approved unseen."""
    if not arguments:
        return "(no arguments)"
    return "\n".join(f"{name}: {json.dumps(value, ensure_ascii=False)}"
                     for name, value in arguments.items())


class ApprovalItem(ApprovalCard):
    """"Delete task 7 'Renew passport'?" with the full arguments, or a bulk batch ("Change 8
    existing tasks at once") with one line per change; Deny is the safe default."""

    def __init__(self, summary: str, arguments: dict, changes: tuple[str, ...] = (), *,
                 can_always: bool = False) -> None:
        """`changes`: a batch's changes, one per line (shown instead of the arguments; a long
        batch scrolls inside the card); `can_always`: an MCP tool, which may be allowed for
        good (revocable in Settings → Tools)."""
        super().__init__(f"The assistant wants to: {summary}. Allow it?",
                         "\n".join(changes) if changes else format_arguments(arguments),
                         always="Always allow this tool" if can_always else None)

    def snapshot(self):
        text = self.question.text()
        return lambda: NoticeItem(text)


class ErrorItem(Surface):
    """What went wrong, in one sentence, with the actions that help ("Settings…", "Retry").
    Only the newest error's actions are live: the panel retires the older ones."""

    action_requested = Signal(str)  # the action's label

    def __init__(self, message: str, actions: tuple[str, ...] = ()) -> None:
        super().__init__("error")
        self.setAccessibleName("Problem")
        self.setAccessibleDescription(message)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(design.L, design.M, design.M, design.M)
        mark = QLabel()
        mark.setPixmap(icon("circle-alert", design.rgb(design.ink("failed"))).pixmap(16, 16))
        layout.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        self.message = _label(message)
        layout.addWidget(self.message, 1)
        self.buttons: dict[str, QToolButton] = {}
        for action in actions:
            button = self.buttons[action] = tool_button(
                action, "refresh-cw" if action == "Retry" else "pencil", action)
            button.setAutoRaise(False)
            button.clicked.connect(lambda _checked=False, name=action:
                                   self.action_requested.emit(name))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

    @property
    def live(self) -> bool:
        return any(button.isEnabled() and not button.isHidden()
                   for button in self.buttons.values())

    def retire(self) -> None:
        """Once retried (or superseded), its actions are no longer offered."""
        for button in self.buttons.values():
            button.hide()

    def snapshot(self):
        text = self.message.text()
        return lambda: ErrorItem(text)


class NoticeItem(QLabel):
    """A passing remark from the app itself. With `countdown`, it counts the seconds down:
    "The model is overloaded; trying again in 3 s." → 2 s → 1 s → "trying again now"."""

    def __init__(self, text: str, countdown: tuple[str, float] | None = None) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.setContentsMargins(design.L, 0, design.L, 0)
        _muted(self)
        self._timer: QTimer | None = None
        if countdown is not None:
            self._reason, seconds = countdown
            self._left = max(1, round(seconds))
            self._timer = QTimer(self, interval=1000)
            self._timer.timeout.connect(self._tick)
            self._timer.start()
            self._show_left()

    def _tick(self) -> None:
        self._left -= 1
        self._show_left()
        if self._left <= 0:
            self._timer.stop()

    def _show_left(self) -> None:
        when = f"in {self._left} s" if self._left > 0 else "now"
        self.setText(f"{self._reason}; trying again {when}.")

    def snapshot(self):
        text = self.text()
        return lambda: NoticeItem(text)
