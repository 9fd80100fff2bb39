"""The quick-ask shortcut on Wayland: the app against a stand-in xdg-desktop-portal
(portal_stand_in.py) on a private session bus of the test's own dbus-daemon, through the real
D-Bus interfaces. The app sees a Wayland session (XDG_SESSION_TYPE) while Qt draws offscreen."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TESTS, piped
from test_ui_tray import clock, shell_fixture  # noqa: F401  (fixtures)

from app.config.shortcut_text import parse
from app.ui.hotkeys.global_shortcut import NOT_AVAILABLE, GlobalShortcut
from app.ui.hotkeys.wayland import portal_trigger

HERE = TESTS
pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="needs dbus-daemon")
# A session bus with no service files: nothing on this machine is started on it by activation.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class Portal:
    """The stand-in portal's process, and the calls it received."""

    def __init__(self, calls: Path, options: list[str]) -> None:
        self.calls_file = calls
        self.process = subprocess.Popen([sys.executable, str(HERE / "portal_stand_in.py"),
                                         str(calls), *options], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert piped(self.process.stdout).readline().strip() == "ready"

    def calls(self, name: str | None = None) -> list[dict]:
        if not self.calls_file.exists():
            return []
        lines = self.calls_file.read_text().splitlines()
        return [call for call in map(json.loads, lines) if name in (None, call["call"])]

    def press(self) -> None:
        """What the desktop does when its bound key is pressed: Activated."""
        piped(self.process.stdin).write("activate\n")
        piped(self.process.stdin).flush()
        assert piped(self.process.stdout).readline().strip() == "done"

    def change(self, trigger: str) -> None:
        """The user picks another key in the desktop's own settings."""
        piped(self.process.stdin).write(f"change {trigger}\n")
        piped(self.process.stdin).flush()
        assert piped(self.process.stdout).readline().strip() == "done"

    def stop(self) -> None:
        piped(self.process.stdin).close()
        self.process.wait(timeout=10)


@pytest.fixture
def session_bus(tmp_path, monkeypatch):
    """A private session bus; the test process (and the app in it) uses it."""
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(dir=tmp_path))
    daemon = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork",
                               "--nopidfile", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    yield address
    daemon.terminate()
    daemon.wait(timeout=10)


@pytest.fixture
def start_portal(session_bus, tmp_path):
    started = []

    def start(*options: str) -> Portal:
        started.append(Portal(tmp_path / "portal-calls.jsonl", list(options)))
        return started[-1]

    yield start
    for portal in started:
        portal.stop()


@pytest.fixture
def portal(start_portal):
    return start_portal()


def bound_sentence(trigger: str) -> str:
    return f"Quick ask is bound to {trigger} by the desktop."


def test_the_app_registers_binds_the_preferred_key_and_settings_shows_it(portal, qtbot, shell):
    qtbot.waitUntil(lambda: shell.shortcut.status == bound_sentence("CTRL+ALT+space"))
    assert [call["call"] for call in portal.calls()] == ["Register", "CreateSession",
                                                        "BindShortcuts"]
    assert portal.calls("Register")[0]["app_id"] == "task-assistant"
    assert portal.calls("CreateSession")[0]["options"] == ["handle_token",
                                                           "session_handle_token"]
    assert portal.calls("BindShortcuts")[0]["shortcuts"] == [
        {"id": "quick-ask", "description": "Open quick ask",
         "preferred_trigger": "CTRL+ALT+space"}]
    shell.window.open_settings()
    field = shell.window.settings_dialog.shortcut_field
    assert field.status.text() == bound_sentence("CTRL+ALT+space")


def test_the_desktops_key_press_opens_quick_ask(portal, qtbot, shell):
    qtbot.waitUntil(lambda: shell.shortcut.status == bound_sentence("CTRL+ALT+space"))
    assert shell.popup is None or not shell.popup.isVisible()
    portal.press()
    qtbot.waitUntil(lambda: shell.popup is not None and shell.popup.isVisible())


def test_a_key_the_desktop_chose_instead_is_what_settings_shows(start_portal, qtbot, qapp):
    start_portal("--bind-as", "Ctrl+Shift+Q")
    shortcut = GlobalShortcut()
    shortcut.apply("Ctrl+Alt+Space")
    qtbot.waitUntil(lambda: shortcut.status == bound_sentence("Ctrl+Shift+Q"))
    shortcut.close()


def test_a_key_changed_in_the_desktops_settings_is_shown(start_portal, qtbot, qapp):
    portal = start_portal()
    shortcut = GlobalShortcut()
    shortcut.apply("Ctrl+Alt+Space")
    qtbot.waitUntil(lambda: shortcut.status == bound_sentence("CTRL+ALT+space"))
    portal.change("Meta+K")
    qtbot.waitUntil(lambda: shortcut.status == bound_sentence("Meta+K"))
    portal.change("K" * 5000)  # the desktop's text is shown, within one line's bounds
    qtbot.waitUntil(lambda: shortcut.status == bound_sentence("K" * 60))
    shortcut.close()


def test_a_portal_without_the_registry_still_binds(start_portal, qtbot, qapp):
    portal = start_portal("--without-registry")  # xdg-desktop-portal before 1.21
    shortcut = GlobalShortcut()
    shortcut.apply("Ctrl+Alt+Space")
    qtbot.waitUntil(lambda: shortcut.status == bound_sentence("CTRL+ALT+space"))
    assert [call["call"] for call in portal.calls()] == ["CreateSession", "BindShortcuts"]
    shortcut.close()


@pytest.mark.parametrize("desktop", ["no portal", "a portal without GlobalShortcuts",
                                     "no session bus"])
def test_a_desktop_without_the_portal_gets_the_sentence(desktop, start_portal, monkeypatch,
                                                        qtbot, qapp):
    if desktop == "a portal without GlobalShortcuts":
        start_portal("--without-global-shortcuts")
    elif desktop == "no session bus":
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    shortcut = GlobalShortcut()
    shortcut.apply("Ctrl+Alt+Space")
    qtbot.waitUntil(lambda: shortcut.status == NOT_AVAILABLE)
    assert NOT_AVAILABLE.count(".") == 1 and "task-assistant --quick-ask" in NOT_AVAILABLE
    shortcut.close()


def test_a_changed_setting_binds_again_in_a_new_session(portal, qtbot, shell):
    qtbot.waitUntil(lambda: shell.shortcut.status == bound_sentence("CTRL+ALT+space"))
    first = portal.calls("BindShortcuts")[0]["session"]
    shell.settings.set("quick_ask_shortcut", "Ctrl+Alt+J")
    qtbot.waitUntil(lambda: shell.shortcut.status == bound_sentence("CTRL+ALT+j"))
    assert portal.calls("Close") == [{"call": "Close", "session": first}]
    binds = portal.calls("BindShortcuts")
    assert [bind["shortcuts"][0]["preferred_trigger"] for bind in binds] == ["CTRL+ALT+space",
                                                                             "CTRL+ALT+j"]
    assert binds[1]["session"] != first
    portal.press()  # the new session's key
    qtbot.waitUntil(lambda: shell.popup is not None and shell.popup.isVisible())

    shell.settings.set("quick_ask_shortcut", "none")
    qtbot.waitUntil(lambda: shell.shortcut.status == "No quick-ask shortcut is set.")
    qtbot.waitUntil(lambda: len(portal.calls("Close")) == 2)


@pytest.mark.parametrize(("typed", "trigger"), [
    ("Ctrl+Alt+Space", "CTRL+ALT+space"), ("Ctrl+Alt+J", "CTRL+ALT+j"),
    ("Shift+Meta+F12", "SHIFT+LOGO+F12"), ("Alt+7", "ALT+7"), ("Ctrl+PgDown", "CTRL+Page_Down"),
    ("Ctrl+Esc", "CTRL+Escape"), ("F9", "F9"),
])
def test_the_preferred_trigger_is_written_in_the_portals_syntax(typed, trigger):
    assert portal_trigger(parse(typed)) == trigger
