"""What a conversation shows: messages, tool activity, approvals, errors and notices.

Yours and the assistant's are told apart by layout: yours sit right-aligned in an accent_soft
bubble, the assistant's plain on the page across the column. Colours come from the tokens at
paint or restyle time, so a theme switch just works. A message's actions (Copy, Edit, Retry, Undo
all) and a tool line's Undo are quiet buttons that show on hover or keyboard focus (the newest
answer keeps its own in sight); Tab reaches every one, message by message. Every item can
`snapshot()` itself: a factory that builds it again, so the transcript can drop items far from
the view and rebuild them when scrolled back (chat_view.py).
"""

import json
import weakref

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.chat.answer_body import AnswerBody
from app.ui.chat.approval_card import ApprovalCard
from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.surface import Surface
from app.ui.theme.tokens import SPACE

BUBBLE_SHARE = 0.8   # your bubble's widest, as a share of the column (room to tell it apart)
ICON = 16


def _label(text: str = "", *, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _muted(label: QLabel) -> QLabel:
    label.setProperty("role", "caption")
    return label


def tool_button(text: str, icon_name: str, tip: str) -> QToolButton:
    """A quiet action in the transcript: an icon and a word. Tab reaches it inside the
    transcript, message by message; a click does not take the focus from the message box."""
    button = QToolButton(autoRaise=True)
    button.setProperty("role", "quiet")
    button.setText(text)
    button.setIcon(icon(icon_name))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon
                              if text else Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setToolTip(tip)
    button.setAccessibleName(text)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    button.setProperty("icon_name", icon_name)
    return button


def retint(buttons) -> None:
    """Icons are tinted pixmaps: drawn again in the new scheme's muted ink."""
    for button in buttons:
        button.setIcon(icon(button.property("icon_name")))


class Revealer(QObject):
    """Shows `actions` while the pointer is over `owner` or the keyboard focus is inside it
    (or always, when pinned). Hidden means fully transparent, not hidden: the buttons keep
    their place (no jump on hover) and stay in the Tab chain, and a fully transparent effect
    draws nothing, so it costs nothing.

    It holds its owner weakly. PySide keeps an event filter alive from each object it watches,
    so a strong hold back made a cycle the collector cannot see through: every message folded
    away in a long session stayed in memory with its buttons (+75 MB over 1,000 answers)."""

    def __init__(self, owner: QWidget, actions: QWidget) -> None:
        super().__init__(owner)
        self._owner = weakref.ref(owner)
        self.effect = QGraphicsOpacityEffect(actions)
        actions.setGraphicsEffect(self.effect)
        self.pinned = False
        self.hovered = False
        # A timer of its own, gone with it: a pending QTimer.singleShot ran on messages that
        # had been folded away meanwhile.
        self._after_focus_moves = QTimer(self)
        self._after_focus_moves.setSingleShot(True)
        self._after_focus_moves.setInterval(0)
        self._after_focus_moves.timeout.connect(self.update)
        owner.installEventFilter(self)
        self.update()

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)

    @property
    def shown(self) -> bool:
        return self.effect.opacity() > 0

    def pin(self, pinned: bool) -> None:
        self.pinned = pinned
        self.update()

    def update(self) -> None:
        owner = self._owner()
        if owner is None:
            return
        focus = QApplication.focusWidget()
        inside = focus is not None and (focus is owner or owner.isAncestorOf(focus))
        self.effect.setOpacity(1.0 if self.pinned or self.hovered or inside else 0.0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._owner() and kind in (QEvent.Type.Enter, QEvent.Type.Leave):
            self.hovered = kind == QEvent.Type.Enter
            self.update()
        elif kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self._after_focus_moves.start()
        return False


class TypedText(QLabel):
    """Your message as typed (plain text, newlines kept), read the way an answer's body is."""

    def toPlainText(self) -> str:
        return self.text()


class MessageItem(Surface):
    """A message: yours as typed (newlines kept) in a bubble at the right, the assistant's as
    markdown with code blocks across the column. Actions show where they apply: Copy always;
    Edit on your last message; Retry on the last answer; Continue on a stopped one; ‹ 1/2 ›
    when Retry made more than one version; Undo all on an answer whose tools changed tasks
    (`changes`: those changes' rows in the task history; the panel shows the button while any
    of them is not undone)."""

    retry_requested = Signal()
    continue_requested = Signal()
    versions: list[str]  # earlier answers, oldest first
    version: int  # the one shown: len(versions) is the newest
    edit_requested = Signal()
    undo_all_requested = Signal()

    def __init__(self, role: str, text: str = "", note: str = "",
                 versions: list[str] | None = None, changes: tuple[int, ...] = ()) -> None:
        super().__init__()  # the item itself is transparent: only its focus ring shows
        self.role = role
        self.changes = tuple(changes)
        # A stop of its own, outlined while it has the focus; its actions follow it.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["xs"], SPACE["m"], SPACE["xs"], 0)
        layout.setSpacing(SPACE["xs"])
        self.view: TypedText | AnswerBody
        self.bubble: Surface | None
        if role == "user":
            self.view = TypedText(text)  # as typed: no markdown, newlines kept
            self.view.setWordWrap(True)
            self.view.setTextFormat(Qt.TextFormat.PlainText)
            self.view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.bubble = Surface("you")
            inside = QVBoxLayout(self.bubble)
            inside.setContentsMargins(SPACE["l"] - 2, SPACE["s"] + 2, SPACE["l"] - 2,
                                      SPACE["s"] + 2)
            inside.addWidget(self.view)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.bubble)
            layout.addLayout(row)
        else:
            self.bubble = None
            self.view = AnswerBody(text)
            layout.addWidget(self.view)
        footer = QHBoxLayout()
        footer.setSpacing(SPACE["xxs"])
        self.note = _muted(QLabel())  # "Stopped", "Cut off"…: always in sight
        self.note.hide()
        self.older = tool_button("", "chevron-left", "Earlier version of this answer")
        self.older.setAccessibleName("Earlier version")
        self.version_label = _muted(QLabel())
        self.newer = tool_button("", "chevron-right", "Later version of this answer")
        self.newer.setAccessibleName("Later version")
        self.older.clicked.connect(lambda: self.show_version(self.version - 1))
        self.newer.clicked.connect(lambda: self.show_version(self.version + 1))
        self.action_row = QWidget()  # not `actions`: that would hide QWidget.actions()
        row = QHBoxLayout(self.action_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACE["xxs"])
        self.copy_button = tool_button("Copy", "copy", "Copy this message")
        self.copy_button.clicked.connect(self.copy)
        self.edit_button = tool_button("Edit", "pencil", "Edit and send again (Up in an empty "
                                                         "message box)")
        self.edit_button.clicked.connect(self.edit_requested)
        self.continue_button = tool_button("Continue", "play",
                                           "Continue this answer (Ctrl+Shift+Enter)")
        self.continue_button.clicked.connect(self.continue_requested)
        self.retry_button = tool_button("Retry", "refresh-cw", "Ask for this answer again "
                                                               "(Ctrl+R)")
        self.retry_button.clicked.connect(self.retry_requested)
        self._retry_tip = self.retry_button.toolTip()
        self.undo_all_button = tool_button("Undo all", "undo-2", "Undo every change to tasks "
                                                                 "this answer made")
        self.undo_all_button.clicked.connect(self.undo_all_requested)
        self._buttons = (self.older, self.newer, self.copy_button, self.edit_button,
                         self.continue_button, self.retry_button, self.undo_all_button)
        for button in self._buttons[2:]:
            row.addWidget(button)
        self.edit_button.hide()
        self.continue_button.hide()
        self.retry_button.hide()
        self.undo_all_button.hide()
        if role == "user":  # under your bubble, at its right edge
            footer.addStretch(1)
        for widget in (self.note, self.older, self.version_label, self.newer, self.action_row):
            footer.addWidget(widget)
        if role != "user":
            footer.addStretch(1)
        for widget in (self.older, self.version_label, self.newer):
            widget.hide()
        layout.addLayout(footer)
        self.revealer = Revealer(self, self.action_row)
        for button in self._buttons:
            self.revealer.watch(button)
        self.versions = list(versions or [])
        self.version = len(self.versions)  # the newest, shown: one past the earlier ones
        self._update_versions()
        if note:
            self.mark(note)
        self._describe()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.bubble is not None:
            widest = int(self.width() * BUBBLE_SHARE)
            self.bubble.setMaximumWidth(widest)
            # A wrapping label asks for a narrow width of its own: the bubble is as wide as the
            # message's longest line, up to its share of the column, before it wraps.
            inside = self.bubble.layout()
            margins = inside.contentsMargins() if inside is not None else None
            room = widest - (margins.left() + margins.right() if margins else 0)
            metrics = self.view.fontMetrics()
            longest = max((metrics.horizontalAdvance(line)
                           for line in self.view.toPlainText().splitlines()), default=0)
            self.view.setMinimumWidth(max(0, min(longest + 2, room)))

    def pin_actions(self, pinned: bool) -> None:
        """The newest answer keeps its actions in sight (Retry, Continue), as chat apps do."""
        self.revealer.pin(pinned)

    def restyle(self) -> None:
        retint(self._buttons)

    def allow_retry(self, allowed: bool, why_not: str) -> None:
        """Retry stays in its place, greyed, with the reason as its tooltip."""
        self.retry_button.setEnabled(allowed)
        self.retry_button.setToolTip(self._retry_tip if allowed else why_not)

    @property
    def text(self) -> str:
        """The message (for an answer: the current version, whichever one is shown)."""
        if isinstance(self.view, TypedText):
            return self.view.text()
        return self._newest if self.version < len(self.versions) else self.view.markdown

    @property
    def body(self) -> AnswerBody:
        """An answer's markdown body (your own message has none)."""
        assert isinstance(self.view, AnswerBody), "only an answer has a markdown body"
        return self.view

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
            self._newest = self.body.markdown
        self.version = index
        shown = self.versions[index] if index < len(self.versions) else self._newest
        self.body.set_markdown(shown)
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
    """One quiet line for what the agent did: a check and "Added 'Buy milk', due Fri 27 Nov",
    small and muted, with Undo on hover or focus when it changed a task (`change`: that change's
    row in the task history); "(undone)" after. `text()` says it with a mark for each state."""

    undo_requested = Signal()

    def __init__(self, summary: str, ok: bool = True, running: bool = False,
                 change: int | None = None, undone: bool = False) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(SPACE["xs"], 0, SPACE["xs"], 0)
        layout.setSpacing(SPACE["s"])
        self.mark = QLabel()
        self.mark.setFixedSize(ICON, ICON)
        layout.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignVCenter)
        self.label = _label(selectable=False)
        self.label.setWordWrap(False)  # one line each; the tooltip has a long one whole
        layout.addWidget(self.label, 1)
        self.undo_button = tool_button("Undo", "undo-2", "Undo this change")
        self.undo_button.clicked.connect(self.undo_requested)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.revealer = Revealer(self, self.undo_button)
        self.revealer.watch(self.undo_button)
        self.show_result(summary, ok, running, change)
        if undone:
            self.mark_undone()

    def text(self) -> str:
        sign = "…" if self.running else "↶" if self.undone else "✓" if self.ok else "✗"
        return f"{sign} {self.summary}" + (" (undone)" if self.undone else "")

    def show_result(self, summary: str, ok: bool, running: bool = False,
                    change: int | None = None) -> None:
        self.summary = summary
        self.ok = ok
        self.running = running
        self.change = change
        self.undone = False
        self.label.setText(summary)
        self.setAccessibleName(("Running: " if running else "Done: " if ok else "Failed: ")
                               + summary)
        self.undo_button.setVisible(change is not None)
        self.restyle()

    def mark_undone(self) -> None:
        self.undone = True
        self.undo_button.hide()
        self.label.setText(f"{self.summary} (undone)")
        self.setAccessibleName(f"Undone: {self.summary}")
        self.restyle()

    def restyle(self) -> None:
        scheme = apply.current()
        name, colour = ("undo-2", scheme.muted) if self.undone else \
            ("loader-circle", scheme.muted) if self.running else \
            ("check", scheme.success) if self.ok else ("circle-x", scheme.danger)
        self.mark.setPixmap(icon(name, colour).pixmap(ICON, ICON))
        role = "tool" if self.ok or self.undone else "tool-failed"
        if self.label.property("role") != role:
            self.label.setProperty("role", role)
            self.label.style().unpolish(self.label)
            self.label.style().polish(self.label)
        self.label.setToolTip(self.summary)
        retint((self.undo_button,))

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


class ErrorItem(QWidget):
    """What went wrong, in one sentence in the danger ink, with the actions that help
    ("Settings…", "Retry"). Only the newest error's actions are live: the panel retires the
    older ones."""

    action_requested = Signal(str)  # the action's label

    def __init__(self, message: str, actions: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.setAccessibleName("Problem")
        self.setAccessibleDescription(message)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(SPACE["xs"], SPACE["xs"], SPACE["xs"], SPACE["xs"])
        layout.setSpacing(SPACE["s"])
        self.mark = QLabel()
        layout.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        self.message = _label(message)
        self.message.setProperty("role", "error")
        layout.addWidget(self.message, 1)
        self.buttons: dict[str, QToolButton] = {}
        for action in actions:
            button = self.buttons[action] = tool_button(
                action, "refresh-cw" if action == "Retry" else "pencil", action)
            button.clicked.connect(lambda _checked=False, name=action:
                                   self.action_requested.emit(name))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.restyle()

    def restyle(self) -> None:
        self.mark.setPixmap(icon("circle-alert", apply.current().danger).pixmap(ICON, ICON))
        retint(self.buttons.values())

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
        self.setContentsMargins(SPACE["xs"], 0, SPACE["xs"], 0)
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
        if self._left <= 0 and self._timer is not None:
            self._timer.stop()

    def _show_left(self) -> None:
        when = f"in {self._left} s" if self._left > 0 else "now"
        self.setText(f"{self._reason}; trying again {when}.")

    def snapshot(self):
        text = self.text()
        return lambda: NoticeItem(text)
