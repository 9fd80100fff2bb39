"""Secrets kept in the operating system's keyring and never in a file of ours: the Gemini API
key, and the CalDAV sync password (`SYNC_PASSWORD`), each with an environment variable that
overrides it on machines without a keyring.

Every keyring call may block (D-Bus round trips, an unlock prompt), so the UI must call this
from a worker thread. That is safe: a `KeyStore` holds no state of its own besides the backend
it was given and a value kept for this session only, and keyring's backends open a fresh
connection per call.
"""

import os
import sys
import unicodedata
from typing import Literal, NamedTuple

from app.common.errors import UserError
from app.common.redact import ENV_VAR, redact, remember

SERVICE = "task-assistant"
USERNAME = "gemini-api-key"
# Windows Credential Locker refuses secrets over ~1,280 characters; a Gemini key is 39.
MAX_KEY_LENGTH = 1000

Source = Literal["environment", "session", "keyring"]


class Secret(NamedTuple):
    """One secret in the keyring: its entry's user name, the variable that overrides it, and
    how sentences name it."""

    username: str
    env_var: str
    label: str


GEMINI_KEY = Secret(USERNAME, ENV_VAR, "API key")
SYNC_PASSWORD = Secret("caldav-sync-password", "TASK_ASSISTANT_SYNC_PASSWORD", "sync password")
GET_A_KEY = "https://aistudio.google.com/apikey"
NO_KEY = ("No Gemini API key is set: add one in Settings or with `task-assistant key set` "
          f"(get one at {GET_A_KEY}), or set {ENV_VAR}.")


class KeyringUnavailableError(UserError):
    """The system keyring cannot be used; the message says what the user can do instead."""


class KeyringMissingError(KeyringUnavailableError):
    """There is no keyring to use at all (rather than one that failed): the app still works with
    the key in the environment, it just cannot remember it."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # why there is none, in a few words


def install_hint() -> str:
    if sys.platform == "darwin":
        return "unlock the macOS Keychain"
    if sys.platform == "win32":
        return "make sure Windows Credential Manager is available"
    return "install and unlock a Secret Service such as GNOME Keyring or KWallet"


def _no_keyring(detail: str, env_var: str = ENV_VAR) -> KeyringMissingError:
    return KeyringMissingError(
        f"No system keyring is available ({detail}): set {env_var} in the environment, "
        f"or {install_hint()}.", detail)


def _keyring_failed(detail: str, env_var: str = ENV_VAR) -> KeyringUnavailableError:
    return KeyringUnavailableError(
        f"The system keyring could not be used ({detail}): unlock it and try again, "
        f"or set {env_var} in the environment.")


def _insecure_keyring(name: str, env_var: str = ENV_VAR) -> KeyringMissingError:
    return KeyringMissingError(
        f"The only keyring available ({name}) keeps secrets in an ordinary file, so Task Assistant "
        f"will not use it: set {env_var} in the environment, or {install_hint()}.",
        f"only {name}, which keeps secrets in an ordinary file")


def check_key(key: str) -> str:
    """The key without surrounding whitespace, or a UserError that never quotes the key."""
    key = key.strip()
    if not key:
        raise UserError("The API key is empty: paste the key from Google AI Studio.")
    if len(key) > MAX_KEY_LENGTH:
        raise UserError(f"The API key is longer than {MAX_KEY_LENGTH:,} characters, which no "
                        "Gemini key is: check what was pasted.")
    # "C*" categories include zero-width characters that copy-paste from web pages brings along.
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in key):
        raise UserError("The API key contains spaces, line breaks or invisible characters: "
                        "paste it again as one unbroken line.")
    return key


def check_password(password: str) -> str:
    """A CalDAV password as typed (spaces are legal in one), or a UserError that never quotes it."""
    password = password.strip("\r\n")
    if not password:
        raise UserError("The password is empty: type the password or app password of the account.")
    if len(password) > MAX_KEY_LENGTH or "\n" in password:
        raise UserError("The password is longer than one line or 1,000 characters: check what "
                        "was pasted.")
    return password


class KeyStore:
    """Reads, saves and removes one secret (the API key unless told otherwise); its environment
    variable (GEMINI_API_KEY for the key) wins.

    Blocking and thread-safe: call it off the UI thread (see the module docstring).
    `backend` pins a keyring backend (tests, the Secret Service test); by default keyring's own
    choice is used.
    """

    def __init__(self, backend=None, secret: Secret = GEMINI_KEY) -> None:
        self._pinned = backend
        self._secret = secret
        self._session_key: str | None = None  # "for this session only": memory, never a file

    def _environment(self) -> str | None:
        return (os.environ.get(self._secret.env_var) or "").strip() or None

    def _check(self, key: str) -> str:
        return check_key(key) if self._secret == GEMINI_KEY else check_password(key)

    def use_for_session(self, key: str) -> None:
        """Keep the key in memory until the app quits: the route when there is no keyring to
        save it in (beside the environment variable). Validated first; UserError says what is
        wrong."""
        key = self._check(key)
        remember(key)  # redacted from every error text and log line from now on
        self._session_key = key

    def get(self) -> str | None:
        """The key to use, or None when none is set. Raises KeyringUnavailableError."""
        key = self._environment() or self._session_key
        if key is None:
            key = self._call(
                lambda backend: backend.get_password(SERVICE, self._secret.username)) or None
        if key:
            remember(key)
        return key

    def source(self) -> Source | None:
        """Where `get` finds the key; the environment comes first and needs no keyring."""
        if self._environment() is not None:
            return "environment"
        if self._session_key is not None:
            return "session"
        return "keyring" if self.get() else None

    def set(self, key: str) -> None:
        """Saves the key in the system keyring (validated first; UserError says what is wrong)."""
        key = self._check(key)
        remember(key)  # from now on any error text or log line that contains it is redacted
        self._call(lambda backend: backend.set_password(SERVICE, self._secret.username, key), key)

    def clear(self) -> bool:
        """Removes the stored key (and a key kept for this session); False when there was none.
        The environment is left alone."""
        if self._session_key is not None:
            self._session_key = None
            return True
        from keyring.errors import PasswordDeleteError

        def delete(backend) -> bool:
            try:
                backend.delete_password(SERVICE, self._secret.username)
            except PasswordDeleteError:
                return False
            return True

        return self._call(delete)

    def backend_name(self) -> str:
        """The keyring in use, for display ("SecretService Keyring")."""
        return self._call(lambda backend: backend.name)

    # -- the keyring, with every failure turned into one sentence -------------------------------

    def _call(self, operation, key: str | None = None):
        try:
            return operation(self._backend())
        except KeyringUnavailableError:
            raise
        except Exception as error:
            if not _is_keyring_failure(error):
                raise
            detail = _describe(error, key)
            from keyring.errors import NoKeyringError

            env_var = self._secret.env_var
            if isinstance(error, NoKeyringError):  # `from None`: the cause may quote the key
                raise _no_keyring(detail, env_var) from None
            raise _keyring_failed(detail, env_var) from None

    def _backend(self):
        """The secure backend to use; a file-based or placeholder backend is refused."""
        import keyring
        from keyring.backends.chainer import ChainerBackend

        try:
            active = self._pinned or keyring.get_keyring()
        except Exception as error:  # a bad PYTHON_KEYRING_BACKEND or keyringrc.cfg, say
            raise KeyringUnavailableError(  # one is set up, and it is broken: not "missing"
                f"The keyring that is set up cannot be loaded ({_describe(error)}): correct "
                f"PYTHON_KEYRING_BACKEND or keyringrc.cfg, or set {self._secret.env_var} in the "
                f"environment.") from None
        candidates = list(active.backends) if isinstance(active, ChainerBackend) else [active]
        for backend in candidates:
            if not _is_placeholder(backend) and not _is_file_based(backend):
                return backend
        insecure = [backend for backend in candidates if _is_file_based(backend)]
        if insecure:
            raise _insecure_keyring(insecure[0].name, self._secret.env_var)
        disabled = any(type(each).__module__ == "keyring.backends.null" for each in candidates)
        raise _no_keyring("keyring is turned off with its null backend" if disabled else
                          "keyring found no usable backend", self._secret.env_var)


def environment_key() -> str | None:
    """GEMINI_API_KEY when it is set to something; it overrides the keyring."""
    return (os.environ.get(ENV_VAR) or "").strip() or None


def _is_placeholder(backend) -> bool:
    """keyring's stand-ins when nothing real exists: `fail` raises on every call, `null` forgets."""
    return type(backend).__module__ in ("keyring.backends.fail", "keyring.backends.null")


def _is_file_based(backend) -> bool:
    """keyrings.alt's backends (Plaintext, Encrypted...) write the secret to a file in the home."""
    kind = type(backend)
    return kind.__module__.startswith("keyrings.alt") or "Plaintext" in kind.__name__


def _is_keyring_failure(error: Exception) -> bool:
    """keyring wraps only some failures: D-Bus errors mid-call come from secretstorage/jeepney."""
    from keyring.errors import KeyringError

    module = type(error).__module__
    return (isinstance(error, (KeyringError, OSError))
            or module.startswith(("secretstorage", "jeepney", "dbus")))


def _describe(error: Exception, key: str | None = None) -> str:
    """The first line of an error's text, without the key, short enough for one sentence."""
    text = redact(str(error), key).strip().splitlines()
    detail = text[0].rstrip(".") if text else type(error).__name__
    return detail if len(detail) <= 160 else detail[:157] + "..."
