"""The chat's keyboard on a real X server (Xvfb + xdotool's XTEST keys): the focus after an
approval, stopping and continuing an answer, renaming and deleting conversations by keys.
The app runs as `python -m app` in a subprocess against the fake Gemini on loopback."""

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from fake_gemini import text, tool_calls
from test_ui_real_display import (  # noqa: F401
    ANSWER,
    STARTUP,
    XDOTOOL,
    App,
    content_text,
    desktop_app_fixture,
    display_fixture,
    pytestmark,
    visible_window,
    xdotool,
)

from app.conversations.store import ConversationStore
from app.tasks import Origin, TaskStore


def focused_window(app: App, display_name: str) -> str:
    window = app.wait_until(lambda: visible_window(display_name), STARTUP, "showing its window")
    xdotool(display_name, "windowfocus", "--sync", window)
    return window


def focused_dialog(display_name: str, title: str = "Delete conversation") -> str | None:
    """The id of the mapped window called `title` once it has the keyboard focus: keys sent
    before then would reach the main window."""
    env = {**os.environ, "DISPLAY": display_name}
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
                           env=env, capture_output=True, text=True, timeout=XDOTOOL)
    focus = xdotool(display_name, "getwindowfocus").strip()
    return focus if focus in found.stdout.split() else None


def stored_items(app_home: Path) -> list[dict]:
    with sqlite3.connect(app_home / "conversations.sqlite3") as db:
        return [json.loads(row[0]) for row in
                db.execute("SELECT message_data FROM agent_messages ORDER BY id")]


def user_messages(request: dict) -> list[str]:
    return [content_text(m.get("content")) for m in request["messages"] if m["role"] == "user"]


def test_after_denying_by_keyboard_typed_text_reaches_the_message_box_whole(
        desktop_app, display, app_home, gemini):
    with TaskStore(app_home / "tasks.sqlite3") as store:
        task = store.add("Old chore", by=Origin("cli"))
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})), text("Kept it."),
                   text("Understood."))
    focused_window(desktop_app, display)
    xdotool(display, "type", "--delay", "20", "--", "delete the old chore")
    xdotool(display, "key", "Return")
    # The approval is up once the paused tool call is in the history.
    desktop_app.wait_until(lambda: any(item.get("type") == "function_call"
                                       for item in stored_items(app_home)), ANSWER,
                           "asking for approval")
    xdotool(display, "key", "Return")  # the card has the focus; Enter denies
    desktop_app.wait_until(lambda: len(gemini.requests) == 2, ANSWER, "answering the denial")
    desktop_app.wait_until(lambda: any("Kept it." in content_text(item.get("content"))
                                       for item in stored_items(app_home)), ANSWER,
                           "saving the answer")
    typed = "OK really delete it"  # its first Space once pressed "New conversation"
    xdotool(display, "type", "--delay", "20", "--", typed)
    xdotool(display, "key", "Return")
    desktop_app.wait_until(lambda: len(gemini.requests) == 3, ANSWER, "sending the next message")
    assert user_messages(gemini.requests[2]) == ["delete the old chore", typed]
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert store.get(task.id).title == "Old chore"


def test_the_message_box_owns_the_focus_when_an_answer_still_streaming_after_a_denial_ends(
        desktop_app, display, app_home, gemini):
    """Enter denies the card while the model is still to answer; the answer streams slowly
    afterwards. Whenever it ends, what is typed next goes whole into the message box of the
    same conversation (it once went to "New conversation", first word lost)."""
    with TaskStore(app_home / "tasks.sqlite3") as store:
        task = store.add("Old chore", by=Origin("cli"))
    gemini.enqueue(tool_calls(("delete_task", {"id": task.id})),
                   text(*[f"kept{n} " for n in range(40)], delay=0.05), text("Understood."))
    focused_window(desktop_app, display)
    xdotool(display, "type", "--delay", "20", "--", "delete the old chore")
    xdotool(display, "key", "Return")
    desktop_app.wait_until(lambda: any(item.get("type") == "function_call"
                                       for item in stored_items(app_home)), ANSWER,
                           "asking for approval")
    xdotool(display, "key", "Return")  # Enter denies; the answer then streams for a while
    desktop_app.wait_until(lambda: any("kept39" in content_text(item.get("content"))
                                       for item in stored_items(app_home)), ANSWER,
                           "ending the answer")
    typed = "After the card it is kept"
    xdotool(display, "type", "--delay", "20", "--", typed)
    xdotool(display, "key", "Return")
    desktop_app.wait_until(lambda: len(gemini.requests) == 3, ANSWER, "sending the next message")
    assert user_messages(gemini.requests[2]) == ["delete the old chore", typed]


def test_stop_with_esc_and_continue_by_keyboard(desktop_app, display, app_home, gemini):
    gemini.enqueue(text(*[f"word{n} " for n in range(300)], delay=0.03), text("The end."))
    focused_window(desktop_app, display)
    xdotool(display, "type", "--delay", "20", "--", "tell me a story")
    xdotool(display, "key", "Return")
    desktop_app.wait_until(lambda: gemini.chunks_sent >= 10, ANSWER, "streaming the answer")
    xdotool(display, "key", "Escape")

    def stopped():
        return [item for item in stored_items(app_home) if item.get("status") == "incomplete"]

    [kept] = desktop_app.wait_until(stopped, ANSWER, "keeping the stopped answer")
    said = content_text(kept["content"])
    assert said.startswith("word0 word1 ") and "word299" not in said
    # The stopped answer is saved a moment before the turn ends on screen; a key pressed in
    # between is answered with "an answer is still coming", so press again as a user would.
    for attempt in range(3):
        xdotool(display, "key", "ctrl+shift+Return")  # Continue
        try:
            desktop_app.wait_until(lambda: len(gemini.requests) == 2, 5, "continuing")
            break
        except pytest.fail.Exception:
            if attempt == 2:
                raise
    sent = [(m["role"], content_text(m.get("content"))) for m in gemini.requests[1]["messages"]
            if m["role"] != "system"]
    assert sent == [("user", "tell me a story"), ("assistant", said), ("user", "Continue")]


def test_rename_and_delete_conversations_with_the_keyboard(desktop_app, display, app_home,
                                                           gemini):
    with ConversationStore(app_home / "conversations.sqlite3") as conversations:
        older = conversations.create("Groceries").id
        conversations.create("Holiday plans")

    def titles() -> list[str]:
        with ConversationStore(app_home / "conversations.sqlite3") as conversations:
            return [c.title for c in conversations.list()]

    focused_window(desktop_app, display)
    xdotool(display, "key", "ctrl+f")
    xdotool(display, "type", "--delay", "20", "--", "Groc")
    xdotool(display, "key", "Down")      # from the search box to the results
    xdotool(display, "key", "F2")
    xdotool(display, "key", "ctrl+a")
    xdotool(display, "type", "--delay", "20", "--", "Groceries for the week")
    xdotool(display, "key", "Return")
    desktop_app.wait_until(lambda: "Groceries for the week" in titles(), ANSWER, "renaming")
    # The title is saved a moment before the editor closes; a Delete pressed in between edits
    # the title's text, so press again as a user would once the question does not come up.
    for attempt in range(3):
        xdotool(display, "key", "Delete")  # the list kept the focus after the rename
        try:
            question = desktop_app.wait_until(lambda: focused_dialog(display), 5, "asking")
            break
        except pytest.fail.Exception:
            if attempt == 2:
                raise
    assert question
    xdotool(display, "key", "alt+d")     # the question's Delete button (Cancel is the default)
    desktop_app.wait_until(lambda: titles() == ["Holiday plans"], ANSWER, "deleting")
    assert not gemini.requests  # not one key went to the assistant as text
    with ConversationStore(app_home / "conversations.sqlite3") as conversations:
        assert all(c.id != older for c in conversations.list())
