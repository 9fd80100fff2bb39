"""Driving the real window in tests: find what a user would see, type as a user would."""

from PySide6.QtCore import Qt

from app.ui.chat.answer_body import AnswerBody
from app.ui.chat.chat_items import MessageItem


def items(window, kind=None) -> list:
    shown = window.chat.view.items()
    return [item for item in shown if kind is None or isinstance(item, kind)]


def answers(window) -> list[MessageItem]:
    return [item for item in items(window, MessageItem) if item.role == "assistant"]


def answer_text(window) -> str:
    shown = answers(window)
    if not shown:
        return ""
    view = shown[-1].view
    assert isinstance(view, AnswerBody)  # an answer's view; only yours is a plain label
    return view.toPlainText()


def type_and_send(qtbot, window, text: str) -> None:
    window.chat.input.setFocus()
    qtbot.keyClicks(window.chat.input, text)
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)


def idle(window) -> bool:
    return not window.chat.busy



def wait_for_answer(qtbot, window, answer: str, timeout: int = 10_000) -> None:
    """Until the last answer reads `answer` and its turn has ended (Retry is offered then)."""
    qtbot.waitUntil(lambda: answer_text(window) == answer and idle(window), timeout=timeout)


def assert_default_is_shown(box) -> None:
    """What Enter presses is drawn bold and holds the focus: a person can see it."""
    default = box.defaultButton()
    assert default is not None and box.focusWidget() is default
    assert [button.font().bold() for button in box.buttons()] == \
        [button is default for button in box.buttons()]
