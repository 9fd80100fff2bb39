"""The tray menu, the quick-ask popup, close-to-tray and reminders, with real widgets."""

import subprocess
from datetime import datetime, timedelta

import pytest
from conftest import CLI, TEST_KEY, cli_env
from fake_gemini import text, tool_calls
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSystemTrayIcon
from qt_fixtures import close_window
from ui_helpers import items

from app.config.keystore import SERVICE, USERNAME
from app.tasks.history import Origin
from app.ui.chat.chat_items import ApprovalItem, MessageItem, ToolItem

WRITER = Origin("cli")  # who the test's own writes are recorded as


class Clock:
    """The time reminders see; tests move it."""

    def __init__(self) -> None:
        self.now = datetime.now().astimezone().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(name="shell")
def shell_fixture(qtbot, workspace, gemini, memory_keyring, clock, app_home):
    from app.desktop.reminders import Reminders
    from app.ui.shell import Shell
    from app.ui.task_runner import TaskRunner

    memory_keyring.set_password(SERVICE, USERNAME, TEST_KEY)
    workspace.settings.set("base_url", gemini.base_url)
    built = Shell(workspace.store, workspace.conversations, workspace.settings, workspace.keys,
                  workspace.agent, TaskRunner(),
                  Reminders(workspace.store, app_home / "reminders.json", clock=clock),
                  workspace.sync)
    built.window.show()
    yield built
    done = __import__("asyncio").ensure_future(built.shutdown())
    qtbot.waitUntil(done.done, timeout=10_000)
    close_window(qtbot, built.window)
    if built.popup is not None:
        built.popup.deleteLater()


@pytest.fixture(name="with_tray")
def with_tray_fixture(monkeypatch):
    """A desktop with a system tray (offscreen has none; the real one is tested on Xvfb)."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


def popup_answer(shell) -> str:
    answers = [item for item in items(shell.popup, MessageItem) if item.role == "assistant"]
    return answers[-1].view.toPlainText() if answers else ""


def type_in_popup(qtbot, shell, text_in: str) -> None:
    qtbot.keyClicks(shell.popup.chat.input, text_in)
    qtbot.keyClick(shell.popup.chat.input, Qt.Key.Key_Return)


def test_the_tray_menu_offers_quick_ask_open_today_and_quit(shell):
    labels = [action.text() for action in shell.tray.menu.actions() if not action.isSeparator()]
    assert labels == ["Quick ask…", "Open Task Assistant", "Nothing due today", "Quit"]


def test_the_due_today_count_follows_the_store(qtbot, shell, workspace):
    workspace.store.add("Pay rent", due="today", by=WRITER)
    workspace.store.add("Overdue", by=WRITER,
                        due=(datetime.now() - timedelta(days=2)).date().isoformat())
    workspace.store.add("Later", by=WRITER,
                        due=(datetime.now() + timedelta(days=5)).date().isoformat())
    qtbot.waitUntil(lambda: shell.tray.today_action.text() == "2 tasks due today")
    assert "2 tasks due today" in shell.tray.icon.toolTip()
    shell.tray.today_action.trigger()
    assert shell.window.tasks.current_view == "Today"


def test_open_brings_the_hidden_window_back(qtbot, shell):
    shell.window.hide()
    shell.tray.open_action.trigger()
    qtbot.waitUntil(shell.window.isVisible)


def test_quit_from_the_tray(qtbot, shell):
    with qtbot.waitSignal(shell.quit_requested, timeout=1000):
        shell.tray.quit_action.trigger()


def test_quick_ask_pops_up_with_focus_and_streams_the_answer(qtbot, shell, gemini):
    shell.tray.quick_ask_action.trigger()
    popup = shell.popup
    qtbot.waitUntil(lambda: popup.isVisible() and popup.chat.input.hasFocus())
    assert popup.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert popup.windowFlags() & Qt.WindowType.FramelessWindowHint
    gemini.enqueue(text("**Three** things ", "are due."))
    type_in_popup(qtbot, shell, "what's due?")
    qtbot.waitUntil(lambda: popup_answer(shell) == "Three things are due."
                    and not popup.chat.busy, timeout=10_000)
    answer = [i for i in items(popup, MessageItem) if i.role == "assistant"][-1]
    assert answer.view.prose()[0].document().toMarkdown().strip() == "**Three** things are due."


def test_quick_ask_shows_tool_activity_and_approvals(qtbot, shell, gemini, workspace):
    task = workspace.store.add("Old chore", by=WRITER)
    gemini.enqueue(tool_calls(("add_task", {"title": "Buy milk"})),
                   tool_calls(("delete_task", {"id": task.id})), text("Done both."))
    shell.quick_ask()
    type_in_popup(qtbot, shell, "add milk and delete the chore")
    qtbot.waitUntil(lambda: bool(items(shell.popup, ApprovalItem)), timeout=10_000)
    assert items(shell.popup, ToolItem)[0].text() == "✓ Added 'Buy milk'"
    qtbot.mouseClick(items(shell.popup, ApprovalItem)[-1].allow_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: popup_answer(shell) == "Done both.", timeout=10_000)
    assert [t.title for t in workspace.store.list_tasks()] == ["Buy milk"]


def test_escape_hides_the_popup_and_open_in_window_continues_there(qtbot, shell, gemini):
    shell.quick_ask()
    gemini.enqueue(text("Noted."))
    type_in_popup(qtbot, shell, "remember the plumber")
    qtbot.waitUntil(lambda: popup_answer(shell) == "Noted." and not shell.popup.chat.busy,
                    timeout=10_000)
    conversation = shell.popup.chat.conversation_id
    qtbot.keyClick(shell.popup.chat.input, Qt.Key.Key_Escape)
    assert not shell.popup.isVisible()
    shell.window.hide()
    shell.quick_ask()  # back again: the finished exchange is put away, a fresh one starts
    assert shell.popup.chat.conversation_id is None and items(shell.popup) == []
    shell.popup.chat.conversation_id = conversation  # (what the popup showed before)
    qtbot.mouseClick(shell.popup.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(shell.window.isVisible)
    assert shell.window.chat.conversation_id == conversation
    texts = [item.text for item in items(shell.window, MessageItem)]
    assert texts == ["remember the plumber", "Noted."]
    assert not shell.popup.isVisible()


def test_opening_the_popup_does_not_leave_empty_conversations(qtbot, shell, workspace):
    before = len(workspace.conversations.list())
    for _ in range(3):
        shell.quick_ask()
        qtbot.keyClick(shell.popup.chat.input, Qt.Key.Key_Escape)
    assert len(workspace.conversations.list()) == before


def test_without_a_tray_closing_the_window_quits(qtbot, shell):
    assert not shell.tray.available  # offscreen: no system tray
    with qtbot.waitSignal(shell.quit_requested, timeout=1000):
        shell.window.close()


def test_with_a_tray_closing_keeps_running_and_says_so_once(qtbot, shell, with_tray):
    shell.window.close()
    assert not shell.window.isVisible()
    assert shell.tray.last_notification[1].startswith("Task Assistant is still running")
    shell.tray.last_notification = None
    shell.show_window()
    shell.window.close()
    assert shell.tray.last_notification is None  # told once only


def test_with_a_tray_and_the_setting_off_closing_quits(qtbot, shell, with_tray, workspace):
    workspace.settings.set("close_to_tray", False)
    with qtbot.waitSignal(shell.quit_requested, timeout=1000):
        shell.window.close()


def test_a_reminder_when_a_task_falls_due_once_and_clicking_opens_it(qtbot, shell, with_tray,
                                                                     clock, workspace):
    due = (clock.now + timedelta(minutes=10)).isoformat(timespec="minutes")
    task = workspace.store.add("Call the plumber", due=due, by=WRITER)
    shell.check_reminders()
    assert shell.tray.last_notification is None
    clock.advance(minutes=11)
    shell.check_reminders()
    assert shell.tray.last_notification[0] == "Call the plumber is due now"
    shell.tray.last_notification = None
    shell.check_reminders()
    assert shell.tray.last_notification is None  # each task once
    shell.window.hide()
    shell.tray.icon.messageClicked.emit()
    qtbot.waitUntil(shell.window.isVisible)
    assert shell.window.tasks.selected_task_id() == task.id


def test_a_task_added_from_the_command_line_is_reminded(qtbot, shell, with_tray, clock,
                                                        app_home):
    shell.check_reminders()  # the start-up check: nothing is due
    # Long overdue: only a task change (not the passing time) makes reminders look that far back.
    month_ago = (clock.now - timedelta(days=30)).date().isoformat()
    subprocess.run([*CLI, "tasks", "add", "Added from the command line", "--due", month_ago],
                   env=cli_env(app_home), check=True, capture_output=True)

    def reminded() -> bool:
        shell.check_reminders()  # what the tray's timer does
        return shell.tray.last_notification is not None

    qtbot.waitUntil(reminded, timeout=10_000)
    assert shell.tray.last_notification[0] == "Added from the command line is overdue"


def test_reminders_can_be_turned_off(shell, with_tray, clock, workspace):
    workspace.settings.set("reminders", False)
    workspace.store.add("Late", by=WRITER,
                        due=(clock.now - timedelta(hours=1)).isoformat(timespec="minutes"))
    shell.check_reminders()
    assert shell.tray.last_notification is None


def test_without_a_tray_a_reminder_shows_in_the_window(shell, clock, workspace):
    workspace.store.add("Late", by=WRITER,
                        due=(clock.now - timedelta(hours=1)).isoformat(timespec="minutes"))
    shell.check_reminders()
    assert "Late is overdue" in shell.window.statusBar().currentMessage()


def test_start_on_login_follows_the_setting(qtbot, shell, workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = tmp_path / "config" / "autostart" / "task-assistant.desktop"
    workspace.settings.set("start_on_login", True)
    qtbot.waitUntil(entry.exists)
    assert "--tray" in entry.read_text()
    workspace.settings.set("start_on_login", False)
    qtbot.waitUntil(lambda: not entry.exists())
