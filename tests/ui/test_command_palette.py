"""The command palette (Ctrl+K, issue 23): every action and view by name with its keys, typing
filters, Enter runs, Esc closes and gives the focus back, and tasks and conversations open
from it. On the real window, its real actions and a real task store."""

from PySide6.QtCore import Qt

from app.tasks import Origin

CTRL = Qt.KeyboardModifier.ControlModifier


def open_palette(qtbot, window):
    window.activateWindow()
    window.chat.input.setFocus()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_K, CTRL)
    palette = window.palette_popup
    qtbot.waitUntil(lambda: palette is not None and palette.isVisible())
    assert palette.field.hasFocus()
    return palette


def choose(qtbot, palette, name: str) -> None:
    """Down to `name` with the arrow keys, then Enter, as a person would."""
    while palette.names()[palette.list.currentRow()] != name:
        qtbot.keyClick(palette.field, Qt.Key.Key_Down)
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)


def test_it_lists_every_action_and_view_with_its_shortcut(qtbot, window):
    palette = open_palette(qtbot, window)
    hints = palette.hints()
    assert hints["New conversation"] == "Ctrl+N"
    assert hints["New task…"] == "Ctrl+Shift+N"
    assert hints["Settings…"] == "Ctrl+,"
    assert hints["Go to Today"] == "Ctrl+1" and hints["Go to Trash"] == "Ctrl+5"
    assert hints["Undo the last change to the tasks"] == "Ctrl+Z"
    assert hints["Conversations"] == "Ctrl+B" and hints["Tasks"] == "Ctrl+Alt+B"
    assert hints["Keyboard shortcuts"] == "Ctrl+/"
    for name in ("Go to list Inbox", "Settings: General", "Settings: Appearance",
                 "Dark theme", "Light theme", "System theme", "Find conversation"):
        assert name in hints
    assert hints["Retry last answer"] == "Ctrl+R" and hints["Stop answer"] == "Esc"


def test_typing_filters_by_substring_and_by_letters_in_order(qtbot, window):
    palette = open_palette(qtbot, window)
    everything = len(palette.names())
    qtbot.keyClicks(palette.field, "upcom")
    assert palette.names()[0] == "Go to Upcoming" and len(palette.names()) < everything
    palette.field.clear()
    qtbot.keyClicks(palette.field, "nwconv")  # letters in order, as Linear reads them
    assert palette.names()[0] == "New conversation"
    palette.field.clear()
    qtbot.keyClicks(palette.field, "zzzzqx")
    assert palette.names() == []
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)  # nothing to run: nothing happens
    assert palette.isVisible()


def test_enter_runs_the_chosen_command(qtbot, window):
    palette = open_palette(qtbot, window)
    qtbot.keyClicks(palette.field, "upcoming")
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    assert not palette.isVisible()
    assert window.tasks.current_view == "Upcoming"

    palette = open_palette(qtbot, window)
    qtbot.keyClicks(palette.field, "dark theme")
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    assert window.settings.get("theme") == "dark"


def test_esc_closes_it_and_gives_the_focus_back(qtbot, window):
    palette = open_palette(qtbot, window)
    qtbot.keyClicks(palette.field, "sett")
    qtbot.keyClick(palette.field, Qt.Key.Key_Escape)
    assert not palette.isVisible()
    assert window.chat.input.hasFocus()
    assert window.settings_dialog is None  # Esc ran nothing
    palette = open_palette(qtbot, window)
    assert palette.field.text() == ""  # a fresh start each time


def test_typing_finds_tasks_and_conversations_and_enter_opens_them(qtbot, window, workspace):
    workspace.store.add_list("Travel", by=Origin("window"))
    task = workspace.store.add("Renew the passport", list="Travel", by=Origin("window"))
    trip = workspace.conversations.create("Passport photo sizes")
    palette = open_palette(qtbot, window)
    qtbot.keyClicks(palette.field, "passport")
    hints = palette.hints()
    assert hints["Renew the passport"] == "Task"
    assert hints["Passport photo sizes"] == "Conversation"
    choose(qtbot, palette, "Renew the passport")
    assert not palette.isVisible()
    assert window.tasks.current_list == "Travel"  # where it lives
    assert window.tasks.selected_task_id() == task.id and window.tasks.view.hasFocus()

    palette = open_palette(qtbot, window)
    qtbot.keyClicks(palette.field, "passport")
    choose(qtbot, palette, "Passport photo sizes")
    assert window.chat.conversation_id == trip.id


def test_a_settings_page_opens_by_name(qtbot, window):
    palette = open_palette(qtbot, window)
    qtbot.keyClicks(palette.field, "appearance")
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    dialog = window.settings_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.pages.currentWidget() is dialog.appearance_page
    dialog.close()
