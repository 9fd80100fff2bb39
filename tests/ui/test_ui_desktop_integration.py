"""The desktop app as the desktop sees it: real processes, a second launch, the tray, closing.

- Offscreen (no display): a second launch hands "show" / "quick-ask" to the running app and
  exits 0 at once; `--quick-ask` with nothing running starts the app itself.
- On a private Xvfb with a tray host (`trayer`): the tray icon is really embedded; closing the
  window the way a window manager does (a WM_DELETE_WINDOW message) hides it into the tray and
  the app keeps running; a second launch shows the same window again; `--quick-ask` opens the
  popup; SIGTERM ends it all with exit 0.
- On a private Xvfb without a tray host: closing the window quits the app, exit 0.

Every wait polls an observable with a deadline (the socket file, the lock, a window's map state,
the process's exit); nothing sleeps for a guessed time.
"""

import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import CLI, TEST_KEY, cli_env
from test_ui_real_display import colours, display_fixture, screenshot, stop  # noqa: F401 (the `display` fixture)

TITLE = "Task Assistant"
QUICK_ASK_TITLE = "Task Assistant: quick ask"
STARTUP = 30   # seconds for the app to listen / map its window (~1 s here)
HAND_OFF = 10  # seconds for a second launch to hand its message over and exit (~0.2 s here)
QUIT = 20      # seconds for SIGTERM or closing the window to end the app (~1 s here)
X_TOOL = 10    # seconds for one xdotool / xwininfo / xprop command
OFFSCREEN_NOISE = "This plugin does not support"  # propagateSizeHints(), raise(): not errors
PROBLEMS = ("Traceback", "Task was destroyed but it is pending",
            "QThread: Destroyed while thread is still running")

pytestmark = pytest.mark.skipif(sys.platform != "linux",
                                reason="Unix sockets, SIGTERM and X11: Linux only")

X_MARKS = [
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None,
                       reason="Xvfb is not installed (Debian: apt-get install xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None,
                       reason="xdotool is not installed (Debian: apt-get install xdotool)"),
    pytest.mark.skipif(shutil.which("xwininfo") is None or shutil.which("xprop") is None,
                       reason="xwininfo/xprop are not installed "
                              "(Debian: apt-get install x11-utils)"),
]
TRAY_HOST_MARKS = [
    pytest.mark.skipif(shutil.which("trayer") is None,
                       reason="trayer (a system tray host) is not installed "
                              "(Debian: apt-get install trayer)"),
]


def marked(*marks):
    def apply(test):
        for mark in marks:
            test = mark(test)
        return test
    return apply

# A tiny X client (ctypes + libX11, which xdotool itself links): run as its own process, since
# Xlib's default error handler ends the process on an X error.
#   owner SELECTION  -> the selection owner's window id (0: none)
#   close WINDOW     -> what a window manager sends when the user clicks the close button
# Without a window manager nothing else asks a window to close: `xdotool windowclose` destroys
# the window (Qt sees no close request), `wmctrl -c` sends _NET_CLOSE_WINDOW, which only a
# window manager acts on, and the app has no close shortcut. The ICCCM request is a
# WM_PROTOCOLS ClientMessage carrying WM_DELETE_WINDOW; Qt's xcb plugin turns it into a close
# event, i.e. MainWindow.closeEvent.
X11_CLIENT = r"""
import ctypes, sys
xlib = ctypes.CDLL("libX11.so.6")
Window = Atom = ctypes.c_ulong
xlib.XOpenDisplay.restype = ctypes.c_void_p
xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
xlib.XInternAtom.restype = Atom
xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
xlib.XGetSelectionOwner.restype = Window
xlib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, Atom]
xlib.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
xlib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]

class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", Window), ("message_type", Atom),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]

class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]

command, argument = sys.argv[1:3]
display = xlib.XOpenDisplay(None)  # $DISPLAY
if not display:
    sys.exit("cannot open the display")
atom = lambda name: xlib.XInternAtom(display, name.encode(), 0)
if command == "owner":
    print(xlib.XGetSelectionOwner(display, atom(argument)))
else:
    event = XEvent()
    event.xclient.type = 33  # ClientMessage
    event.xclient.window = int(argument, 0)
    event.xclient.message_type = atom("WM_PROTOCOLS")
    event.xclient.format = 32
    event.xclient.data[0] = atom("WM_DELETE_WINDOW")
    event.xclient.data[1] = 0  # CurrentTime
    # event mask 0: delivered to the client that created the window, as a WM's message is
    if not xlib.XSendEvent(display, event.xclient.window, 0, 0, ctypes.byref(event)):
        sys.exit("XSendEvent failed")
xlib.XSync(display, 0)  # an X error (a bad window id) surfaces here and ends the process
xlib.XCloseDisplay(display)
"""


# -- the app ---------------------------------------------------------------------------------------

class App:
    """`python -m app [args]` in a subprocess, its stderr kept in a file (a pipe could fill up)."""

    def __init__(self, app_home: Path, tmp_path: Path, args=(), **env: str) -> None:
        self.app_home = app_home
        self.env = cli_env(app_home, GEMINI_API_KEY=TEST_KEY, **env)  # no keyring lookups
        self.stderr_path = tmp_path / "app-stderr.txt"
        self.crash_log = app_home / "task-assistant.log"  # app.common.crash_log
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen([*CLI, *args], env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=stderr)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_until(self, condition, timeout: float, what: str):
        """Poll `condition` until it returns something truthy; fail at once if the app exits."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if not self.alive():
                pytest.fail(f"the app exited ({self.process.returncode}) before {what}:\n"
                            f"{self.stderr}{self._crash_log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"not {what} after {timeout} s; the app's stderr:\n"
                            f"{self.stderr}{self._crash_log()}")
            time.sleep(0.05)

    def launch_again(self, *args: str) -> tuple[subprocess.CompletedProcess, float]:
        """A second `task-assistant [args]` with the same data directory and display: it should
        hand its message to this one and exit."""
        started = time.monotonic()
        try:
            second = subprocess.run([*CLI, *args], env=self.env, stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, timeout=HAND_OFF)
        except subprocess.TimeoutExpired as timeout:
            pytest.fail(f"`{' '.join(['task-assistant', *args])}` was still running after "
                        f"{HAND_OFF} s (it did not hand off): {timeout.stderr!r}")
        return second, time.monotonic() - started

    def terminate(self) -> str:
        """SIGTERM: the app must end by itself with exit 0 and a clean stderr, which is returned."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=QUIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {QUIT} s after SIGTERM; stderr:\n{self.stderr}")
        assert code == 0, self.stderr + self._crash_log()
        return self.assert_clean_exit()

    def wait_for_exit(self, what: str) -> int:
        try:
            return self.process.wait(timeout=QUIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {QUIT} s after {what}; stderr:\n{self.stderr}")

    def assert_clean_exit(self) -> str:
        stderr = self.stderr
        for problem in PROBLEMS:
            assert problem not in stderr, stderr
        assert TEST_KEY not in stderr
        assert not self.crash_log.exists(), self._crash_log()
        # Nothing left behind for the next start: no socket file, the lock free.
        assert not socket_file().exists()
        assert not lock_held(self.app_home)
        return stderr

    def _crash_log(self) -> str:
        return f"\ncrash log:\n{self.crash_log.read_text()}" if self.crash_log.exists() else ""

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
            self.process.wait()


@pytest.fixture
def started(app_home, tmp_path, gemini):
    """Starts apps (`started(args, **env)`) and kills whatever is left of them afterwards. The
    fake Gemini is there so that nothing could ever reach the real service."""
    apps: list[App] = []

    def start(*args: str, **env: str) -> App:
        app = App(app_home, tmp_path, args, TASK_ASSISTANT_BASE_URL=gemini.base_url, **env)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.kill()


def socket_file() -> Path:
    """Where the running instance listens for second launches (the test's TASK_ASSISTANT_HOME,
    XDG_RUNTIME_DIR and TMPDIR are the app's: cli_env copies them)."""
    from app.ui.lifecycle.single_instance import socket_path

    path = socket_path()
    assert path is not None  # a file everywhere but Windows
    return path


def lock_held(app_home: Path) -> bool:
    """Whether some process holds running.lock (the instance holds it while it listens)."""
    import fcntl

    path = app_home / "running.lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops our lock, if we got it
    return False


def listening(app_home: Path) -> bool:
    """The instance is up: its socket file is there and it holds the lock."""
    path = socket_file()
    try:
        is_socket = stat.S_ISSOCK(os.stat(path).st_mode)
    except FileNotFoundError:
        return False
    return is_socket and lock_held(app_home)


def window_opened(app_home: Path) -> bool:
    """The main window opens its first conversation as it is built (see test_ui_lifecycle)."""
    database = app_home / "conversations.sqlite3"
    if not database.exists():
        return False
    with closing(sqlite3.connect(database)) as connection:
        try:
            return connection.execute("SELECT count(*) FROM conversations").fetchone()[0] > 0
        except sqlite3.OperationalError:
            return False  # created, not migrated yet


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and OFFSCREEN_NOISE not in line]


# -- offscreen: the single instance ------------------------------------------------------------

def test_a_second_launch_hands_off_to_the_running_app_and_exits_0(started, app_home):
    first = started(QT_QPA_PLATFORM="offscreen")
    first.wait_until(lambda: listening(app_home) and window_opened(app_home), STARTUP,
                     "listening with its window open")

    for args in ([], ["--quick-ask"]):
        second, took = first.launch_again(*args)
        assert second.returncode == 0, (args, second.stderr)
        assert second.stderr == "", (args, second.stderr)
        assert took < HAND_OFF, (args, took)
        assert first.alive(), first.stderr  # the message was handed over, nothing quit

    assert problems(first.terminate()) == []


def test_quick_ask_with_nothing_running_starts_the_app(started, app_home):
    assert not socket_file().exists() and not lock_held(app_home)

    app = started("--quick-ask", QT_QPA_PLATFORM="offscreen")
    app.wait_until(lambda: listening(app_home), STARTUP, "listening")
    assert (app_home / "running.lock").exists()
    # It is the instance now, and stays one: a later launch is handed to it.
    second, _took = app.launch_again("--quick-ask")
    assert second.returncode == 0 and second.stderr == "", second.stderr
    assert app.alive(), app.stderr

    assert problems(app.terminate()) == []


# -- X11 helpers -----------------------------------------------------------------------------------

def run_x(display: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, timeout=X_TOOL)


def x11_client(display: str, command: str, argument: str) -> str:
    result = run_x(display, sys.executable, "-c", X11_CLIENT, command, argument)
    assert result.returncode == 0, f"X11 client {command} {argument}: {result.stderr}"
    return result.stdout.strip()


def tray_owner(display: str) -> int:
    """The window that owns the system-tray selection of screen 0: what Qt's
    QSystemTrayIcon.isSystemTrayAvailable() looks for on X11 (0: no tray)."""
    return int(x11_client(display, "owner", "_NET_SYSTEM_TRAY_S0"))


def close_window(display: str, window: int) -> None:
    x11_client(display, "close", str(window))


def top_level_windows(display: str, title: str, visible: bool = True) -> list[int]:
    """Top-level windows whose WM_NAME is exactly `title` (mapped ones only, by default).

    --maxdepth 1: children of the root, so not the tray icon (reparented into the tray). The
    tray icon and the tray's message balloon also leave WM_NAME empty (their title is only in
    _NET_WM_NAME), and tooltip-type windows (the balloon) are left out explicitly as well."""
    argv = ["xdotool", "search", "--maxdepth", "1", *(["--onlyvisible"] if visible else []),
            "--name", f"^{re.escape(title)}$"]
    found = run_x(display, *argv)
    if found.returncode != 0:  # 1: no match
        return []
    windows = [int(word) for word in found.stdout.split()]
    return [window for window in windows
            if "_NET_WM_WINDOW_TYPE_TOOLTIP" not in run_x(
                display, "xprop", "-id", str(window), "_NET_WM_WINDOW_TYPE").stdout]


def windows_of(display: str, pid: int) -> set[int]:
    """Windows whose _NET_WM_PID is `pid` (Qt sets it on every window it creates)."""
    found = run_x(display, "xdotool", "search", "--pid", str(pid))
    return {int(word) for word in found.stdout.split()} if found.returncode == 0 else set()


def map_state(display: str, window: int) -> str:
    """"IsViewable" (mapped, on screen), "IsUnMapped", "IsUnviewable", or "gone"."""
    info = run_x(display, "xwininfo", "-id", str(window))
    found = re.search(r"Map State:\s*(\w+)", info.stdout)
    return found.group(1) if info.returncode == 0 and found else "gone"


TREE_LINE = re.compile(r'^(?P<indent> *)(?P<id>0x[0-9a-f]+) (?:".*"|\(has no name\)): '
                       r'\((?P<wm_class>[^)]*)\)')


def window_tree(display: str) -> list[tuple[int, int, list[str]]]:
    """`xwininfo -root -tree` as (depth, window, WM_CLASS strings), in tree order."""
    listing = run_x(display, "xwininfo", "-root", "-tree")
    assert listing.returncode == 0, listing.stderr
    rows = []
    for line in listing.stdout.splitlines():
        match = TREE_LINE.match(line)
        if match:
            rows.append((len(match["indent"]), int(match["id"], 16),
                         re.findall(r'"([^"]*)"', match["wm_class"])))
    return rows


def embedded_tray_icons(display: str, pid: int) -> list[int]:
    """The app's windows that sit inside the tray host's window, mapped per their XEmbed info.

    How a tray icon is recognised: Qt's X11 tray icon is a small window of its own that the
    app asks the tray (the _NET_SYSTEM_TRAY_S0 owner) to dock; trayer then reparents it into a
    socket window inside its "panel" window (WM_CLASS "panel", "trayer"). So the icon is the
    window that is (1) a descendant of a top-level window of WM_CLASS class "trayer",
    (2) of WM_CLASS class "task-assistant" (Qt's class is the application name; the instance
    part is argv[0]'s name, "__main__.py" under `python -m app`), (3) the app's, by its
    _NET_WM_PID, and (4) XEmbed-mapped: _XEMBED_INFO flags with XEMBED_MAPPED (1) set."""
    inside_tray, tray_depth = [], None
    for depth, window, wm_class in window_tree(display):
        if tray_depth is not None and depth <= tray_depth:
            tray_depth = None  # left the tray's subtree
        if tray_depth is None:
            if wm_class[1:] == ["trayer"]:
                tray_depth = depth
        elif wm_class[1:] == ["task-assistant"]:
            inside_tray.append(window)
    ours = windows_of(display, pid)
    icons = []
    for window in inside_tray:
        if window not in ours:
            continue
        info = run_x(display, "xprop", "-id", str(window), "_XEMBED_INFO").stdout
        flags = re.search(r"=\s*0x[0-9a-f]+,\s*(0x[0-9a-f]+)", info)
        if flags and int(flags.group(1), 16) & 1:
            icons.append(window)
    return icons


@pytest.fixture
def tray_host(display, tmp_path):
    """trayer on the display, up once it owns the system-tray selection (which is what makes
    QSystemTrayIcon.isSystemTrayAvailable() true in an app started after that)."""
    log_path = tmp_path / "trayer.log"
    with open(log_path, "wb") as log:
        tray = subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
             "--height", "24"],
            env={**os.environ, "DISPLAY": display}, stdin=subprocess.DEVNULL, stdout=log,
            stderr=log)
    try:
        deadline = time.monotonic() + STARTUP
        while not (owner := tray_owner(display)):
            if tray.poll() is not None:
                pytest.fail(f"trayer exited ({tray.returncode}): {log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"trayer took no tray selection in {STARTUP} s: "
                            f"{log_path.read_text()}")
            time.sleep(0.05)
        yield owner
    finally:
        stop(tray)


def on_display(started, display: str, *args: str) -> App:
    return started(*args, DISPLAY=display, QT_QPA_PLATFORM="xcb")  # not the offscreen default


def main_window(app: App, display: str) -> int:
    """The main window, once it is mapped (Qt also makes an unmapped 1x1 leader window with
    the same name: only the visible one is taken)."""
    def shown():
        ours = windows_of(display, app.pid)
        windows = [window for window in top_level_windows(display, TITLE) if window in ours]
        return windows[0] if len(windows) == 1 else None

    return app.wait_until(shown, STARTUP, "showing its window")


# -- on X with a tray: close to the tray, show again, quick ask --------------------------------

@pytest.mark.timeout(240)
@marked(*X_MARKS, *TRAY_HOST_MARKS)
def test_closing_the_window_hides_it_into_the_tray_and_a_launch_shows_it_again(
        started, display, tray_host, app_home, tmp_path):
    app = on_display(started, display)
    window = main_window(app, display)
    icons = app.wait_until(lambda: embedded_tray_icons(display, app.pid), STARTUP,
                           "docking its icon in the tray")
    assert len(icons) == 1 and icons[0] != window

    close_window(display, window)  # the user clicks the window's close button
    app.wait_until(lambda: map_state(display, window) == "IsUnMapped", QUIT, "hiding the window")
    assert top_level_windows(display, TITLE) == []  # no "Task Assistant" window on screen
    assert app.alive() and listening(app_home)
    assert embedded_tray_icons(display, app.pid) == icons  # still in the tray

    # A second launch: handed "show" to the running app (a new instance would not have exited,
    # and would have made a window of its own, not mapped this one again).
    second, took = app.launch_again()
    assert second.returncode == 0 and second.stderr == "", second.stderr
    assert took < HAND_OFF
    app.wait_until(lambda: map_state(display, window) == "IsViewable", STARTUP,
                   "showing its window again")
    assert top_level_windows(display, TITLE) == [window]

    quick, took = app.launch_again("--quick-ask")
    assert quick.returncode == 0 and quick.stderr == "", quick.stderr
    assert took < HAND_OFF
    popups = app.wait_until(
        lambda: [w for w in top_level_windows(display, QUICK_ASK_TITLE)
                 if w in windows_of(display, app.pid)], STARTUP, "showing the quick-ask popup")
    assert len(popups) == 1

    picture = tmp_path / "quick-ask.png"
    screenshot(display, app_home, picture)
    assert picture.stat().st_size > 1000
    assert len(colours(picture)) > 10  # windows with text on them, not a blank screen

    assert app.alive(), app.stderr
    app.terminate()


# -- on X without a tray: closing the window quits ---------------------------------------------

@marked(*X_MARKS)
def test_closing_the_window_without_a_tray_quits_with_exit_0(started, display, app_home):
    assert tray_owner(display) == 0  # a bare Xvfb: no system tray
    app = on_display(started, display)
    window = main_window(app, display)

    close_window(display, window)
    code = app.wait_for_exit("the window was closed")
    assert code == 0, app.stderr
    app.assert_clean_exit()
    assert (app_home / "window.ini").exists()  # it went through the app's shutdown

