"""Voice messages (issue 24): a recording the model hears once, checked before any request, and
kept in the history as its words, never as audio. The fake Gemini stands in for the model; the
recordings are real WAV files spoken by espeak-ng."""

import asyncio
import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CLI, TEST_KEY, cli_env
from fake_gemini import error, text, tool_calls

from app.assistant.events import Completed
from app.assistant.voice import clip_from_pcm, heard_line, read_audio_file
from app.common.errors import UserError
from app.conversations.store import ConversationStore
from app.tasks import TaskStore

TIMEOUT = 60


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> Path:
    """"Buy milk tomorrow", spoken at 16 kHz mono, as the window records."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (./scripts/test installs it)")
    path = tmp_path_factory.mktemp("voice") / "buy-milk.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "Buy milk tomorrow"], check=True,
                   capture_output=True, timeout=TIMEOUT)
    return path


def mp3(path: Path, frames: int = 40) -> Path:
    """An MPEG-1 Layer III file of silent frames (128 kbit/s, 44.1 kHz: 417 bytes a frame)."""
    header = bytes([0xFF, 0xFB, 0x90, 0x64])
    path.write_bytes((header + bytes(417 - 4)) * frames)
    return path


def ask(app_home: Path, gemini, *argv: str) -> subprocess.CompletedProcess:
    env = cli_env(app_home, GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=gemini.base_url)
    result = subprocess.run([*CLI, "ask", *argv], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def audio_parts(request: dict) -> list[dict]:
    return [part for message in request["messages"] if isinstance(message.get("content"), list)
            for part in message["content"] if part.get("type") == "input_audio"]


# -- the command line ------------------------------------------------------------------------------

def test_a_spoken_request_becomes_a_task_from_the_command_line(app_home, gemini, spoken):
    gemini.enqueue(tool_calls(("add_task", {"title": "Buy milk"})),
                   text("Heard: buy milk tomorrow\n", "Added *Buy milk*."))

    result = ask(app_home, gemini, "--audio", str(spoken))

    assert result.returncode == 0, result.stderr
    assert "Added *Buy milk*." in result.stdout
    sent = audio_parts(gemini.requests[0])
    assert [part["input_audio"]["format"] for part in sent] == ["wav"]
    assert base64.b64decode(sent[0]["input_audio"]["data"]) == spoken.read_bytes()
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert [task.title for task in store.list_tasks()] == ["Buy milk"]


def test_the_history_keeps_the_words_and_never_the_audio(app_home, gemini, spoken):
    gemini.enqueue(text("Heard: buy milk tomorrow\n", "Noted."))

    assert ask(app_home, gemini, "--audio", str(spoken)).returncode == 0

    with ConversationStore(app_home / "conversations.sqlite3") as conversations:
        saved = conversations.list()
        messages = asyncio.run(conversations.messages(saved[0].id))
    seconds = round(read_audio_file(spoken).seconds)
    assert messages[0].role == "user"
    assert messages[0].text == f"Voice message (0:{seconds:02d}): “buy milk tomorrow”"
    assert saved[0].title.lower().startswith("buy milk tomorrow")
    stored = b"".join(path.read_bytes() for path in app_home.glob("conversations.sqlite3*"))
    audio = base64.b64encode(spoken.read_bytes())
    assert audio[1000:1100] not in stored  # not even a slice of the recording was written


def test_later_turns_send_the_words_not_the_audio(gemini, assistant_for, chat_for, spoken):
    gemini.enqueue(text("Heard: buy milk tomorrow\n", "Noted."), text("Done."))

    async def two_turns():
        assistant = assistant_for(gemini)
        chat = chat_for(assistant)
        try:
            async for _ in chat.send_voice(read_audio_file(spoken)):
                pass
            async for _ in chat.send("and eggs"):
                pass
        finally:
            await assistant.close()

    asyncio.run(two_turns())
    assert len(audio_parts(gemini.requests[0])) == 1
    assert audio_parts(gemini.requests[1]) == []
    words = [m["content"] for m in gemini.requests[1]["messages"] if m["role"] == "user"]
    assert any("buy milk tomorrow" in str(content) for content in words)


def test_a_second_recording_in_a_conversation_is_heard_not_swapped_for_the_first(
        gemini, assistant_for, chat_for, spoken):
    """The first answer's "Heard:" line is about the first recording: the second recording
    still goes to the model as audio on its turn's first call."""
    gemini.enqueue(text("Heard: buy milk tomorrow\n", "Noted."),
                   text("Heard: buy eggs\n", "Noted too."))

    async def two_recordings():
        assistant = assistant_for(gemini)
        chat = chat_for(assistant)
        try:
            for _ in range(2):
                async for _event in chat.send_voice(read_audio_file(spoken)):
                    pass
        finally:
            await assistant.close()

    asyncio.run(two_recordings())
    assert [len(audio_parts(request)) for request in gemini.requests] == [1, 1]


def test_within_a_turn_the_audio_is_sent_once_after_the_model_said_what_it_heard(
        gemini, assistant_for, chat_for, spoken):
    gemini.enqueue(tool_calls(("add_task", {"title": "Buy milk"}), content="Heard: buy milk\n"),
                   text("Added it."))

    async def one_turn():
        assistant = assistant_for(gemini)
        try:
            return [event async for event in chat_for(assistant).send_voice(
                read_audio_file(spoken))]
        finally:
            await assistant.close()

    events = asyncio.run(one_turn())
    assert isinstance(events[-1], Completed)
    assert [len(audio_parts(request)) for request in gemini.requests] == [1, 0]


def test_mp3_is_taken_too(app_home, gemini, tmp_path):
    gemini.enqueue(text("Heard: nothing\n", "I heard silence."))

    assert ask(app_home, gemini, "--audio", str(mp3(tmp_path / "note.mp3"))).returncode == 0

    assert [part["input_audio"]["format"] for part in audio_parts(gemini.requests[0])] == ["mp3"]


# -- refused before any request --------------------------------------------------------------------

@pytest.mark.parametrize("make, sentence", [
    (lambda d: d / "missing.wav", "There is no audio file at"),
    (lambda d: (d / "notes.txt").write_text("buy milk") and d / "notes.txt",
     "is not a WAV or MP3 recording"),
    (lambda d: (d / "song.ogg").write_bytes(b"OggS" + bytes(400)) and d / "song.ogg",
     "is not a WAV or MP3 recording"),
    (lambda d: (d / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk") and
     d / "broken.wav", "is not a WAV file that can be read"),
])
def test_a_file_that_is_not_a_recording_is_one_sentence(app_home, gemini, tmp_path, make,
                                                        sentence):
    result = ask(app_home, gemini, "--audio", str(make(tmp_path)))

    assert result.returncode == 1
    assert sentence in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert gemini.requests == []


def test_a_recording_too_big_for_one_request_is_refused_before_sending(app_home, gemini, tmp_path):
    big = tmp_path / "long.wav"
    with big.open("wb") as out:  # sparse: 16 MB on paper, nothing on disk
        out.truncate(16 * 1024 * 1024)  # 21 MB once base64: over Gemini's 20 MB

    result = ask(app_home, gemini, "--audio", str(big))

    assert result.returncode == 1
    assert "at most 15 MB" in result.stderr
    assert gemini.requests == []


def test_a_model_that_refuses_audio_is_named(app_home, gemini, spoken):
    gemini.enqueue(error(400, "Invalid content part type: input_audio",
                         grpc_status="INVALID_ARGUMENT"))

    result = ask(app_home, gemini, "--model", "llama3", "--audio", str(spoken))

    assert result.returncode == 1
    assert "The model llama3 did not take the recording" in result.stderr
    assert "Type the message instead" in result.stderr


# -- the clip itself -------------------------------------------------------------------------------

def test_a_recording_from_the_microphone_is_a_wav_of_its_length():
    clip = clip_from_pcm(bytes(2 * 16_000 * 12))  # 12 s of 16-bit silence at 16 kHz
    assert (clip.format, clip.length) == ("wav", "0:12")
    assert clip.kept_text("buy milk") == "Voice message (0:12): “buy milk”"


@pytest.mark.parametrize("answer, heard", [
    ("Heard: buy milk tomorrow\nAdded it.", "buy milk tomorrow"),
    ("heard: “Milch kaufen”\nErledigt.", "Milch kaufen"),
    ("Added it.", None),
])
def test_what_the_model_heard_is_read_from_its_first_line(answer, heard):
    assert heard_line(answer) == heard


def test_a_folder_is_not_a_recording(tmp_path):
    with pytest.raises(UserError, match="Could not read"):
        read_audio_file(tmp_path)
