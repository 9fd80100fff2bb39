"""The chat window end to end: real widgets, the real agent stack, a fake Gemini on loopback."""

import json

import pytest
from fake_gemini import bad_key, cut_off, quota, text, tool_calls
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton
from ui_helpers import answer_text, answers, idle, items, type_and_send, wait_for_answer

from app.config.keystore import SERVICE, USERNAME
from app.tasks.history import Origin
from app.ui.chat.chat_items import ApprovalItem, ErrorItem, MessageItem, ToolItem

CLI = Origin("cli")  # who the test's own writes are recorded as


def test_the_message_box_has_focus_when_the_window_opens(window):
    assert window.chat.input.hasFocus()


def test_an_answer_streams_in_as_markdown(qtbot, window, gemini):
    gemini.enqueue(text("# Plan\n\n", "- **milk**\n", "- eggs\n\n", "Done ", "for ", "now.",
                        delay=0.1))
    type_and_send(qtbot, window, "what should I buy?")
    # Part of the answer is on screen while the rest is still on its way.
    qtbot.waitUntil(lambda: "Plan" in answer_text(window), timeout=5000)
    assert window.chat.busy and window.chat.send_button.text() == "Stop"
    qtbot.waitUntil(lambda: idle(window), timeout=10_000)
    answer = answers(window)[-1]
    assert answer.view.toPlainText().endswith("Done for now.")
    document = answer.view.prose()[0].document()
    assert document.firstBlock().blockFormat().headingLevel() == 1
    assert any(document.findBlockByNumber(n).textList() is not None
               for n in range(document.blockCount()))  # the list is a real list
    assert window.chat.send_button.text() == "Send"
    user = [item for item in items(window, MessageItem) if item.role == "user"]
    assert user[-1].text == "what should I buy?"
    assert window.chat.input.toPlainText() == ""


def test_shift_enter_adds_a_line_and_enter_sends(qtbot, window, gemini):
    gemini.enqueue(text("Two lines received."))
    window.chat.input.setFocus()
    qtbot.keyClicks(window.chat.input, "first")
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.chat.input, "second")
    assert window.chat.input.toPlainText() == "first\nsecond"
    assert not gemini.requests
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "received" in answer_text(window), timeout=10_000)
    sent = gemini.requests[0]["messages"][-1]["content"]
    assert "first\nsecond" in json.dumps(sent).replace("\\n", "\n")


@pytest.mark.parametrize("how", ["escape", "stop button"])
def test_an_answer_can_be_stopped_mid_stream(qtbot, window, gemini, how):
    gemini.enqueue(text(*[f"word{n} " for n in range(200)], delay=0.05))
    type_and_send(qtbot, window, "tell me a long story")
    qtbot.waitUntil(lambda: "word2" in answer_text(window), timeout=5000)
    if how == "escape":
        qtbot.keyClick(window.chat.input, Qt.Key.Key_Escape)
    else:
        qtbot.mouseClick(window.chat.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: idle(window), timeout=5000)
    answer = answers(window)[-1]
    assert answer.note.text() == "Stopped" and "word199" not in answer.view.toPlainText()
    assert answer.continue_button.isVisible() and answer.retry_button.isVisible()
    # The conversation goes on normally afterwards.
    gemini.enqueue(text("Still here."))
    type_and_send(qtbot, window, "are you there?")
    wait_for_answer(qtbot, window, "Still here.", timeout=10_000)


def test_a_task_the_agent_adds_shows_inline_and_in_the_task_panel(qtbot, window, gemini,
                                                                  workspace):
    gemini.enqueue(tool_calls(("add_task", {"title": "Renew passport", "due": "2026-12-04"})),
                   text("Added it."))
    window.tasks.show_view("All")
    type_and_send(qtbot, window, "remind me to renew my passport on 4 Dec 2026")
    wait_for_answer(qtbot, window, "Added it.", timeout=10_000)
    tool = items(window, ToolItem)[-1]
    assert tool.ok and tool.text().startswith("✓ Added 'Renew passport', due ")
    [task] = workspace.store.list_tasks()
    qtbot.waitUntil(lambda: task.id in window.tasks.visible_task_ids(), timeout=5000)


def test_a_deletion_waits_for_approval_and_allow_deletes(qtbot, window, gemini, workspace):
    task = workspace.store.add("Old chore", by=CLI)
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})), text("Deleted."))
    type_and_send(qtbot, window, "delete the old chore")
    qtbot.waitUntil(lambda: bool(items(window, ApprovalItem)), timeout=10_000)
    card = items(window, ApprovalItem)[-1]
    assert "Old chore" in card.question.text() and f"id: {task.id}" in card.details.text()
    assert card.deny_button.isDefault() and card.deny_button.hasFocus()
    assert workspace.store.count() == 1  # nothing happens before the user answers
    qtbot.mouseClick(card.allow_button, Qt.MouseButton.LeftButton)
    wait_for_answer(qtbot, window, "Deleted.", timeout=10_000)
    assert workspace.store.count() == 0
    assert items(window, ToolItem)[-1].text().startswith("✓ Moved to the trash: 'Old chore'")


def test_deny_is_the_default_and_keeps_the_task(qtbot, window, gemini, workspace):
    task = workspace.store.add("Keep me", by=CLI)
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})), text("Kept it."))
    type_and_send(qtbot, window, "delete it")
    qtbot.waitUntil(lambda: bool(items(window, ApprovalItem)), timeout=10_000)
    qtbot.keyClick(items(window, ApprovalItem)[-1].deny_button, Qt.Key.Key_Space)
    wait_for_answer(qtbot, window, "Kept it.", timeout=10_000)
    assert workspace.store.get(task.id).title == "Keep me"
    # Said once, in words: the card tells the outcome and no tool line repeats it.
    assert items(window, ApprovalItem)[-1].question.text() == (
        "The assistant wants to: Delete task 1 'Keep me'. You said no, so nothing changed.")
    assert items(window, ToolItem) == []
    sent = gemini.requests[-1]["messages"][-1]
    assert sent["role"] == "tool" and "did not approve" in sent["content"]


def test_after_enter_denies_only_the_message_box_gets_the_keys_until_the_answer_ends(
        qtbot, window, gemini, workspace):
    """Keys typed while the answer still streams after the card must not reach another
    widget on the way (a Space there once pressed "New conversation")."""
    task = workspace.store.add("Keep me", by=CLI)
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})),
                   text(*[f"kept{n} " for n in range(20)], delay=0.05))
    window.activateWindow()
    type_and_send(qtbot, window, "delete it")
    qtbot.waitUntil(lambda: bool(items(window, ApprovalItem)), timeout=10_000)
    focused = []
    QApplication.instance().focusChanged.connect(lambda _old, new: focused.append(new))
    qtbot.keyClick(items(window, ApprovalItem)[-1].deny_button, Qt.Key.Key_Return)
    assert window.chat.input.hasFocus()
    qtbot.waitUntil(lambda: window.chat.input.hasFocus() and idle(window), timeout=10_000)
    assert focused and all(widget is window.chat.input for widget in focused)
    assert workspace.store.get(task.id).title == "Keep me"


def test_stopping_during_an_approval_deletes_nothing(qtbot, window, gemini, workspace):
    task = workspace.store.add("Keep me", by=CLI)
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})))
    type_and_send(qtbot, window, "delete it")
    qtbot.waitUntil(lambda: bool(items(window, ApprovalItem)), timeout=10_000)
    window.chat.stop()
    qtbot.waitUntil(lambda: idle(window), timeout=5000)
    card = items(window, ApprovalItem)[-1]
    assert not card.allow_button.isEnabled()
    assert card.question.text().endswith(". Nothing changed: the answer ended before you chose.")
    assert window.chat.input.hasFocus()
    assert workspace.store.get(task.id)


@pytest.mark.parametrize("reply, words, actions", [
    (bad_key(), "API key was rejected", ["Settings…", "Retry"]),
    (quota("90s"), "quota", ["Retry"]),
    (cut_off("Half an ans"), "cut off", ["Retry"]),
])
def test_errors_show_inline_with_retry(qtbot, window, gemini, reply, words, actions):
    gemini.enqueue(reply)
    type_and_send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: bool(items(window, ErrorItem)), timeout=10_000)
    error = items(window, ErrorItem)[-1]
    assert words.lower() in error.message.text().lower()
    assert "Traceback" not in error.message.text()
    assert list(error.buttons) == actions
    gemini.enqueue(text("Hello again."))
    qtbot.mouseClick(error.buttons["Retry"], Qt.MouseButton.LeftButton)
    wait_for_answer(qtbot, window, "Hello again.", timeout=10_000)
    assert not error.buttons["Retry"].isVisible()
    # Retry asked again for the same message rather than sending it twice.
    users = [m for m in gemini.requests[-1]["messages"] if m["role"] == "user"]
    assert [m["content"] for m in users] == ["hello"]


def test_a_rejected_key_offers_settings(qtbot, window, gemini):
    gemini.enqueue(bad_key())
    type_and_send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: bool(items(window, ErrorItem)), timeout=10_000)
    qtbot.mouseClick(items(window, ErrorItem)[-1].buttons["Settings…"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.settings_dialog is not None
                    and window.settings_dialog.isVisible())


def test_offline_shows_a_sentence_and_retry(qtbot, window, workspace):
    workspace.settings.set("base_url", "http://127.0.0.1:9/v1beta/openai/")  # nothing listens
    type_and_send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: bool(items(window, ErrorItem)), timeout=20_000)
    error = items(window, ErrorItem)[-1]
    assert "could not reach 127.0.0.1" in error.message.text().lower()
    assert list(error.buttons) == ["Retry"]


def test_retry_regenerates_the_last_answer(qtbot, window, gemini):
    gemini.enqueue(text("First answer."), text("Second answer."))
    type_and_send(qtbot, window, "suggest a name")
    wait_for_answer(qtbot, window, "First answer.", timeout=10_000)
    last = answers(window)[-1]
    assert last.retry_button.isVisible()
    qtbot.mouseClick(last.retry_button, Qt.MouseButton.LeftButton)
    wait_for_answer(qtbot, window, "Second answer.", timeout=10_000)
    assert [a.text for a in answers(window)] == ["Second answer."]
    # The first answer stays browsable: ‹ 2/2 ›, back to 1/2 and forward again.
    [answer] = answers(window)
    assert answer.version_label.isVisible() and answer.version_label.text() == "2/2"
    qtbot.mouseClick(answer.older, Qt.MouseButton.LeftButton)
    assert answer.version_label.text() == "1/2"
    assert answer.view.toPlainText() == "First answer."
    qtbot.mouseClick(answer.newer, Qt.MouseButton.LeftButton)
    assert answer.view.toPlainText() == "Second answer." and answer.text == "Second answer."


def test_copy_puts_the_message_markdown_on_the_clipboard(qtbot, window, gemini):
    gemini.enqueue(text("Use **bold** here."))
    type_and_send(qtbot, window, "hi")
    qtbot.waitUntil(lambda: idle(window) and bool(answers(window)), timeout=10_000)
    qtbot.mouseClick(answers(window)[-1].copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Use **bold** here."


def test_a_message_sent_before_the_agent_is_ready_waits_for_it(qtbot, window, gemini,
                                                             workspace):
    assert not workspace.agent.ready  # nothing has loaded the agent stack yet in this window
    gemini.enqueue(text("Ready now."))
    type_and_send(qtbot, window, "early question")
    wait_for_answer(qtbot, window, "Ready now.", timeout=20_000)


def test_without_a_key_the_chat_asks_for_one_and_tasks_still_work(qtbot, window, memory_keyring,
                                                                  workspace):
    memory_keyring.delete_password(SERVICE, USERNAME)
    window.check_key()
    qtbot.waitUntil(window.chat.key_prompt.isVisible, timeout=5000)
    type_and_send(qtbot, window, "add milk")
    qtbot.waitUntil(lambda: bool(items(window, ErrorItem)), timeout=10_000)
    error = items(window, ErrorItem)[-1]
    assert "No Gemini API key" in error.message.text()
    assert list(error.buttons) == ["Add API key…", "Retry"]
    window.tasks.add_line.setText("Buy milk")
    qtbot.keyClick(window.tasks.add_line, Qt.Key.Key_Return)
    assert [t.title for t in workspace.store.list_tasks()] == ["Buy milk"]


def _contrast(a, b) -> float:
    from app.ui.theme.tokens import contrast

    return contrast(QColor(a).name(), QColor(b).name())


def dark_palette():  # also the task panel's palette tests
    from PySide6.QtGui import QColor, QPalette

    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2d2d2d"),
                         (QPalette.ColorRole.Base, "#232323"),
                         (QPalette.ColorRole.AlternateBase, "#2b2b2b"),
                         (QPalette.ColorRole.Text, "#eeeeee"),
                         (QPalette.ColorRole.WindowText, "#eeeeee"),
                         (QPalette.ColorRole.Link, "#1d3f7a"),   # dark blue: unreadable here
                         (QPalette.ColorRole.Highlight, "#3d6fb4")):
        dark.setColor(role, QColor(colour))
    return dark


def high_contrast_palette():
    from PySide6.QtGui import QColor, QPalette

    contrast = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#000000"),
                         (QPalette.ColorRole.Base, "#000000"),
                         (QPalette.ColorRole.Text, "#ffffff"),
                         (QPalette.ColorRole.WindowText, "#ffffff"),
                         (QPalette.ColorRole.Highlight, "#ffff00")):
        contrast.setColor(role, QColor(colour))
    return contrast


@pytest.fixture
def themed(qapp):
    """The design system on the app for one test; then as the other tests expect it."""
    from app.ui.theme import apply

    palette, font, scheme = qapp.palette(), qapp.font(), apply.current()
    yield qapp
    qapp.setStyleSheet("")
    qapp.setPalette(palette)
    qapp.setFont(font)
    apply._current = scheme


def _pixel(widget, x: int, y: int) -> str:
    return widget.grab().toImage().pixelColor(x, y).name()


def test_colours_follow_the_theme(qtbot, window, gemini, themed):
    from app.ui.theme.apply import apply_theme
    from app.ui.theme.tokens import contrast

    gemini.enqueue(tool_calls(("add_task", {"title": "Tea"})), text("Hi."))
    type_and_send(qtbot, window, "hello")
    wait_for_answer(qtbot, window, "Hi.", timeout=10_000)
    for theme in ("light", "dark", "light"):
        scheme = apply_theme(themed, theme)  # what Settings → Appearance does
        user = [item for item in items(window, MessageItem) if item.role == "user"][-1]
        tool = items(window, ToolItem)[-1]
        # Your bubble is drawn in this scheme's accent_soft, not the last one's.
        qtbot.waitUntil(lambda user=user, scheme=scheme:
                        _pixel(user.bubble, 6, user.bubble.height() // 2) == scheme.accent_soft)
        # The tool line is quiet (muted ink) and still readable on the page.
        colour = tool.label.palette().color(tool.label.foregroundRole()).name()
        assert colour == scheme.muted and contrast(colour, scheme.page) >= 4.5


def test_high_contrast_keeps_plain_inks(qtbot, themed, monkeypatch):
    from app.ui.chat.chat_items import ToolItem
    from app.ui.theme import apply

    monkeypatch.setattr(apply, "system_prefers_high_contrast", lambda: True)
    scheme = apply.apply_theme(themed, "system")
    assert scheme.name == "contrast"
    line = ToolItem("Added 'Tea'", change=None)
    qtbot.addWidget(line)
    line.show()
    colour = line.label.palette().color(line.label.foregroundRole())
    assert colour == QColor("#ffffff")  # no tint that blurs the edges


def code_colours(block) -> set[str]:
    """The colour every run of the block's code is drawn in."""
    from PySide6.QtGui import QPalette

    default = block.code.palette().color(QPalette.ColorRole.Text)
    colours, fragment = set(), block.code.document().begin().begin()
    while not fragment.atEnd():
        brush = fragment.fragment().charFormat().foreground()
        colours.add((brush.color() if brush.style() != Qt.BrushStyle.NoBrush else default).name())
        fragment += 1
    return colours


def test_code_shown_again_is_coloured_once_on_screen_not_before(qtbot, themed):
    """A conversation shown again at start: its blocks are complete before the window's first
    frame, which must not wait for Pygments. The code is drawn, then coloured."""
    from app.ui.chat.code_block import CodeBlock

    block = CodeBlock("python")
    qtbot.addWidget(block)
    block.append("def add(task):\n    return task\n")
    block.finish()  # complete, as a restored answer's block is, before it is shown
    assert len(code_colours(block)) == 1  # plain so far
    block.show()
    qtbot.waitUntil(lambda: len(code_colours(block)) > 1)  # "def", the name, "return"
    assert block.text == "def add(task):\n    return task"


def test_code_stays_readable_when_the_theme_switches(qtbot, themed, monkeypatch):
    from app.ui.chat.code_block import CodeBlock
    from app.ui.theme import apply

    block = CodeBlock("sh")
    qtbot.addWidget(block)
    block.append('task-assistant tasks list --due-before "in 7 days"\n')
    block.finish()  # highlighted in the light palette it was written in
    block.show()
    for theme, high_contrast in (("dark", False), ("system", True), ("light", False)):
        monkeypatch.setattr(apply, "system_prefers_high_contrast", lambda hc=high_contrast: hc)
        monkeypatch.setattr(apply, "system_prefers_dark", lambda: False)
        scheme = apply.apply_theme(themed, theme)  # switched while the answer is shown
        background = QColor(scheme.sunken)
        qtbot.waitUntil(lambda background=background: all(
            _contrast(QColor(c), background) >= 3 for c in code_colours(block)))
        assert block.text.startswith("task-assistant")  # the code itself is untouched


def test_first_run_add_key_from_the_prompt_then_chat(qtbot, window, gemini, memory_keyring):
    memory_keyring.delete_password(SERVICE, USERNAME)
    window.check_key()
    qtbot.waitUntil(window.chat.key_prompt.isVisible, timeout=5000)
    add = [b for b in window.chat.key_prompt.findChildren(QPushButton)
           if b.text() == "Add API key…"][0]
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.key_edit.hasFocus())
    qtbot.keyClicks(dialog.key_edit, "pasted-key-123456789")
    dialog.save_key()
    qtbot.waitUntil(lambda: not window.chat.key_prompt.isVisible(), timeout=5000)
    assert memory_keyring.get_password(SERVICE, USERNAME) == "pasted-key-123456789"
    gemini.enqueue(text("Hello with a key."))
    type_and_send(qtbot, window, "hello")
    wait_for_answer(qtbot, window, "Hello with a key.")
    assert gemini.headers[-1]["authorization"] == "Bearer pasted-key-123456789"
