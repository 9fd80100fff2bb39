"""The chat as the redesign draws it (issue 23): the welcome, the centred column, your bubble,
actions on hover or focus, the composer, the conversation list's dates and the quick-ask
launcher. Real widgets, the real window and a fake Gemini on loopback."""

from datetime import UTC, datetime

import pytest
from fake_gemini import text
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import answers, items, type_and_send, wait_for_answer

from app.ui.chat.chat_items import MessageItem
from app.ui.chat.welcome import EXAMPLES
from app.ui.theme.tokens import LIGHT, READABLE_WIDTH


@pytest.fixture
def themed(qapp):
    """The design system on the app for one test; then as the other tests expect it."""
    from app.ui.theme import apply

    palette, font, scheme = qapp.palette(), qapp.font(), apply.current()
    apply.apply_theme(qapp, "light")
    yield qapp
    qapp.setStyleSheet("")
    qapp.setPalette(palette)
    qapp.setFont(font)
    apply._current = scheme


def _settle(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width)
    QApplication.processEvents()


def _span(widget) -> tuple[int, int]:
    """The widget's left and right edges in its window's coordinates."""
    left = widget.mapTo(widget.window(), QPoint(0, 0)).x()
    return left, left + widget.width()


def last_sent(gemini) -> str:
    return gemini.requests[-1]["messages"][-1]["content"]


def test_the_welcome_offers_examples_and_clicking_one_sends_it(qtbot, window, gemini):
    window.chat.start_fresh()
    welcome = window.chat.welcome
    qtbot.waitUntil(welcome.isVisible)
    assert not window.chat.view.isVisible()  # no empty transcript behind it
    shown = [button.text() for button in welcome.examples if button.isVisible()]
    assert 3 <= len(shown) <= 4 and shown == list(EXAMPLES)
    gemini.enqueue(text("Nothing is due this week."))
    qtbot.mouseClick(welcome.examples[0], Qt.MouseButton.LeftButton)
    wait_for_answer(qtbot, window, "Nothing is due this week.")
    assert last_sent(gemini) == EXAMPLES[0]
    assert window.chat.view.isVisible() and not welcome.isVisible()
    assert [item.text for item in items(window, MessageItem)][0] == EXAMPLES[0]


def test_without_a_key_the_welcome_says_what_the_chat_will_do(qtbot, window):
    window.chat.start_fresh()
    window.chat.show_key_prompt(True)
    welcome = window.chat.welcome
    qtbot.waitUntil(window.chat.key_prompt.isVisible)
    assert not any(button.isVisible() for button in welcome.examples)  # they would only fail
    assert all(row.isVisible() for row in welcome.abilities)
    assert "API key" in welcome.subtitle.text()
    window.chat.show_key_prompt(False)
    assert all(button.isVisible() for button in welcome.examples)


def test_yours_sit_right_in_a_bubble_and_answers_span_the_column(qtbot, window, gemini,
                                                                 themed):
    gemini.enqueue(text("Here is a longer answer that runs across the whole column of the "
                        "chat, as the assistant's answers do, with no box around it at all."))
    type_and_send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: bool(answers(window)) and not window.chat.busy, timeout=10_000)
    _settle(qtbot, window, 1920, 1080)
    [question] = [item for item in items(window, MessageItem) if item.role == "user"]
    answer = answers(window)[-1]
    composer_left, composer_right = _span(window.chat.composer)
    bubble_left, bubble_right = _span(question.bubble)
    answer_left, answer_right = _span(answer.view)
    # The column keeps a readable width, centred, and the composer is aligned to it.
    assert window.chat.composer.width() == READABLE_WIDTH
    assert abs(answer_left - composer_left) <= 16 and abs(answer_right - composer_right) <= 16
    # Your message: at the column's right, in a bubble well short of its left edge.
    assert abs(bubble_right - answer_right) <= 4
    assert bubble_left > (composer_left + composer_right) // 2
    assert question.bubble.grab().toImage().pixelColor(6, question.bubble.height() // 2) \
        .name() == LIGHT.accent_soft
    # The answer: the whole column wide, no bubble of its own.
    assert answer.bubble is None and answer.view.width() >= 0.95 * READABLE_WIDTH


def test_a_short_message_stays_on_one_line_in_its_bubble(qtbot, window, gemini, themed):
    """The newcomer's walk saw "What do I have today?" wrap at 1280 px: a bubble is as wide as
    its longest line, up to its share of the column, before it wraps."""
    gemini.enqueue(text("Nothing today."))
    type_and_send(qtbot, window, "What do I have today?")
    qtbot.waitUntil(lambda: bool(answers(window)) and not window.chat.busy, timeout=10_000)
    _settle(qtbot, window, 1280, 800)
    [question] = [item for item in items(window, MessageItem) if item.role == "user"]
    line = question.view.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: question.view.height() < 2 * line)


def test_actions_show_on_hover_or_focus_and_tab_still_reaches_them(qtbot, window, gemini):
    for said in ("First.", "Second."):
        gemini.enqueue(text(said))
        type_and_send(qtbot, window, f"say {said}")
        wait_for_answer(qtbot, window, said)
    first, latest = answers(window)
    assert latest.revealer.shown  # the newest answer keeps Retry in sight
    assert not first.revealer.shown  # older ones are calm until asked
    assert first.copy_button.isVisible()  # transparent, not hidden: it keeps its Tab stop

    QApplication.sendEvent(first, QEvent(QEvent.Type.Enter))
    assert first.revealer.shown
    QApplication.sendEvent(first, QEvent(QEvent.Type.Leave))
    assert not first.revealer.shown

    window.activateWindow()
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: first.copy_button.hasFocus() and first.revealer.shown)
    window.chat.input.setFocus()
    qtbot.waitUntil(lambda: not first.revealer.shown)


def test_the_composer_grows_with_the_text_then_scrolls_with_send_inside(qtbot, window):
    composer, field = window.chat.composer, window.chat.input
    one_line = composer.height()
    field.setPlainText("one\ntwo\nthree")
    qtbot.waitUntil(lambda: composer.height() > one_line)
    three_lines = composer.height()
    field.setPlainText("\n".join(f"line {n}" for n in range(40)))
    qtbot.waitUntil(lambda: composer.height() > three_lines)
    tallest = composer.height()
    field.setPlainText("\n".join(f"line {n}" for n in range(80)))
    QApplication.processEvents()
    assert composer.height() == tallest  # a cap: longer text scrolls inside the field
    assert field.verticalScrollBar().maximum() > 0
    for button in (window.chat.send_button, window.chat.voice.button):
        corner = button.mapTo(composer, QPoint(0, 0))
        assert composer.rect().contains(corner) and composer.rect().contains(
            corner + QPoint(button.width() - 1, button.height() - 1)), button.accessibleName()
    field.clear()
    qtbot.waitUntil(lambda: composer.height() == one_line)


def test_a_conversation_row_shows_a_quiet_date():
    from app.ui.chat.conversation_list import when_label

    now = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # a Wednesday
    assert when_label("2026-12-09T09:05:00+00:00", now) == "09:05"
    assert when_label("2026-12-08T22:00:00+00:00", now) == "Yesterday"
    assert when_label("2026-12-05T10:00:00+00:00", now) == "Sat"
    assert when_label("2026-11-03T10:00:00+00:00", now) == "3 Nov"
    assert when_label("2025-11-03T10:00:00+00:00", now) == "3 Nov 2025"
    assert when_label("not a date", now) == ""


@pytest.fixture
def popup(qtbot, window, workspace):
    from app.ui.chat.quick_ask import QuickAsk

    made = QuickAsk(workspace.conversations, workspace.store, workspace.agent, window.runner)
    qtbot.addWidget(made)
    yield made
    made.hide()


def test_quick_ask_offers_recent_requests_then_grows_with_the_answer(qtbot, window, gemini,
                                                                     popup):
    gemini.enqueue(text("Tea is on your list."))
    type_and_send(qtbot, window, "add tea to my list")
    wait_for_answer(qtbot, window, "Tea is on your list.")

    popup.popup()
    qtbot.waitExposed(popup)
    offered = [b.text() for b in popup.suggestion_buttons if b.isVisible()]
    assert offered[0] == "add tea to my list" and len(offered) == 3  # then suggestions
    assert popup.suggestions_title.text() == "Recent and suggested"
    assert not popup.chat.pages.isVisible()  # one line and its requests: no empty box
    empty_height = popup.height()

    gemini.enqueue(text("Today:\n\n- Tea\n- Call Ana\n- Water the plants\n\nThat is all."))
    qtbot.mouseClick(popup.suggestion_buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not popup.chat.busy and len(popup.chat.view.items()) >= 2,
                    timeout=10_000)
    assert last_sent(gemini) == offered[1]
    qtbot.waitUntil(lambda: popup.height() > empty_height + 60)
    assert not popup.suggestions.isVisible() and popup.chat.pages.isVisible()

    qtbot.keyClick(popup.chat.input, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not popup.isVisible())
