"""A voice message: audio the model hears once, and the words that stay in the history after.

Gemini takes audio inline in a chat-completions user message (an `input_audio` part, base64)
up to 20 MB a request. The audio travels as base64, a third bigger than the file, so a file may
be 15 MB at most: some 7 minutes of 16 kHz mono WAV. Everything here is checked before any
request is made, so a file that is too big, empty or not audio costs nothing. The audio itself is
never written anywhere: the history keeps "Voice message (0:12): “…”" with what the model heard.
"""

import base64
import io
import re
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

from app.common.errors import UserError

MAX_AUDIO_BYTES = 15 * 1024 * 1024  # 20 MB inline once base64 makes it 4/3 bigger
RECORDING_RATE = 16_000             # Hz, mono, 16-bit: what the window records
# The first line of an answer to a voice message: what the model heard (instructions.py asks).
HEARD = re.compile(r"^\s*Heard:\s*(.+?)\s*$", re.IGNORECASE)
MP3_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # MPEG-1 L3


@dataclass(frozen=True)
class VoiceClip:
    data: bytes
    format: str      # "wav" or "mp3", as input_audio names them
    seconds: float

    @property
    def length(self) -> str:
        """"0:12", "10:03": how long, as a player shows it."""
        whole = max(1, round(self.seconds))
        return f"{whole // 60}:{whole % 60:02d}"

    def message(self, text: str = "") -> dict:
        """The user message that carries the audio (and what the user typed with it)."""
        return {"role": "user", "content": [
            {"type": "input_text", "text": text or "(a voice message)"},
            {"type": "input_audio", "input_audio": {
                "data": base64.b64encode(self.data).decode("ascii"), "format": self.format}}]}

    def kept_text(self, heard: str | None, text: str = "") -> str:
        """What the history keeps in place of the audio."""
        said = f"Voice message ({self.length})"
        if heard:
            said += f": “{heard}”"
        return f"{said}\n{text}" if text else said


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def read_audio_file(path: Path) -> VoiceClip:
    """A WAV or MP3 file as a clip; anything else is one sentence, before any request."""
    name = _cut(str(path), 80)
    try:
        size = path.stat().st_size
    except OSError:
        raise UserError(f"There is no audio file at {name}.") from None
    if size > MAX_AUDIO_BYTES:
        raise UserError(f"{name} is {size / 1_048_576:.0f} MB; a voice message can be at most "
                        "15 MB (about 7 minutes). Send a shorter recording.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(f"Could not read {name} ({error.strerror}).") from None
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return VoiceClip(data, "wav", _wav_seconds(data, name))
    if data[:3] == b"ID3" or _mp3_frame_at(data, 0):
        return VoiceClip(data, "mp3", _mp3_seconds(data, name))
    raise UserError(f"{name} is not a WAV or MP3 recording; those are the audio formats the "
                    "assistant takes.")


def clip_from_pcm(pcm: bytes, rate: int = RECORDING_RATE) -> VoiceClip:
    """16-bit mono samples (a recording) as a WAV clip."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return VoiceClip(buffer.getvalue(), "wav", len(pcm) / 2 / rate)


def heard_line(answer: str) -> str | None:
    """What the model said it heard (its answer's first line), or None."""
    first = answer.lstrip().split("\n", 1)[0]
    found = HEARD.match(first)
    return _cut(found.group(1).strip("\"“”"), 500) if found else None


def _wav_seconds(data: bytes, name: str) -> float:
    try:
        with wave.open(io.BytesIO(data)) as audio:
            frames, rate = audio.getnframes(), audio.getframerate()
    except (wave.Error, EOFError, struct.error):
        raise UserError(f"{name} is not a WAV file that can be read (only plain PCM WAV is "
                        "taken).") from None
    if frames == 0 or rate == 0:
        raise UserError(f"{name} holds no sound.")
    return frames / rate


def _mp3_frame_at(data: bytes, at: int) -> tuple[int, int] | None:
    """(frame length, bitrate kbit/s) of an MPEG-1 Layer III frame header at `at`, or None."""
    if at + 4 > len(data) or data[at] != 0xFF or (data[at + 1] & 0xFE) != 0xFA:
        return None
    bitrate = MP3_BITRATES[data[at + 2] >> 4] if data[at + 2] >> 4 < 15 else 0
    rate = (44100, 48000, 32000, 0)[(data[at + 2] >> 2) & 3]
    if not bitrate or not rate:
        return None
    return 144_000 * bitrate // rate + ((data[at + 2] >> 1) & 1), bitrate


def _mp3_seconds(data: bytes, name: str) -> float:
    """The length from the first frame's bit rate: exact for constant bit rate, close enough
    for a "0:12" label otherwise."""
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:  # skip the tag: a syncsafe size
        start = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    for at in range(start, min(len(data), start + 65_536)):
        frame = _mp3_frame_at(data, at)
        if frame and _mp3_frame_at(data, at + frame[0]):  # two frames in a row: real audio
            return (len(data) - at) * 8 / (frame[1] * 1000)
    raise UserError(f"{name} is not an MP3 recording that can be read.")
