"""Start on login: every backend round-trips here (the Windows registry is the one stand-in)."""

import os
import plistlib
import re
import sys

import pytest

from app.common.errors import UserError
from app.desktop.autostart import (
    APPROVED_KEY,
    RUN_KEY,
    Autostart,
    MacAutostart,
    WindowsAutostart,
    XdgAutostart,
    desktop_exec,
    launch_command,
)

COMMAND = ["/home/me/My Apps/100% python/bin/python3", "-m", "app", "--minimized"]


def parse_exec(value: str) -> list[str]:
    """How a desktop reads Exec, written here from the spec: the string escapes first, then %%
    to %, then arguments split at spaces outside double quotes, where \\ escapes " ` $ \\."""
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    line = re.sub(r"\\(.)", lambda match: escapes.get(match[1], match[0]), value)
    line = line.replace("%%", "%")
    arguments, current, quoted, started, index = [], "", False, False, 0
    while index < len(line):
        char = line[index]
        if quoted and char == "\\" and line[index + 1] in '"`$\\':
            current, index = current + line[index + 1], index + 1
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started:
                arguments.append(current)
            current, started = "", False
        else:
            current, started = current + char, True
        index += 1
    assert not quoted, "unbalanced quotes"
    return arguments + [current] if started else arguments


def read_entry(path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


# -- the command -----------------------------------------------------------------------------

def test_launch_command_runs_this_python_or_the_frozen_app(monkeypatch):
    assert launch_command() == [sys.executable, "-m", "app"]
    assert launch_command(["--minimized"]) == [sys.executable, "-m", "app", "--minimized"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert launch_command(("--minimized",)) == [sys.executable, "--minimized"]


def test_on_windows_login_starts_the_windowed_exe_even_when_set_from_the_console_one(
        monkeypatch, tmp_path):
    # The installed folder holds both (packaging/task-assistant.spec); the console one would
    # open a console window at every login.
    for name in ("task-assistant.exe", "Task Assistant.exe"):
        (tmp_path / name).write_bytes(b"MZ")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "task-assistant.exe"))
    assert launch_command(["--tray"]) == [str(tmp_path / "Task Assistant.exe"), "--tray"]


def test_the_platform_picks_the_backend(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert Autostart().backend.path == tmp_path / "autostart" / "task-assistant.desktop"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert isinstance(Autostart().backend, MacAutostart)
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")  # invalid: the default applies
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert XdgAutostart().path == tmp_path / "home" / ".config" / "autostart" / \
        "task-assistant.desktop"


# -- Linux and the BSDs ------------------------------------------------------------------------

def test_xdg_entry_round_trip(tmp_path):
    autostart = Autostart(XdgAutostart(tmp_path / "config"))
    assert not autostart.enabled()
    autostart.enable(COMMAND)
    path = tmp_path / "config" / "autostart" / "task-assistant.desktop"
    entry = read_entry(path)
    assert autostart.enabled()
    assert (entry["Type"], entry["Name"], entry["Icon"], entry["X-GNOME-Autostart-enabled"]) == \
        ("Application", "Task Assistant", "task-assistant", "true")
    assert entry["Exec"] == '"/home/me/My Apps/100%% python/bin/python3" -m app --minimized'
    assert parse_exec(entry["Exec"]) == COMMAND
    assert path.read_text().startswith("# Written by Task Assistant")
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind
    autostart.disable()
    assert not autostart.enabled() and not path.exists()
    autostart.disable()  # already off: nothing to do


@pytest.mark.parametrize("argument", [
    "plain", "with space", "100%", "%f", 'say "hi"', "it's", "back\\slash", "$HOME", "`id`",
    "a;b", "~", "tab\there", "new\nline", "", "#hash", "(x)", "a=b"])
def test_exec_quoting_round_trips(argument):
    value = desktop_exec(["/usr/bin/prog", argument])
    assert "\n" not in value and "\t" not in value
    assert "%" not in value.replace("%%", "")  # no field code can appear
    assert parse_exec(value) == ["/usr/bin/prog", argument]


def test_exec_quoting_follows_the_spec_examples():
    # A literal backslash in a quoted argument is four in the file, a dollar sign is \\$.
    assert desktop_exec(["a b\\c"]) == '"a b\\\\\\\\c"'
    assert desktop_exec(["$x"]) == '"\\\\$x"'
    assert desktop_exec(["/usr/bin/prog", "--flag=1"]) == "/usr/bin/prog --flag=1"


def test_an_entry_switched_off_by_the_desktop_is_not_enabled(tmp_path):
    autostart = XdgAutostart(tmp_path)
    autostart.enable(COMMAND)
    text = autostart.path.read_text()
    autostart.path.write_text(text.replace("X-GNOME-Autostart-enabled=true",
                                           "X-GNOME-Autostart-enabled=false"))
    assert not autostart.enabled()
    autostart.path.write_text(text + "Hidden=true\n")
    assert not autostart.enabled()
    autostart.enable(COMMAND)  # turning it on again here wins
    assert autostart.enabled()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that apply (root ignores them)")
def test_a_read_only_config_dir_says_so_in_one_sentence(tmp_path):
    (tmp_path / "autostart").mkdir()
    (tmp_path / "autostart").chmod(0o500)
    try:
        with pytest.raises(UserError) as raised:
            XdgAutostart(tmp_path).enable(COMMAND)
        assert str(raised.value) == (
            f"Start on login could not be turned on: {tmp_path}/autostart/task-assistant.desktop"
            " could not be written (Permission denied).")
        assert os.listdir(tmp_path / "autostart") == []
    finally:
        (tmp_path / "autostart").chmod(0o700)


def test_an_unusable_config_dir_says_so_in_one_sentence(tmp_path):
    (tmp_path / "autostart").write_text("a file where the folder should be")
    with pytest.raises(UserError) as raised:
        XdgAutostart(tmp_path).enable(COMMAND)
    message = str(raised.value)
    assert message.startswith("Start on login could not be turned on: ")
    assert message.endswith(").") and message.count(". ") == 0 and "\n" not in message
    assert (tmp_path / "autostart").read_text() == "a file where the folder should be"


def test_a_command_is_required(tmp_path):
    with pytest.raises(ValueError):
        XdgAutostart(tmp_path).enable([])
    assert not (tmp_path / "autostart").exists()


# -- Windows -------------------------------------------------------------------------------------

class FakeRegistry:
    """The part of `winreg` the backend uses, over a dict: {subkey: {value name: value}}."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_QUERY_VALUE, KEY_SET_VALUE = 1, 2
    REG_SZ = 1

    def __init__(self):
        self.keys: dict[str, dict[str, object]] = {}
        self.denied = False

    class Handle:
        def __init__(self, subkey):
            self.subkey = subkey

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def _check(self, root, access):
        assert root == self.HKEY_CURRENT_USER  # never the machine-wide keys
        if self.denied and access == self.KEY_SET_VALUE:
            raise PermissionError(13, "Access is denied")

    def CreateKeyEx(self, root, subkey, reserved, access):
        self._check(root, access)
        self.keys.setdefault(subkey, {})
        return self.Handle(subkey)

    def OpenKey(self, root, subkey, reserved, access):
        self._check(root, access)
        if subkey not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self.Handle(subkey)

    def QueryValueEx(self, key, name):
        try:
            return self.keys[key.subkey][name], self.REG_SZ
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None

    def SetValueEx(self, key, name, reserved, kind, value):
        assert kind == self.REG_SZ and isinstance(value, str)
        self.keys[key.subkey][name] = value

    def DeleteValue(self, key, name):
        if name not in self.keys[key.subkey]:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del self.keys[key.subkey][name]


def test_windows_run_value_round_trip():
    registry = FakeRegistry()
    autostart = Autostart(WindowsAutostart(registry))
    assert not autostart.enabled()
    autostart.disable()  # no key at all yet: already off
    autostart.enable([r"C:\Program Files\Task Assistant\Task Assistant.exe", "--minimized",
                      "100%"])
    assert registry.keys[RUN_KEY] == {
        "Task Assistant": r'"C:\Program Files\Task Assistant\Task Assistant.exe" --minimized 100%'}
    assert autostart.enabled()
    autostart.disable()
    assert registry.keys[RUN_KEY] == {} and not autostart.enabled()


def test_windows_respects_and_then_overrides_task_managers_switch():
    registry = FakeRegistry()
    autostart = WindowsAutostart(registry)
    autostart.enable(COMMAND)
    registry.keys[APPROVED_KEY] = {"Task Assistant": bytes([3] + [0] * 11)}  # off in Task Manager
    assert not autostart.enabled()
    registry.keys[APPROVED_KEY] = {"Task Assistant": bytes([2] + [0] * 11)}  # on again there
    assert autostart.enabled()
    registry.keys[APPROVED_KEY] = {"Task Assistant": bytes([3] + [0] * 11)}
    autostart.enable(COMMAND)  # turned on in our settings: the user's latest word
    assert autostart.enabled() and registry.keys[APPROVED_KEY] == {}


def test_windows_denied_says_so_and_changes_nothing():
    registry = FakeRegistry()
    autostart = WindowsAutostart(registry)
    registry.denied = True
    with pytest.raises(UserError, match=r"^Start on login could not be turned on: Windows "
                                        r"refused to change the Run entry in the registry "
                                        r"\(Access is denied\)\.$"):
        autostart.enable(COMMAND)
    assert registry.keys == {} and not autostart.enabled()
    registry.denied = False
    autostart.enable(COMMAND)
    registry.denied = True
    with pytest.raises(UserError, match="could not be turned off"):
        autostart.disable()
    assert autostart.enabled()


# -- macOS ---------------------------------------------------------------------------------------

def test_mac_launch_agent_round_trip(tmp_path):
    autostart = Autostart(MacAutostart(tmp_path / "LaunchAgents"))
    assert not autostart.enabled()
    autostart.enable(COMMAND)
    path = tmp_path / "LaunchAgents" / "com.taskassistant.app.plist"
    with path.open("rb") as file:
        agent = plistlib.load(file)
    assert agent == {"Label": "com.taskassistant.app", "ProgramArguments": COMMAND,
                     "RunAtLoad": True, "ProcessType": "Interactive"}
    assert autostart.enabled()
    autostart.disable()
    assert not path.exists() and not autostart.enabled()


def test_mac_a_broken_or_disabled_agent_is_not_enabled(tmp_path):
    autostart = MacAutostart(tmp_path)
    autostart.path.write_text("<plist><dict><key>RunAtLoad")
    assert not autostart.enabled()
    autostart.path.write_bytes(plistlib.dumps({"Label": "x", "RunAtLoad": True,
                                               "Disabled": True}))
    assert not autostart.enabled()
    autostart.enable(COMMAND)
    assert autostart.enabled()


def test_mac_unwritable_folder_says_so(tmp_path):
    (tmp_path / "LaunchAgents").write_text("not a folder")
    with pytest.raises(UserError, match=r"^Start on login could not be turned on: .* could not "
                                        r"be written \(.+\)\.$"):
        MacAutostart(tmp_path / "LaunchAgents").enable(COMMAND)
