"""The quick-ask launcher: a compact frameless window over everything, on the screen with the
cursor, drawn as Spotlight or Claude's launcher are: one rounded field with a border and a
shadow, three recent (or suggested) requests under it while it is empty, and growing downwards
as an answer arrives instead of opening on an empty box.

It is the chat panel in a smaller frame: the answer streams in as markdown, tool activity and
approvals show in it. Esc hides it (an answer still arriving keeps going, and is there when it
comes back); "Open in window" continues the same conversation in the main window.
"""

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.assistant.loader import AssistantLoader
from app.common.errors import UserError
from app.conversations.store import ConversationStore
from app.tasks import TaskStore
from app.ui.chat.chat_panel import ChatPanel
from app.ui.chat.welcome import EXAMPLES
from app.ui.task_runner import TaskRunner
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE

WIDTH, MAX_HEIGHT = 640, 560
SHADOW = 24          # transparent room around the frame, for its shadow
SHOWN = 3            # recent or suggested requests under an empty field
LOOKED_AT = 8        # conversations read for recent requests: a bound on the work per popup
LONGEST = 90         # characters of a recent request shown on its one line


def recent_requests(conversations: ConversationStore, count: int = SHOWN) -> list[str]:
    """The first thing you asked in your newest conversations, newest first and without
    repeats; suggestions fill the rest, so a first run shows something to click too."""
    found: list[str] = []
    try:
        for conversation in conversations.list()[:LOOKED_AT]:
            history = conversations.history(conversation.id)
            asked = next((m.text.strip() for m in history if m.role == "user"
                          and m.text and m.text.strip()), None)
            if asked and asked not in found:
                found.append(asked)
            if len(found) == count:
                break
    except UserError:
        pass  # an unreadable store: suggestions still help
    return found + [example for example in EXAMPLES if example not in found][:count - len(found)]


def one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= LONGEST else line[:LONGEST - 1].rstrip() + "…"


class QuickAsk(QWidget):
    open_in_window = Signal(str)  # the conversation to continue there

    def __init__(self, conversations: ConversationStore, tasks: TaskStore, agent: AssistantLoader,
                 runner: TaskRunner) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(f"{APP_NAME}: quick ask")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)  # rounded, with a shadow
        self.conversations = conversations
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SHADOW, SHADOW // 2, SHADOW, SHADOW + SHADOW // 2)
        self.frame = QFrame()
        self.frame.setObjectName("QuickAskFrame")
        shadow = QGraphicsDropShadowEffect(self.frame)
        shadow.setBlurRadius(SHADOW * 1.5)
        shadow.setOffset(0, SHADOW // 4)
        shadow.setColor(QColor(0, 0, 0, 90))
        self.frame.setGraphicsEffect(shadow)
        outer.addWidget(self.frame)
        layout = QVBoxLayout(self.frame)
        layout.setContentsMargins(SPACE["xs"], SPACE["xs"], SPACE["xs"], SPACE["xs"])
        layout.setSpacing(0)
        self.header = QWidget()
        header = QHBoxLayout(self.header)
        header.setContentsMargins(SPACE["m"], SPACE["xs"], SPACE["xs"], 0)
        title = QLabel(APP_NAME)
        title.setProperty("role", "caption")
        header.addWidget(title, 1)
        self.new_button = QToolButton()
        self.new_button.setProperty("role", "icon")
        self.new_button.setIcon(icon("square-pen"))
        self.new_button.setToolTip("Start a new conversation")
        self.new_button.setAccessibleName("New")
        self.new_button.clicked.connect(self.start_fresh)
        header.addWidget(self.new_button)
        self.open_button = QToolButton()
        self.open_button.setProperty("role", "quiet")
        self.open_button.setText("Open in window")
        self.open_button.clicked.connect(self._open_in_window)
        header.addWidget(self.open_button)
        layout.addWidget(self.header)
        self.chat = ChatPanel(conversations, tasks, agent, runner, escape_stops=False, titled=False,
                              origin="quick_ask")
        self.chat.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)  # the frame's
        self.chat.dock.setContentsMargins(0, 0, 0, 0)
        # The window would show the conversation as saved so far, without the live answer.
        self.chat.busy_changed.connect(lambda busy: self.open_button.setEnabled(not busy))
        self.chat.busy_changed.connect(lambda busy: self.new_button.setEnabled(not busy))
        layout.addWidget(self.chat, 1)
        self.suggestions = QWidget()
        listed = QVBoxLayout(self.suggestions)
        listed.setContentsMargins(SPACE["xs"], 0, SPACE["xs"], SPACE["xs"])
        listed.setSpacing(0)
        self.suggestions_title = QLabel()
        self.suggestions_title.setProperty("role", "caption")
        self.suggestions_title.setContentsMargins(SPACE["m"], SPACE["s"], 0, SPACE["xxs"])
        listed.addWidget(self.suggestions_title)
        self.suggestion_buttons: list[QPushButton] = []
        for _ in range(SHOWN):
            button = QPushButton()
            button.setProperty("role", "recent")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, b=button: self._ask(b))
            listed.addWidget(button)
            self.suggestion_buttons.append(button)
        layout.addWidget(self.suggestions)
        # As the answer comes in, the transcript's height changes: the window follows it.
        self._fit_soon = QTimer(self, singleShot=True, interval=0)
        self._fit_soon.timeout.connect(self._fit)
        self.chat.view.emptied.connect(lambda _empty: self._fit_soon.start())
        self.chat.view.verticalScrollBar().rangeChanged.connect(
            lambda _low, _high: self._fit_soon.start())
        hide = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        hide.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        hide.activated.connect(self._escape)
        self.chat.start_fresh()
        self._fit()

    def start_fresh(self) -> None:
        self.chat.start_fresh()
        self.show_requests()
        self.chat.input.setFocus()

    def show_requests(self) -> None:
        """Three requests to click: your recent ones, else suggestions."""
        requests = recent_requests(self.conversations)
        recent = sum(request not in EXAMPLES for request in requests)
        self.suggestions_title.setText("Recent" if recent == len(requests) else
                                       "Recent and suggested" if recent else "Try")
        for button, request in zip(self.suggestion_buttons, requests, strict=False):
            button.setText(one_line(request))
            button.setToolTip(request)
            button.setProperty("request", request)
        self._fit()

    def _ask(self, button: QPushButton) -> None:
        self.chat.send(button.property("request") or button.text())

    @property
    def empty(self) -> bool:
        return self.chat.view.empty

    def _fit(self) -> None:
        """One line and its requests while empty; then as tall as the transcript, up to
        MAX_HEIGHT (and the screen), growing downwards from where it opened."""
        empty = self.empty
        self.chat.pages.setVisible(not empty)
        self.header.setVisible(not empty)
        self.suggestions.setVisible(empty)
        layout = self.layout()
        if layout is not None:  # set in __init__
            layout.activate()
        chrome = self.sizeHint().height()
        content = self.chat.view.widget()  # the transcript's column, set with the view
        if not empty and content is not None:
            chrome -= self.chat.pages.sizeHint().height()
            chrome += content.heightForWidth(self.chat.view.viewport().width()) \
                if content.hasHeightForWidth() else content.sizeHint().height()
        screen = self.screen().availableGeometry().height() if self.screen() else MAX_HEIGHT
        self.resize(WIDTH, min(chrome, MAX_HEIGHT, screen))

    def popup(self) -> None:
        """Show on the screen where the cursor is, ready to type. A finished exchange from an
        earlier popup is put away (it stays in the sidebar); one still running is shown."""
        if not self.chat.busy and self.chat.conversation_id is not None and not self.isVisible():
            self.chat.start_fresh()
        if self.empty:
            self.show_requests()
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self._fit()
        # Centred, in the upper third: where the eye goes for a command palette.
        self.move(QPoint(area.x() + (area.width() - self.width()) // 2,
                         area.y() + area.height() // 4))
        self.show()
        self.raise_()
        self.activateWindow()
        self.chat.input.setFocus()

    def _escape(self) -> None:
        """Esc gives up a recording first; otherwise it hides the popup."""
        if self.chat.voice.recording:
            self.chat.voice.cancel()
        else:
            self.hide()

    def _open_in_window(self) -> None:
        self.open_in_window.emit(self.chat.conversation_id or "")  # "" : just the window
        self.hide()
