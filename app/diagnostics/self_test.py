"""`task-assistant --self-test`: does this copy of the app have everything it needs to run?

Written for the frozen bundle, where a module, a keyring backend, the TLS certificates, a Qt
plugin or a resource can be left behind without anything failing until a user meets it. Each
check either returns a short detail or raises CheckFailed with one sentence saying what is
missing and what to do. Nothing here touches the user's data: the store and the window use a
temporary directory, no setting is written, and the keyring is asked only for its name.

Qt-free at import: Qt is loaded by the window check only (from app.ui.lifecycle.window_check).
"""

import importlib
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from app.common.install import CheckFailed, reinstall_hint


class CheckWarning(Exception):
    """The app works, but the user loses something: one sentence saying what, and the fix."""


# What the app imports at run time. The agent stack's lazy imports (app.assistant.loader) and the
# keyring backend of each platform (found through entry points) are listed too: a freezer sees
# neither by reading the code.
MODULES = [
    "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtNetwork", "qasync",
    "keyring", "keyring.backends.chainer", "openai", "openai.resources.chat.chat", "agents",
    "agents.memory.sqlite_session", "anyio._backends._asyncio", "jiter", "platformdirs",
    "sqlite3", "ssl", "app.assistant.assistant", "app.assistant.chat_session", "app.ui.shell",
    "app.ui.lifecycle.desktop", "PySide6.QtSvg", "mcp.server.mcpserver", "mcp.client.stdio",
    "agents.mcp",
    "app.mcp.server", "app.assistant.mcp_tools",
    # the task model (issue 14): repeat rules, natural dates (with their language data), files
    "dateutil.rrule", "dateparser", "dateparser.date", "dateparser.data.date_translation_data.en",
    "regex", "tzlocal", "icalendar", "app.tasks.files.ical", "app.tasks.files.todoist",
    # Code blocks: Pygments finds its lexers and styles by name, at run time.
    "pygments.lexers", "pygments.lexers.python", "pygments.styles.default",
    "pygments.styles.gh_dark",
    # CalDAV sync (issue 15): the client, its HTTP and XML libraries
    "caldav", "caldav.davclient", "niquests", "lxml.etree", "app.sync.engine",
    "app.ui.background_sync",
    # Routines (issue 25) and the global quick-ask shortcut (issue 24): each backend is chosen
    # at run time by the desktop it finds.
    "app.routines.scheduler", "app.ui.routine_timer", "app.ui.hotkeys.global_shortcut",
    "app.ui.hotkeys.x11", "app.ui.hotkeys.wayland", "app.ui.hotkeys.windows",
    "app.ui.hotkeys.macos", "app.assistant.voice", "app.assistant.voice_turn",
    # Voice messages (issue 24): imported when a recording starts; on Linux PortAudio is the
    # system's libportaudio2 (a dependency of the .deb), on Windows and macOS in the wheel.
    "sounddevice", "app.desktop.microphone", "app.ui.chat.voice_recorder",
]
if sys.platform == "win32":
    MODULES += ["keyring.backends.Windows", "win32ctypes.pywin32.win32cred"]
elif sys.platform == "darwin":
    MODULES += ["keyring.backends.macOS", "keyring.backends.macOS.api"]
else:
    MODULES += ["keyring.backends.SecretService", "secretstorage", "jeepney", "jeepney.io.blocking"]

CERTIFICATE_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR")  # what the HTTP client honours, in order
HASHED_CERTIFICATE = re.compile(r"[0-9a-fA-F]{8}\.\d+")  # OpenSSL's lookup names in a capath


def _first_line(error: BaseException) -> str:
    from app.common.redact import redact

    lines = redact(str(error)).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(error).__name__


# -- the checks -------------------------------------------------------------------------------

def check_imports() -> str:
    import importlib

    failures: dict[str, list[str]] = {}  # why -> the modules it stopped (often one cause)
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception as error:  # a missing DLL is an OSError, a broken module anything
            failures.setdefault(f"{type(error).__name__}: {_first_line(error)}", []).append(name)
    if failures:
        missing = "; ".join(f"{', '.join(names)} ({why})" for why, names in failures.items())
        raise CheckFailed(f"Could not import {missing}: {reinstall_hint()}.")
    python, qt = sys.version.split()[0], sys.modules["PySide6"].__version__
    return f"{len(MODULES)} modules (Python {python}, PySide6 {qt})"


def check_keyring() -> str:
    # KeyStore refuses placeholder and plaintext backends with a sentence that says how to fix
    # it on this platform; asking for the backend's name reads no secret.
    # No keyring at all, with the key in the environment, is how i3, sway and servers run: the
    # app works, it only cannot remember the key. A keyring that exists but fails is a failure.
    from app.config.keystore import (
        ENV_VAR,
        KeyringMissingError,
        KeyringUnavailableError,
        KeyStore,
        environment_key,
        install_hint,
    )

    try:
        return KeyStore().backend_name()
    except KeyringMissingError as error:
        if environment_key() is None:
            raise CheckFailed(str(error)) from None
        raise CheckWarning(f"none usable ({error.reason}), so your key is not remembered: "
                           f"it is read from {ENV_VAR} each time; to keep it, "
                           f"{install_hint()}.") from None
    except KeyringUnavailableError as error:
        raise CheckFailed(str(error)) from None


def check_tls() -> str:
    import ssl

    try:  # the HTTP client openai uses; both build their context the same way
        httpx = importlib.import_module("httpx2")
    except ImportError:
        httpx = importlib.import_module("httpx")
    override = next(((name, os.environ[name]) for name in CERTIFICATE_ENV
                     if os.environ.get(name)), None)
    try:
        context = httpx.create_ssl_context()
    except (ssl.SSLError, OSError) as error:
        reason = _ssl_reason(error)
        if override:
            raise CheckFailed(_bad_override(*override, reason)) from None
        raise CheckFailed(f"The TLS certificates could not be loaded ({reason}): "
                          f"set SSL_CERT_FILE to a PEM certificate bundle, or "
                          f"{reinstall_hint()}.") from None
    authorities = context.cert_store_stats()["x509_ca"]
    source = f" from {override[0]}" if override else ""
    if authorities:
        return f"{authorities} root certificates{source}"
    if sys.platform in ("win32", "darwin") and not override:
        return "the system's certificate store"  # truststore asks the OS at each handshake
    # Certificates in a hashed folder (a capath) are read lazily, so the count above misses them.
    folder = override[1] if override else ssl.get_default_verify_paths().openssl_capath
    if (not override or override[0] == "SSL_CERT_DIR") and _has_hashed_certificates(folder):
        return f"root certificates in {folder}"
    if override:
        raise CheckFailed(_bad_override(*override, "it holds no root certificates"))
    raise CheckFailed("No root certificates were found, so no HTTPS server can be verified: "
                      "install the ca-certificates package, or set SSL_CERT_FILE to a PEM "
                      "certificate bundle.")


def _ssl_reason(error: OSError) -> str:
    """"no certificate or crl found", without OpenSSL's "[X509: ...]" and "(_ssl.c:4154)"."""
    text = re.sub(r"^\[[^]]*\]\s*|\s*\(_ssl\.c:\d+\)$", "", error.strerror or "")
    return text or _first_line(error)


def _has_hashed_certificates(folder: str) -> bool:
    try:
        return any(HASHED_CERTIFICATE.fullmatch(name) for name in os.listdir(folder))
    except OSError:
        return False


def _bad_override(variable: str, value: str, detail: str) -> str:
    kind, usable = (("file", "a PEM certificate bundle") if variable == "SSL_CERT_FILE" else
                    ("folder", "a folder of hashed certificates"))
    return (f"The certificate {kind} in {variable} ({value}) cannot be used ({detail}), so no "
            f"HTTPS server can be verified: point {variable} at {usable}, or unset it.")


def resource_names() -> list[str]:
    # The .desktop entry gives the window its icon on Linux desktops; elsewhere it is unused.
    linux = sys.platform.startswith("linux")
    return (["task-assistant.svg", "icons/copy.svg", "icons/LICENSE-lucide.txt"]
            + (["task-assistant.desktop"] if linux else []))


def check_resources() -> str:
    from app.common.paths import resource_path, resources_dir

    names = resource_names()
    missing = [name for name in names if resource_path(name) is None]
    if missing:
        named = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 \
            else missing[0]
        raise CheckFailed(f"{named} {'is' if len(missing) == 1 else 'are'} "
                          f"missing from {resources_dir()}: {reinstall_hint()}.")
    return ", ".join(names)


def check_store() -> str:
    import sqlite3

    from app.conversations.store import ConversationStore
    from app.tasks import Origin, TaskStore

    cli = Origin("cli")
    with _temporary_folder() as folder:
        try:
            with TaskStore(folder / "tasks.sqlite3") as store:
                added = store.add("Self-test task", by=cli, due="tomorrow", tags=["self-test"])
                found = [task.id for task in store.search("Self-test")]  # the FTS5 index
                done = store.complete(added.id, by=cli)
                store.undo(by=cli)  # the history and its undo work too
                undone = store.get(added.id)
            with ConversationStore(folder / "conversations.sqlite3") as conversations:
                conversations.get(conversations.create("Self-test").id)
        except sqlite3.Error as error:
            raise CheckFailed(f"The task store does not work with SQLite {sqlite3.sqlite_version} "
                              f"({_first_line(error)}): {reinstall_hint()}.") from None
    if found != [added.id] or done.status != "done" or undone.status != "open":
        raise CheckFailed(f"The task store did not read back the task it saved: "
                          f"{reinstall_hint()}.")
    return f"SQLite {sqlite3.sqlite_version}"


def check_window() -> str:
    from app.common.paths import HOME_ENV
    from app.ui.lifecycle.window_check import check_window as show_main_window

    # The window opens the app's files: in a temporary home, never the user's. Without a
    # platform asked for, it is painted offscreen so the check also runs headless (CI, ssh).
    platform = os.environ.get("QT_QPA_PLATFORM") or "offscreen"
    with _temporary_folder() as home, _environment({HOME_ENV: str(home),
                                                    "QT_QPA_PLATFORM": platform}):
        return show_main_window()


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("imports", check_imports),
    ("keyring", check_keyring),
    ("TLS certificates", check_tls),
    ("resources", check_resources),
    ("task store", check_store),
    ("window", check_window),
]


# -- running them -----------------------------------------------------------------------------

def run(checks: list[tuple[str, Callable[[], str]]] = CHECKS, out=None) -> int:
    """Run every check, print one line each and a summary; 0 when none failed (warnings pass),
    else 1."""
    out = out or sys.stdout
    verdicts = []
    for name, check in checks:
        verdict, text = _outcome(check)
        verdicts.append(verdict)
        text = " ".join(text.split())  # one line, whatever an error message held
        # Flushed line by line: should Qt abort the process, what was found so far is shown.
        print(_ascii(f"{verdict:<8}{name}: {text}"), file=out, flush=True)
    if failed := verdicts.count(FAILED):
        print(f"Self-test failed: {failed} of {len(checks)} checks; see above.", file=out)
        return 1
    warned = verdicts.count(WARNING)
    print(f"Self-test passed: {len(checks)} checks"
          f"{f', {warned} with a warning above' if warned else ''}.", file=out)
    return 0


PASSED, WARNING, FAILED = "ok", "warning", "FAILED"


def _outcome(check: Callable[[], str]) -> tuple[str, str]:
    try:
        return PASSED, check()
    except CheckWarning as warning:
        return WARNING, str(warning)
    except CheckFailed as failure:
        return FAILED, str(failure)
    except Exception as error:  # a bug or a surprise: still one line, and the next check runs
        from app.common.redact import redact

        message = redact(str(error)).strip()
        return FAILED, (f"It stopped with an unexpected error ({type(error).__name__}"
                        f"{': ' + message if message else ''}).")


def _ascii(text: str) -> str:
    """Plain ASCII (a Windows console may be cp1252): accents dropped, anything else '?'."""
    decomposed = unicodedata.normalize("NFKD", text)  # "…" becomes "..." too
    return "".join(char for char in decomposed if not unicodedata.combining(char)).encode(
        "ascii", "replace").decode("ascii")


@contextmanager
def _temporary_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="task-assistant-self-test-",
                                     ignore_cleanup_errors=True) as folder:
        yield Path(folder)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration, then put back exactly what was there."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
