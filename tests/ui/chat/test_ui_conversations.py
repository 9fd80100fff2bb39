"""The conversations sidebar: new, switch, rename, delete (asks first), search, reopen."""

from fake_gemini import text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from qt_fixtures import close_window, open_window
from ui_helpers import (
    MessageItem,
    answer_text,
    assert_default_is_shown,
    items,
    type_and_send,
    wait_for_answer,
)


def titles(window) -> list[str]:
    listed = window.sidebar.list
    return [listed.item(row).text() for row in range(listed.count())]


def chat(qtbot, window, gemini, question: str, answer: str) -> None:
    gemini.enqueue(text(answer))
    type_and_send(qtbot, window, question)
    wait_for_answer(qtbot, window, answer)


def shown_texts(window) -> list[str]:
    return [item.text for item in items(window, MessageItem)]


def test_ctrl_n_starts_a_new_conversation_named_after_its_first_message(qtbot, window, gemini):
    chat(qtbot, window, gemini, "plan my week", "Sure.")
    first = window.chat.conversation_id
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.chat.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.conversation_id != first
    assert shown_texts(window) == [] and window.chat.input.hasFocus()
    assert titles(window) == ["New conversation", "plan my week"]
    chat(qtbot, window, gemini, "groceries", "Milk.")
    assert titles(window) == ["groceries", "plan my week"]


def test_ctrl_n_on_an_empty_conversation_keeps_it_rather_than_piling_up_empty_ones(
        qtbot, window, gemini, workspace):
    chat(qtbot, window, gemini, "plan my week", "Sure.")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for _ in range(3):
        qtbot.keyClick(window.chat.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert titles(window) == ["New conversation", "plan my week"]
    assert len(workspace.conversations.list()) == 2 and window.chat.input.hasFocus()


def test_switching_shows_that_conversations_history(qtbot, window, gemini):
    chat(qtbot, window, gemini, "first topic", "Answer one.")
    window.new_conversation()
    chat(qtbot, window, gemini, "second topic", "Answer two.")
    window.sidebar.list.setCurrentRow(titles(window).index("first topic"))
    assert shown_texts(window) == ["first topic", "Answer one."]
    # History is sent to the model too: the next turn continues the first conversation.
    chat(qtbot, window, gemini, "and more?", "More.")
    sent = [m["content"] for m in gemini.requests[-1]["messages"] if m["role"] == "user"]
    assert sent == ["first topic", "and more?"]


def test_the_chat_is_headed_by_its_conversations_name_which_follows_a_rename(
        qtbot, window, gemini, workspace):
    heading = window.chat.heading
    assert not heading.isVisible()  # the welcome: no conversation to name yet
    chat(qtbot, window, gemini, "plan my week", "Sure.")
    qtbot.waitUntil(lambda: heading.isVisible() and heading.text() == "plan my week")
    workspace.conversations.rename(window.chat.conversation_id, "Weekly plan")  # the CLI, say
    qtbot.waitUntil(lambda: heading.text() == "Weekly plan")
    narrowest = window.minimumSizeHint().width()
    long_name = "The plan for every week of the coming year, with all the details " * 3
    workspace.conversations.rename(window.chat.conversation_id, long_name)
    qtbot.waitUntil(lambda: heading.text().endswith("…") and heading.toolTip() == long_name.strip())
    assert window.minimumSizeHint().width() == narrowest  # a long name never holds it wide
    window.new_conversation()
    assert not heading.isVisible()


def test_the_heading_reads_whole_when_the_window_opens_on_a_conversation(
        qtbot, app_home, request):
    """The last conversation is opened as the window is built, when the chat is a few pixels
    wide: its name is cut again once the window is shown at its size."""
    import asyncio

    from app.conversations.store import ConversationStore

    with ConversationStore(app_home / "conversations.sqlite3") as conversations:
        talk = conversations.create("Passport and dentist")
        asyncio.run(conversations.session(talk.id).add_items(
            [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi."}]))
    shown = open_window(request.getfixturevalue("workspace"))  # a first start: no saved size
    try:
        qtbot.waitUntil(lambda: shown.chat.heading.text() == "Passport and dentist")
    finally:
        close_window(qtbot, shown)


def test_rename_in_place(qtbot, window, gemini, workspace):
    chat(qtbot, window, gemini, "hello", "Hi.")
    listed = window.sidebar.list
    listed.setFocus()
    qtbot.keyClick(listed, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit)
                    and QApplication.focusWidget() is not window.sidebar.search)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Weekly plan")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: workspace.conversations.get(window.chat.conversation_id).title
                    == "Weekly plan")
    assert titles(window) == ["Weekly plan"]


def test_a_blank_name_is_refused_and_the_old_one_kept(qtbot, window, gemini, workspace):
    chat(qtbot, window, gemini, "hello", "Hi.")
    item = window.sidebar.list.item(0)
    item.setText("   ")  # what the in-place editor commits
    assert workspace.conversations.get(window.chat.conversation_id).title == "hello"
    assert titles(window) == ["hello"]
    assert window.sidebar.problem.isVisible() and "title" in window.sidebar.problem.text()


def confirm_box(window) -> QMessageBox:
    return window.sidebar.confirm


def test_delete_asks_first_and_cancel_keeps_it(qtbot, window, gemini, workspace):
    chat(qtbot, window, gemini, "keep this", "Kept.")
    window.sidebar.list.setFocus()
    qtbot.keyClick(window.sidebar.list, Qt.Key.Key_Delete)
    box = confirm_box(window)
    assert box is not None and box.isVisible() and "keep this" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert_default_is_shown(box)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: confirm_box(window) is None)
    assert [c.title for c in workspace.conversations.list()] == ["keep this"]


def test_deleting_the_open_conversation_moves_to_the_next(qtbot, window, gemini, workspace):
    chat(qtbot, window, gemini, "older", "One.")
    window.new_conversation()
    chat(qtbot, window, gemini, "doomed", "Two.")
    window.sidebar.delete_current()
    box = confirm_box(window)
    delete = [b for b in box.buttons() if b.text().replace("&", "") == "Delete"][0]
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: titles(window) == ["older"])
    assert [c.title for c in workspace.conversations.list()] == ["older"]
    assert shown_texts(window) == ["older", "One."]


def test_search_finds_conversations_by_what_was_said(qtbot, window, gemini):
    chat(qtbot, window, gemini, "passport renewal", "Noted the embassy visit.")
    window.new_conversation()
    chat(qtbot, window, gemini, "groceries", "Milk and eggs.")
    qtbot.keyClicks(window.sidebar.search, "embassy")
    assert titles(window) == ["passport renewal"]
    assert not window.sidebar.no_match.isVisible()
    window.sidebar.search.clear()
    assert titles(window) == ["groceries", "passport renewal"]
    qtbot.keyClicks(window.sidebar.search, "volcano")
    assert titles(window) == []  # and the empty list says why, not a blank column
    assert window.sidebar.no_match.isVisible()
    assert window.sidebar.no_match.text() == "No conversation mentions “volcano”."
    window.sidebar.search.clear()
    assert not window.sidebar.no_match.isVisible()


def test_the_last_conversation_and_window_size_come_back_after_a_restart(qtbot, window, gemini,
                                                                        workspace):
    chat(qtbot, window, gemini, "remember me", "I will.")
    window.new_conversation()
    chat(qtbot, window, gemini, "other", "Fine.")
    window.sidebar.list.setCurrentRow(titles(window).index("remember me"))
    window.resize(780, 500)  # the offscreen screen is 800×600; the window is at least ~740 wide
    shown_id = window.chat.conversation_id
    close_window(qtbot, window)

    reopened = open_window(workspace)
    try:
        assert reopened.chat.conversation_id == shown_id
        assert shown_texts(reopened) == ["remember me", "I will."]
        assert (reopened.width(), reopened.height()) == (780, 500)
        assert reopened.chat.input.hasFocus() or not reopened.isActiveWindow()
    finally:
        close_window(qtbot, reopened)


def test_switching_away_mid_answer_stops_it_and_leaves_the_other_conversation_clean(
        qtbot, window, gemini):
    chat(qtbot, window, gemini, "quiet one", "Short.")
    window.new_conversation()
    gemini.enqueue(text(*[f"word{n} " for n in range(300)], delay=0.02))
    type_and_send(qtbot, window, "long one")
    qtbot.waitUntil(lambda: "word2" in answer_text(window), timeout=10_000)
    window.sidebar.list.setCurrentRow(titles(window).index("quiet one"))
    qtbot.waitUntil(lambda: not window.chat.busy, timeout=10_000)
    assert [type(item).__name__ for item in items(window)] == ["MessageItem", "MessageItem"]
    assert shown_texts(window) == ["quiet one", "Short."]


def test_what_the_agent_did_is_still_shown_after_a_restart(qtbot, window, gemini, workspace):
    from fake_gemini import tool_calls

    from app.ui.chat.chat_items import ToolItem

    gemini.enqueue(tool_calls(("add_task", {"title": "Buy milk"})), text("Added."))
    type_and_send(qtbot, window, "add milk")
    wait_for_answer(qtbot, window, "Added.")
    close_window(qtbot, window)
    reopened = open_window(workspace)
    try:
        assert [item.text() for item in items(reopened, ToolItem)] == ["✓ Added 'Buy milk'"]
        assert shown_texts(reopened) == ["add milk", "Added."]
    finally:
        close_window(qtbot, reopened)


def test_a_conversation_made_by_task_assistant_ask_appears_in_the_open_sidebar(
        qtbot, window, gemini, app_home):
    import subprocess

    from conftest import CLI, TEST_KEY, cli_env

    window.live.poll_timer.setInterval(50)
    gemini.enqueue(text("Nothing today."))
    env = cli_env(app_home, GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=gemini.base_url)
    subprocess.run([*CLI, "ask", "anything due from the terminal?"], env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    qtbot.waitUntil(lambda: "anything due from the terminal?" in titles(window), timeout=5000)


def test_the_list_keeps_its_own_focus_arrows_walk_it_and_f2_renames(qtbot, window, gemini,
                                                                     workspace):
    chat(qtbot, window, gemini, "first talk", "One.")
    window.new_conversation()
    chat(qtbot, window, gemini, "second talk", "Two.")
    listed = window.sidebar.list
    listed.setFocus()
    qtbot.mouseClick(listed.viewport(), Qt.MouseButton.LeftButton,
                     pos=listed.visualItemRect(listed.item(0)).center())
    assert listed.hasFocus()  # a click opens the conversation but leaves the keys here
    qtbot.keyClick(listed, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: shown_texts(window) == ["first talk", "One."])
    assert listed.hasFocus()
    qtbot.keyClick(listed, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Renamed by keys")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Renamed by keys" in titles(window))
    assert not any("Renamed" in m.text for m in items(window, MessageItem))  # not sent as text


def test_delete_by_keyboard_asks_and_the_list_keeps_the_focus(qtbot, window, gemini,
                                                              workspace):
    chat(qtbot, window, gemini, "keep", "Kept.")
    window.new_conversation()
    chat(qtbot, window, gemini, "drop me", "Dropped.")
    listed = window.sidebar.list
    listed.setFocus()
    listed.setCurrentRow(titles(window).index("drop me"))
    qtbot.keyClick(listed, Qt.Key.Key_Delete)
    box = window.sidebar.confirm
    assert box is not None and box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    [delete] = [b for b in box.buttons() if b.text().replace("&", "") == "Delete"]
    delete.click()
    qtbot.waitUntil(lambda: [c.title for c in workspace.conversations.list()] == ["keep"])
    qtbot.waitUntil(listed.hasFocus)


def test_search_box_down_and_enter_reach_the_results_and_esc_clears(qtbot, window, gemini):
    chat(qtbot, window, gemini, "about tea", "Tea.")
    window.new_conversation()
    chat(qtbot, window, gemini, "about coffee", "Coffee.")
    search = window.sidebar.search
    search.setFocus()
    qtbot.keyClicks(search, "tea")
    qtbot.waitUntil(lambda: titles(window) == ["about tea"])
    qtbot.keyClick(search, Qt.Key.Key_Down)
    assert window.sidebar.list.hasFocus()
    qtbot.waitUntil(lambda: shown_texts(window) == ["about tea", "Tea."])
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == "" and titles(window) == ["about coffee", "about tea"]
    qtbot.keyClicks(search, "coffee")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert window.sidebar.list.hasFocus()
    qtbot.waitUntil(lambda: shown_texts(window) == ["about coffee", "Coffee."])


def test_a_reopened_conversation_looks_like_the_live_one(qtbot, window, gemini, workspace):
    from fake_gemini import quota, tool_calls

    from app.ui.chat.chat_items import ErrorItem, ToolItem

    gemini.enqueue(tool_calls(("add_task", {"title": "Tea"})), text("Added it."))
    type_and_send(qtbot, window, "add tea")
    wait_for_answer(qtbot, window, "Added it.")
    gemini.enqueue(text(*[f"word{n} " for n in range(300)], delay=0.02))
    type_and_send(qtbot, window, "long one")
    qtbot.waitUntil(lambda: "word2" in answer_text(window), timeout=10_000)
    window.chat.stop()
    qtbot.waitUntil(lambda: not window.chat.busy, timeout=10_000)
    gemini.enqueue(quota("90s"))
    type_and_send(qtbot, window, "one more")
    qtbot.waitUntil(lambda: bool(items(window, ErrorItem)), timeout=10_000)
    qtbot.waitUntil(lambda: not window.chat.busy, timeout=10_000)

    def look(shown_window):
        return [(type(item).__name__, getattr(item, "role", ""),
                 item.note.text() if isinstance(item, MessageItem) else "",
                 item.retry_button.isVisibleTo(item) if isinstance(item, MessageItem) else None,
                 item.continue_button.isVisibleTo(item) if isinstance(item, MessageItem)
                 else None,
                 item.live if isinstance(item, ErrorItem) else None)
                for item in items(shown_window)]

    live = look(window)
    close_window(qtbot, window)
    reopened = open_window(workspace)
    try:
        again = look(reopened)
        assert [row[:5] for row in again] == [row[:5] for row in live]
        assert again[-1][0] == "ErrorItem" and again[-1][5]  # the unanswered message: Retry
        assert items(reopened, ToolItem)[0].text() == "✓ Added 'Tea'"
    finally:
        close_window(qtbot, reopened)
