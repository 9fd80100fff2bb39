"""The Gemini API key, kept in the operating system's keyring and never in a file of ours.

Every keyring call may block (D-Bus round trips, an unlock prompt), so the UI must call this
from a worker thread. That is safe: a `KeyStore` holds no state of its own besides the backend
it was given, and keyring's backends open a fresh connection per call.
"""

import os
import sys
import unicodedata
from typing import Literal

from app.common.errors import UserError
from app.common.redact import ENV_VAR, redact, remember

SERVICE = "task-assistant"
USERNAME = "gemini-api-key"
# Windows Credential Locker refuses secrets over ~1,280 characters; a Gemini key is 39.
MAX_KEY_LENGTH = 1000

Source = Literal["environment", "session", "keyring"]
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


def _no_keyring(detail: str) -> KeyringMissingError:
    return KeyringMissingError(
        f"No system keyring is available ({detail}): set {ENV_VAR} in the environment, "
        f"or {install_hint()}.", detail)


def _keyring_failed(detail: str) -> KeyringUnavailableError:
    return KeyringUnavailableError(
        f"The system keyring could not be used ({detail}): unlock it and try again, "
        f"or set {ENV_VAR} in the environment.")


def _insecure_keyring(name: str) -> KeyringMissingError:
    return KeyringMissingError(
        f"The only keyring available ({name}) keeps secrets in an ordinary file, so Task Assistant "
        f"will not use it: set {ENV_VAR} in the environment, or {install_hint()}.",
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


class KeyStore:
    """Reads, saves and removes the API key; GEMINI_API_KEY in the environment wins.

    Blocking and thread-safe: call it off the UI thread (see the module docstring).
    `backend` pins a keyring backend (tests, the Secret Service test); by default keyring's own
    choice is used.
    """

    def __init__(self, backend=None) -> None:
        self._pinned = backend
        self._session_key: str | None = None  # "for this session only": memory, never a file

    def use_for_session(self, key: str) -> None:
        """Keep the key in memory until the app quits: the route when there is no keyring to
        save it in (beside GEMINI_API_KEY). Validated first; UserError says what is wrong."""
        key = check_key(key)
        remember(key)  # redacted from every error text and log line from now on
        self._session_key = key

    def get(self) -> str | None:
        """The key to use, or None when none is set. Raises KeyringUnavailableError."""
        key = environment_key() or self._session_key
        if key is None:
            key = self._call(lambda backend: backend.get_password(SERVICE, USERNAME)) or None
        if key:
            remember(key)
        return key

    def source(self) -> Source | None:
        """Where `get` finds the key; the environment comes first and needs no keyring."""
        if environment_key() is not None:
            return "environment"
        if self._session_key is not None:
            return "session"
        return "keyring" if self.get() else None

    def set(self, key: str) -> None:
        """Saves the key in the system keyring (validated first; UserError says what is wrong)."""
        key = check_key(key)
        remember(key)  # from now on any error text or log line that contains it is redacted
        self._call(lambda backend: backend.set_password(SERVICE, USERNAME, key), key)

    def clear(self) -> bool:
        """Removes the stored key (and a key kept for this session); False when there was none.
        GEMINI_API_KEY is left alone."""
        if self._session_key is not None:
            self._session_key = None
            return True
        from keyring.errors import PasswordDeleteError

        def delete(backend) -> bool:
            try:
                backend.delete_password(SERVICE, USERNAME)
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

            if isinstance(error, NoKeyringError):
                raise _no_keyring(detail) from None  # `from None`: the cause may quote the key
            raise _keyring_failed(detail) from None

    def _backend(self):
        """The secure backend to use; a file-based or placeholder backend is refused."""
        import keyring
        from keyring.backends.chainer import ChainerBackend

        try:
            active = self._pinned or keyring.get_keyring()
        except Exception as error:  # a bad PYTHON_KEYRING_BACKEND or keyringrc.cfg, say
            raise KeyringUnavailableError(  # one is set up, and it is broken: not "missing"
                f"The keyring that is set up cannot be loaded ({_describe(error)}): correct "
                f"PYTHON_KEYRING_BACKEND or keyringrc.cfg, or set {ENV_VAR} in the "
                f"environment.") from None
        candidates = list(active.backends) if isinstance(active, ChainerBackend) else [active]
        for backend in candidates:
            if not _is_placeholder(backend) and not _is_file_based(backend):
                return backend
        insecure = [backend for backend in candidates if _is_file_based(backend)]
        if insecure:
            raise _insecure_keyring(insecure[0].name)
        disabled = any(type(each).__module__ == "keyring.backends.null" for each in candidates)
        raise _no_keyring("keyring is turned off with its null backend" if disabled else
                          "keyring found no usable backend")


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
