"""The desktop app on a real X server: `python -m app` in a subprocess on a private Xvfb display,
driven through the X server the way a user drives it (xdotool's XTEST keyboard), against a fake
Gemini on loopback. The key travels in the child's environment (GEMINI_API_KEY), never in argv.

What the offscreen tests cannot show: the window really maps on X, the message box really has
the keyboard focus, Enter really sends, and SIGTERM really ends the process cleanly.
"""

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CLI, TEST_KEY, cli_env
from fake_gemini import text, tool_calls

from app.conversations.store import ConversationStore
from app.tasks import TaskStore
from app.tasks.when.dates import local_today

TITLE = "Task Assistant"
TYPED = "Remind me to renew my passport by December 4th 2026"
STARTUP = 30    # seconds for the window to map (it takes ~1 s here)
ANSWER = 60     # seconds for the typed request to become a task (the agent stack loads first)
# seconds for SIGTERM to end the app: its own shutdown takes ~30 ms here and Python's teardown of
# the loaded agent and Qt modules ~0.7 s more, but up to 5 s with the CPU overloaded
QUIT = 10
XDOTOOL = 10    # seconds for one xdotool command

# Run on the test's X display: a picture of the whole screen, as the X server has it.
SCREENSHOT = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
sys.exit(0 if QGuiApplication.primaryScreen().grabWindow(0).save(sys.argv[1], "PNG") else 1)
"""

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(sys.platform != "linux", reason="needs an X server (Linux)"),
    pytest.mark.skipif(shutil.which("Xvfb") is None,
                       reason="Xvfb is not installed (Debian: apt-get install xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None,
                       reason="xdotool is not installed (Debian: apt-get install xdotool)"),
]


# -- the X server ----------------------------------------------------------------------------------

@pytest.fixture(name="display")
def display_fixture(tmp_path) -> Iterator[str]:
    """A private Xvfb; `-displayfd` makes it pick a free display number and write it to a pipe
    once it accepts connections, so there is no race with other servers and no sleeping.

    `-noreset`: by default an X server resets when its last client disconnects, and a client
    connecting meanwhile is refused. Here xdotool's short connections come and go while the app
    is still connecting, and the app then failed with "could not connect to display" (seen
    under load; two xdotool loops on a bare Xvfb lose ~20% of their connections this way)."""
    server, name = start_xvfb(tmp_path)
    try:
        yield name
    finally:
        stop(server)


def start_xvfb(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    """A private Xvfb and its display name (see `display`); the caller stops it."""
    read_end, write_end = os.pipe()
    log_path = tmp_path / "xvfb.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    os.close(write_end)
    try:
        number = _read_line(read_end, STARTUP)
        if not number.isdigit():
            pytest.fail(f"Xvfb did not start (wrote {number!r}): {log_path.read_text()}")
    except BaseException:
        stop(server)
        raise
    finally:
        os.close(read_end)
    return server, f":{number}"


def stop(process: subprocess.Popen) -> None:
    """Ends a helper process (Xvfb, trayer): politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _read_line(fd: int, timeout: float) -> str:
    """What was written to the pipe up to its first newline ("" if the writer exited first)."""
    deadline = time.monotonic() + timeout
    seen = b""
    while b"\n" not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            pytest.fail(f"Xvfb gave no display number within {timeout} s")
        chunk = os.read(fd, 64)
        if not chunk:
            break
        seen += chunk
    return seen.decode().strip()


def xdotool(display: str, *argv: str) -> str:
    result = subprocess.run(["xdotool", *argv], env={**os.environ, "DISPLAY": display},
                            capture_output=True, text=True, timeout=XDOTOOL)
    assert result.returncode == 0, f"xdotool {' '.join(argv)}: {result.stderr}"
    return result.stdout


# -- the app ---------------------------------------------------------------------------------------

class App:
    """The desktop app (`python -m app`, or the frozen `command`) on `display`, its stderr kept
    in a file."""

    def __init__(self, app_home: Path, display: str, gemini, tmp_path: Path,
                 command: list[str] = CLI) -> None:
        self.gemini = gemini
        self.stderr_path = tmp_path / "app-stderr.txt"
        # app.common.crash_log: errors shown as a line
        self.crash_log = app_home / "task-assistant.log"
        env = cli_env(app_home, DISPLAY=display, QT_QPA_PLATFORM="xcb",  # not the offscreen default
                      GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=gemini.base_url)
        assert not any(TEST_KEY in part for part in command)
        with open(self.stderr_path, "wb") as stderr:  # a file: a full pipe would block the app
            self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=stderr)

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_until(self, condition, timeout: float, what: str):
        """Poll `condition` until it returns something truthy; fail at once if the app exits
        or logs an error."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if self.crash_log.exists():  # the turn failed: the window says "went wrong"
                pytest.fail(f"the app logged an error before {what}:\n"
                            f"{self.crash_log.read_text()}\n{self.stderr}")
            if self.process.poll() is not None:
                pytest.fail(f"the app exited ({self.process.returncode}) before {what}:\n"
                            f"{self.stderr}")
            if time.monotonic() > deadline:
                # 0 requests: the typing or the Enter never reached the message box
                pytest.fail(f"not {what} after {timeout} s; the fake Gemini had "
                            f"{len(self.gemini.requests)} requests; the app's stderr:\n"
                            f"{self.stderr}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(name="desktop_app")
def desktop_app_fixture(app_home, display, gemini, tmp_path):
    started = App(app_home, display, gemini, tmp_path)
    try:
        yield started
    finally:
        started.stop()


def visible_window(display: str) -> str | None:
    """The id of the app's mapped main window (Qt also makes an unmapped 1x1 leader window with
    the same name; --onlyvisible leaves it out). Without --sync: the caller polls."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{TITLE}$"],
                           env={**os.environ, "DISPLAY": display}, capture_output=True,
                           text=True, timeout=XDOTOOL)
    ids = found.stdout.split()
    return ids[0] if found.returncode == 0 and ids else None


def renew_passport(app_home: Path) -> list[tuple[str, str | None]]:
    with TaskStore(app_home / "tasks.sqlite3") as store:
        return [(task.title, task.due) for task in store.list_tasks()
                if task.title == "Renew passport"]


def answered(app_home: Path) -> bool:
    """The turn is over: the final answer is saved in the conversation."""
    with ConversationStore(app_home / "conversations.sqlite3") as conversations:
        return any(message.role == "assistant" and "Added it." in (message.text or "")
                   for conversation in conversations.list()
                   for message in conversations.history(conversation.id))


def content_text(content) -> str:
    if isinstance(content, list):  # content parts
        return "".join(str(part.get("text") or "") for part in content)
    return content or ""


def screenshot(display: str, app_home: Path, path: Path) -> None:
    env = cli_env(app_home, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    taken = subprocess.run([sys.executable, "-c", SCREENSHOT, str(path)], env=env,
                           capture_output=True, text=True, timeout=60)
    assert taken.returncode == 0, taken.stderr


def colours(path: Path) -> set[int]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not an image Qt can read"
    assert (image.width(), image.height()) == (1280, 800)
    return {image.pixel(x, y) for x in range(0, image.width(), 4)
            for y in range(0, image.height(), 4)}


# -- the test --------------------------------------------------------------------------------------

def test_a_request_typed_into_the_real_window_becomes_a_task(
        desktop_app, display, app_home, gemini, tmp_path):
    a_typed_request_becomes_a_task(desktop_app, display, app_home, gemini, tmp_path)


def a_typed_request_becomes_a_task(desktop_app: App, display: str, app_home: Path, gemini,
                                   tmp_path: Path) -> None:
    """Types a request into the window, checks the task and the answer arrive, and that SIGTERM
    ends the app cleanly (also run on the frozen app: tests/packaging/test_packaging_linux.py)."""
    gemini.enqueue(tool_calls(("add_task", {"title": "Renew passport", "due": "2026-12-04"})),
                   text("Added it."))

    window = desktop_app.wait_until(lambda: visible_window(display), STARTUP,
                                    "showing its window")
    # No window manager on a bare Xvfb: nothing gives the new window the X input focus (it
    # stays PointerRoot), and `windowactivate` needs a WM. XSetInputFocus does it directly;
    # then XTEST key events (`type` without --window) reach Qt as real key presses, and Qt
    # hands them to the message box, which has the focus inside the window from the start.
    xdotool(display, "windowfocus", "--sync", window)
    assert xdotool(display, "getwindowfocus").split() == [window]
    xdotool(display, "type", "--delay", "20", "--", TYPED)
    xdotool(display, "key", "Return")

    tasks = desktop_app.wait_until(lambda: renew_passport(app_home), ANSWER,
                                   "adding 'Renew passport'")
    desktop_app.wait_until(lambda: answered(app_home), ANSWER, "showing the answer")

    assert tasks == [("Renew passport", "2026-12-04")]
    sent = [content_text(m.get("content")) for m in gemini.requests[0]["messages"]
            if m["role"] == "user"]
    assert sent[-1] == TYPED, gemini.requests[0]["messages"]
    assert len(gemini.requests) == 2 and gemini.pending == 0

    picture = tmp_path / "window.png"
    screenshot(display, app_home, picture)
    assert picture.stat().st_size > 1000
    assert len(colours(picture)) > 10  # a window with text on it, not a blank screen

    desktop_app.process.send_signal(signal.SIGTERM)
    try:
        code = desktop_app.process.wait(timeout=QUIT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {QUIT} s after SIGTERM; stderr:\n{desktop_app.stderr}")

    stderr = desktop_app.stderr
    assert code == 0, stderr
    for problem in ("Traceback", "Task was destroyed but it is pending",
                    "QThread: Destroyed while thread is still running"):
        assert problem not in stderr, stderr
    assert TEST_KEY not in stderr


def windows_named(display: str, title: str) -> list[str]:
    """The ids of the mapped windows titled `title` (a dialog the app opened)."""
    return subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
                          env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, timeout=XDOTOOL).stdout.split()


def tasks_titled(app_home: Path, title: str) -> list:
    with TaskStore(app_home / "tasks.sqlite3") as store:
        return [task for task in store.list_tasks() if task.title == title]


def test_ctrl_shift_n_opens_a_new_task_from_the_message_box(desktop_app, display, app_home):
    """The message box has the focus at start; Ctrl+Shift+N still opens the task editor, whose
    title field takes the typing, and Enter saves into Today (the panel's view), due today."""
    window = desktop_app.wait_until(lambda: visible_window(display), STARTUP,
                                    "showing its window")
    xdotool(display, "windowfocus", "--sync", window)
    xdotool(display, "key", "ctrl+shift+n")
    editor = desktop_app.wait_until(lambda: windows_named(display, "New task"), STARTUP,
                                    "opening the task editor")
    xdotool(display, "windowfocus", "--sync", editor[0])
    xdotool(display, "type", "--delay", "20", "--", "Water the plants")
    xdotool(display, "key", "Return")
    [task] = desktop_app.wait_until(lambda: tasks_titled(app_home, "Water the plants"), ANSWER,
                                    "saving the new task")
    assert task.due == local_today().isoformat()


def list_names(app_home: Path) -> list[str]:
    with TaskStore(app_home / "tasks.sqlite3") as store:
        return [item.name for item in store.lists()]


def test_lists_managed_by_keyboard_alone_in_the_real_window(desktop_app, display, app_home):
    """From the message box: Ctrl+Shift+L names a new list in the sidebar; the focus stays in
    the sidebar, so F2 renames it and Delete (then Alt+D in the question) deletes it."""
    window = desktop_app.wait_until(lambda: visible_window(display), STARTUP,
                                    "showing its window")
    xdotool(display, "windowfocus", "--sync", window)
    xdotool(display, "key", "ctrl+shift+l")
    xdotool(display, "type", "--delay", "20", "--", "Errands")
    xdotool(display, "key", "Return")
    desktop_app.wait_until(lambda: list_names(app_home) == ["Inbox", "Errands"], ANSWER,
                           "adding the list")
    xdotool(display, "key", "F2")  # the name is selected: typing replaces it
    xdotool(display, "type", "--delay", "20", "--", "Chores")
    xdotool(display, "key", "Return")
    desktop_app.wait_until(lambda: list_names(app_home) == ["Inbox", "Chores"], ANSWER,
                           "renaming the list")
    xdotool(display, "key", "Delete")
    question = desktop_app.wait_until(lambda: windows_named(display, "Delete list"), STARTUP,
                                      "asking before deleting the list")
    xdotool(display, "windowfocus", "--sync", question[0])
    xdotool(display, "key", "alt+d")
    desktop_app.wait_until(lambda: list_names(app_home) == ["Inbox"], ANSWER,
                           "deleting the list")


# Run on the test's X display: which standard dialog buttons carry an icon. On X11 Qt takes one
# from the desktop's icon theme (a floppy disk for Save, a cross for Close); offscreen has none.
DIALOG_ICONS = """
import json, sys
from PySide6.QtWidgets import QApplication, QDialogButtonBox
app = QApplication(sys.argv[:1])
from app.common.paths import tasks_db_path
from app.config.keystore import KeyStore
from app.config.settings import Settings
from app.tasks import TaskStore
from app.ui.settings.settings_dialog import SettingsDialog
from app.ui.shortcut_sheet import ShortcutSheet
from app.ui.task_runner import TaskRunner
from app.ui.tasks.task_editor import TaskEditor
from app.ui.theme.apply import apply_theme
apply_theme(app)
stock = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
dialogs = {"shortcuts": ShortcutSheet(), "task editor": TaskEditor(TaskStore(tasks_db_path())),
           "settings": SettingsDialog(Settings(), KeyStore(), TaskRunner())}
print(json.dumps({"stock": not stock.buttons()[0].icon().isNull()} | {
    name: [button.text().replace("&", "") for button in dialog.findChild(QDialogButtonBox).buttons()
           if not button.icon().isNull()] for name, dialog in dialogs.items()}))
"""


def test_dialog_buttons_are_words_without_the_desktops_stock_icons(display, app_home):
    import json

    env = cli_env(app_home, DISPLAY=display, QT_QPA_PLATFORM="xcb",
                  PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    shown = subprocess.run([sys.executable, "-c", DIALOG_ICONS], env=env, capture_output=True,
                           text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    icons = json.loads(shown.stdout.strip().splitlines()[-1])
    assert icons.pop("stock")  # this X display does hand out stock icons
    assert icons == {"shortcuts": [], "task editor": [], "settings": []}
