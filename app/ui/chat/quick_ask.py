"""The quick-ask popup: a small frameless window over everything, on the screen with the cursor.

It is the chat panel in a smaller frame: the answer streams in as markdown, tool activity and
approvals show in it. Esc hides it (an answer still arriving keeps going, and is there when it
comes back); "Open in window" continues the same conversation in the main window.
"""

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import APP_NAME
from app.assistant.loader import AssistantLoader
from app.conversations.store import ConversationStore
from app.tasks import TaskStore
from app.ui.chat.chat_panel import ChatPanel
from app.ui.task_runner import TaskRunner

SIZE = (620, 420)


class QuickAsk(QWidget):
    open_in_window = Signal(str)  # the conversation to continue there

    def __init__(self, conversations: ConversationStore, tasks: TaskStore, agent: AssistantLoader,
                 runner: TaskRunner) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(f"{APP_NAME}: quick ask")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        frame = QFrame()  # frameless windows need their own edge to stand out
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        outer.addWidget(frame)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(6, 6, 6, 0)
        header = QHBoxLayout()
        title = QLabel(f"<b>{APP_NAME}</b>")
        header.addWidget(title)
        header.addStretch()
        self.new_button = QPushButton("New")
        self.new_button.setToolTip("Start a new conversation")
        self.new_button.clicked.connect(self.start_fresh)
        header.addWidget(self.new_button)
        self.open_button = QPushButton("Open in window")
        self.open_button.clicked.connect(self._open_in_window)
        header.addWidget(self.open_button)
        layout.addLayout(header)
        self.chat = ChatPanel(conversations, tasks, agent, runner, escape_stops=False,
                              origin="quick_ask")
        # The window would show the conversation as saved so far, without the live answer.
        self.chat.busy_changed.connect(lambda busy: self.open_button.setEnabled(not busy))
        self.chat.busy_changed.connect(lambda busy: self.new_button.setEnabled(not busy))
        layout.addWidget(self.chat, 1)
        hide = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        hide.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        hide.activated.connect(self._escape)
        self.resize(*SIZE)
        self.chat.start_fresh()

    def start_fresh(self) -> None:
        self.chat.start_fresh()
        self.chat.input.setFocus()

    def popup(self) -> None:
        """Show on the screen where the cursor is, ready to type. A finished exchange from an
        earlier popup is put away (it stays in the sidebar); one still running is shown."""
        if not self.chat.busy and self.chat.conversation_id is not None and not self.isVisible():
            self.chat.start_fresh()
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        width, height = min(SIZE[0], area.width()), min(SIZE[1], area.height())
        self.resize(width, height)
        # Centred, in the upper third: where the eye goes for a command palette.
        self.move(QPoint(area.x() + (area.width() - width) // 2,
                         area.y() + (area.height() - height) // 3))
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
