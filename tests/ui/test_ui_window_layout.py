"""The window's layout as it narrows (issue 23): the tasks never leave; the conversation list
folds first, into a drawer over the chat; then the task sidebar folds to its icons. Each panel
has its View menu toggle and key, and the keyboard can always reach what is folded."""

from PySide6.QtCore import Qt
from qt_fixtures import close_window, open_window

from app.tasks import Origin
from app.ui.main_window import CONVERSATIONS_FOLD, TASK_SIDEBAR_FOLD

CTRL = Qt.KeyboardModifier.ControlModifier
BY_WINDOW = Origin("window")


def settle(qtbot, window, width: int, height: int = 700) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.tasks.width() > 0)


def on_screen(widget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.visibleRegion().boundingRect(
    ).width() > 0


def task_list_width(window) -> int:
    return window.tasks.stack.width()


def test_at_960_px_the_chat_and_the_tasks_are_both_on_screen(qtbot, window, workspace):
    workspace.store.add("Renew the passport before the summer trip to Lisbon", by=BY_WINDOW)
    window.tasks.show_view("All")
    settle(qtbot, window, 960)
    qtbot.waitUntil(lambda: on_screen(window.tasks.view))
    assert on_screen(window.tasks) and on_screen(window.tasks.add_line)
    assert on_screen(window.chat) and on_screen(window.chat.input)
    # Room enough for each: the message box and the task titles are not slivers.
    assert window.chat.width() >= 400 and task_list_width(window) >= 360
    assert not window.sidebar.isVisible() and window.drawer_button.isVisible()


def test_narrowing_folds_the_conversations_first_then_the_task_sidebar(qtbot, window):
    settle(qtbot, window, 1280, 800)
    assert on_screen(window.sidebar) and not window.tasks.sidebar.compact
    settle(qtbot, window, (CONVERSATIONS_FOLD + TASK_SIDEBAR_FOLD) // 2)
    assert not window.sidebar.isVisible() and not window.tasks.sidebar.compact
    settle(qtbot, window, TASK_SIDEBAR_FOLD - 40)
    assert window.tasks.sidebar.compact
    assert window.tasks.sidebar.width() < 60  # icons only: the titles get the room
    settle(qtbot, window, 700, 500)
    assert on_screen(window.tasks.stack)  # never folded away
    settle(qtbot, window, 1280, 800)  # and all of it comes back
    assert on_screen(window.sidebar) and not window.tasks.sidebar.compact
    assert window.tasks.sidebar.width() >= 120


def test_the_drawer_opens_over_the_chat_and_esc_gives_the_focus_back(qtbot, window):
    settle(qtbot, window, 960)
    window.activateWindow()
    window.chat.input.setFocus()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(window.drawer.isVisible)
    assert window.sidebar.list.hasFocus() and window.conversations_action.isChecked()
    chat_area = window.chat.geometry()
    assert window.drawer.geometry().intersects(chat_area)  # over the chat, not beside it
    assert window.chat.width() == chat_area.width()  # the chat did not move for it
    qtbot.keyClick(window.sidebar.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.drawer.isVisible())
    assert window.chat.input.hasFocus() and not window.conversations_action.isChecked()


def test_a_conversation_picked_in_the_drawer_opens_and_the_drawer_closes(qtbot, window):
    first = window.chat.conversation_id
    window.new_conversation()
    settle(qtbot, window, 960)
    window.drawer_button.click()
    qtbot.waitUntil(window.drawer.isVisible)
    items = [window.sidebar.list.item(row) for row in range(window.sidebar.list.count())]
    target = next(item for item in items if item.data(Qt.ItemDataRole.UserRole) == first)
    rect = window.sidebar.list.visualItemRect(target)
    qtbot.mouseClick(window.sidebar.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    qtbot.waitUntil(lambda: not window.drawer.isVisible())
    assert window.chat.conversation_id == first


def test_ctrl_f_in_a_narrow_window_opens_the_drawer_at_the_search(qtbot, window):
    settle(qtbot, window, 960)
    window.activateWindow()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_F, CTRL)
    qtbot.waitUntil(window.drawer.isVisible)
    assert window.sidebar.search.hasFocus()


def test_view_menu_toggles_each_panel_and_f6_moves_between_chat_and_tasks(qtbot, window):
    settle(qtbot, window, 1280, 800)
    window.activateWindow()
    window.chat.input.setFocus()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_B, CTRL)  # the conversations
    assert not window.sidebar.isVisible() and not window.conversations_action.isChecked()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_B, CTRL)
    assert window.sidebar.isVisible() and window.conversations_action.isChecked()
    alt = CTRL | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(window.chat.input, Qt.Key.Key_B, alt)  # the tasks, by the user's choice
    assert not window.tasks.isVisible() and not window.tasks_action.isChecked()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_F6)  # F6 brings them back, with the focus
    assert window.tasks.isVisible() and window.tasks.add_line.hasFocus()  # no tasks yet
    qtbot.keyClick(window.tasks.add_line, Qt.Key.Key_F6)
    assert window.chat.input.hasFocus()
    window.tasks.show_view("Done")  # empty, and no add box there: the views' sidebar
    qtbot.keyClick(window.chat.input, Qt.Key.Key_F6)
    assert window.tasks.sidebar.hasFocus()
    qtbot.keyClick(window.tasks.sidebar, Qt.Key.Key_F6)
    assert window.chat.input.hasFocus()
    names = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert "View" in names


def test_a_window_closed_while_folded_comes_back_with_its_three_panels(qtbot, workspace, gemini,
                                                                      memory_keyring):
    shown = open_window(workspace)
    qtbot.waitExposed(shown)
    settle(qtbot, shown, 960)
    close_window(qtbot, shown)
    reopened = open_window(workspace)
    try:
        qtbot.waitExposed(reopened)
        settle(qtbot, reopened, 1280, 800)
        assert on_screen(reopened.sidebar) and on_screen(reopened.chat) \
            and on_screen(reopened.tasks)
    finally:
        close_window(qtbot, reopened)
