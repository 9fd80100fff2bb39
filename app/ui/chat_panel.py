"""The chat: a conversation's history, the message box, and a turn streaming in as it happens.

Each turn is an asyncio task (kept by the TaskRunner) that reads ChatSession's events and turns
each into an item in the view; nothing here blocks the Qt event loop. A message sent while the
agent stack is still loading waits for it, visibly, and is never dropped.
"""

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.assistant.events import (ApprovalRequested, Cancelled, Completed, Failed,
                                  FailureKind as Kind, Retrying, TextDelta, ToolFinished,
                                  ToolStarted)
from app.assistant.summaries import summarize, tool_result
from app.common.errors import UserError
from app.config.keystore import GET_A_KEY
from app.assistant.loader import AssistantLoader
from app.conversations.store import ConversationStore
from app.tasks import TaskStore
from app.ui.chat_items import ApprovalItem, ErrorItem, MessageItem, NoticeItem, ToolItem
from app.ui.chat_view import ChatView
from app.ui.message_input import MessageInput
from app.ui.task_runner import TaskRunner

# Failures that happen before the message reaches the conversation's history: "Retry" sends
# the message again instead of regenerating an answer to the previous one.
NOT_IN_HISTORY = {Kind.NO_KEY, Kind.NOT_STARTED}
RETRY = "Retry"
# Failures the user fixes in Settings (the key, the model name, the endpoint), and the button.
FIX_IN_SETTINGS = {Kind.NO_KEY: "Add API key…", Kind.AUTH: "Settings…",
                   Kind.NOT_FOUND: "Settings…"}


class ChatPanel(QWidget):
    settings_requested = Signal()   # "Add API key" was clicked
    busy_changed = Signal(bool)

    def __init__(self, conversations: ConversationStore, tasks: TaskStore, agent: AssistantLoader,
                 runner: TaskRunner, parent=None, *, escape_stops: bool = True,
                 origin: str = "agent") -> None:
        """`tasks`: to name the task an approval is about, and for Undo on the agent's changes;
        `origin`: what the task history says made them ("agent", or "quick_ask" for the popup)."""
        super().__init__(parent)
        self.store = tasks  # Undo on the agent's changes
        self.origin = origin
        self.conversations = conversations
        self.tasks = tasks
        self.agent = agent
        self.runner = runner
        self.conversation_id: str | None = None
        self._chat = None          # the ChatSession of the running turn
        self._turn_task: asyncio.Task | None = None
        self._last_answer: MessageItem | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.key_prompt = self._build_key_prompt()
        layout.addWidget(self.key_prompt)
        self.view = ChatView()
        layout.addWidget(self.view, 1)
        self.status = QLabel()
        self.status.setContentsMargins(8, 0, 8, 0)
        self.status.setAccessibleName("Status")
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.setContentsMargins(8, 0, 8, 8)
        self.input = MessageInput()
        self.input.submitted.connect(self.send)
        row.addWidget(self.input, 1)
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self._send_or_stop)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(row)
        if escape_stops:  # the quick-ask popup uses Esc to hide itself instead
            stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
            stop.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            stop.activated.connect(self.stop)

    def _build_key_prompt(self) -> QWidget:
        prompt = QWidget()
        prompt.setAutoFillBackground(True)
        prompt.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        row = QHBoxLayout(prompt)
        text = QLabel(f"To chat, add your Gemini API key. It is free to get one at "
                      f"<a href='{GET_A_KEY}'>aistudio.google.com/apikey</a>. "
                      "Your tasks work without one.")
        text.setWordWrap(True)
        text.setOpenExternalLinks(True)
        text.setForegroundRole(QPalette.ColorRole.ToolTipText)
        row.addWidget(text, 1)
        add = QPushButton("Add API key…")
        add.clicked.connect(self.settings_requested)
        row.addWidget(add)
        prompt.hide()
        return prompt

    # -- what the window asks of the chat -------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._turn_task is not None and not self._turn_task.done()

    def show_key_prompt(self, shown: bool) -> None:
        self.key_prompt.setVisible(shown)

    def open_conversation(self, conversation_id: str) -> None:
        """Show this conversation's history (without the agent stack: it may still be loading);
        an answer still streaming into the previous one is stopped first."""
        if conversation_id == self.conversation_id:
            return
        self.stop()
        self.conversation_id = conversation_id
        self.view.clear()
        self._last_answer = None
        try:
            history = self.conversations.history(conversation_id)
        except UserError as error:
            self.view.add(ErrorItem(str(error)))
            return
        changed: list[ToolItem] = []  # this turn's tool lines that changed tasks
        for message in history:
            if message.role == "tool":
                result = tool_result(message.tool_result or "")
                item = self.view.add(ToolItem(summarize(message.tool_name or "tool",
                                                        message.tool_arguments or {}, result),
                                              "error" not in result))
                self._offer_undo(item, result)
                if item.change is not None:
                    changed.append(item)
            else:
                item = self.view.add(MessageItem(message.role, message.text))
                if message.role == "assistant":
                    self._set_last_answer(item)
                    self._offer_undo_all(item, changed)
                else:
                    changed = []
        self.input.setFocus()

    # -- undo of what the agent did ---------------------------------------------------------

    def _offer_undo(self, item: ToolItem, result: dict) -> None:
        change = result.get("change")
        if self.store is None or not isinstance(change, int) or "error" in result:
            return
        item.show_result(item.summary, True, change=change)
        try:
            if self.store.is_undone(change):
                item.mark_undone()
        except UserError:  # emptied from the trash: nothing left to undo
            item.undo_button.hide()
        item.undo_requested.connect(lambda: self._undo([item], None))

    def _offer_undo_all(self, answer: MessageItem, changed: list[ToolItem]) -> None:
        items = list(changed)
        if items and any(item.undo_button.isVisible() for item in items):
            answer.undo_all_button.show()
            answer.undo_all_requested.connect(lambda: self._undo(items, answer))

    def _undo(self, items: list[ToolItem], answer: MessageItem | None) -> None:
        """Undo one tool line's change, or (with `answer`) the answer's whole step."""
        from app.tasks import Origin

        by = Origin("window")
        try:
            if answer is None:
                reverted = self.store.undo_change(items[0].change, by=by)
            else:
                reverted = self.store.undo_step(self.store.step_of(items[0].change), by=by)
        except UserError as error:
            self.view.add(NoticeItem(str(error)))
            return
        for item in items:
            item.mark_undone()
        if answer is not None:
            answer.undo_all_button.hide()
        self.view.add(NoticeItem(reverted.summary))

    def start_fresh(self) -> None:
        """An empty chat; its conversation is created with the first message (so opening the
        quick-ask popup and closing it again leaves no empty conversation behind)."""
        self.stop()
        self.conversation_id = None
        self.view.clear()
        self._last_answer = None

    def send(self, text: str) -> None:
        if not text.strip() or self.busy:
            return
        if self.conversation_id is None:
            try:
                self.conversation_id = self.conversations.create().id
            except UserError as error:
                self.view.add(ErrorItem(str(error)))
                return
        self.input.clear()
        self.view.add(MessageItem("user", text.strip()))
        self._start(lambda chat: chat.send(text), text)

    def retry(self) -> None:
        """Regenerate the last answer (the tools' work stays done)."""
        if self.busy or self.conversation_id is None:
            return
        if self._last_answer is not None:
            self.view.remove(self._last_answer)
            self._last_answer = None
        self._start(lambda chat: chat.retry(), None)

    def stop(self) -> None:
        if self._chat is not None:
            self._chat.cancel()  # the turn ends with Cancelled; history stays consistent
        elif self.busy:
            self._turn_task.cancel()  # still waiting for the agent: nothing was sent yet

    async def shutdown(self) -> None:
        if self.busy:
            self.stop()
            await asyncio.wait([self._turn_task], timeout=3)

    # -- a turn -----------------------------------------------------------------------------

    def _send_or_stop(self) -> None:
        if self.busy:
            self.stop()
        else:
            self.send(self.input.toPlainText())

    def _start(self, events, text: str | None) -> None:
        self._set_busy(True)
        self._turn_task = self.runner.start(self._turn(events, text))

    async def _turn(self, events, text: str | None) -> None:
        turn = _Turn(self, text)
        try:
            if not self.agent.ready:
                self._status("Starting the assistant…")
            assistant = await self.agent.get()
            self._status("Thinking…")
            self._chat = self._chat_for(assistant)
            stream = events(self._chat)
            try:
                async for event in stream:
                    turn.show(event)
            finally:
                await stream.aclose()
        except asyncio.CancelledError:
            turn.cancelled()
            if self._chat is not None:
                self._chat.cancel()
            raise
        except Exception as error:  # the agent stack failed to load, say: a sentence, not a trace
            from app.common.crash_log import something_went_wrong

            sentence = something_went_wrong(error)
            if turn.on_screen:
                turn.failed(sentence, Kind.INTERNAL if turn.started else Kind.NOT_STARTED, True)
        finally:
            turn.end()
            self._chat = None
            self._status("")
            self._set_busy(False)

    def _chat_for(self, assistant):
        from app.assistant.chat_session import ChatSession

        return ChatSession(assistant, self.conversations, self.tasks, self.conversation_id,
                           self.origin)

    def _set_last_answer(self, item: MessageItem | None) -> None:
        if self._last_answer is not None:
            self._last_answer.retry_button.hide()
        self._last_answer = item
        if item is not None:
            item.retry_button.show()
            item.retry_requested.connect(self.retry)

    def _status(self, text: str) -> None:
        self.status.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self.send_button.setText("Stop" if busy else "Send")
        self.send_button.setToolTip("Stop the answer (Esc)" if busy else "Send (Enter)")
        self.busy_changed.emit(busy)


class _Turn:
    """One turn's items in the view, built from its events as they arrive."""

    def __init__(self, panel: ChatPanel, text: str | None) -> None:
        self.panel = panel
        self.view = panel.view
        self.conversation_id = panel.conversation_id
        self.text = text          # the message, when Retry should send it again
        self.answer: MessageItem | None = None   # the text streaming in right now
        self.latest: MessageItem | None = None   # the last text of this turn, for Retry
        self.tools: dict[str, ToolItem] = {}
        self.changed: list[ToolItem] = []  # the lines whose changes "Undo all" takes back
        self.approvals: list[ApprovalItem] = []
        self.started = False      # the message reached the agent (and so its history)
        self.ended = False
        panel._set_last_answer(None)

    def show(self, event) -> None:
        self.started = True
        if not self.on_screen:
            return
        if isinstance(event, TextDelta):
            if self.answer is None:
                self.answer = self.latest = self.view.add(MessageItem("assistant"))
                self.panel._status("")
            self.answer.view.append(event.text)
        elif isinstance(event, ToolStarted):
            self._finish_answer()  # text after a tool call starts below the tool's line
            label = event.name.replace("_", " ")
            self.tools[event.call_id] = self.view.add(ToolItem(f"{label}…", True, running=True))
        elif isinstance(event, ToolFinished):
            item = self.tools.pop(event.call_id, None) or self.view.add(ToolItem(""))
            item.show_result(event.summary, event.ok)
            self.panel._offer_undo(item, event.result)
            if item.change is not None:
                self.changed.append(item)
        elif isinstance(event, ApprovalRequested):
            card = self.view.add(ApprovalItem(event.summary, event.arguments, event.details))
            card.decided.connect(lambda allowed, e=event: e.allow() if allowed else e.deny())
            self.approvals.append(card)
            self.panel._status("Waiting for your answer…")
            card.deny_button.setFocus()  # Enter or Space now denies, the safe default
        elif isinstance(event, Retrying):
            self.view.add(NoticeItem(event.message))
        elif isinstance(event, Completed):
            self.ended = True
            self._finish_answer()
            self.panel._set_last_answer(self.latest)
            if self.latest is not None:
                self.panel._offer_undo_all(self.latest, self.changed)
        elif isinstance(event, Failed):
            self.failed(event.message, event.kind, event.retryable)
        elif isinstance(event, Cancelled):
            self._stopped()

    @property
    def on_screen(self) -> bool:
        """False once the user switched to another conversation: its view is not ours."""
        return self.panel.conversation_id == self.conversation_id

    def cancelled(self) -> None:
        """The turn's task was cancelled: the user stopped it before the agent was ready, or
        the conversation was switched or the app is quitting."""
        if self.ended or not self.on_screen:
            return
        if self.started:
            self._stopped()
        else:
            self.failed("Stopped before the message was sent.", Kind.NOT_STARTED, True)

    def end(self) -> None:
        if not self.on_screen:
            return
        self._finish_answer()
        for card in self.approvals:
            card.expire()

    def _finish_answer(self) -> None:
        if self.answer is not None:
            self.answer.view.finish()
            self.answer = None

    def _stopped(self) -> None:
        self.ended = True
        if self.answer is not None:
            self.answer.mark("Stopped")
        for card in self.approvals:
            card.expire()
        self.view.add(NoticeItem("Stopped."))

    def failed(self, message: str, kind: Kind, retryable: bool) -> None:
        self.ended = True
        if self.answer is not None:
            self.answer.mark("Incomplete")
        if kind == Kind.NO_KEY:
            self.panel.show_key_prompt(True)
        # Retry is always offered: after fixing the key or the model in Settings, or once the
        # network is back, it is the one click that gets the answer.
        actions = (FIX_IN_SETTINGS[kind], RETRY) if kind in FIX_IN_SETTINGS else (RETRY,)
        if kind == Kind.EMPTY_MESSAGE:
            actions = ()
        item = self.view.add(ErrorItem(message, actions))
        item.action_requested.connect(lambda action: self._act_on(item, kind, action))

    def _act_on(self, item: ErrorItem, kind: Kind, action: str) -> None:
        panel = self.panel
        if action != RETRY:
            panel.settings_requested.emit()
            return
        if panel.busy:
            return
        item.retire()
        if kind in NOT_IN_HISTORY and self.text:
            panel._start(lambda chat: chat.send(self.text), self.text)
        else:
            panel._start(lambda chat: chat.retry(), None)
