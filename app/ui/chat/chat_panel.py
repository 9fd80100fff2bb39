"""The chat: a conversation's history, the message box, and a turn streaming in as it happens.

Each turn is an asyncio task (kept by the TaskRunner) that reads ChatSession's events and turns
each into an item in the view; nothing here blocks the Qt event loop. A message sent while the
agent stack is still loading waits for it, visibly, and is never dropped.
"""

import asyncio
import sqlite3
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.assistant.events import (
    ApprovalRequested,
    Cancelled,
    Completed,
    Failed,
    Notice,
    Retrying,
    TextDelta,
    ToolFinished,
    ToolStarted,
)
from app.assistant.events import FailureKind as Kind
from app.assistant.loader import AssistantLoader
from app.assistant.summaries import summarize, tool_result
from app.assistant.voice import heard_line
from app.common.errors import UserError
from app.config.keystore import GET_A_KEY
from app.conversations.store import ConversationStore
from app.tasks import Origin, TaskStore
from app.ui.chat.chat_items import ApprovalItem, ErrorItem, MessageItem, NoticeItem, ToolItem
from app.ui.chat.chat_view import ChatView, Factory
from app.ui.chat.composer import Composer
from app.ui.chat.voice_recorder import VoiceRecorder
from app.ui.chat.welcome import Welcome
from app.ui.task_runner import TaskRunner
from app.ui.theme.tokens import READABLE_WIDTH, SPACE

# Failures that happen before the message reaches the conversation's history: "Retry" sends
# the message again instead of regenerating an answer to the previous one.
NOT_IN_HISTORY = {Kind.NO_KEY, Kind.NOT_STARTED}
RETRY = "Retry"
RETRY_AFTER_UNDO = ("This answer's changes to tasks were undone, so Retry would only repeat what "
                    "is no longer true: send your request again to have them made anew.")
CONTINUE = "Continue"  # what the Continue button of a stopped answer sends
CONTINUE_KEYS = "Ctrl+Shift+Return"  # Alt+C is the Chat menu
NO_ANSWER = "This message has no answer: it was stopped or failed before one arrived."
BUSY = ("An answer is still coming: your message waits here. Press Esc to stop the answer, "
        "then Enter to send.")
EDITING = "Editing your last message: Enter sends it again and replaces its answer; Esc cancels."
# Failures the user fixes in Settings (the key, the model name, the endpoint), and the button.
FIX_IN_SETTINGS = {Kind.NO_KEY: "Add API key…", Kind.AUTH: "Settings…",
                   Kind.NOT_FOUND: "Settings…"}


class ChatPanel(QWidget):
    settings_requested = Signal()   # "Add API key" was clicked
    busy_changed = Signal(bool)

    def __init__(self, conversations: ConversationStore, tasks: TaskStore, agent: AssistantLoader,
                 runner: TaskRunner, parent=None, *, escape_stops: bool = True,
                 origin: str = "agent", titled: bool = True) -> None:
        """`tasks`: to name the task an approval is about, and to undo the agent's changes;
        `origin`: what the task history says made them ("agent", or "quick_ask" for the
        popup); `titled`: the conversation's name above the transcript (not in the popup)."""
        super().__init__(parent)
        self.origin = origin
        self.conversations = conversations
        self.tasks = tasks
        self.agent = agent
        self.runner = runner
        self.conversation_id: str | None = None
        self._chat = None          # the ChatSession of the running turn
        self._turn_task: asyncio.Task | None = None
        self._last_answer: MessageItem | None = None
        self._last_question: MessageItem | None = None
        self._latest_error: ErrorItem | None = None   # the one error whose actions are live
        self._editing: MessageItem | None = None      # your last message, being edited
        self.questions = 0   # your messages in this conversation: the last one's number
        self._titled = titled

        self.setProperty("surface", "page")  # the transcript and the composer on one page
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # Each part is made in its place, its parent first: under the style sheet, a widget a
        # size query has polished is polished all over again each time it changes parent.
        # Above the transcript, the conversation's name, as Claude desktop has it: which chat
        # this is, without a look at the list (folded into its drawer on a narrow window).
        self.heading = QLabel(self)
        self.heading.setProperty("role", "heading")
        self.heading.setProperty("surface", "chrome")  # the transcript's, so it reads as its top
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # Clear of the window's corner button for the folded conversations, on either side
        # so the name stays centred.
        clear = SPACE["xxl"] + SPACE["l"]
        self.heading.setContentsMargins(clear, SPACE["m"], clear, SPACE["s"])
        self.heading.setAccessibleName("Conversation")
        # It asks for no width: a label's text is its minimum, and a long name would stop the
        # window narrowing (show_title cuts it to the width there is instead).
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.heading.hide()
        layout.addWidget(self.heading)
        self.pages = QStackedWidget(self)  # the welcome until the first message, then the view
        layout.addWidget(self.pages, 1)
        self.welcome = Welcome(self.pages)
        self.welcome.example_chosen.connect(self.send)
        self.pages.addWidget(self.welcome)
        self.view = ChatView(self.pages)
        self.view.built.connect(self._offer_undo)  # a reopened or rebuilt line keeps its Undo
        self.pages.addWidget(self.view)
        self.view.emptied.connect(self._show_welcome)
        # Below the transcript, the same column: a status line, the key prompt, the composer.
        self.dock = dock = QHBoxLayout()
        dock.setContentsMargins(SPACE["l"], 0, SPACE["l"], SPACE["l"])
        self.column = QWidget(self)
        self.column.setMaximumWidth(READABLE_WIDTH)
        dock.addWidget(self.column)
        layout.addLayout(dock)
        column = QVBoxLayout(self.column)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SPACE["s"])
        self.status = QLabel(self.column)
        self.status.setWordWrap(True)
        self.status.setProperty("role", "muted")
        self.status.setContentsMargins(SPACE["xs"], 0, SPACE["xs"], 0)
        self.status.setAccessibleName("Status")
        self.status.hide()
        column.addWidget(self.status)
        self.key_prompt = self._build_key_prompt()
        column.addWidget(self.key_prompt)
        self.composer = Composer(self.column)
        column.addWidget(self.composer)
        self.input = self.composer.input
        self.input.submitted.connect(self.send)
        self.input.edit_last_requested.connect(self.edit_last)
        self.voice = VoiceRecorder(runner, self.input)
        self.voice.recorded.connect(self.send_voice)
        self.voice.refused.connect(self._status)
        self.composer.add_button(self.voice)
        self.send_button = self.composer.send_button
        self.send_button.clicked.connect(self._send_or_stop)
        # The tab order: the message box, Send, then the transcript (one stop).
        QWidget.setTabOrder(self.input, self.send_button)
        QWidget.setTabOrder(self.send_button, self.view)
        if escape_stops:  # the quick-ask popup uses Esc to hide itself instead
            stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
            stop.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            stop.activated.connect(self.escape)
        bottom = QShortcut(QKeySequence("Ctrl+End"), self)
        bottom.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        bottom.activated.connect(self.view.scroll_to_bottom)
        go_on = QShortcut(QKeySequence(CONTINUE_KEYS), self)
        go_on.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        go_on.activated.connect(self._continue_if_stopped)

    def _build_key_prompt(self) -> QWidget:
        """No key: one calm card by the composer, with the link and the button that fixes it."""
        prompt = QFrame(self.column)
        prompt.setProperty("surface", "raised")
        row = QHBoxLayout(prompt)
        row.setContentsMargins(SPACE["l"], SPACE["m"], SPACE["m"], SPACE["m"])
        row.setSpacing(SPACE["m"])
        text = QLabel(f"To chat, add your Gemini API key. It is free to get one at "
                      f"<a href='{GET_A_KEY}'>aistudio.google.com/apikey</a>. "
                      "Your tasks work without one.", prompt)
        text.setWordWrap(True)
        text.setOpenExternalLinks(True)
        row.addWidget(text, 1)
        add = QPushButton("Add API key…", prompt)
        add.setProperty("role", "primary")
        add.setAutoDefault(False)
        add.clicked.connect(self.settings_requested)
        row.addWidget(add, 0, Qt.AlignmentFlag.AlignVCenter)
        prompt.hide()
        return prompt

    # -- what the window asks of the chat -------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._turn_task is not None and not self._turn_task.done()

    def show_key_prompt(self, shown: bool) -> None:
        self.key_prompt.setVisible(shown)
        self.welcome.show_key_needed(shown)

    def _show_welcome(self, empty: bool) -> None:
        self.pages.setCurrentWidget(self.welcome if empty else self.view)
        self.show_title()

    def show_title(self) -> None:
        """The conversation's name above the transcript (read again after a rename); none over
        the welcome, where a conversation has no name yet."""
        title = ""
        if self._titled and self.conversation_id is not None \
                and self.pages.currentWidget() is self.view:
            try:
                title = self.conversations.get(self.conversation_id).title
            except UserError:  # deleted meanwhile: the window moves on to another
                pass
            except sqlite3.ProgrammingError:  # a queued rename arriving after the file closed
                pass
        margins = self.heading.contentsMargins()
        width = max(self.width() - margins.left() - margins.right(), SPACE["xxl"])
        metrics = self.heading.fontMetrics()
        self.heading.setText(metrics.elidedText(title, Qt.TextElideMode.ElideRight, width))
        self.heading.setToolTip(title)
        self.heading.setVisible(bool(title))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.heading.isHidden():  # shown, or to be once the window is: not yet visible
            self.show_title()  # cut again to the new width (the first cut is made at build time)

    def open_conversation(self, conversation_id: str) -> None:
        """Show this conversation's history (without the agent stack: it may still be loading);
        an answer still streaming into the previous one is stopped first."""
        if conversation_id == self.conversation_id:
            return
        self.stop()
        self._forget_view()
        self.conversation_id = conversation_id
        try:
            history = self.conversations.history(conversation_id)
            earlier = self.conversations.earlier_answers(conversation_id)
        except UserError as error:
            self.view.clear()
            self._error(ErrorItem(str(error)))
            return
        self.view.set_items(history_items(history, earlier))
        self.questions = sum(1 for message in history if message.role == "user")
        # The last exchange gets its actions, as it had when it was live.
        shown = self.view.items()
        last = shown[-1] if shown else None
        questions = [i for i in shown if isinstance(i, MessageItem) and i.role == "user"]
        self._set_last_question(questions[-1] if questions else None)
        if isinstance(last, MessageItem) and last.role == "assistant":
            self._set_last_answer(last)
        elif last is not None and last is self._last_question:
            item = self._error(ErrorItem(NO_ANSWER, (RETRY,)))
            item.action_requested.connect(lambda _action: self.retry())

    def start_fresh(self) -> None:
        """An empty chat; its conversation is created with the first message (so opening the
        quick-ask popup and closing it again leaves no empty conversation behind)."""
        self.stop()
        self._forget_view()
        self.conversation_id = None

    def _forget_view(self) -> None:
        self.view.clear()
        self._last_answer = self._last_question = self._latest_error = None
        self.questions = 0
        self._cancel_edit()

    def send(self, text: str) -> None:
        if not text.strip():
            return
        if self.busy:  # said, not silently ignored; the text stays in the box
            self._status(BUSY)
            return
        if not self._have_conversation():
            return
        self.input.clear()
        editing, self._editing = self._editing, None
        if editing is not None:  # the edited message and all after it make way
            shown = self.view.items()
            if editing in shown:
                for item in shown[shown.index(editing):]:
                    self.view.remove(item)
            self._last_answer = self._latest_error = None
        self._set_last_question(self.view.add(MessageItem("user", text.strip())))
        if editing is None:
            self.questions += 1
        if editing is not None:
            self._start(lambda chat: chat.resend(text), text)
        else:
            self._start(lambda chat: chat.send(text), text)

    def _have_conversation(self) -> bool:
        """The conversation a message goes to, started on the first one; False (and said in
        the transcript) when the conversations file refuses a new one."""
        if self.conversation_id is None:
            try:
                self.conversation_id = self.conversations.create().id
            except UserError as error:
                self._error(ErrorItem(str(error)))
                return False
        return True

    def send_voice(self, clip) -> None:
        """A recording, with anything typed in the box: shown as "Voice message (0:12)" at once,
        and with what the model heard once the answer says it."""
        if self.busy:
            self._status("An answer is still coming: stop it (Esc), then record again.")
            return
        if not self._have_conversation():
            return
        typed = self.input.toPlainText().strip()
        self.input.clear()
        self._cancel_edit()
        question = self.view.add(MessageItem("user", clip.kept_text(None, typed)))
        self._set_last_question(question)
        self.questions += 1

        async def heard_then_shown(chat):
            said = []
            async for event in chat.send_voice(clip, typed):
                if isinstance(event, TextDelta):
                    said.append(event.text)
                yield event
            question.view.setText(clip.kept_text(heard_line("".join(said)), typed))

        self._start(heard_then_shown, clip.kept_text(None, typed), again=heard_then_shown)

    def retry(self) -> None:
        """Regenerate the last answer (the tools' work stays done); the one it replaces stays
        browsable (‹ 1/2 ›)."""
        if self.busy or self.conversation_id is None:
            return
        if self._last_answer is not None and not self._retry_is_true(self._last_answer):
            self._status(RETRY_AFTER_UNDO)
            return
        # What the replaced answer's tools did stays done: Undo all still offers it.
        changed: tuple[int, ...] = ()
        if self._last_answer is not None:
            changed = self._last_answer.changes
            self.view.remove(self._last_answer)
            self._last_answer = None
        self._start(lambda chat: chat.retry(), None, changed)

    def continue_answer(self) -> None:
        """Go on from a stopped answer: the model sees what it had said (it is in the history)."""
        self.send(CONTINUE)

    def _continue_if_stopped(self) -> None:
        if self._last_answer is not None and self._last_answer.continue_button.isVisibleTo(
                self._last_answer):
            self.continue_answer()

    def edit_last(self) -> None:
        """Put your last message back in the box; sending it replaces it and its answer."""
        if self.busy or self._last_question is None:
            return
        self._editing = self._last_question
        self.input.setPlainText(self._last_question.text)
        self.input.moveCursor(self.input.textCursor().MoveOperation.End)
        self.input.setFocus()
        self._status(EDITING)

    def escape(self) -> None:
        """Esc: stop the answer; or, while editing, give the edit up."""
        if self.voice.recording:
            self.voice.cancel()
        elif self._editing is not None and not self.busy:
            self._cancel_edit()
            self.input.clear()
        else:
            self.stop()

    def _cancel_edit(self) -> None:
        if self._editing is not None:
            self._editing = None
            self._status("")

    def stop(self) -> None:
        if self._chat is not None:
            self._chat.cancel()  # the turn ends with Cancelled; history stays consistent
        elif self._turn_task is not None and self.busy:
            self._turn_task.cancel()  # still waiting for the agent: nothing was sent yet

    async def shutdown(self) -> None:
        task = self._turn_task
        if task is not None and self.busy:
            self.stop()
            await asyncio.wait([task], timeout=3)

    # -- a turn -----------------------------------------------------------------------------

    def _send_or_stop(self) -> None:
        if self.busy:
            self.stop()
        else:
            self.send(self.input.toPlainText())

    def _start(self, events, text: str | None, changed: tuple[int, ...] = (),
               again=None) -> None:
        """`again`: what Retry sends when the message never reached the history (a recording:
        its audio, not its label)."""
        self._set_busy(True)
        self._turn_task = self.runner.start(self._turn(events, text, changed, again))

    async def _turn(self, events, text: str | None, changed: tuple[int, ...], again) -> None:
        turn = _Turn(self, text, changed)
        turn.again = again
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
        """Only the last answer offers Retry (and Continue, when it was stopped)."""
        if self._last_answer is not None:
            self._last_answer.retry_button.hide()
            self._last_answer.continue_button.hide()
            self._last_answer.pin_actions(False)
        self._last_answer = item
        if item is not None:
            item.pin_actions(True)
            item.retry_button.show()
            item.continue_button.setVisible(item.note.text() == "Stopped")
            item.retry_requested.connect(self.retry, Qt.ConnectionType.UniqueConnection)
            item.continue_requested.connect(self.continue_answer,
                                            Qt.ConnectionType.UniqueConnection)

    def _set_last_question(self, item: MessageItem | None) -> None:
        """Only your last message can be edited."""
        if self._last_question is not None:
            self._last_question.edit_button.hide()
        self._last_question = item
        if item is not None:
            item.edit_button.show()
            item.edit_requested.connect(self.edit_last, Qt.ConnectionType.UniqueConnection)

    # -- undo of what the agent did ---------------------------------------------------------

    def _offer_undo(self, item) -> None:
        """Undo on a tool line that changed a task, Undo all on an answer whose tools did; live,
        reopened or rebuilt alike, and shown as the task history has it (a line undone since
        says so)."""
        if not _changed_tasks(item):
            return
        if isinstance(item, ToolItem):
            change = item.change
            if change is not None:  # as _changed_tasks found
                item.undo_requested.connect(lambda: self._undo_change(change))
        else:
            changes = item.changes
            item.undo_all_requested.connect(lambda: self._undo_all(changes))
        self._show_undo_state(item)

    def _undoable(self, change: int) -> bool:
        try:
            return not self.tasks.is_undone(change)
        except UserError:  # emptied from the trash, or the store failed: nothing to offer
            return False

    def _show_undo_state(self, item) -> None:
        if isinstance(item, ToolItem):
            if not item.undone and item.change is not None and not self._undoable(item.change):
                item.mark_undone()
        else:
            item.undo_all_button.setVisible(any(map(self._undoable, item.changes)))
            item.allow_retry(self._retry_is_true(item), RETRY_AFTER_UNDO)

    def _retry_is_true(self, answer: MessageItem) -> bool:
        """Retry keeps the tools' record, so the model would again claim changes that were
        undone since: it is offered only while all of them stand."""
        return all(map(self._undoable, answer.changes))

    def _undo_change(self, change: int) -> None:
        self._undo(lambda by: [self.tasks.undo_change(change, by=by)])

    def _undo_all(self, changes: tuple[int, ...]) -> None:
        """Each undo step the answer's tools made (one, unless Retry made another), newest
        first."""
        def undo(by):
            steps = {self.tasks.step_of(change) for change in changes if self._undoable(change)}
            return [self.tasks.undo_step(step, by=by) for step in sorted(steps, reverse=True)]
        self._undo(undo)

    def _undo(self, revert) -> None:
        """Run `revert` as the window; say what it did, or in one sentence why it could not."""
        try:
            for reverted in revert(Origin("window")):
                self.view.add(NoticeItem(reverted.summary))
        except UserError as error:
            self.view.add(NoticeItem(str(error)))
        for item in self.view.items():  # every line and answer the undo touched shows it
            if _changed_tasks(item):
                self._show_undo_state(item)

    def _error(self, item: ErrorItem) -> ErrorItem:
        """Show an error; an older one's Retry is no longer live (it would re-ask the latest)."""
        if self._latest_error is not None:
            self._latest_error.retire()
        self._latest_error = item
        return self.view.add(item)

    def focus_message_box(self) -> None:
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))  # no empty line between the transcript and the box

    def _set_busy(self, busy: bool) -> None:
        self.composer.show_busy(busy)
        if busy and self._latest_error is not None:
            self._latest_error.retire()
            self._latest_error = None  # a new turn: no older error is live any more
        if not busy:
            self.view.order_tabs_soon()
        self.busy_changed.emit(busy)


def _changed_tasks(item) -> bool:
    return (isinstance(item, ToolItem) and item.change is not None
            or isinstance(item, MessageItem) and bool(item.changes))


def _change_of(result: dict) -> int | None:
    """The task-history row of the change a tool made ("change" in its result), if it made one."""
    change = result.get("change")
    return change if isinstance(change, int) and "error" not in result else None


def history_items(history, earlier: dict[int, list[str]]) -> list[Factory]:
    """Factories for a stored conversation's items, built as the live chat built them: tool
    lines (with the change each made), your messages as typed, answers (marked Stopped; the
    last answer to each message with the earlier versions Retry replaced and the changes its
    tools made, for Undo all)."""
    question = 0
    last_answer: dict[int, int] = {}  # question: the position of its last answer
    changed: dict[int, list[int]] = {}  # question: the changes its answers' tools made
    results = {}  # position of a tool line: its parsed result
    for position, message in enumerate(history):
        question += message.role == "user"
        if message.role == "assistant":
            last_answer[question] = position
        elif message.role == "tool":
            results[position] = result = tool_result(message.tool_result or "")
            if (change := _change_of(result)) is not None:
                changed.setdefault(question, []).append(change)
    factories: list[Factory] = []
    question = 0
    for position, message in enumerate(history):
        if message.role == "tool":
            result = results[position]
            line = summarize(message.tool_name or "tool", message.tool_arguments or {}, result)
            factories.append(partial(ToolItem, line, "error" not in result,
                                     change=_change_of(result)))
        elif message.role == "user":
            question += 1
            factories.append(partial(MessageItem, "user", message.text))
        else:
            last = last_answer[question] == position
            versions = earlier.get(question, []) if last else []
            changes = tuple(changed.get(question, ())) if last else ()
            factories.append(partial(MessageItem, "assistant", message.text,
                                     "Stopped" if message.stopped else "", versions, changes))
    return factories


class _Turn:
    """One turn's items in the view, built from its events as they arrive."""

    def __init__(self, panel: ChatPanel, text: str | None, changed: tuple[int, ...] = ()) -> None:
        """`changed`: changes an answer this turn replaces made (a Retry), for Undo all."""
        self.panel = panel
        self.view = panel.view
        self.conversation_id = panel.conversation_id
        self.text = text          # the message, when Retry should send it again
        self.again = None         # or how to send it again, when it was a recording
        self.answer: MessageItem | None = None   # the text streaming in right now
        self.latest: MessageItem | None = None   # the last text of this turn, for Retry
        self.tools: dict[str, ToolItem] = {}
        self.changed: list[int] = list(changed)  # the task changes "Undo all" takes back
        self.approvals: list[ApprovalItem] = []
        self.focus_back = False  # a card answered by keyboard: the box gets the keys at the end
        self.notices: list[NoticeItem] = []   # "trying again in 3 s": gone when the turn ends
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
            self.answer.body.append(event.text)
        elif isinstance(event, ToolStarted):
            self._finish_answer()  # text after a tool call starts below the tool's line
            label = event.name.replace("_", " ")
            self.tools[event.call_id] = self.view.add(ToolItem(f"{label}…", True, running=True))
        elif isinstance(event, ToolFinished):
            if event.result.get("denied") and self.approvals:  # its card says so, once
                self._drop(self.tools.pop(event.call_id, None))
                return
            item = self.tools.pop(event.call_id, None) or self.view.add(ToolItem(""))
            item.show_result(event.summary, event.ok, change=_change_of(event.result))
            self.panel._offer_undo(item)
            if item.change is not None:
                self.changed.append(item.change)
        elif isinstance(event, ApprovalRequested):
            card = self.view.add(ApprovalItem(event.summary, event.arguments, event.details,
                                              can_always=event.remember is not None))
            card.decided.connect(lambda allowed, e=event: e.allow() if allowed else e.deny())
            card.decided.connect(lambda _allowed: self.panel._status("Thinking…"))
            card.closed.connect(self._focus_back)
            card.always_allowed.connect(event.allow_always)
            self.approvals.append(card)
            self.panel._status("Waiting for your answer…")
            card.take_focus()  # Enter or Space now denies, the safe default
        elif isinstance(event, Retrying):
            countdown = (event.reason, event.delay) if event.reason else None
            self.notices.append(self.view.add(NoticeItem(event.message, countdown)))
        elif isinstance(event, Notice):  # told once, and it stays (a server that failed)
            self.view.add(NoticeItem(event.message))
        elif isinstance(event, Completed):
            self.ended = True
            self._finish_answer()
            self._show_versions()
            self.panel._set_last_answer(self.latest)
        elif isinstance(event, Failed):
            self.failed(event.message, event.kind, event.retryable)
        elif isinstance(event, Cancelled):
            self._stopped()

    def _focus_back(self, had_focus: bool) -> None:
        """A card answered from the keyboard hands the keys to the message box, now and again
        when the turn ends: whatever the answer's streaming did to the focus meanwhile."""
        if had_focus:
            self.focus_back = True
            self.panel.focus_message_box()

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

    def _show_versions(self) -> None:
        """After a Retry, the new answer offers the ones it replaced (‹ 1/2 ›)."""
        if self.text is None and self.latest is not None and self.conversation_id is not None:
            earlier = self.panel.conversations.earlier_answers(self.conversation_id)
            self.latest.set_versions(earlier.get(self.panel.questions, []))

    def end(self) -> None:
        if not self.on_screen:
            return
        self._finish_answer()
        for notice in self.notices:  # the outcome says it all: one sentence, not three
            self.view.remove(notice)
        self.notices.clear()
        for card in self.approvals:
            card.expire()
        if self.focus_back:
            self.panel.focus_message_box()
        if self.latest is not None and self.changed:  # however it ended: what was done, stays
            self.latest.changes = tuple(self.changed)
            self.panel._offer_undo(self.latest)

    def _drop(self, item: ToolItem | None) -> None:
        if item is not None:
            self.view.remove(item)

    def _finish_answer(self) -> None:
        if self.answer is not None:
            self.answer.body.finish()
            self.answer = None

    def _stopped(self) -> None:
        """A stopped answer stays, marked, with Continue and Retry (as it does when reopened)."""
        self.ended = True
        for card in self.approvals:
            card.expire()
        if self.answer is not None:
            self.answer.body.finish()
            self.answer.mark("Stopped")
            self.panel._set_last_answer(self.answer)
            self.answer = None
        elif self.latest is not None:  # stopped after a tool call: its text before stands
            self.panel._set_last_answer(self.latest)
        else:
            item = self.panel._error(ErrorItem("Stopped before an answer arrived.", (RETRY,)))
            item.action_requested.connect(lambda action: self._act_on(item, Kind.INTERNAL,
                                                                      action))

    def failed(self, message: str, kind: Kind, retryable: bool) -> None:
        self.ended = True
        if self.answer is not None:
            self.answer.mark("Incomplete")
        if kind == Kind.NO_KEY:
            self.panel.show_key_prompt(True)
        # Retry is always offered: after fixing the key or the model in Settings, or once the
        # network is back, it is the one click that gets the answer.
        actions: tuple[str, ...] = \
            (FIX_IN_SETTINGS[kind], RETRY) if kind in FIX_IN_SETTINGS else (RETRY,)
        if kind == Kind.EMPTY_MESSAGE:
            actions = ()
        item = self.panel._error(ErrorItem(message, actions))
        item.action_requested.connect(lambda action: self._act_on(item, kind, action))

    def _act_on(self, item: ErrorItem, kind: Kind, action: str) -> None:
        panel = self.panel
        if action != RETRY:
            panel.settings_requested.emit()
            return
        if panel.busy or item is not panel._latest_error:
            return
        item.retire()
        if kind in NOT_IN_HISTORY and self.again is not None:
            panel._start(self.again, self.text, again=self.again)
        elif kind in NOT_IN_HISTORY and self.text:
            panel._start(lambda chat: chat.send(self.text), self.text)
        else:
            panel._start(lambda chat: chat.retry(), None)
