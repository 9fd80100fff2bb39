"""A microphone the tests can speak into: a private PulseAudio daemon whose default source is a
FIFO (module-pipe-source), fed with a WAV that espeak-ng speaks. PortAudio reaches it the way it
reaches a desktop's sound server: ALSA's default device, which libasound2-plugins routes to
PulseAudio (PULSE_SERVER names our daemon).

The pipe source has no clock of its own: it passes on exactly what is written, as fast as it is
written, so a test hears the whole recording without waiting for it to play in real time.
"""

import os
import shutil
import subprocess
import sys
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT = 15  # s: the daemon answering on its socket
SOURCE = "test_mic"


@dataclass
class VirtualMicrophone:
    fifo: Path
    server: str
    recording: Path   # what say() speaks: "Buy milk tomorrow", as espeak-ng says it

    def say(self) -> threading.Thread:
        """Speak the recording into the microphone (on a thread: the FIFO blocks until read)."""
        with wave.open(str(self.recording)) as spoken:
            samples = spoken.readframes(spoken.getnframes())

        def feed():
            with open(self.fifo, "wb") as pipe:
                pipe.write(samples)

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        return feeder


def _answers(server: str, env: dict) -> bool:
    return subprocess.run(["pactl", "--server", server, "info"], env=env, timeout=5,
                          capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def pulse_daemon(tmp_path_factory):
    for tool in ("pulseaudio", "pactl", "espeak-ng"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (./scripts/test installs it)")
    try:
        import sounddevice  # noqa: F401  (the library the app records with)
    except OSError:
        pytest.skip("PortAudio (libportaudio2) is not installed (./scripts/test installs it)")
    home = tmp_path_factory.mktemp("pulse")
    recording = home / "buy-milk.wav"
    subprocess.run(["espeak-ng", "-w", str(recording), "Buy milk tomorrow"], check=True,
                   capture_output=True, timeout=60)
    with wave.open(str(recording)) as spoken:
        rate = spoken.getframerate()
    socket, fifo = home / "native", home / "mic.fifo"
    env = {**os.environ, "HOME": str(home), "PULSE_RUNTIME_PATH": str(home / "run")}
    env.pop("PULSE_SERVER", None)
    daemon = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--system=false", "-n",
         "--use-pid-file=false", "--disallow-exit",
         f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
         f"--load=module-pipe-source source_name={SOURCE} file={fifo} format=s16le "
         f"rate={rate} channels=1",
         "--load=module-always-sink"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = f"unix:{socket}"
    deadline = time.monotonic() + START_TIMEOUT
    while not (socket.exists() and _answers(server, env)):
        if daemon.poll() is not None or time.monotonic() > deadline:
            daemon.kill()
            reason = daemon.stderr.read().decode(errors="replace").strip().splitlines()[-1:]
            pytest.skip(f"a private PulseAudio daemon could not start here: {reason}")
        time.sleep(0.1)  # waiting for another process's socket: there is no signal to wait on
    yield VirtualMicrophone(fifo, server, recording)
    daemon.terminate()
    try:
        daemon.wait(timeout=10)
    except subprocess.TimeoutExpired:
        daemon.kill()


@pytest.fixture(name="microphone")
def microphone_fixture(pulse_daemon, monkeypatch, tmp_path):
    """The virtual microphone as this process's default input."""
    monkeypatch.setenv("PULSE_SERVER", pulse_daemon.server)
    monkeypatch.setenv("PULSE_SOURCE", SOURCE)
    monkeypatch.setenv("PULSE_RUNTIME_PATH", str(tmp_path / "pulse-client"))
    return pulse_daemon


@pytest.fixture(name="no_microphone")
def no_microphone_fixture(monkeypatch, tmp_path):
    """A machine with no sound input: no sound server (and none started on demand). A machine
    with a sound card of its own still has a microphone then: the test is skipped there."""
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("PortAudio (libportaudio2) is not installed (./scripts/test installs it)")
    client = tmp_path / "client.conf"
    client.write_text("autospawn = no\n")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'no-server'}")
    monkeypatch.setenv("PULSE_RUNTIME_PATH", str(tmp_path / "pulse-client"))
    monkeypatch.setenv("PULSE_CLIENTCONFIG", str(client))
    probe = subprocess.run([sys.executable, "-c", "import sounddevice as sd; "
                            "sd.query_devices(kind='input')"], capture_output=True, timeout=60)
    if probe.returncode == 0:
        pytest.skip("this machine has a sound input of its own besides PulseAudio")
