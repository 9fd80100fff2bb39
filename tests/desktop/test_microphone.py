"""The recorder (app/desktop/microphone.py) against a real sound server: a private PulseAudio whose
microphone is a FIFO that espeak-ng's words are fed into (tests/microphone_fixtures.py)."""

import wave
from array import array

import pytest
from microphone_fixtures import microphone_fixture, no_microphone_fixture, pulse_daemon  # noqa: F401

from app.assistant.voice import clip_from_pcm
from app.common.errors import UserError
from app.desktop.microphone import NO_MICROPHONE, RATE, Recording

WAIT = 15_000  # ms


def spoken_seconds(microphone) -> float:
    with wave.open(str(microphone.recording)) as spoken:
        return spoken.getnframes() / spoken.getframerate()


def test_a_recording_holds_what_was_said_into_the_microphone(qtbot, microphone):
    recording = Recording()
    recording.start()
    try:
        assert recording.recording
        microphone.say().join(WAIT / 1000)
        expected = spoken_seconds(microphone)
        qtbot.waitUntil(lambda: recording.seconds >= expected * 0.95, timeout=WAIT)
        assert recording.level > 0.1  # the meter moves: espeak speaks loudly
    finally:
        pcm = recording.stop()
    samples = array("h", pcm)
    assert max(map(abs, samples)) > 3000  # sound, not silence
    clip = clip_from_pcm(pcm)  # 16 kHz mono WAV, as the window sends it
    assert clip.format == "wav" and abs(clip.seconds - expected) < 0.3
    assert not recording.recording


def test_a_recording_stops_taking_sound_at_its_cap(qtbot, microphone):
    recording = Recording(max_seconds=0.5)  # the app's cap is 7 minutes: the same code path
    recording.start()
    try:
        microphone.say().join(WAIT / 1000)
        qtbot.waitUntil(lambda: recording.full, timeout=WAIT)
    finally:
        pcm = recording.stop()
    assert len(pcm) == RATE  # 0.5 s of 16-bit samples, not a byte more
    assert recording.seconds == 0.5


def test_cancel_keeps_nothing(qtbot, microphone):
    recording = Recording()
    recording.start()
    microphone.say().join(WAIT / 1000)
    qtbot.waitUntil(lambda: recording.seconds > 0.2, timeout=WAIT)
    recording.cancel()
    assert not recording.recording
    with pytest.raises(UserError, match="Nothing was recorded"):
        recording.stop()


def test_no_microphone_is_one_sentence(no_microphone):
    recording = Recording()
    with pytest.raises(UserError) as refused:
        recording.start()
    assert str(refused.value) == NO_MICROPHONE
    assert not recording.recording
