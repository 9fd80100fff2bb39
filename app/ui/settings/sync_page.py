"""Settings → Sync: the CalDAV account (URL, user, password), Test, Connect, Remove, the status
and Sync now. Every network and keyring call runs on a worker thread; the page may be closed
while one runs, so each coroutine checks it is still alive before touching a widget.

The password goes from its field to the keyring and the server, never to a label or a file.
The field's placeholder says where the password in use comes from: the keyring, or the
environment variable, which overrides the keyring and is never written into it.
"""

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.common.errors import UserError
from app.config.keystore import SYNC_PASSWORD
from app.sync.background import SyncStatus
from app.ui.background_sync import BackgroundSync
from app.ui.task_runner import TaskRunner


class SyncPage(QWidget):
    def __init__(self, sync: BackgroundSync, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self._sync = sync
        self._runner = runner
        self.setAccessibleName("Sync")
        intro = QLabel("Keep your tasks in step with a CalDAV server (Nextcloud, Fastmail, "
                       "mailbox.org, Radicale…) and, through it, your phone.")
        intro.setWordWrap(True)
        self.url_field = QLineEdit()
        self.url_field.setPlaceholderText("https://cloud.example.com/remote.php/dav")
        self.url_field.setAccessibleName("Server address")
        self.user_field = QLineEdit()
        self.user_field.setAccessibleName("User name")
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setPlaceholderText("Password or app password")
        self.password_field.setAccessibleName("Password")
        self.allow_http_box = QCheckBox("Allow plain http (the password crosses the network "
                                        "readable)")
        self.test_button = QPushButton("Test")
        self.test_button.clicked.connect(self.test)
        self.connect_button = QPushButton("Connect")
        self.connect_button.clicked.connect(self.connect_account)
        self.remove_button = QPushButton("Remove account")
        self.remove_button.clicked.connect(self.remove_account)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_now)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
        self.message.setAccessibleName("Sync message")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setAccessibleName("Sync status")

        form = QFormLayout()
        form.addRow("&Server", self.url_field)
        form.addRow("&User", self.user_field)
        form.addRow("&Password", self.password_field)
        form.addRow(self.allow_http_box)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.connect_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.sync_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        sync.status_changed.connect(self._show_status)
        self.refresh()

    def _alive(self) -> bool:
        return isValid(self)

    # -- what is saved ------------------------------------------------------------------------

    def refresh(self) -> None:
        self._runner.start(self._load())

    async def _load(self) -> None:
        service = self._sync.service
        account = await asyncio.to_thread(service.account)
        source = await asyncio.to_thread(service.password_source)
        if not self._alive():
            return
        if account is not None:
            self.url_field.setText(account.url)
            self.user_field.setText(account.username)
            self.allow_http_box.setChecked(account.allow_http)
        self._show_password_source(source, account is not None)
        self.remove_button.setEnabled(account is not None)
        self.sync_button.setEnabled(account is not None)
        self._show_status(self._sync.status)

    def _show_password_source(self, source: str | None, has_account: bool) -> None:
        environment = source == "environment"
        # The variable wins over anything typed here, so typing would only mislead.
        self.password_field.setEnabled(not environment)
        if environment:
            self.password_field.clear()
            self.password_field.setPlaceholderText(f"From {SYNC_PASSWORD.env_var}")
            self.password_field.setToolTip(
                f"The password comes from the environment variable {SYNC_PASSWORD.env_var}, "
                "which overrides the keyring; it is not saved in the keyring.")
        elif source == "keyring" and has_account:
            self.password_field.setPlaceholderText("Saved in the system keyring (type to "
                                                   "replace)")
            self.password_field.setToolTip("")
        else:
            self.password_field.setPlaceholderText("Password or app password")
            self.password_field.setToolTip("")

    def _show_status(self, status: SyncStatus) -> None:
        if not self._alive():
            return
        if status.state == "off":
            self.status_label.setText("Not connected.")
        else:
            self.status_label.setText("\n".join(filter(None, (status.text, status.detail))))

    # -- actions ------------------------------------------------------------------------------

    def _details(self) -> tuple[str, str, str, bool]:
        return (self.url_field.text(), self.user_field.text(), self.password_field.text(),
                self.allow_http_box.isChecked())

    def test(self) -> None:
        url, user, password, allow_http = self._details()
        service = self._sync.service
        self._runner.start(self._attempt(
            "Testing…", lambda: service.test(
                url, user, service.given_or_stored(password, url, user, allow_http=allow_http),
                allow_http=allow_http)))

    def connect_account(self) -> None:
        url, user, password, allow_http = self._details()

        def add() -> str:
            service = self._sync.service
            names = service.add(url, user, service.given_or_stored(password, url, user,
                                                                   allow_http=allow_http),
                                allow_http=allow_http)
            found = ", ".join(names) if names else "none yet; a Tasks calendar will be made"
            return f"Connected. Task calendars: {found}."

        self._runner.start(self._attempt("Connecting…", add, then_sync=True,
                                          clears_password=True))

    def remove_account(self) -> None:
        def remove() -> str:
            self._sync.service.remove()
            return "The account is forgotten; your tasks stay here."

        self._runner.start(self._attempt("Removing…", remove, clears_password=True))

    def sync_now(self) -> None:
        self._runner.start(self._sync.sync_now())

    async def _attempt(self, doing: str, work, then_sync: bool = False,
                       clears_password: bool = False) -> None:
        self.message.setText(doing)
        for button in (self.test_button, self.connect_button, self.remove_button):
            button.setEnabled(False)
        try:
            text = await asyncio.to_thread(work)
            ok = True
        except UserError as error:
            text, ok = str(error), False
        if not self._alive():
            return
        self.message.setText(text)
        self.test_button.setEnabled(True)
        self.connect_button.setEnabled(True)
        if ok and clears_password:  # saved or forgotten; a Test saves nothing: Connect needs it
            self.password_field.clear()
        await self._load()
        if ok and then_sync and self._alive():
            await self._sync.sync_now()
