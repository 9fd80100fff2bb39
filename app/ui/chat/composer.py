"""The composer: one rounded field (raised surface, radius l) that grows with the text up to
MAX_LINES_SHOWN lines, then scrolls, with the microphone and Send inside it at its bottom right,
as Claude and ChatGPT desktop draw it. The field's border turns to the accent while the text has
the focus: the whole field is the thing you type into, not the text box inside it."""

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from app.ui.chat.message_input import MessageInput
from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE

SEND_ICON = 16


class Composer(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Composer")
        self.setProperty("focused", False)
        self._drawn: tuple[bool, str] | None = None  # the send button's icon now: busy, ink
        self.input = MessageInput()
        self.input.setObjectName("ComposerText")
        self.input.installEventFilter(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(SPACE["m"], SPACE["s"], SPACE["s"], SPACE["s"])
        layout.setSpacing(SPACE["s"])
        text = QVBoxLayout()  # centres a one-line field between the buttons' height
        text.setContentsMargins(0, SPACE["xs"], 0, SPACE["xs"])
        text.addWidget(self.input)
        layout.addLayout(text, 1)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(SPACE["xs"])
        layout.addLayout(self.buttons)
        layout.setAlignment(self.buttons, Qt.AlignmentFlag.AlignBottom)
        self.send_button = QToolButton()
        self.send_button.setProperty("role", "send")
        self.send_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.send_button.setIconSize(QSize(SEND_ICON, SEND_ICON))
        self.buttons.addWidget(self.send_button)
        self.show_busy(False)

    def add_button(self, widget: QWidget) -> None:
        """A button inside the field, before Send (the microphone)."""
        self.buttons.insertWidget(self.buttons.count() - 1, widget)

    def show_busy(self, busy: bool) -> None:
        """Send becomes Stop while an answer comes (its text stays the name tests and screen
        readers use)."""
        word = "Stop" if busy else "Send"
        self.send_button.setText(word)
        self.send_button.setAccessibleName(word)
        self.send_button.setToolTip("Stop the answer (Esc)" if busy else "Send (Enter)")
        self.restyle()

    def restyle(self) -> None:
        """Icons are tinted pixmaps: drawn again in the scheme's colours after a switch."""
        on_accent = apply.current().on_accent
        busy = self.send_button.text() == "Stop"
        if self._drawn == (busy, on_accent):  # a style or palette notice that changed neither
            return
        self._drawn = (busy, on_accent)
        self.send_button.setIcon(icon("square" if busy else "arrow-up", on_accent))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.input and event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.setProperty("focused", event.type() == QEvent.Type.FocusIn)
            self.style().unpolish(self)
            self.style().polish(self)
        return super().eventFilter(watched, event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.restyle()
