"""A long session in one conversation: what scrolls far out of reach is folded away and freed."""

import gc
import weakref

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QToolButton

from app.ui.chat.answer_body import AnswerBody
from app.ui.chat.chat_items import MessageItem, Revealer
from app.ui.chat.chat_view import KEEP_BUILT, ChatView


def test_messages_folded_away_in_a_long_session_are_freed_with_their_buttons(qtbot):
    """Every message carries its actions and their hover-or-focus reveal. Folded away (past
    KEEP_BUILT built), each stayed in memory with its buttons until a full collection, which
    a session seldom runs: +75 MB over 1,000 answers. Freed as soon as folded, the collector
    (held here) is not needed."""
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        _fill_a_long_session(qtbot)
    finally:
        if was_collecting:
            gc.enable()


def _fill_a_long_session(qtbot) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.activateWindow()
    made: weakref.WeakSet = weakref.WeakSet()  # this session's messages and their reveals
    for number in range(KEEP_BUILT):
        question = view.add(MessageItem("user", f"Question {number}"))
        answer = view.add(MessageItem("assistant"))
        assert isinstance(answer.view, AnswerBody)
        answer.view.append(f"Answer {number}, with **a little** markdown.")
        answer.view.finish()
        for item in (question, answer):
            made.update((item, *item.findChildren(Revealer), *item.findChildren(QToolButton)))
        answer.setFocus()  # the keyboard passes through, as a reader's Tab does
        qtbot.wait(0)  # a turn of the loop, as between answers (the view trims on the next)
    qtbot.waitUntil(lambda: view.unbuilt >= KEEP_BUILT)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    built = view.items()
    assert len(built) <= KEEP_BUILT
    assert {item for item in made if isinstance(item, MessageItem)} == set(built)
    assert sum(isinstance(thing, Revealer) for thing in made) == len(built)
    assert {button for button in made if isinstance(button, QToolButton)} == {
        button for item in built for button in item.findChildren(QToolButton)}
