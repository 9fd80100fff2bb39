"""Recording from the microphone: 16 kHz mono 16-bit PCM, what a voice message sends.

sounddevice (PortAudio) records; it is imported only when a recording starts, because importing
it starts PortAudio, which asks every sound system for its devices (the window's first paint
must not wait for that). Each start asks again, so a headset plugged in after launch is found.
A recording stops taking sound at 7 minutes: past that it would not fit Gemini's 20 MB inline
limit. PortAudio calls `_take` on its own thread; the window reads `level` and `seconds` from
the UI thread while it records.
"""

import threading
from array import array

from app.common.errors import UserError

RATE = 16_000           # Hz, mono, 16-bit
MAX_SECONDS = 7 * 60    # 13.4 MB of samples: under the 15 MB a voice message file may be
NO_MICROPHONE = "No microphone was found."
REFUSED = ("The system refused access to the microphone; allow Task Assistant to use it in "
           "your privacy settings, then try again.")
NO_PORTAUDIO = ("Recording needs the PortAudio library, which is missing (on Debian or Ubuntu: "
                "sudo apt-get install libportaudio2).")
NOTHING_HEARD = "Nothing was recorded: the recording was empty."

_streams_open = 0           # PortAudio may be restarted (to find new devices) only when 0
_streams_lock = threading.Lock()


def _sounddevice():
    try:
        import sounddevice
    except OSError:  # the Python package is there, the PortAudio library is not
        raise UserError(NO_PORTAUDIO) from None
    return sounddevice


def _open_input(sd, callback):
    """An input stream on the default microphone, PortAudio restarted first when no other
    recording is running (it lists devices once, when it starts)."""
    global _streams_open
    with _streams_lock:
        if _streams_open == 0:
            sd._terminate()
            sd._initialize()
        try:
            sd.query_devices(kind="input")
        except (sd.PortAudioError, ValueError):
            raise UserError(NO_MICROPHONE) from None
        try:
            stream = sd.RawInputStream(samplerate=RATE, channels=1, dtype="int16",
                                       callback=callback)
            stream.start()
        except sd.PortAudioError:
            # The device exists but would not open: on Windows and macOS that is the privacy
            # setting saying no; anywhere, another program holding it exclusively.
            raise UserError(REFUSED) from None
        _streams_open += 1
        return stream


def _closed() -> None:
    global _streams_open
    with _streams_lock:
        _streams_open -= 1


class Recording:
    """One recording: `start()`, then `stop()` for the samples or `cancel()` for nothing."""

    def __init__(self, max_seconds: float = MAX_SECONDS) -> None:
        self._max_bytes = int(max_seconds * RATE) * 2
        self._chunks: list[bytes] = []
        self._bytes = 0
        self._level = 0.0
        self._lock = threading.Lock()
        self._stream = None

    @property
    def recording(self) -> bool:
        return self._stream is not None

    @property
    def seconds(self) -> float:
        """How much sound has been taken so far: the timer counts samples, not the clock."""
        return self._bytes / 2 / RATE

    @property
    def level(self) -> float:
        """The loudest sample since the last look, 0..1: the level meter's height."""
        with self._lock:
            level, self._level = self._level, 0.0
        return level

    @property
    def full(self) -> bool:
        """The 10-minute cap is reached: no more sound is taken."""
        return self._bytes >= self._max_bytes

    def start(self) -> None:
        """Open the default microphone; one sentence (UserError) when there is none or the
        system refuses. Blocks while PortAudio starts: call it off the UI thread."""
        if self._stream is None:
            self._stream = _open_input(_sounddevice(), self._take)

    def stop(self) -> bytes:
        """The recording's samples (16 kHz mono 16-bit); UserError when it took no sound."""
        self._close()
        pcm = b"".join(self._chunks)
        self._chunks.clear()
        if not pcm:
            raise UserError(NOTHING_HEARD)
        return pcm

    def cancel(self) -> None:
        self._close()
        self._chunks.clear()

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()  # now: stop() would wait for a block the device may never send
                stream.close()
            finally:
                _closed()

    def _take(self, data, frames, time, status) -> None:
        """PortAudio's callback, on its thread: keep the block (up to the cap), note its peak."""
        room = self._max_bytes - self._bytes
        if room <= 0:
            return
        block = bytes(data)[:room]
        samples = array("h", block[:len(block) // 2 * 2])
        peak = max(map(abs, samples), default=0) / 32768
        with self._lock:
            self._chunks.append(block)
            self._bytes += len(block)
            self._level = max(self._level, peak)


def missing_microphone() -> str | None:
    """None when a recording could start now; otherwise the sentence that says why not (for a
    button that must say why it is disabled). Blocks while PortAudio starts."""
    try:
        sd = _sounddevice()
        with _streams_lock:
            if _streams_open == 0:
                sd._terminate()
                sd._initialize()
            sd.query_devices(kind="input")
    except UserError as error:
        return str(error)
    except (OSError, ValueError):  # PortAudioError is an OSError
        return NO_MICROPHONE
    return None
