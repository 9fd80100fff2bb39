"""Start Task Assistant when the user logs in: one small backend per platform (no Qt here).

The entry itself is the truth, not the `start_on_login` setting: the user can switch it off
elsewhere (GNOME Tweaks, Task Manager, System Settings), so a settings page asks `enabled()`.
Each backend takes its location (or, on Windows, its registry) as an argument, so all three are
tested on any platform.
"""

import os
import plistlib
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app import APP_NAME
from app.common.errors import UserError
from app.common.safe_files import write_atomically

# Login entries are readable, as an editor would make them (mkstemp's 0600): nothing secret.
ENTRY_MODE = 0o644


def launch_command(extra: Sequence[str] = ()) -> list[str]:
    """The command that starts this very installation; `extra` adds options (say, start in the
    tray)."""
    if getattr(sys, "frozen", False):  # PyInstaller: the executable is the app
        executable = Path(sys.executable)
        if sys.platform == "win32":  # the console task-assistant.exe would open a console
            windowed = executable.with_name(f"{APP_NAME}.exe")
            if windowed.exists():
                executable = windowed
        return [str(executable), *extra]
    python = sys.executable
    if sys.platform == "win32":  # python.exe would open a console window at every login
        windowless = Path(python).with_name("pythonw.exe")
        if windowless.exists():
            python = str(windowless)
    return [python, "-m", "app", *extra]


class Autostart:
    """Start on login for this platform (`sys.platform`), or for the backend given."""

    def __init__(self, backend: "XdgAutostart | WindowsAutostart | MacAutostart | None" = None):
        if backend is None:
            backend = (WindowsAutostart() if sys.platform == "win32"
                       else MacAutostart() if sys.platform == "darwin" else XdgAutostart())
        self.backend = backend

    def enabled(self) -> bool:
        return self.backend.enabled()

    def enable(self, command: Sequence[str]) -> None:
        self.backend.enable(command)

    def disable(self) -> None:
        self.backend.disable()


# -- Linux and the BSDs: an XDG autostart entry ----------------------------------------------------

class XdgAutostart:
    FILE_NAME = "task-assistant.desktop"

    def __init__(self, config_home: Path | None = None):
        if config_home is None:
            value = os.environ.get("XDG_CONFIG_HOME", "")
            # The base-directory spec: a relative path is invalid and must be ignored.
            config_home = Path(value) if os.path.isabs(value) else Path.home() / ".config"
        self.path = Path(config_home) / "autostart" / self.FILE_NAME

    def enabled(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        entry = _desktop_entry(text)
        # How the desktops switch an entry off without removing it (Hidden: the spec; the
        # other: GNOME's "Startup Applications" and Tweaks).
        return (entry.get("Hidden") != "true"
                and entry.get("X-GNOME-Autostart-enabled") != "false")

    def enable(self, command: Sequence[str]) -> None:
        text = "\n".join([
            "# Written by Task Assistant for its \"Start on login\" setting; turning that off",
            "# removes this file.",
            "[Desktop Entry]",
            "Type=Application",
            f"Name={APP_NAME}",
            "Comment=Starts Task Assistant when you log in",
            f"Exec={desktop_exec(_checked(command))}",
            "Icon=task-assistant",
            "Terminal=false",
            "StartupNotify=false",  # no busy cursor at login for a window that may not appear
            "X-GNOME-Autostart-enabled=true",
            "",
        ])
        try:
            write_atomically(self.path, text.encode("utf-8"), mode=ENTRY_MODE)
        except OSError as error:
            raise UserError(f"Start on login could not be turned on: {self.path} could not be "
                            f"written ({_reason(error)}).") from None

    def disable(self) -> None:
        _remove(self.path)


def _desktop_entry(text: str) -> dict[str, str]:
    """The keys of the [Desktop Entry] group (values as written; enough for two booleans)."""
    entry: dict[str, str] = {}
    group = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            entry[key.strip()] = value.strip()
    return entry


# The Desktop Entry spec's reserved characters: an argument with any of them must be quoted.
_RESERVED = re.compile(r"""[\s"'\\><~|&;$*?#()`]""")


def desktop_exec(command: Sequence[str]) -> str:
    """An Exec value per the Desktop Entry spec: arguments with reserved characters in double
    quotes, with " ` $ \\ escaped inside; every % doubled (a lone one is a field code like %f);
    then the string escapes every value gets, applied to the whole line (so a backslash in a
    quoted argument ends up as four)."""
    def quoted(argument: str) -> str:
        if argument and not _RESERVED.search(argument):
            return argument
        return '"' + re.sub(r'(["`$\\])', r"\\\1", argument) + '"'

    line = " ".join(quoted(argument).replace("%", "%%") for argument in command)
    return (line.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


# -- Windows: a value under the user's Run key ---------------------------------------------------

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
# Task Manager and Settings > Apps > Startup switch a Run entry off here, leaving it in place.
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


class WindowsAutostart:
    # Any: winreg, whose names typeshed declares only on Windows, or the tests' stand-in for it
    def __init__(self, registry: Any = None, name: str = APP_NAME):
        if registry is None:
            import winreg as registry  # only on Windows: the tests pass a stand-in

        self.registry = registry
        self.name = name

    def enabled(self) -> bool:
        if not self._query(RUN_KEY):
            return False
        approval = self._query(APPROVED_KEY)
        # 02 00 … means on and 03 00 … (then when) off; other tools write other even/odd bytes.
        return not (isinstance(approval, bytes) and len(approval) > 0 and approval[0] & 1)

    def enable(self, command: Sequence[str]) -> None:
        reg = self.registry
        # REG_SZ, not REG_EXPAND_SZ: a % in a path stays a %.
        line = subprocess.list2cmdline(_checked(command))
        try:
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.SetValueEx(key, self.name, 0, reg.REG_SZ, line)
        except OSError as error:
            raise UserError("Start on login could not be turned on: Windows refused to change "
                            f"the Run entry in the registry ({_reason(error)}).") from None
        # The user just asked for it here, so an earlier "off" from Task Manager no longer
        # holds; if this fails, enabled() still tells the truth.
        self._delete(APPROVED_KEY, quiet=True)

    def disable(self) -> None:
        self._delete(RUN_KEY)
        self._delete(APPROVED_KEY, quiet=True)  # leave nothing behind

    def _query(self, subkey: str) -> object:
        reg = self.registry
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, subkey, 0, reg.KEY_QUERY_VALUE) as key:
                return reg.QueryValueEx(key, self.name)[0]
        except OSError:  # no key, no value, or not allowed to look: not on
            return None

    def _delete(self, subkey: str, quiet: bool = False) -> None:
        reg = self.registry
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, subkey, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, self.name)
        except FileNotFoundError:  # no key or no value: already off
            pass
        except OSError as error:
            if not quiet:
                raise UserError("Start on login could not be turned off: Windows refused to "
                                f"change the Run entry in the registry ({_reason(error)}).") \
                    from None


# -- macOS: a LaunchAgent ------------------------------------------------------------------------

class MacAutostart:
    LABEL = "com.taskassistant.app"

    def __init__(self, agents_dir: Path | None = None):
        agents_dir = agents_dir or Path.home() / "Library" / "LaunchAgents"
        self.path = Path(agents_dir) / f"{self.LABEL}.plist"

    def enabled(self) -> bool:
        try:
            agent = plistlib.loads(self.path.read_bytes())
        except Exception:  # missing, unreadable or not a plist (expat's errors are their own)
            return False
        return (isinstance(agent, dict) and agent.get("RunAtLoad") is True
                and agent.get("Disabled") is not True)

    def enable(self, command: Sequence[str]) -> None:
        agent = {
            "Label": self.LABEL,
            "ProgramArguments": _checked(command),
            "RunAtLoad": True,  # once at login; no KeepAlive, so quitting the app is final
            "ProcessType": "Interactive",  # a UI app: launchd must not throttle it
        }
        try:
            write_atomically(self.path, plistlib.dumps(agent), mode=ENTRY_MODE)
        except OSError as error:
            raise UserError(f"Start on login could not be turned on: {self.path} could not be "
                            f"written ({_reason(error)}).") from None

    def disable(self) -> None:
        _remove(self.path)


# -- shared ------------------------------------------------------------------------------------

def _checked(command: Sequence[str]) -> list[str]:
    command = list(command)
    if not command or not command[0] or not all(isinstance(part, str) for part in command):
        raise ValueError(f"not a command: {command!r}")
    return command


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise UserError(f"Start on login could not be turned off: {path} could not be removed "
                        f"({_reason(error)}).") from None


def _reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).rstrip(".")
