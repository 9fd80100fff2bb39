"""One Task Assistant per user and data directory: a second launch hands its wish to the first.

In-process tests run the InstanceServer under pytest-qt and send from a separate process (the
send is blocking, and QLocalSocket objects belong to the thread that made them). The
two-process tests run tests/single_instance_driver.py, which starts up the way the app does.
"""

import logging
import os
import queue
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import TESTS, cli_env, piped

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="checks Unix socket files")

DRIVER = TESTS / "single_instance_driver.py"
LINE_TIMEOUT = 30.0  # seconds; generous for a loaded machine, never reached when things work
LOGGER = "app.ui.lifecycle.single_instance"


# -- helpers ------------------------------------------------------------------------------------


class Driver:
    """A driver process whose stdout lines arrive in a queue (readline on a thread: a
    deadline without polling)."""

    def __init__(self, home: Path, message: str, *args: str) -> None:
        self.home = home
        self.process = subprocess.Popen(
            [sys.executable, str(DRIVER), message, *args], env=cli_env(home),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.errors: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=lambda: self.errors.extend(piped(self.process.stderr)),
                         daemon=True).start()

    def _pump(self) -> None:
        for line in piped(self.process.stdout):
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # end of output

    def line(self, timeout: float = LINE_TIMEOUT) -> str | None:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line within {timeout} s; stderr: {self.errors}") from None

    def tell(self, text: str) -> None:
        piped(self.process.stdin).write(text + "\n")
        piped(self.process.stdin).flush()

    def exit_code(self, timeout: float = LINE_TIMEOUT) -> int:
        code = self.process.wait(timeout)
        piped(self.process.stdin).close()
        return code

    def quit(self) -> None:
        """Ask a listening driver to shut down cleanly; it must say so and exit 0."""
        self.tell("quit")
        assert self.line() == "closed"
        assert self.line() is None
        assert self.exit_code() == 0


def socket_for(home: Path) -> Path:
    from app.ui.lifecycle.single_instance import socket_path

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TASK_ASSISTANT_HOME", str(home))
        path = socket_path()
    assert path is not None  # a file everywhere but Windows
    return path


@pytest.fixture
def drivers():
    """Starts drivers; whatever is still running at the end is killed, none may have written
    to stderr (a Qt warning in a driver fails the test like one in-process would), and no
    socket file may be left behind."""
    started: list[Driver] = []

    def start(home: Path, message: str = "show", *args: str) -> Driver:
        driver = Driver(home, message, *args)
        started.append(driver)
        return driver

    yield start
    for driver in started:
        if driver.process.poll() is None:
            driver.process.kill()
        driver.process.wait(10)
        for stream in (driver.process.stdin, driver.process.stdout):
            if not stream.closed:
                stream.close()
    for driver in started:
        assert driver.errors == [], driver.errors
    for home in {driver.home for driver in started}:
        assert not socket_for(home).exists(), "a socket file was left behind"


def sender(home: Path, message: str, timeout_ms: int = 5000):
    """A QProcess that runs send_to_running(message) and prints its result; its `finished`
    signal lets a test spin the event loop (so the in-process server can answer) until it ends."""
    from PySide6.QtCore import QProcess, QProcessEnvironment

    process = QProcess()
    environment = QProcessEnvironment()
    for name, value in cli_env(home).items():
        environment.insert(name, value)
    process.setProcessEnvironment(environment)
    process.setProgram(sys.executable)
    process.setArguments(["-c", "from app.ui.lifecycle.single_instance import send_to_running; "
                                f"print(send_to_running({message!r}, {timeout_ms}))"])
    return process


def send_from_another_process(qtbot, server, home: Path, message: str) -> list:
    """What a second launch does, against the in-process server: the messages it emitted
    and what the sender printed."""
    process = sender(home, message)
    with qtbot.waitSignal(process.finished, timeout=30_000):
        with qtbot.waitSignal(server.message_received, timeout=30_000) as received:
            process.start()
    output = bytes(process.readAllStandardOutput().data()).decode()
    assert process.exitCode() == 0, bytes(process.readAllStandardError().data())
    return [received.args, output]


@pytest.fixture
def server(qtbot, app_home):
    from app.ui.lifecycle.single_instance import InstanceServer

    opened = InstanceServer()
    assert opened.listen(), opened.error
    yield opened
    opened.close()
    assert not socket_for(app_home).exists()


def exchange(qtbot, name: str, payload: bytes, close: bool = False) -> bytes:
    """Talk to the server raw, in this thread, without blocking: write `payload`, then read
    until the server hangs up (or hang up ourselves first with `close`)."""
    from PySide6.QtNetwork import QLocalSocket

    client = QLocalSocket()
    client.connectToServer(name)
    if client.state() != QLocalSocket.LocalSocketState.ConnectedState:
        with qtbot.waitSignal(client.connected, timeout=5000):
            pass
    with qtbot.waitSignal(client.disconnected, timeout=10_000):
        client.write(payload)
        if close:
            client.flush()
            client.disconnectFromServer()
    reply = bytes(client.readAll().data())
    client.deleteLater()
    return reply


# -- names ------------------------------------------------------------------------------------


def test_the_name_depends_on_the_data_directory_and_the_user(app_home, tmp_path, monkeypatch):
    from app.ui.lifecycle import single_instance

    first = single_instance.server_name()
    assert single_instance.server_name() == first
    assert len(os.fsencode(single_instance.socket_path(first))) < 100

    monkeypatch.setenv("TASK_ASSISTANT_HOME", str(tmp_path / "other"))
    assert single_instance.server_name() != first
    monkeypatch.setenv("TASK_ASSISTANT_HOME", str(app_home))
    monkeypatch.setattr(single_instance.getpass, "getuser", lambda: "someone-else")
    assert single_instance.server_name() != first


def test_the_socket_goes_in_a_private_runtime_dir_when_there_is_one(app_home, tmp_path,
                                                                    monkeypatch):
    import tempfile

    from app.ui.lifecycle.single_instance import server_name

    with tempfile.TemporaryDirectory(prefix="run-", dir="/tmp") as short:  # made 0700
        monkeypatch.setenv("XDG_RUNTIME_DIR", short)
        assert Path(server_name()).parent == Path(short)
        Path(short).chmod(0o755)  # not private: not used
        assert not os.path.isabs(server_name())
    deep = tmp_path / ("x" * 80)  # a socket path there would be too long for the kernel
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert not os.path.isabs(server_name())


def test_nothing_running_is_known_at_once(app_home):
    from app.ui.lifecycle.single_instance import send_to_running, socket_path

    start = time.monotonic()
    assert send_to_running("show") is False  # no socket file at all
    leftover = socket.socket(socket.AF_UNIX)  # a crashed instance's file: connect is refused
    leftover.bind(str(socket_path()))
    leftover.close()
    try:
        assert send_to_running("show") is False
    finally:
        socket_path().unlink()
    assert time.monotonic() - start < 0.5  # neither waited for the timeout
    with pytest.raises(ValueError):
        send_to_running("open the pod bay doors")


# -- the server, in process -------------------------------------------------------------------


def test_the_server_receives_show_and_quick_ask_from_another_process(qtbot, server, app_home):
    assert send_from_another_process(qtbot, server, app_home, "show") == [["show"], "True\n"]
    assert send_from_another_process(qtbot, server, app_home, "quick-ask") == [
        ["quick-ask"], "True\n"]


def test_a_message_that_comes_before_any_receiver_is_kept_for_the_first_one(qtbot, server,
                                                                            app_home):
    process = sender(app_home, "quick-ask")
    with qtbot.waitSignal(process.finished, timeout=30_000):
        process.start()
    assert bytes(process.readAllStandardOutput().data()) == b"True\n"  # acknowledged...
    got = []
    with qtbot.waitSignal(server.message_received, timeout=5000) as first:
        server.message_received.connect(got.append)
    assert first.args == ["quick-ask"] and got == ["quick-ask"]  # ...and delivered, once
    assert send_from_another_process(qtbot, server, app_home, "show") == [["show"], "True\n"]
    assert got == ["quick-ask", "show"]


def test_unknown_and_garbage_messages_are_ignored_with_one_log_line_each(
        qtbot, server, app_home, caplog, monkeypatch):
    from app.ui.lifecycle import single_instance

    monkeypatch.setattr(single_instance, "READ_TIMEOUT_MS", 300)
    got = []
    server.message_received.connect(got.append)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert exchange(qtbot, server.name, b"hello\n") == b"?"
        assert exchange(qtbot, server.name, b"SHOW\n") == b"?"
        assert exchange(qtbot, server.name, b"\xff\xfe\x00show\n") == b"?"
        assert exchange(qtbot, server.name, os.urandom(100_000)) == b"?"  # no newline, too long
        assert exchange(qtbot, server.name, b"") == b""  # says nothing: dropped after a while
        rejected = len(caplog.records)
        assert exchange(qtbot, server.name, b"show", close=True) == b""  # hung up mid-line
        assert exchange(qtbot, server.name, b"ping\nshow\nquick-ask\n") == b"+"  # one per call
    assert rejected == 5 and len(caplog.records) == 5
    assert all(r.levelno == logging.WARNING and "\n" not in r.getMessage()
               for r in caplog.records)
    assert "b'hello'" in caplog.records[0].getMessage()
    # Still serving, and nothing but the one good line came through.
    assert send_from_another_process(qtbot, server, app_home, "show") == [["show"], "True\n"]
    assert got == ["ping", "show"]


def test_a_second_server_for_the_same_data_directory_does_not_take_over(qtbot, server,
                                                                         app_home):
    from app.ui.lifecycle.single_instance import InstanceServer

    second = InstanceServer()
    assert second.listen() is False and second.busy
    assert "running" in second.error
    second.close()  # harmless when it never listened
    # Qt alone would have let it listen and take the name; the first still gets the messages.
    assert send_from_another_process(qtbot, server, app_home, "show") == [["show"], "True\n"]


def test_close_removes_the_socket_file_and_frees_the_name(qtbot, app_home):
    from app.ui.lifecycle.single_instance import InstanceServer, send_to_running, socket_path

    first = InstanceServer()
    assert first.listen()
    assert socket_path().exists()
    first.close()
    first.close()  # twice is fine
    assert not socket_path().exists()
    assert send_to_running("show") is False
    second = InstanceServer()
    assert second.listen()
    second.close()
    assert not socket_path().exists()


def test_the_socket_is_private_to_its_user(qtbot, server):
    from app.ui.lifecycle.single_instance import socket_path

    info = os.stat(socket_path())
    assert stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid()
    assert info.st_mode & 0o077 == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to run a process as another user")
def test_another_user_cannot_connect(qtbot, server):
    from app.ui.lifecycle.single_instance import socket_path

    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python for the other user")
    code = ("import socket, sys\ns = socket.socket(socket.AF_UNIX)\n"
            "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    print('denied')\n"
            "else:\n    print('connected')\n")
    result = subprocess.run([python, "-c", code, str(socket_path())], user="nobody",
                            capture_output=True, text=True, timeout=30, cwd="/")
    assert result.stdout == "denied\n", result.stderr


def test_a_stale_socket_file_from_a_killed_instance_is_replaced(qtbot, app_home, drivers):
    from app.ui.lifecycle.single_instance import InstanceServer, send_to_running, socket_path

    crashed = drivers(app_home)
    assert crashed.line() == "listening"
    crashed.process.send_signal(signal.SIGKILL)
    assert crashed.exit_code() == -signal.SIGKILL
    assert stat.S_ISSOCK(os.stat(socket_path()).st_mode)  # left behind
    assert send_to_running("show") is False  # refused at once

    server = InstanceServer()
    assert server.listen(), server.error
    try:
        assert send_from_another_process(qtbot, server, app_home, "quick-ask") == [
            ["quick-ask"], "True\n"]
    finally:
        server.close()
    assert not socket_path().exists()


def test_an_instance_that_never_answers_is_reported_not_waited_on_forever(server, app_home,
                                                                          drivers):
    # The in-process server listens, but this test does not spin the event loop: it never acks.
    stuck = drivers(app_home, "show", "--timeout-ms", "300")
    assert stuck.line().startswith("error: Task Assistant is already running but not responding")
    assert stuck.exit_code() == 1
    server.close()


# -- two real processes -----------------------------------------------------------------------


def test_a_second_launch_hands_off_and_exits_0(app_home, drivers):
    first = drivers(app_home)
    assert first.line() == "listening"
    for message in ("show", "quick-ask", "show", "ping"):
        start = time.monotonic()
        second = drivers(app_home, message)
        assert second.line() == "handed off"
        assert second.line() is None
        assert second.exit_code() == 0
        assert time.monotonic() - start < 4  # no timeout was waited out (5 s)
        assert first.line() == message
    first.quit()


def test_after_a_clean_quit_the_next_launch_listens(app_home, drivers):
    from app.ui.lifecycle.single_instance import socket_path

    first = drivers(app_home)
    assert first.line() == "listening"
    first.quit()
    assert not socket_path().exists()
    second = drivers(app_home, "quick-ask")
    assert second.line() == "listening"
    second.quit()


@pytest.mark.parametrize("launches", [2, 2, 2, 2, 2, 4], ids=lambda n: f"{n}-at-once")
def test_simultaneous_launches_exactly_one_listens(app_home, drivers, launches):
    racers = [drivers(app_home, "quick-ask" if n % 2 else "show", "--wait-for-go")
              for n in range(launches)]
    for racer in racers:
        assert racer.line() == "ready"
    for racer in racers:  # all imported and waiting: let them go at the same instant
        racer.tell("go")
    outcomes = [racer.line() for racer in racers]
    assert sorted(outcomes) == ["handed off"] * (launches - 1) + ["listening"], outcomes
    winner = racers[outcomes.index("listening")]
    received = sorted(winner.line() for _ in range(launches - 1))
    expected = sorted("quick-ask" if n % 2 else "show"
                      for n, outcome in enumerate(outcomes) if outcome == "handed off")
    assert received == expected
    for racer in racers:
        if racer is not winner:
            assert racer.exit_code() == 0
    winner.quit()


def test_different_data_directories_are_independent(tmp_path, drivers):
    one, two = tmp_path / "one", tmp_path / "two"
    first = drivers(one)
    other = drivers(two)
    assert first.line() == "listening"
    assert other.line() == "listening"  # not handed to the first
    assert drivers(two, "quick-ask").line() == "handed off"
    assert drivers(one, "show").line() == "handed off"
    assert other.line() == "quick-ask"
    assert first.line() == "show"
    first.quit()
    other.quit()

