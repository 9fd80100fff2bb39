"""The user's settings (model, endpoint, later the UI's options) in `settings.json`; Qt-free.

The API key is deliberately not a setting: it lives in the system keyring (app.config.keystore).
A broken settings file never stops the app: the defaults are used, the file is kept aside
for the user, and `warnings` says what happened.
"""

import json
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from app.common.errors import UserError
from app.common.listeners import Listeners
from app.common.safe_files import keep_aside, read_json, write_atomically
from app.config import shortcut_text

FILE_NAME = "settings.json"


def check_model(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must not be empty (for example gemini-2.5-flash)")
    value = value.strip()
    if any(char.isspace() for char in value):
        raise ValueError("must not contain spaces (for example gemini-2.5-flash)")
    return value


def _check_base_url(value: Any) -> str:
    from urllib.parse import urlsplit

    value = value.strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(value)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a malformed port or IPv6 address
        usable = False
    if not usable or any(char.isspace() for char in value):
        raise ValueError("must start with http:// or https:// and name a host "
                         "(for example https://generativelanguage.googleapis.com/v1beta/openai/)")
    if parts.username or parts.password:  # a secret in the URL would be a secret in this file
        raise ValueError("must not contain a user name or password "
                         "(save the API key with `task-assistant key set`)")
    if _carries_key(value):
        raise ValueError("must not contain an API key (save the key with "
                         "`task-assistant key set`; it is sent in a header)")
    return value


_KEY_PARAMETERS = {"key", "api_key", "apikey", "access_token", "token", "x-goog-api-key"}


def _carries_key(url: str) -> bool:
    from urllib.parse import parse_qsl, urlsplit

    from app.common.redact import redact

    parts = urlsplit(url)
    names = {name.lower() for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return bool(names & _KEY_PARAMETERS) or redact(url) != url


def plain_http_to_another_host(url: str) -> bool:
    """True for http:// to anything but this computer: the key would cross the network
    unencrypted. (Loopback is the usual local proxy or test server.)"""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise ValueError("must be one of " + ", ".join(choices))
        return value.strip().lower()
    return check


class Setting(NamedTuple):
    name: str
    label: str  # how a sentence names it: "The {label} must ..."
    default: Any
    check: Callable[[Any], Any]  # the value, normalised, or ValueError("must ...")
    env: str | None = None  # an environment variable that overrides it at read time

    def from_text(self, text: str) -> Any:
        """The value a user typed (the CLI), in this setting's type."""
        if isinstance(self.default, bool):
            words = {"true": True, "yes": True, "on": True, "1": True,
                     "false": False, "no": False, "off": False, "0": False}
            return words.get(text.strip().lower(), text)
        return text


SETTINGS = (
    Setting("model", "model name", "gemini-2.5-flash", check_model, "TASK_ASSISTANT_MODEL"),
    Setting("base_url", "base URL", "https://generativelanguage.googleapis.com/v1beta/openai/",
            _check_base_url, "TASK_ASSISTANT_BASE_URL"),
    Setting("close_to_tray", "close-to-tray choice", True, _check_bool),
    Setting("reminders", "reminders choice", True, _check_bool),
    Setting("start_on_login", "start-on-login choice", False, _check_bool),
    Setting("quick_ask_shortcut", "quick-ask shortcut", "Ctrl+Alt+Space", shortcut_text.check),
    # The look (docs/DESIGN.md): "system" follows the desktop's light, dark or high contrast.
    Setting("theme", "theme", "system", _one_of("system", "light", "dark")),
    Setting("text_size", "text size", "normal", _one_of("small", "normal", "large", "larger")),
    # "inter", the bundled font, looks the same everywhere; "system" is the desktop's own.
    Setting("font", "font", "inter", _one_of("inter", "system")),
)


class Settings:
    """One settings file. Safe to share between threads; subscribers are called on the thread
    that made the change (a Qt UI should forward the name through a queued signal)."""

    def __init__(self, path: Path | None = None, known: tuple[Setting, ...] = SETTINGS) -> None:
        if path is None:
            from app.common.paths import data_dir

            path = data_dir() / FILE_NAME
        self.path = Path(path)
        self.known = {setting.name: setting for setting in known}
        self.warnings: list[str] = []  # sentences about a broken file, for the UI or CLI to show
        self._lock = threading.Lock()
        self._listeners = Listeners("settings")
        stored, problem = self._read_raw()
        if problem:
            self.warnings.append(f"{self.path.name} is not usable ({problem}), so the default "
                                 "settings are used.")
        self._stored = self._usable(stored, warn=True)
        self._seen = self._file_stamp()

    # -- reading --------------------------------------------------------------------------------

    def get(self, name: str) -> Any:
        """The value in effect: the environment variable, else the saved value, else the default."""
        setting = self.setting(name)
        override = os.environ.get(setting.env) if setting.env else None
        if override:
            try:
                return setting.check(override)
            except ValueError as error:
                raise UserError(f"{setting.env} {error}.") from None
        with self._lock:
            if name in self._stored:
                return self._stored[name]
        return setting.default

    def source(self, name: str) -> str:
        """Where `get` takes the value from: "environment" (the variable is `setting(name).env`),
        "saved" or "default"."""
        setting = self.setting(name)
        if setting.env and os.environ.get(setting.env):
            return "environment"
        with self._lock:
            return "saved" if name in self._stored else "default"

    @property
    def model(self) -> str:
        return self.get("model")

    @property
    def base_url(self) -> str:
        return self.get("base_url")

    def setting(self, name: str) -> Setting:
        try:
            return self.known[name]
        except KeyError:
            raise UserError(f"There is no setting called {name!r}: use one of "
                            f"{', '.join(self.known)}.") from None

    def poll_external_changes(self) -> None:
        """Announce the settings another process saved (`task-assistant settings set` while the
        app runs), so a running app follows them at once. A file that cannot be read now is
        left for the next start to deal with."""
        stamp = self._file_stamp()
        if stamp == self._seen:
            return
        self._seen = stamp
        try:
            stored, problem = read_json(self.path)
        except ValueError:
            return
        if problem or not isinstance(stored, dict):
            return
        with self._lock:
            before, self._stored = self._stored, self._usable(stored)
            changed = [name for name in self.known
                       if before.get(name) != self._stored.get(name)]
        for name in changed:
            self._listeners.notify(name)

    def _file_stamp(self) -> tuple | None:
        try:
            found = self.path.stat()
        except OSError:
            return None
        return found.st_mtime_ns, found.st_size, found.st_ino

    # -- changing -------------------------------------------------------------------------------

    def set(self, name: str, value: Any, *, allow_http: bool = False) -> Any:
        """Validates and saves a value (returned normalised); UserError says what is wrong.
        A base URL with plain http to another computer needs `allow_http`."""
        setting = self.setting(name)
        try:
            value = setting.check(value)
        except ValueError as error:
            raise UserError(f"The {setting.label} {error}.") from None
        if name == "base_url" and not allow_http and plain_http_to_another_host(value):
            raise UserError("The base URL uses plain http to another computer, so the API key "
                            "would travel unencrypted: use https, or add --allow-http if you "
                            "mean it.")
        self._change(name, lambda stored: stored.__setitem__(name, value))
        return value

    def reset(self, name: str) -> bool:
        """Forgets the saved value so the default applies; False when none was saved."""
        self.setting(name)
        return self._change(name, lambda stored: stored.pop(name, None))

    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Calls `callback(name)` after a setting is saved or reset; returns the unsubscribe."""
        return self._listeners.subscribe(callback)

    def _change(self, name: str, edit: Callable[[dict], Any]) -> bool:
        with self._lock, self._file_lock():
            # Read again, under the lock between processes: keep what another window or the
            # CLI saved meanwhile.
            stored, problem = self._read_raw()
            if problem:
                raise UserError(f"{self.path} is not usable ({problem}), so it was not "
                                "overwritten: fix or remove it.")
            before = dict(stored)
            edit(stored)
            changed = stored != before
            if changed:
                self._write(stored)
            self._stored = self._usable(stored)
        if changed:  # outside the lock: a subscriber may read the settings
            self._listeners.notify(name)
        return changed

    @contextmanager
    def _file_lock(self):
        from app.common.file_lock import locked

        try:
            with locked(self.path):
                yield
        except OSError as error:  # the lock file could not be made (read-only, disk full)
            raise UserError(f"The settings could not be saved to {self.path} "
                            f"({error.strerror or error}).") from None

    # -- the file -------------------------------------------------------------------------------

    def _read_raw(self) -> tuple[dict, str | None]:
        """Everything in the file, unknown keys included (a newer version's settings survive),
        and why the file cannot be used when it must not be overwritten either."""
        try:
            stored, problem = read_json(self.path)
            if problem or stored is None:
                return {}, problem
            if not isinstance(stored, dict):
                raise ValueError("not a JSON object")
        except ValueError as error:  # JSON and UTF-8 errors alike
            return {}, self._keep_aside(str(error).splitlines()[0])
        return stored, None

    def _keep_aside(self, reason: str) -> str | None:
        """Moves a damaged file out of the way, never over an earlier one, so nothing is lost."""
        try:
            aside = keep_aside(self.path)
        except OSError as error:
            return f"damaged: {reason}; moving it aside failed: {error.strerror}"
        self.warnings.append(f"{self.path.name} was damaged ({reason}); it was kept as "
                             f"{aside.name} and the default settings are used.")
        return None

    def _usable(self, stored: dict, warn: bool = False) -> dict:
        """The known settings with valid values; a bad one falls back to its default."""
        usable = {}
        for name, value in stored.items():
            setting = self.known.get(name)
            if setting is None:
                continue
            try:
                usable[name] = setting.check(value)
            except ValueError:
                if warn:
                    self.warnings.append(f"The saved {setting.label} in {self.path.name} is not "
                                         "usable, so the default is used.")
        return usable

    def _write(self, stored: dict) -> None:
        text = json.dumps(stored, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as error:
            raise UserError(f"The settings could not be saved to {self.path} "
                            f"({error.strerror or error}).") from None
