"""The bar a clicked reminder opens above the task list: Done, and Snooze for 10 minutes, an
hour, or until tomorrow 09:00. The tray's notifications cannot carry buttons (QSystemTrayIcon
has no actions), so clicking one brings the task here with them."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout

from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE

SNOOZES = (("10 min", "in 10 minutes"), ("1 h", "in 1 hour"), ("Tomorrow 09:00", "tomorrow 9am"))


class ReminderBar(QFrame):
    done_clicked = Signal(int)
    snooze_clicked = Signal(int, str)  # task id, when (words the store reads)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.task_id: int | None = None
        self.setObjectName("ReminderBar")
        self.setAccessibleName("Reminder")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.done_button = QPushButton(icon("check", apply.current().text), "Done")
        self.done_button.clicked.connect(lambda: self.done_clicked.emit(self.task_id))
        snooze = QLabel("Snooze:")
        snooze.setProperty("role", "muted")
        self.snooze_buttons = {}
        close = QToolButton()
        close.setIcon(icon("x", apply.current().muted))
        close.setProperty("role", "icon")
        close.setAutoRaise(True)
        close.setToolTip("Close")
        close.setAccessibleName("Close the reminder")
        close.clicked.connect(self.dismiss)
        top = QHBoxLayout()  # what, then the buttons below: it fits a narrow panel
        top.addWidget(QLabel(pixmap=icon("bell", apply.current().muted).pixmap(16, 16)))
        top.addWidget(self.label, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.done_button)
        buttons.addSpacing(SPACE["m"])
        buttons.addWidget(snooze)
        for text, when in SNOOZES:
            button = self.snooze_buttons[text] = QPushButton(text)
            button.setAccessibleName(f"Snooze {text}")
            button.clicked.connect(
                lambda _=False, w=when: self.snooze_clicked.emit(self.task_id, w))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["m"], SPACE["s"], SPACE["s"], SPACE["s"])
        layout.setSpacing(SPACE["s"])
        layout.addLayout(top)
        layout.addLayout(buttons)
        self.setProperty("surface", "raised")  # a card over the page: the one style sheet's
        self.hide()

    def show_for(self, task_id: int, title: str, when: str) -> None:
        self.task_id = task_id
        self.label.setText(f"{title}\n{when}" if when else title)
        self.show()
        self.done_button.setFocus()

    def dismiss(self) -> None:
        self.task_id = None
        self.hide()
