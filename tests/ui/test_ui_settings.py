"""The settings dialog: the key in the keyring, model and base URL, and "Test connection".

Synchronous pytest-qt tests on a qasync loop (`qloop`): a click starts a coroutine on the
dialog's TaskRunner, and `qtbot.waitUntil` spins Qt, which runs it. The keyring is the
in-memory one from keyring_fixtures, except where a test pins another backend.
"""

import threading

import keyring.backends.fail
import pytest
from conftest import GEMINI_SHAPED_KEY, TEST_KEY
from fake_gemini import bad_key, text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from app.common.errors import UserError
from app.config.keystore import SERVICE, USERNAME, KeyringUnavailableError, KeyStore, check_key
from app.config.settings import Settings
from app.ui.settings.settings_dialog import API_KEY_PAGE, SettingsDialog
from app.ui.task_runner import TaskRunner

KEY = GEMINI_SHAPED_KEY
CHECKING = "Checking the system keyring…"
DEFAULT_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"


class RecordingRunner(TaskRunner):
    """A TaskRunner that also keeps every task, so a test can check none of them failed."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list = []

    def start(self, coroutine):
        task = super().start(coroutine)
        self.started.append(task)
        return task

    def failures(self) -> list[BaseException]:
        return [task.exception() for task in self.started
                if task.done() and not task.cancelled() and task.exception() is not None]


@pytest.fixture
def open_dialog(qtbot, qloop, app_home):
    """Opens a SettingsDialog the way the window does (non-modal) and waits for the key status."""
    runners = []

    def make(keys: KeyStore | None = None, settings: Settings | None = None) -> SettingsDialog:
        runner = RecordingRunner()
        runners.append(runner)
        dialog = SettingsDialog(settings or Settings(), keys or KeyStore(), runner)
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitUntil(lambda: dialog.key_status.text() != CHECKING)
        return dialog

    yield make
    for runner in runners:
        qtbot.waitUntil(lambda: runner.running == 0)  # noqa: B023 (used at once)
        assert runner.failures() == []


def widget_texts(dialog: QWidget) -> list[str]:
    """Every string the dialog and its children show or expose to assistive technology."""
    texts = []
    for widget in [dialog, *dialog.findChildren(QWidget)]:
        for name in ("text", "displayText", "currentText", "placeholderText", "title",
                     "toolTip", "windowTitle", "accessibleName", "accessibleDescription"):
            getter = getattr(widget, name, None)
            value = getter() if callable(getter) else None
            if isinstance(value, str):
                texts.append(value)
    return texts


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# -- the API key ----------------------------------------------------------------------------------


def test_a_saved_key_goes_to_the_keyring_and_is_shown_only_masked(qtbot, open_dialog,
                                                                   memory_keyring):
    dialog = open_dialog()
    assert dialog.key_status.text().startswith("No key yet")
    assert API_KEY_PAGE in dialog.key_status.text() and dialog.key_status.openExternalLinks()
    assert not dialog.remove_key_button.isEnabled()

    dialog.key_edit.setText(KEY)
    with qtbot.waitSignal(dialog.key_changed):
        click(qtbot, dialog.save_key_button)
    backend = KeyStore().backend_name()
    qtbot.waitUntil(lambda: dialog.key_status.text()
                    == f"Saved in the system keyring ({backend}) ••••••••{KEY[-4:]}")

    assert memory_keyring.passwords == {(SERVICE, USERNAME): KEY}
    assert dialog.key_edit.text() == ""
    assert dialog.key_message.text() == "Saved the API key in the system keyring."
    assert dialog.save_key_button.text() == "Replace key"
    assert dialog.remove_key_button.isEnabled()
    assert not any(KEY in each or KEY[:-4] in each for each in widget_texts(dialog))


def test_removing_the_key_asks_first(qtbot, open_dialog, memory_keyring):
    memory_keyring.passwords[(SERVICE, USERNAME)] = TEST_KEY
    dialog = open_dialog()
    assert dialog.key_status.text().endswith(f"••••••••{TEST_KEY[-4:]}")

    click(qtbot, dialog.remove_key_button)
    assert dialog.confirm_remove.isVisible()
    click(qtbot, dialog.cancel_remove_button)  # "Keep it"
    assert not dialog.confirm_remove.isVisible()
    assert memory_keyring.passwords == {(SERVICE, USERNAME): TEST_KEY}

    click(qtbot, dialog.remove_key_button)
    with qtbot.waitSignal(dialog.key_changed):
        click(qtbot, dialog.confirm_remove_button)
    qtbot.waitUntil(lambda: dialog.key_status.text().startswith("No key yet"))

    assert memory_keyring.passwords == {}
    assert dialog.key_message.text() == "Removed the API key from the system keyring."
    assert not dialog.remove_key_button.isEnabled()


def test_a_key_with_a_space_is_refused_with_a_sentence_and_nothing_is_stored(qtbot, open_dialog,
                                                                             memory_keyring):
    dialog = open_dialog()
    emitted = []
    dialog.key_changed.connect(lambda: emitted.append(True))

    dialog.key_edit.setText("AIza part one")
    click(qtbot, dialog.save_key_button)
    qtbot.waitUntil(dialog.key_message.isVisible)

    with pytest.raises(UserError) as refused:
        check_key("AIza part one")
    assert dialog.key_message.text() == str(refused.value)
    assert "AIza part one" not in dialog.key_message.text()
    assert memory_keyring.passwords == {} and emitted == []
    assert dialog.save_key_button.isEnabled()


def test_a_key_in_the_environment_is_named_as_the_one_in_use(open_dialog, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)

    dialog = open_dialog()

    assert dialog.key_status.text() == ("GEMINI_API_KEY in the environment is used; it overrides "
                                        f"the keyring ••••••••{TEST_KEY[-4:]}")


def test_the_key_box_takes_the_focus_for_first_run(qtbot, open_dialog):
    dialog = open_dialog()

    dialog.focus_key_field()

    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.key_edit)


def test_closing_forgets_a_pasted_key(qtbot, open_dialog, memory_keyring):
    dialog = open_dialog()
    dialog.key_edit.setText(KEY)

    click(qtbot, dialog.close_button)

    assert not dialog.isVisible() and dialog.key_edit.text() == ""
    assert memory_keyring.passwords == {}


# -- model and base URL ---------------------------------------------------------------------------


def test_model_and_base_url_are_saved_to_the_settings_file(qtbot, open_dialog):
    dialog = open_dialog()
    assert dialog.model_field.currentText() == "gemini-2.5-flash"
    assert dialog.base_url_field.text() == DEFAULT_URL

    dialog.model_field.setCurrentText("gemini-2.5-pro")
    dialog.base_url_field.setText("https://proxy.example.com/v1/")
    with qtbot.waitSignal(dialog.settings_saved):
        click(qtbot, dialog.save_button)

    assert not dialog.isVisible()
    fresh = Settings()
    assert (fresh.model, fresh.base_url) == ("gemini-2.5-pro", "https://proxy.example.com/v1/")

    # Reset to defaults fills in the defaults; saving them drops the saved values.
    dialog.open()
    click(qtbot, dialog.reset_button)
    assert dialog.base_url_field.text() == DEFAULT_URL
    click(qtbot, dialog.save_button)
    assert Settings().source("model") == Settings().source("base_url") == "default"


def test_a_long_base_url_is_shown_from_its_start(qtbot, open_dialog):
    address = "https://gemini-proxy.research-cluster.internal.example.com/v1beta/openai/"
    Settings().set("base_url", address)
    dialog = open_dialog()
    field = dialog.base_url_field
    assert field.text() == address
    assert field.fontMetrics().horizontalAdvance(address) > field.width()  # it does not fit
    # The cursor, and so the view, is at the start: "https://gemini-proxy…", not "…/openai/".
    assert field.cursorPosition() == 0
    assert field.cursorRect().left() < field.width() // 4


def test_a_bad_base_url_shows_the_sentence_and_saves_nothing(qtbot, open_dialog):
    dialog = open_dialog()
    emitted = []
    dialog.settings_saved.connect(lambda: emitted.append(True))

    dialog.model_field.setCurrentText("gemini-2.5-pro")
    dialog.base_url_field.setText("generativelanguage.googleapis.com")
    click(qtbot, dialog.save_button)

    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert dialog.error_label.text().startswith("The base URL must start with http:// or https://")
    fresh = Settings()
    assert fresh.source("model") == fresh.source("base_url") == "default"  # not even the model
    assert emitted == []


def test_a_setting_from_the_environment_is_shown_read_only(qtbot, open_dialog, monkeypatch):
    monkeypatch.setenv("TASK_ASSISTANT_MODEL", "gemini-2.5-flash-lite")
    dialog = open_dialog()

    assert dialog.model_field.currentText() == "gemini-2.5-flash-lite"
    assert dialog.model_field.lineEdit().isReadOnly() and not dialog.model_field.isEnabled()
    assert "TASK_ASSISTANT_MODEL" in dialog.model_note.text() and dialog.model_note.isVisible()
    assert not dialog.base_url_field.isReadOnly() and not dialog.base_url_note.isVisible()

    dialog.base_url_field.setText("https://proxy.example.com/v1/")
    click(qtbot, dialog.save_button)

    monkeypatch.delenv("TASK_ASSISTANT_MODEL")
    fresh = Settings()
    assert fresh.source("model") == "default"  # the environment's value was not copied in
    assert fresh.base_url == "https://proxy.example.com/v1/"


# -- test connection ------------------------------------------------------------------------------


def test_test_connection_uses_the_unsaved_fields_and_the_stored_key(qtbot, open_dialog, gemini,
                                                                    memory_keyring):
    memory_keyring.passwords[(SERVICE, USERNAME)] = TEST_KEY
    gemini.enqueue(text("OK"))
    dialog = open_dialog()
    dialog.base_url_field.setText(gemini.base_url)
    dialog.model_field.setCurrentText("gemini-2.5-pro")

    click(qtbot, dialog.test_button)
    assert not dialog.test_button.isEnabled()
    dialog.test_connection()  # a second click while it runs does nothing
    qtbot.waitUntil(lambda: dialog.test_result.text() == "Connected: gemini-2.5-pro answered.")

    assert dialog.test_button.isEnabled()
    assert len(gemini.requests) == 1 and gemini.requests[0]["model"] == "gemini-2.5-pro"
    assert gemini.headers[0]["authorization"] == f"Bearer {TEST_KEY}"
    assert Settings().source("base_url") == "default"  # testing saves nothing


def test_test_connection_with_a_pasted_bad_key_says_the_key_was_rejected(qtbot, open_dialog,
                                                                         gemini, memory_keyring):
    gemini.enqueue(bad_key())
    dialog = open_dialog()
    dialog.base_url_field.setText(gemini.base_url)
    dialog.key_edit.setText(KEY)  # pasted, not saved: the test uses it

    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled())

    assert dialog.test_result.text().startswith("The API key was rejected")
    assert gemini.headers[0]["authorization"] == f"Bearer {KEY}"
    assert memory_keyring.passwords == {}
    assert not any(KEY in each for each in widget_texts(dialog) if each != dialog.key_edit.text())


def test_test_connection_without_any_key_says_so(qtbot, open_dialog, gemini):
    dialog = open_dialog()
    dialog.base_url_field.setText(gemini.base_url)

    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled())

    assert dialog.test_result.text().startswith("No Gemini API key is set")
    assert gemini.requests == []


# -- no keyring -----------------------------------------------------------------------------------


def test_without_a_keyring_the_sentence_is_shown_and_the_rest_still_works(qtbot, open_dialog):
    keys = KeyStore(keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailableError) as unavailable:
        keys.get()
    sentence = str(unavailable.value)

    dialog = open_dialog(keys)
    assert dialog.key_status.text() == sentence
    assert not dialog.remove_key_button.isEnabled()
    assert dialog.session_key_button.isVisible()

    dialog.key_edit.setText(KEY)
    click(qtbot, dialog.save_key_button)
    qtbot.waitUntil(dialog.key_message.isVisible)
    # Said once (the status above), not twice; the way out is offered instead.
    assert sentence not in dialog.key_message.text()
    assert "this session only" in dialog.key_message.text()
    assert widget_texts(dialog).count(sentence) == 1
    assert dialog.key_edit.text() == KEY  # kept, so the user can copy it elsewhere or retry

    dialog.key_edit.clear()
    dialog.model_field.setCurrentText("gemini-2.5-pro")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible() and Settings().model == "gemini-2.5-pro"


def test_without_a_keyring_a_key_can_be_used_for_this_session_only(qtbot, open_dialog, app_home):
    keys = KeyStore(keyring.backends.fail.Keyring())
    dialog = open_dialog(keys)
    qtbot.waitUntil(dialog.session_key_button.isVisible)
    changed = []
    dialog.key_changed.connect(lambda: changed.append(True))
    dialog.key_edit.setText(KEY)
    click(qtbot, dialog.session_key_button)
    assert keys.get() == KEY and keys.source() == "session" and changed
    assert dialog.key_edit.text() == ""
    qtbot.waitUntil(lambda: "session only" in dialog.key_status.text())
    assert KEY not in dialog.key_status.text()
    # Memory only: nothing in the app's folder holds it, and a new KeyStore (a restart) has none.
    for path in app_home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()
    with pytest.raises(KeyringUnavailableError):
        KeyStore(keyring.backends.fail.Keyring()).get()


# -- closing while something runs -----------------------------------------------------------------


class SlowKeyStore(KeyStore):
    """A keyring that answers only when the test says so, like one waiting on an unlock prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get(self):
        self.release.wait(timeout=30)
        return TEST_KEY


def test_deleting_the_dialog_while_a_task_runs_is_harmless(qtbot, qloop, app_home):
    keys = SlowKeyStore()
    runner = RecordingRunner()
    dialog = SettingsDialog(Settings(), keys, runner)
    dialog.show()  # starts the (blocked) status load
    dialog.base_url_field.setText("http://127.0.0.1:9/v1/")
    click(qtbot, dialog.test_button)  # blocked on the same keyring
    assert runner.running == 2

    dialog.close()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not isValid(dialog))
    keys.release.set()
    qtbot.waitUntil(lambda: runner.running == 0, timeout=20_000)

    assert runner.failures() == []


# -- the real Secret Service ----------------------------------------------------------------------


@pytest.fixture
def secret_service():
    from test_keystore_secret_service import _private_secret_service_problem

    problem = _private_secret_service_problem()
    if problem:
        pytest.skip(problem)
    from keyring.backends.SecretService import Keyring

    try:
        yield Keyring()
    finally:
        KeyStore(Keyring()).clear()  # leave the private keyring as we found it


@pytest.mark.secret_service
def test_a_key_saved_in_the_dialog_is_in_the_secret_service(qtbot, open_dialog, secret_service):
    dialog = open_dialog(KeyStore(secret_service))

    dialog.key_edit.setText(KEY)
    with qtbot.waitSignal(dialog.key_changed, timeout=20_000):
        click(qtbot, dialog.save_key_button)
    qtbot.waitUntil(lambda: dialog.key_status.text().startswith(
        "Saved in the system keyring (SecretService Keyring)"), timeout=20_000)

    from keyring.backends.SecretService import Keyring

    assert KeyStore(Keyring()).get() == KEY  # a fresh connection finds it
    assert not any(KEY in each for each in widget_texts(dialog))


def test_desktop_choices_are_saved(qtbot, qloop):
    from app.config.keystore import KeyStore
    from app.config.settings import Settings
    from app.ui.settings.settings_dialog import SettingsDialog
    from app.ui.task_runner import TaskRunner

    settings = Settings()
    dialog = SettingsDialog(settings, KeyStore(), TaskRunner())
    dialog.show()
    boxes = dialog.desktop_boxes
    assert [boxes[n].isChecked() for n in ("close_to_tray", "reminders", "start_on_login")] \
        == [True, True, False]
    boxes["reminders"].setChecked(False)
    boxes["start_on_login"].setChecked(True)
    dialog.save()
    fresh = Settings()
    assert (fresh.get("reminders"), fresh.get("start_on_login")) == (False, True)
    dialog.deleteLater()


def clipped(dialog: QWidget) -> list[str]:
    """The visible widgets given less height than their text needs (a field's text line inside
    its padding and border; a wrapped label's height at its width)."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QLabel,
        QLineEdit,
        QStyle,
        QStyleOptionFrame,
    )

    short = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog):
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
        elif isinstance(widget, QLineEdit):  # the room for text inside padding and border
            option = QStyleOptionFrame()
            widget.initStyleOption(option)
            inside = widget.style().subElementRect(QStyle.SubElement.SE_LineEditContents,
                                                   option, widget)
            needed = widget.height() - inside.height() + widget.fontMetrics().height()
        elif isinstance(widget, (QAbstractButton, QComboBox, QLabel)):
            needed = widget.sizeHint().height()
        else:
            continue
        if widget.height() < needed:
            short.append(widget.accessibleName() or getattr(widget, "text", lambda: "")())
    return short


def test_without_a_keyring_nothing_in_settings_is_clipped(qtbot, open_dialog, qapp):
    from app.ui.theme.apply import apply_theme

    palette, font = qapp.palette(), qapp.font()
    apply_theme(qapp, "light")  # the app's own font and padding, where it was clipped
    try:
        dialog = open_dialog(KeyStore(keyring.backends.fail.Keyring()))
        qtbot.waitUntil(dialog.session_key_button.isVisible)
        assert "keyring" in dialog.key_status.text()
        try:
            qtbot.waitUntil(lambda: not clipped(dialog), timeout=2000)
        finally:
            assert clipped(dialog) == []
        # The key field keeps room to paste into beside its buttons.
        assert dialog.key_edit.width() >= dialog.key_edit.sizeHint().width()
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(palette)
        qapp.setFont(font)
