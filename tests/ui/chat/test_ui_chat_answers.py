"""The chat as the best chat apps have it: code blocks, versions, editing, focus, long histories.

Real widgets and the real agent stack against the fake Gemini on loopback.
"""

from fake_gemini import quota, text
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton
from ui_helpers import answer_text, answers, idle, items, type_and_send, wait_for_answer

from app.ui.chat.chat_items import ErrorItem, MessageItem, NoticeItem
from app.ui.chat.code_block import CodeBlock

LONG_LINE = "x = " + " + ".join(f"value_{n}" for n in range(60))
CODE_ANSWER = f"Here:\n\n```python\ndef f():\n    return 1\n{LONG_LINE}\n```\n\nThat is all."


def test_a_code_block_scrolls_on_its_own_with_label_highlighting_and_copy(qtbot, window,
                                                                         gemini):
    window.resize(700, 600)
    gemini.enqueue(text(*[CODE_ANSWER[i:i + 7] for i in range(0, len(CODE_ANSWER), 7)]))
    type_and_send(qtbot, window, "show me code")
    qtbot.waitUntil(lambda: idle(window) and bool(answers(window)), timeout=10_000)
    body = answers(window)[-1].view
    [block] = body.code_blocks()
    assert block.label.text() == "python"
    assert block.text == f"def f():\n    return 1\n{LONG_LINE}"
    # Its own horizontal scroll bar; the answer around it never scrolls sideways.
    qtbot.waitUntil(lambda: block.code.horizontalScrollBar().maximum() > 0)
    assert all(view.horizontalScrollBar().maximum() == 0 for view in body.prose())
    assert window.chat.view.horizontalScrollBar().maximum() == 0
    assert [view.toPlainText() for view in body.prose()] == ["Here:", "That is all."]
    # The last line is not under the scroll bar: the view is tall enough for every line.
    lines = block.code.document().blockCount()
    bar = block.code.horizontalScrollBar().sizeHint().height()
    assert block.code.height() >= lines * block.code.fontMetrics().lineSpacing() + bar
    # Pygments coloured the keyword.
    from PySide6.QtGui import QTextCursor

    keyword, name = QTextCursor(block.code.document()), QTextCursor(block.code.document())
    keyword.setPosition(2)  # inside "def"
    name.setPosition(6)     # inside "f"
    assert keyword.charFormat().foreground().color() != name.charFormat().foreground().color()
    # Tab reaches it; a click copies without taking the focus from the message box
    assert block.copy_button.focusPolicy() == Qt.FocusPolicy.TabFocus
    assert block.copy_button.text() == "Copy code"  # not a second "Copy" above the message's
    qtbot.mouseClick(block.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == block.text


def test_the_text_column_keeps_a_readable_width_on_a_wide_window(qtbot, window, gemini):
    gemini.enqueue(text("word " * 300))
    window.resize(2400, 700)
    type_and_send(qtbot, window, "lots")
    qtbot.waitUntil(lambda: idle(window) and bool(answers(window)), timeout=10_000)
    answer = answers(window)[-1]
    qtbot.waitUntil(lambda: answer.width() < window.chat.view.viewport().width() - 200)
    assert answer.width() <= window.chat.view.fontMetrics().averageCharWidth() * 130


def test_your_message_shows_newlines_as_typed(qtbot, window, gemini):
    gemini.enqueue(text("Two lines."))
    window.chat.input.setFocus()
    qtbot.keyClicks(window.chat.input, "first *line*")
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.chat.input, "second")
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)
    wait_for_answer(qtbot, window, "Two lines.")
    mine = [item for item in items(window, MessageItem) if item.role == "user"][-1]
    assert mine.view.text() == "first *line*\nsecond"  # as typed: lines kept, no markdown


def test_enter_while_an_answer_streams_says_why_and_keeps_the_text(qtbot, window, gemini):
    gemini.enqueue(text(*[f"w{n} " for n in range(200)], delay=0.03), text("Next."))
    type_and_send(qtbot, window, "long")
    qtbot.waitUntil(lambda: "w2" in answer_text(window), timeout=10_000)
    type_and_send(qtbot, window, "second question")
    assert window.chat.input.toPlainText() == "second question"
    assert "Esc" in window.chat.status.text() and window.chat.status.isVisible()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: idle(window), timeout=10_000)
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)
    wait_for_answer(qtbot, window, "Next.")


def test_edit_your_last_message_and_send_it_again(qtbot, window, gemini, workspace):
    gemini.enqueue(text("Tea it is."), text("Coffee it is."))
    type_and_send(qtbot, window, "I like tea")
    wait_for_answer(qtbot, window, "Tea it is.")
    window.chat.input.setFocus()
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Up)  # an empty box: Up edits the last one
    assert window.chat.input.toPlainText() == "I like tea"
    assert "Editing" in window.chat.status.text()
    window.chat.input.selectAll()
    qtbot.keyClicks(window.chat.input, "I like coffee")
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)
    wait_for_answer(qtbot, window, "Coffee it is.")
    assert [m.text for m in items(window, MessageItem)] == ["I like coffee", "Coffee it is."]
    history = workspace.conversations.history(window.chat.conversation_id)
    assert [m.text for m in history] == ["I like coffee", "Coffee it is."]
    sent = [m["content"] for m in gemini.requests[-1]["messages"] if m["role"] == "user"]
    assert sent == ["I like coffee"]


def test_only_the_newest_errors_retry_is_live(qtbot, window, gemini):
    gemini.enqueue(quota("90s"))
    type_and_send(qtbot, window, "first")
    qtbot.waitUntil(lambda: len(items(window, ErrorItem)) == 1 and idle(window), timeout=10_000)
    gemini.enqueue(quota("90s"))
    type_and_send(qtbot, window, "second")
    qtbot.waitUntil(lambda: len(items(window, ErrorItem)) == 2 and idle(window), timeout=10_000)
    old, new = items(window, ErrorItem)
    assert not old.live and new.live
    old.action_requested.emit("Retry")  # even a stray click on it does nothing
    assert idle(window) and gemini.pending == 0


def test_the_retry_notice_counts_down_and_a_final_failure_leaves_one_sentence(qtbot, window,
                                                                             gemini):
    gemini.enqueue(quota("2s"), quota("2s"), quota("2s"))
    type_and_send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: bool(items(window, NoticeItem)), timeout=10_000)
    notice = items(window, NoticeItem)[-1]
    assert notice.text().endswith("trying again in 2 s.")
    qtbot.waitUntil(lambda: "in 1 s" in notice.text() or "now" in notice.text(), timeout=3000)
    qtbot.waitUntil(lambda: idle(window), timeout=20_000)
    assert not items(window, NoticeItem)  # the notices made way for the outcome
    [error] = items(window, ErrorItem)
    assert "quota" in error.message.text().lower()


def test_a_scroll_to_bottom_button_appears_when_scrolled_up(qtbot, window, gemini):
    gemini.enqueue(text("\n\n".join(f"Paragraph {n}." for n in range(80))))
    type_and_send(qtbot, window, "lots")
    qtbot.waitUntil(lambda: idle(window) and bool(answers(window)), timeout=10_000)
    view = window.chat.view
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    assert not view.to_bottom.isVisible()
    bar.setValue(0)
    qtbot.waitUntil(view.to_bottom.isVisible)
    qtbot.mouseClick(view.to_bottom, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() and not view.to_bottom.isVisible())


def test_stopped_answer_continue_sends_and_the_model_sees_the_stopped_text(qtbot, window,
                                                                          gemini):
    gemini.enqueue(text(*[f"w{n} " for n in range(200)], delay=0.03), text("…the end."))
    type_and_send(qtbot, window, "tell me")
    qtbot.waitUntil(lambda: "w2" in answer_text(window), timeout=10_000)
    window.chat.stop()
    qtbot.waitUntil(lambda: idle(window), timeout=10_000)
    stopped = answers(window)[-1]
    said = stopped.text
    qtbot.mouseClick(stopped.continue_button, Qt.MouseButton.LeftButton)
    wait_for_answer(qtbot, window, "…the end.")
    assert not stopped.continue_button.isVisible()  # only the last answer offers it
    sent = [(m["role"], m["content"]) for m in gemini.requests[-1]["messages"][1:]]
    assert sent == [("user", "tell me"), ("assistant", said), ("user", "Continue")]


def _tab_walk(qtbot, window, start) -> list:
    """Focus after each Tab from `start` until it leaves the transcript."""
    chat = window.chat
    walked: list = []
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    qtbot.keyClick(start, Qt.Key.Key_Tab)
    while True:
        focused = QApplication.focusWidget()
        if focused is not chat.view and not chat.view.isAncestorOf(focused):
            return walked
        walked.append(focused)
        assert len(walked) < 100, "Tab never left the transcript"
        qtbot.keyClick(focused, Qt.Key.Key_Tab)


def test_tab_walks_the_transcript_message_by_message_and_reaches_every_action(
        qtbot, window, gemini, workspace):
    from fake_gemini import tool_calls

    from app.tasks import Origin
    from app.ui.chat.chat_items import ToolItem

    task = workspace.store.add("Call Ana", by=Origin("cli"))
    gemini.enqueue(text("Hi."))
    type_and_send(qtbot, window, "hello")
    wait_for_answer(qtbot, window, "Hi.")
    gemini.enqueue(tool_calls(("complete_task", {"id": task.id})),
                   text("Done. Run:\n\n```sh\nls -la\n```\n"))
    type_and_send(qtbot, window, "I called Ana")
    qtbot.waitUntil(lambda: idle(window) and "Done. Run:" in answer_text(window),
                    timeout=10_000)
    window.activateWindow()
    first_question, first_answer, question, answer = items(window, MessageItem)
    [tool] = items(window, ToolItem)
    [code] = answer.findChildren(CodeBlock)

    walked = _tab_walk(qtbot, window, window.chat.send_button)
    assert walked[0] is window.chat.view  # one stop to scroll with the arrows, then the messages
    messages = [stop for stop in walked if isinstance(stop, MessageItem)]
    assert messages == [first_question, first_answer, question, answer]  # in reading order
    position = {id(stop): n for n, stop in enumerate(walked)}
    for owner, actions in ((first_question, [first_question.copy_button]),
                           (question, [question.copy_button, question.edit_button]),
                           (tool, [tool.undo_button]),
                           (answer, [answer.copy_button, answer.retry_button,
                                     answer.undo_all_button, code.copy_button])):
        for action in actions:  # each action follows its own message
            assert id(action) in position, action.accessibleName()
            if isinstance(owner, MessageItem):
                assert position[id(owner)] < position[id(action)]
    assert walked.index(question.edit_button) < walked.index(tool.undo_button) \
        < walked.index(answer)

    clipboard = QGuiApplication.clipboard()
    code.copy_button.setFocus()
    qtbot.keyClick(code.copy_button, Qt.Key.Key_Space)  # Space presses the focused action
    assert clipboard.text().strip() == "ls -la"
    answer.copy_button.setFocus()
    qtbot.keyClick(answer.copy_button, Qt.Key.Key_Space)
    assert clipboard.text().startswith("Done. Run:")
    answer.undo_all_button.setFocus()
    qtbot.keyClick(answer.undo_all_button, Qt.Key.Key_Space)
    assert workspace.store.get(task.id).status == "open"
    question.edit_button.setFocus()
    qtbot.keyClick(question.edit_button, Qt.Key.Key_Space)
    assert window.chat.input.toPlainText() == "I called Ana" and window.chat.input.hasFocus()


def test_f1_and_ctrl_slash_show_every_shortcut_and_focus_returns(qtbot, window):
    for keys in ((Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier),
                 (Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)):
        window.chat.input.setFocus()
        qtbot.keyClick(window.chat.input, *keys)
        sheet = window.shortcut_sheet
        qtbot.waitUntil(lambda sheet=sheet: sheet is not None and sheet.isVisible())
        for shown in ("Ctrl+R", "F2", "Alt+A", "Ctrl+End", "Esc"):
            assert shown in sheet.table.text()
        [close] = sheet.findChildren(QPushButton)
        assert close.text().replace("&", "") == "Close" and close.icon().isNull()  # no stock X
        sheet.reject()
        qtbot.waitUntil(window.chat.input.hasFocus)


def _sheet_keys(keys: str) -> list[str]:
    """A sheet entry's key combinations ("Ctrl+1 … Ctrl+5", "Ctrl+Z / Ctrl+Shift+Z"). Keys held
    down ("Hold Ctrl+Shift+Space") are read by the widget's key events, not a shortcut: the
    voice tests hold them (tests/ui/chat/test_ui_voice.py)."""
    keys = keys.split(" (")[0]
    if keys.startswith("Hold "):
        return []
    if " … " in keys:
        first, last = keys.split(" … ")
        prefix = first.rstrip("0123456789")
        return [f"{prefix}{n}" for n in range(int(first[len(prefix):]),
                                               int(last[len(prefix):]) + 1)]
    return [part for chunk in keys.split(" or ") for part in chunk.split(" / ")]


def test_every_shortcut_on_the_sheet_is_bound(qtbot, window):
    """The sheet is true: every combination with Ctrl, Alt or a function key it lists is a
    live shortcut of the window (or of an approval card's buttons)."""
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from app.ui.chat.chat_items import ApprovalItem
    from app.ui.shortcut_sheet import SHORTCUTS

    card = ApprovalItem("Delete task 1 'x'?", {"id": 1})
    qtbot.addWidget(card)
    bound = {sequence.toString() for action in window.findChildren(QAction)
             for sequence in action.shortcuts()}
    bound |= {shortcut.key().toString() for shortcut in window.findChildren(QShortcut)}
    bound |= {shortcut.key().toString() for shortcut in card.findChildren(QShortcut)}
    listed = [combination for _, entries in SHORTCUTS for keys, _what in entries
              for combination in _sheet_keys(keys)
              if "Ctrl+" in combination or "Alt+" in combination
              or combination[:1] == "F" and combination[1:].isdigit()]
    assert "F6" in listed and "Ctrl+5" in listed
    unbound = [combination for combination in listed
               if QKeySequence(combination.replace("Enter", "Return")).toString() not in bound]
    assert unbound == []


def test_view_keys_work_from_the_message_box_and_f6_goes_to_the_tasks_and_back(qtbot, window,
                                                                              workspace):
    from app.tasks import Origin

    workspace.store.add("Water the plants", by=Origin("cli"))
    window.activateWindow()
    window.chat.input.setFocus()
    qtbot.waitUntil(window.chat.input.hasFocus)
    qtbot.keyClick(window.chat.input, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tasks.current_view == "All"
    qtbot.keyClick(window.chat.input, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.tasks.current_view == "Trash"
    qtbot.keyClick(window.chat.input, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.tasks.view.isVisible)
    qtbot.keyClick(window.chat.input, Qt.Key.Key_F6)
    assert window.tasks.view.hasFocus()
    qtbot.keyClick(window.tasks.view, Qt.Key.Key_F6)
    assert window.chat.input.hasFocus()


def test_every_control_in_the_chat_has_an_accessible_name(qtbot, window, gemini):
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit

    gemini.enqueue(text("Code:\n\n```sh\nls\n```\n"))
    type_and_send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: idle(window) and bool(answers(window)), timeout=10_000)
    controls = [w for kind in (QAbstractButton, QLineEdit, QPlainTextEdit)
                for w in window.findChildren(kind) if w.isVisible()]
    unnamed = [w for w in controls if not (w.accessibleName() or
                                          (isinstance(w, QAbstractButton) and w.text()))]
    assert not unnamed
    answer = answers(window)[-1]
    assert answer.accessibleName() == "Assistant"
