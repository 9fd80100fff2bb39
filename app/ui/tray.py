"""The tray icon: Quick ask, Open, what is due today, Quit; and where reminders appear.

Where the desktop has no tray (QSystemTrayIcon.isSystemTrayAvailable() is False: some GNOME
setups, bare X), the icon is still built, so its actions work, but `available` says the window
must not hide into it.
"""

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon

from app import APP_NAME
from app.common.paths import resource_path

REMINDER_SHOWN_MS = 10_000


def _app_icon() -> QIcon:
    icon = QApplication.windowIcon()
    if icon.isNull():  # the app sets one; a test's bare QApplication may not
        path = resource_path("task-assistant.svg")
        icon = QIcon(str(path)) if path else QApplication.style().standardIcon(
            QStyle.StandardPixmap.SP_ComputerIcon)
    return icon


class Tray(QObject):
    quick_ask_requested = Signal()
    open_requested = Signal()
    today_requested = Signal()
    quit_requested = Signal()
    task_requested = Signal(int)  # a reminder was clicked: show this task
    conversation_requested = Signal(str)  # a routine's notification was clicked

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(_app_icon(), self)
        self.menu = QMenu()
        self.quick_ask_action = self._action("Quick ask…", self.quick_ask_requested)
        self.open_action = self._action(f"Open {APP_NAME}", self.open_requested)
        self.menu.addSeparator()
        self.today_action = self._action("Nothing due today", self.today_requested)
        self.menu.addSeparator()
        self.quit_action = self._action("Quit", self.quit_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self._message_clicked)
        self._reminded_task: int | None = None
        self._conversation: str | None = None  # a routine's, opened when its bubble is clicked
        self.last_notification: tuple[str, str] | None = None  # what the user was last shown
        self.show_due_count(0)

    @property
    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> bool:
        """Put the icon in the tray if there is one now; True when it is there. Called again
        later (every minute, and before hiding the window into it): a panel may start after
        us at login, or restart."""
        if self.available and not self.icon.isVisible():
            self.icon.show()
        return self.available and self.icon.isVisible()

    def hide(self) -> None:
        self.icon.hide()

    def _action(self, text: str, signal) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(signal)
        self.menu.addAction(action)
        return action

    def show_due_count(self, count: int) -> None:
        text = ("Nothing due today" if count == 0 else
                f"{count} task{'s' if count != 1 else ''} due today")
        self.today_action.setText(text)
        self.icon.setToolTip(f"{APP_NAME}: {text[0].lower() + text[1:]}")

    def notify(self, title: str, message: str, task_id: int | None = None,
               conversation_id: str | None = None) -> None:
        """A reminder bubble; clicking it opens the task (or the Today list for several), or
        a routine's conversation."""
        self._reminded_task = task_id
        self._conversation = conversation_id
        self.last_notification = (title, message)
        self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information,
                              REMINDER_SHOWN_MS)

    def _message_clicked(self) -> None:
        if self._conversation:
            self.conversation_requested.emit(self._conversation)
        elif self._reminded_task is not None:
            self.task_requested.emit(self._reminded_task)
        else:
            self.today_requested.emit()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A left click opens the window (a middle click asks): the menu is on the right button.
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.open_requested.emit()
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.quick_ask_requested.emit()


