"""Voice in the window and in quick ask (issue 24): the microphone button and hold-to-talk record
from a real sound server (a private PulseAudio fed with espeak-ng's words,
tests/microphone_fixtures.py), the fake Gemini hears the WAV, and its add_task makes a task."""

import base64
import io
import wave
from array import array

from fake_gemini import text, tool_calls
from microphone_fixtures import microphone_fixture, no_microphone_fixture, pulse_daemon  # noqa: F401
from PySide6.QtCore import Qt
from ui_helpers import idle, items

from app.desktop.microphone import NO_MICROPHONE
from app.ui.chat.chat_items import MessageItem

WAIT = 15_000  # ms


def questions(window) -> list[MessageItem]:
    return [item for item in items(window, MessageItem) if item.role == "user"]


def heard_audio(request: dict) -> list[bytes]:
    return [base64.b64decode(part["input_audio"]["data"]) for message in request["messages"]
            if isinstance(message.get("content"), list) for part in message["content"]
            if part.get("type") == "input_audio"]


def speak(qtbot, voice, microphone) -> None:
    """Say the words once the microphone is open; wait until the recording holds them all."""
    qtbot.waitUntil(lambda: voice.listening, timeout=WAIT)
    microphone.say().join(WAIT / 1000)
    qtbot.waitUntil(lambda: voice.seconds >= 1.0, timeout=WAIT)  # espeak says it in ~1.2 s
    qtbot.waitUntil(lambda: voice.meter.value() > 0 or voice.seconds > 1.1, timeout=WAIT)


def test_a_spoken_request_in_the_window_becomes_a_task(qtbot, window, gemini, workspace,
                                                        microphone):
    gemini.enqueue(tool_calls(("add_task", {"title": "Buy milk"})),
                   text("Heard: buy milk tomorrow\n", "Added *Buy milk*."))
    voice = window.chat.voice

    qtbot.mouseClick(voice.button, Qt.MouseButton.LeftButton)
    assert voice.timer.isVisible() and voice.meter.isVisible()
    speak(qtbot, voice, microphone)
    qtbot.waitUntil(lambda: voice.timer.text() == "0:01", timeout=WAIT)  # the timer counts
    qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)  # Enter sends the recording

    assert not voice.recording and not voice.timer.isVisible()
    assert questions(window)[-1].text.startswith("Voice message (0:0")  # at once
    qtbot.waitUntil(lambda: idle(window) and len(gemini.requests) == 2, timeout=WAIT)
    sent = heard_audio(gemini.requests[0])
    assert len(sent) == 1
    with wave.open(io.BytesIO(sent[0])) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        samples = array("h", wav.readframes(wav.getnframes()))
    assert max(map(abs, samples)) > 3000  # the words, not silence
    assert [task.title for task in workspace.store.list_tasks()] == ["Buy milk"]
    assert questions(window)[-1].text.endswith("“buy milk tomorrow”")


def test_hold_to_talk_sends_when_the_keys_are_let_go(qtbot, window, gemini, microphone):
    gemini.enqueue(text("Heard: buy milk tomorrow\n", "Noted."))
    voice = window.chat.voice
    window.chat.input.setFocus()
    chord = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

    qtbot.keyPress(window.chat.input, Qt.Key.Key_Space, chord)
    speak(qtbot, voice, microphone)
    qtbot.keyRelease(window.chat.input, Qt.Key.Key_Space, chord)

    qtbot.waitUntil(lambda: idle(window) and len(gemini.requests) == 1, timeout=WAIT)
    assert len(heard_audio(gemini.requests[0])) == 1
    assert questions(window)[-1].text.startswith("Voice message")
    assert window.chat.input.toPlainText() == ""  # the chord typed no space


def test_esc_cancels_a_recording_and_sends_nothing(qtbot, window, gemini, microphone):
    voice = window.chat.voice
    qtbot.mouseClick(voice.button, Qt.MouseButton.LeftButton)
    speak(qtbot, voice, microphone)

    qtbot.keyClick(window.chat.input, Qt.Key.Key_Escape)

    assert not voice.recording and not voice.timer.isVisible()
    assert questions(window) == [] and gemini.requests == []
    assert voice.button.isEnabled()  # ready to record again


def test_esc_in_quick_ask_cancels_the_recording_before_hiding(qtbot, workspace, gemini,
                                                             microphone):
    from app.ui.chat.quick_ask import QuickAsk
    from app.ui.task_runner import TaskRunner

    popup = QuickAsk(workspace.conversations, workspace.store, workspace.agent, TaskRunner())
    qtbot.addWidget(popup)
    popup.popup()
    qtbot.waitExposed(popup)
    voice = popup.chat.voice
    qtbot.mouseClick(voice.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: voice.listening, timeout=WAIT)

    qtbot.keyClick(popup.chat.input, Qt.Key.Key_Escape)
    assert not voice.recording and popup.isVisible()
    qtbot.keyClick(popup.chat.input, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert gemini.requests == []


def test_without_a_microphone_the_button_says_why(qtbot, window, gemini, no_microphone):
    voice = window.chat.voice

    qtbot.mouseClick(voice.button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: not voice.button.isEnabled(), timeout=WAIT)
    assert voice.button.toolTip() == NO_MICROPHONE
    assert window.chat.status.text() == NO_MICROPHONE
    assert not voice.recording and not voice.timer.isVisible()
    assert questions(window) == [] and gemini.requests == []
