"""What a user does in a terminal shows in the running window within about a second: the real
window, the real `task-assistant tasks …` in another process, and LiveUpdates' poll of SQLite's
data_version at its real interval (nothing here shortens it). A task added, renamed, completed
and deleted from the command line, in Today, a list, Upcoming, All and the Trash, and after the
window has written itself and after a chat turn whose tool wrote on the same connection."""

import json
import subprocess

import pytest
from conftest import CLI, cli_env
from fake_gemini import text, tool_calls
from ui_helpers import type_and_send, wait_for_answer

from app.tasks.history import Origin
from app.ui.live_updates import LiveUpdates
from app.ui.tasks.task_panel import TaskPanel

# The promise is POLL_INTERVAL_MS (1 s); the rest is room for the refresh on a loaded machine.
# A write seen only after several polls, or ~10 s late, fails.
SHOWN_WITHIN_MS = 3000


def cli(app_home, *args: str) -> dict:
    """One `task-assistant tasks …` in its own process; the task it printed. It has exited,
    so its write is committed, before the window is waited for."""
    done = subprocess.run([*CLI, "tasks", *args, "--json"], env=cli_env(app_home), check=True,
                          capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout)


def shown(panel: TaskPanel, task_id: int) -> bool:
    return task_id in panel.visible_task_ids()


def title_of(panel: TaskPanel, task_id: int) -> str | None:
    task = panel.model.task(task_id)
    return task.title if task is not None else None


@pytest.fixture
def panel(window) -> TaskPanel:
    """The window's task panel, polling at the interval the app ships with."""
    assert window.live.poll_timer.isActive()
    assert window.live.poll_timer.interval() == LiveUpdates.POLL_INTERVAL_MS <= 1000
    return window.tasks


@pytest.mark.parametrize("view", ["Today", "List"])
def test_added_renamed_and_completed_from_the_cli_show_within_a_second(qtbot, panel,
                                                                       workspace, app_home,
                                                                       view):
    where = ["--due", "today"]
    if view == "List":
        workspace.store.add_list("Errands", by=Origin("window"))
        qtbot.waitUntil(lambda: "Errands" in panel.add_box.known_lists)  # the sidebar has it
        panel.show_list("Errands")
        where = ["--list", "Errands"]
    else:
        panel.show_view("Today")
    assert panel.current_view == view and panel.visible_task_ids() == []

    task = cli(app_home, "add", "Buy milk", *where)
    qtbot.waitUntil(lambda: shown(panel, task["id"]), timeout=SHOWN_WITHIN_MS)
    assert title_of(panel, task["id"]) == "Buy milk"

    cli(app_home, "edit", str(task["id"]), "--title", "Buy oat milk")
    qtbot.waitUntil(lambda: title_of(panel, task["id"]) == "Buy oat milk",
                    timeout=SHOWN_WITHIN_MS)

    cli(app_home, "done", str(task["id"]))
    qtbot.waitUntil(lambda: not shown(panel, task["id"]), timeout=SHOWN_WITHIN_MS)
    assert panel.current_view == view  # the view stayed; only its rows followed


def test_upcoming_and_the_trash_follow_the_cli_within_a_second(qtbot, panel, app_home):
    panel.show_view("Upcoming")
    task = cli(app_home, "add", "Renew passport", "--due", "in 3 days")
    qtbot.waitUntil(lambda: shown(panel, task["id"]), timeout=SHOWN_WITHIN_MS)

    panel.show_view("Trash")
    cli(app_home, "rm", str(task["id"]))
    qtbot.waitUntil(lambda: shown(panel, task["id"]), timeout=SHOWN_WITHIN_MS)


def test_the_cli_still_shows_within_a_second_after_the_window_and_the_chat_wrote(
        qtbot, window, panel, gemini, app_home):
    panel.show_view("All")
    panel.add_line.setText("Water the plants")  # the window's own write, on its connection
    panel.add_from_line()
    qtbot.waitUntil(lambda: "Water the plants" in [task.title for task in panel.model.tasks])
    first = cli(app_home, "add", "Buy milk")
    qtbot.waitUntil(lambda: shown(panel, first["id"]), timeout=SHOWN_WITHIN_MS)

    # A chat turn: the agent's tool writes through the same store, the SDK to the
    # conversations file.
    gemini.enqueue(tool_calls(("add_task", {"title": "Call the plumber"})), text("Added it."))
    type_and_send(qtbot, window, "remind me to call the plumber")
    wait_for_answer(qtbot, window, "Added it.")
    qtbot.waitUntil(lambda: "Call the plumber" in [task.title for task in panel.model.tasks])
    second = cli(app_home, "add", "Pay rent")
    qtbot.waitUntil(lambda: shown(panel, second["id"]), timeout=SHOWN_WITHIN_MS)
    cli(app_home, "edit", str(first["id"]), "--title", "Buy oat milk")
    qtbot.waitUntil(lambda: title_of(panel, first["id"]) == "Buy oat milk",
                    timeout=SHOWN_WITHIN_MS)
