"""Settings: the Gemini API key (in the system keyring), the model, the base URL, and a
"Test connection" button on the General page; the CalDAV account on the Sync page.

Non-modal (`open()`/`show()`, never `exec()`: under qasync a nested event loop makes every
coroutine scheduled meanwhile fail and never run again), and so is "Remove key"'s confirmation,
which is a row in the dialog rather than a message box. Keyring calls block on D-Bus or an unlock
prompt, so they run on worker threads, in coroutines started on the TaskRunner. The dialog may be
closed, or deleted, while one runs: every coroutine checks `_alive()` after each await before it
touches a widget.

The key never reaches a widget other than the password field it was pasted into: the status
line shows a masked tail, and every message is a sentence that never quotes it.
"""

import asyncio
import os

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
)
from shiboken6 import isValid

from app.assistant.connection_check import check_connection
from app.common.errors import UserError
from app.common.redact import ENV_VAR
from app.config.keystore import GET_A_KEY, KeyStore, check_key, environment_key
from app.config.mcp_servers import McpServers
from app.config.settings import Settings
from app.ui.settings.appearance_page import AppearancePage
from app.ui.settings.general_page import GeneralPage, sentence_label
from app.ui.settings.tools_page import ToolsPage
from app.ui.task_runner import TaskRunner
from app.ui.theme.icons import words_only
from app.ui.theme.tokens import SPACE

API_KEY_PAGE = GET_A_KEY


def mask(key: str) -> str:
    """The key as the dialog shows it: dots, then at most its last four characters (none of a
    short key, where four would be a large part of it)."""
    return "••••••••" + (key[-4:] if len(key) >= 16 else "")


def _key_status(keys: KeyStore) -> tuple[str | None, str]:
    """Where the key comes from and the status line for it. Blocks: call on a worker thread.
    Only the masked form leaves this function, so the full key never reaches the UI code."""
    key = keys.get()  # raises KeyringUnavailableError (a UserError) when the keyring is unusable
    if key is None:
        return None, ""
    if environment_key() is not None:
        return "environment", (f"{ENV_VAR} in the environment is used; it overrides the "
                               f"keyring {mask(key)}")
    if keys.source() == "session":
        return "session", (f"Kept in memory for this session only {mask(key)}: it is "
                           "forgotten when Task Assistant quits.")
    return "keyring", f"Saved in the system keyring ({keys.backend_name()}) {mask(key)}"


class SettingsDialog(QDialog):
    key_changed = Signal()  # a key was saved or removed: whoever holds a client should rebuild it
    settings_saved = Signal()

    def __init__(self, settings: Settings, keys: KeyStore, runner: TaskRunner,
                 parent=None, *, mcp_servers: McpServers | None = None, sync=None,
                 shortcut=None, routines=None, preload=None) -> None:
        """`mcp_servers` adds the Tools page; `sync`, the app's BackgroundSync, the Sync page;
        `shortcut`, the app's GlobalShortcut, what became of the quick-ask shortcut;
        `routines`, the app's RoutineTimer, the Routines page; `preload`
        (AssistantLoader.preload) lets Tools → Check start the servers."""
        super().__init__(parent)
        self._settings = settings
        self._keys = keys
        self._runner = runner
        self._key_busy = False
        self._has_stored_key = False  # what the last status load found; enables "Remove key"
        self._close_after_key = False  # Save was clicked while the pasted key was being saved
        self._testing = False
        self._status_request = 0  # only the newest status load may write the status line
        self.setModal(False)
        self._grow_again = QTimer(self, singleShot=True, interval=0)
        self._grow_again.timeout.connect(self._grow_to_fit_now)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")

        # The General page lays its fields out; the dialog works them (the keyring on worker
        # threads, saving, the connection test), so it holds them by name.
        self.general = page = GeneralPage(shortcut)
        self.key_status, self.key_edit, self.key_message = \
            page.key_status, page.key_edit, page.key_message
        self.save_key_button, self.remove_key_button, self.session_key_button = \
            page.save_key_button, page.remove_key_button, page.session_key_button
        self.confirm_remove, self.confirm_remove_button, self.cancel_remove_button = \
            page.confirm_remove, page.confirm_remove_button, page.cancel_remove_button
        self.model_field, self.base_url_field = page.model_field, page.base_url_field
        self.model_note, self.base_url_note = page.model_note, page.base_url_note
        self.reset_button, self.test_button, self.test_result = \
            page.reset_button, page.test_button, page.test_result
        self.desktop_boxes, self.shortcut_field = page.desktop_boxes, page.shortcut_field
        self.key_edit.returnPressed.connect(self.save_key)
        self.save_key_button.clicked.connect(self.save_key)
        self.remove_key_button.clicked.connect(self.ask_remove_key)
        self.session_key_button.clicked.connect(self.use_key_for_session)
        self.confirm_remove_button.clicked.connect(self.remove_key)
        self.reset_button.clicked.connect(self.reset_fields)
        self.test_button.clicked.connect(self.test_connection)

        # -- bottom -------------------------------------------------------------------------------
        self.error_label = sentence_label("Error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        words_only(buttons)
        self.save_button.setProperty("role", "primary")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        # No default button: Enter in the key field must save the key, not also press Save.
        # Enter in the model or URL field saves, explicitly.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.base_url_field.returnPressed.connect(self.save)
        model_edit = self.model_field.lineEdit()  # an editable combo box always has one
        if model_edit is not None:
            model_edit.returnPressed.connect(self.save)

        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)  # tabs over the page, no box around it
        self.pages.addTab(self.general, "&General")
        self.appearance_page = AppearancePage(settings)
        self.pages.addTab(self.appearance_page, "&Appearance")
        self.tools_page = None
        if mcp_servers is not None:  # its changes are saved at once, not by Save
            self.tools_page = ToolsPage(mcp_servers, runner, preload)
            self.pages.addTab(self.tools_page, "&Tools")
        self.sync_page = None
        if sync is not None:  # like Tools: Connect and Remove act at once, not by Save
            from app.ui.settings.sync_page import SyncPage

            self.sync_page = SyncPage(sync, runner)
            self.pages.addTab(self.sync_page, "S&ync")
        if routines is not None:
            from app.ui.settings.routines_page import RoutinesPage

            self.routines_page = RoutinesPage(routines.routines)
            self.routines_page.run_requested.connect(routines.run_now)
            self.routines_page.changed.connect(routines.rearm)
            self.pages.addTab(self.routines_page, "&Routines")
        title = QLabel("Settings")
        title.setProperty("role", "title")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["xl"], SPACE["l"], SPACE["xl"], SPACE["l"])
        layout.setSpacing(SPACE["m"])
        layout.addWidget(title)
        layout.addWidget(self.pages)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        # Width only: the height follows the notes and messages that appear (a fixed height
        # clipped the wrapped notes).
        self.setMinimumWidth(560)
        self._load_fields()

    # -- opening and closing ----------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not event.spontaneous():  # opened by the app, not un-minimised: show what is current
            for label in (self.key_message, self.test_result, self.error_label):
                label.hide()  # messages from the last time it was open (or that finished since)
            self._load_fields()
            self.appearance_page.reload()
            if self.tools_page is not None:
                self.tools_page.reload()
            self.refresh_key_status()
            self._grow_to_fit()

    def done(self, result: int) -> None:
        # Close discards what was not saved, the pasted key above all: it must not sit in a
        # hidden widget until the dialog is opened again.
        self.key_edit.clear()
        self.confirm_remove.hide()
        super().done(result)

    def focus_key_field(self) -> None:
        """Put the cursor in the key box (first run: the window's "Add your API key" prompt)."""
        self.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.isVisible():
            self.activateWindow()

    def _alive(self) -> bool:
        """False once Qt has deleted the dialog: a coroutine resuming after an await must not
        touch its widgets then (RuntimeError: Internal C++ object already deleted)."""
        return isValid(self)

    # -- the API key ------------------------------------------------------------------------------

    def refresh_key_status(self) -> None:
        self._status_request += 1
        self._runner.start(self._load_key_status(self._status_request))

    async def _load_key_status(self, request: int) -> None:
        try:
            source, text = await asyncio.to_thread(_key_status, self._keys)
        except UserError as error:  # the keyring is unavailable: its sentence says what to do
            source, text = "unavailable", str(error)
        if not self._alive() or request != self._status_request:
            return
        self.session_key_button.setVisible(source in ("unavailable", "session"))
        if source is None:
            self.key_status.setTextFormat(Qt.TextFormat.RichText)
            self.key_status.setText(f'No key yet — get one at <a href="{API_KEY_PAGE}">'
                                    f'{API_KEY_PAGE}</a>')
        else:
            self.key_status.setTextFormat(Qt.TextFormat.PlainText)
            self.key_status.setText(text)
        self._grow_to_fit()  # a keyring's sentence can take three lines
        self.save_key_button.setText("Replace key" if source == "keyring" else "Save key")
        # With GEMINI_API_KEY set, the keyring may hold a key too; clear() says if it did not.
        self._has_stored_key = source in ("keyring", "environment")
        self.remove_key_button.setEnabled(self._has_stored_key and not self._key_busy)

    def save_key(self) -> None:
        self._start_key_save(close_after=False)

    def use_key_for_session(self) -> None:
        """No keyring to save it in: keep the pasted key in memory until the app quits."""
        try:
            self._keys.use_for_session(self.key_edit.text())
        except UserError as error:
            self._show(self.key_message, str(error))
            return
        self.key_edit.clear()
        self._show(self.key_message, "The key is kept in memory for this session only; you "
                                     "will be asked again after Task Assistant quits.")
        self.key_changed.emit()
        self.refresh_key_status()

    def _start_key_save(self, close_after: bool) -> None:
        if self._key_busy:  # a running save closes the dialog after it when Save asked it to;
            # during a removal the pasted key stays in the field, to be saved again
            self._close_after_key |= close_after
            return
        self._close_after_key = close_after
        self._set_key_busy(True)
        # Read now: editing the field while the keyring works does not change what is saved.
        self._runner.start(self._save_key(self.key_edit.text()))

    async def _in_keyring(self, call, *args) -> tuple[bool, object]:
        """Runs a keyring call on a worker thread, then frees the key buttons (which the caller
        disabled). (True, result) when it worked and the dialog is still there; (False, None)
        otherwise, with the keyring's sentence shown."""
        try:
            result = await asyncio.to_thread(call, *args)
        except UserError as error:
            if self._alive():
                if str(error) == self.key_status.text():  # said once already, just above
                    self._show(self.key_message, "Not saved: use it for this session only, "
                                                 "or set up a keyring as said above.")
                    self.session_key_button.show()
                else:
                    self._show(self.key_message, str(error))
            return False, None
        finally:
            if self._alive():
                self._set_key_busy(False)
        return self._alive(), result

    async def _save_key(self, text: str) -> None:
        saved, _ = await self._in_keyring(self._keys.set, text)  # validates too (spaces…)
        if not saved:
            self._close_after_key = False  # the user must see why, so the dialog stays
            return
        self.key_edit.clear()
        note = (f" {ENV_VAR} in the environment is still used while it is set."
                if environment_key() else "")
        self._show(self.key_message, f"Saved the API key in the system keyring.{note}")
        self.key_changed.emit()
        self.refresh_key_status()
        if self._close_after_key and self.isVisible():  # not if the user closed it meanwhile
            self.accept()

    def ask_remove_key(self) -> None:
        self.confirm_remove.show()
        self._grow_to_fit()
        self.cancel_remove_button.setFocus()  # the safe choice is the one Enter/Space presses

    def remove_key(self) -> None:
        self.confirm_remove.hide()
        if self._key_busy:
            return
        self._set_key_busy(True)
        self._runner.start(self._remove_key())

    async def _remove_key(self) -> None:
        done, removed = await self._in_keyring(self._keys.clear)
        if not done:
            return
        message = ("Removed the API key from the system keyring." if removed
                   else "No API key was saved in the system keyring.")
        if environment_key():
            message += f" {ENV_VAR} in the environment is still used."
        self._show(self.key_message, message)
        if removed:
            self.key_changed.emit()
        self.refresh_key_status()

    def _set_key_busy(self, busy: bool) -> None:
        self._key_busy = busy
        self.save_key_button.setEnabled(not busy)
        self.remove_key_button.setEnabled(not busy and self._has_stored_key)

    # -- model and base URL -----------------------------------------------------------------------

    def _fields(self) -> dict[str, QComboBox | QLineEdit]:
        return {"model": self.model_field, "base_url": self.base_url_field}

    def _text(self, name: str) -> str:
        field = self._fields()[name]
        return field.currentText() if isinstance(field, QComboBox) else field.text()

    def _set_text(self, name: str, value: str) -> None:
        field = self._fields()[name]
        if isinstance(field, QComboBox):
            field.setCurrentText(value)
        else:
            field.setText(value)
        # Shown from its start, as a person reads it: a long address scrolled to its end
        # showed "ttps://generativelanguage…".
        edit = field.lineEdit() if isinstance(field, QComboBox) else field
        if edit is not None:
            edit.setCursorPosition(0)

    def _overridden(self, name: str) -> bool:
        return self._settings.source(name) == "environment"

    def _load_fields(self) -> None:
        for name, box in self.desktop_boxes.items():
            box.setChecked(bool(self._settings.get(name)))
        self.shortcut_field.set_text(self._settings.get("quick_ask_shortcut"))
        notes = {"model": self.model_note, "base_url": self.base_url_note}
        for name in self._fields():
            setting = self._settings.setting(name)
            overridden = self._overridden(name)
            try:
                value, problem = self._settings.get(name), ""
            except UserError as error:  # the environment variable holds something unusable
                unusable = os.environ.get(setting.env, "") if setting.env else ""
                value, problem = unusable, f" {error}"
            self._set_text(name, value)
            self._set_read_only(name, overridden)
            if overridden:
                self._show(notes[name], f"{setting.env} in the environment sets the "
                                        f"{setting.label} and overrides this setting.{problem}")
            else:
                notes[name].hide()

    def _set_read_only(self, name: str, read_only: bool) -> None:
        field = self._fields()[name]
        if isinstance(field, QComboBox):
            edit = field.lineEdit()
            if edit is not None:
                edit.setReadOnly(read_only)
            field.setEnabled(not read_only)  # or the drop-down would still change it
        else:
            field.setReadOnly(read_only)

    def reset_fields(self) -> None:
        for name in self._fields():
            if not self._overridden(name):
                self._set_text(name, self._settings.setting(name).default)

    def save(self) -> None:
        """Save the model and base URL (and a pasted key), then close; a problem keeps the
        dialog open with its sentence and saves nothing of the settings."""
        self.error_label.hide()
        editable = [name for name in self._fields() if not self._overridden(name)]
        try:
            # Every field is checked before any is saved: a bad URL must not leave a new model.
            values: dict[str, str | bool] = {name: self._checked(name) for name in editable}
            values.update((name, box.isChecked()) for name, box in self.desktop_boxes.items())
            values["quick_ask_shortcut"] = self._valid("quick_ask_shortcut",
                                                       self.shortcut_field.text())
            for name, value in values.items():
                if value == self._settings.setting(name).default:
                    self._settings.reset(name)  # no pinned copy: a future default applies
                else:
                    self._settings.set(name, value)
        except UserError as error:
            self._show(self.error_label, str(error))
            return
        self.settings_saved.emit()
        if self.key_edit.text().strip():  # a pasted key would otherwise be dropped by closing
            self._start_key_save(close_after=True)
        else:
            self.accept()

    def _checked(self, name: str) -> str:
        return self._valid(name, self._text(name))

    def _valid(self, name: str, text: str) -> str:
        setting = self._settings.setting(name)
        try:
            return setting.check(text)
        except ValueError as error:  # the same sentence Settings.set gives
            raise UserError(f"The {setting.label} {error}.") from None

    # -- test connection --------------------------------------------------------------------------

    def test_connection(self) -> None:
        if self._testing:  # the button is disabled, but a queued click may still arrive
            return
        self._testing = True
        self.test_button.setEnabled(False)
        self._show(self.test_result, "Testing the connection…")
        self._runner.start(self._test(self._text("base_url"), self._text("model"),
                                      self.key_edit.text()))

    async def _test(self, base_url: str, model: str, pasted: str) -> None:
        try:
            if pasted.strip():  # the key being pasted, before it is saved
                key = check_key(pasted)
            else:
                stored = await asyncio.to_thread(self._keys.get)
                key = stored or ""
            report = await check_connection(base_url, model, key)
            message = report.message
        except UserError as error:  # a malformed pasted key, or no usable keyring
            message = str(error)
        finally:
            if self._alive():
                self._testing = False
                self.test_button.setEnabled(True)
        if self._alive():
            self._show(self.test_result, message)

    # -- helpers ----------------------------------------------------------------------------------

    def _show(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()
        self._grow_to_fit()

    def _grow_to_fit_now(self) -> None:
        layout = self.layout()
        if layout is None:  # set in __init__; Qt's type allows none
            return
        layout.activate()
        # The taller of what the wrapped labels need at this width and what every field's own
        # minimum adds up to (a keyring's three-line sentence once squeezed the fields below).
        needed = max(layout.totalHeightForWidth(self.width()), layout.totalMinimumSize().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _grow_to_fit(self) -> None:
        """Make room for a message that just appeared. A window's minimum size ignores how tall
        wrapped labels get at its width, so without this their last lines are clipped."""
        if self.layout() is None:  # still in __init__
            return
        self._grow_to_fit_now()
        if not self._grow_again.isActive():  # once more when the text has been laid out
            self._grow_again.start()

    def show_page(self, title: str) -> None:
        """Settings opened at a page by its name ("Appearance"), for the command palette."""
        for index in range(self.pages.count()):
            if self.pages.tabText(index).replace("&", "") == title:
                self.pages.setCurrentIndex(index)
                return
