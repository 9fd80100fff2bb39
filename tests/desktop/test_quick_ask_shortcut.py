"""The quick-ask shortcut as a setting, in Settings and in a running app without a display of
its own (offscreen); and a tray start that stays light until someone asks. The shortcut on a
real X server is in test_quick_ask_shortcut_x11.py."""

import signal
import subprocess
import sys

import pytest
from conftest import CLI, REPO, TEST_KEY, cli_env, piped
from PySide6.QtCore import Qt
from test_ui_tray import clock, shell_fixture  # noqa: F401  (fixtures)

from app.common.errors import UserError
from app.config.settings import Settings
from app.ui.hotkeys.global_shortcut import NOT_AVAILABLE

STARTUP = 60  # seconds for a start or the agent stack's import on a busy machine


@pytest.mark.parametrize(("typed", "saved"), [
    ("ctrl+alt+j", "Ctrl+Alt+J"),
    ("Alt+Ctrl+space", "Ctrl+Alt+Space"),
    ("Super+Shift+F12", "Shift+Meta+F12"),
    ("F9", "F9"),
    ("NONE", "none"),
])
def test_the_shortcut_is_saved_as_qt_portable_text(typed, saved):
    settings = Settings()
    assert settings.set("quick_ask_shortcut", typed) == saved
    assert Settings().get("quick_ask_shortcut") == saved


def test_the_default_is_ctrl_alt_space():
    assert Settings().get("quick_ask_shortcut") == "Ctrl+Alt+Space"


@pytest.mark.parametrize("typed", ["J", "Ctrl+Alt+Banana", "Ctrl+Ctrl+J", "Ctrl++", "", "x" * 100])
def test_a_shortcut_no_desktop_can_grab_is_one_sentence_and_nothing_is_saved(typed):
    settings = Settings()
    settings.set("quick_ask_shortcut", "Ctrl+Alt+K")
    saved = settings.path.read_bytes()
    with pytest.raises(UserError) as raised:
        settings.set("quick_ask_shortcut", typed)
    sentence = str(raised.value)
    assert sentence.startswith("The quick-ask shortcut must") or sentence.startswith(
        "The quick-ask shortcut needs")
    assert sentence.count(".") == 1 and sentence.endswith(".")
    assert settings.path.read_bytes() == saved


def test_the_cli_sets_it_and_a_running_app_hears_of_it(app_home):
    running = Settings()
    heard = []
    running.subscribe(heard.append)
    result = subprocess.run([*CLI, "settings", "set", "quick_ask_shortcut", "Ctrl+Alt+J"],
                            env=cli_env(app_home), capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "Saved quick_ask_shortcut: Ctrl+Alt+J\n")
    running.poll_external_changes()  # what the app's live updates do every second
    assert heard == ["quick_ask_shortcut"]
    assert running.get("quick_ask_shortcut") == "Ctrl+Alt+J"
    running.poll_external_changes()
    assert heard == ["quick_ask_shortcut"]  # told once


def test_settings_records_the_keys_pressed_and_turns_the_shortcut_off(qtbot, shell):
    shell.window.open_settings()
    dialog = shell.window.settings_dialog
    field = dialog.shortcut_field
    assert field.text() == "Ctrl+Alt+Space"
    # Offscreen is a desktop with no way to grab keys: Settings says so.
    assert field.status.text() == NOT_AVAILABLE
    field.keys.setFocus()
    qtbot.keyClick(field.keys, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: field.text() == "Ctrl+Alt+J")
    dialog.save()
    assert Settings().get("quick_ask_shortcut") == "Ctrl+Alt+J"

    shell.window.open_settings()  # a new dialog: the one closed by Save is gone
    field = shell.window.settings_dialog.shortcut_field
    assert field.text() == "Ctrl+Alt+J"
    qtbot.mouseClick(field.off_button, Qt.MouseButton.LeftButton)
    shell.window.settings_dialog.save()
    assert Settings().get("quick_ask_shortcut") == "none"
    # The running app let go of it (it hears its own settings through the live updates).
    qtbot.waitUntil(lambda: shell.shortcut.status == "No quick-ask shortcut is set.")


def expect_line(app: subprocess.Popen, expected: str) -> None:
    line = piped(app.stdout).readline().strip()
    if line != expected:
        app.kill()  # first: its stderr ends only with it
        pytest.fail(f"the tray start said {line!r}, not {expected!r}:\n{piped(app.stderr).read()}")


def test_a_tray_start_loads_the_agent_stack_only_when_asked(app_home, gemini):
    env = cli_env(app_home, QT_QPA_PLATFORM="offscreen", GEMINI_API_KEY=TEST_KEY,
                  TASK_ASSISTANT_BASE_URL=gemini.base_url)
    app = subprocess.Popen([sys.executable, str(REPO / "tests" / "tray_start_driver.py")],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        expect_line(app, "idle: loading=False agents=False")
        asked = subprocess.run([*CLI, "--quick-ask"], env=env, capture_output=True, text=True,
                               timeout=STARTUP)
        assert asked.returncode == 0, asked.stderr
        expect_line(app, "asked: agents=True")
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=STARTUP) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
