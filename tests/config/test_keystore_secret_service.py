"""The key in a real Secret Service (gnome-keyring on D-Bus), as on a Linux desktop.

scripts/test runs the suite inside `dbus-run-session` with a fresh, unlocked gnome-keyring in a
temporary directory. Anywhere else these tests skip: they must never write to, or pop up an
unlock prompt for, the developer's own keyring.
"""

import os
import subprocess

import pytest
from conftest import CLI, GEMINI_SHAPED_KEY, cli_env

from app.config.keystore import SERVICE, KeyStore

pytestmark = pytest.mark.secret_service

KEY = GEMINI_SHAPED_KEY


def _private_secret_service_problem() -> str | None:
    """Why the real Secret Service cannot be used safely here, or None when it can."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session (run scripts/test, which starts one with gnome-keyring)"
    try:
        import secretstorage
        from keyring.backends.SecretService import Keyring

        Keyring.priority  # noqa: B018 (raises when no Secret Service answers on the bus)
        with secretstorage.dbus_init() as connection:
            try:
                collection = secretstorage.Collection(connection)  # never creates one: that prompts
            except secretstorage.exceptions.ItemNotFoundException:
                return "the Secret Service has no default collection (scripts/test creates one)"
            if collection.is_locked():  # never unlock: that could prompt on a real desktop
                return "the Secret Service's default collection is locked"
            others = [item for item in collection.get_all_items()
                      if item.get_attributes().get("service") != SERVICE]
    except Exception as error:  # anything short of a working service means "skip"
        return f"no usable Secret Service ({type(error).__name__}: {error})"
    if others:
        return ("the default collection holds other secrets, so it looks like a real user's "
                "keyring (run scripts/test, which starts a private one)")
    return None


@pytest.fixture(scope="module")
def secret_service():
    problem = _private_secret_service_problem()
    if problem:
        pytest.skip(problem)
    from keyring.backends.SecretService import Keyring

    yield Keyring()
    KeyStore(Keyring()).clear()  # leave the (private) keyring as we found it


def test_set_get_clear_in_the_secret_service(secret_service):
    store = KeyStore(secret_service)
    store.set(f"{KEY}\n")
    assert store.get() == KEY
    assert store.source() == "keyring"
    assert store.backend_name() == "SecretService Keyring"
    assert KeyStore(secret_service).get() == KEY  # a fresh connection finds it too
    assert store.clear() is True
    assert store.get() is None
    assert store.clear() is False


def test_cli_saves_the_key_without_it_touching_argv_or_files(secret_service, app_home):
    env = cli_env(app_home, PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
    command = CLI + ["key", "set"]

    saved = subprocess.run(command, input=f"{KEY}\n", env=env, capture_output=True, text=True,
                           timeout=60)
    status = subprocess.run(CLI + ["key", "status"], env=env, capture_output=True, text=True,
                            timeout=60)

    assert (saved.returncode, saved.stdout) == (0, "Saved the API key to the system keyring.\n")
    assert status.returncode == 0 and "keyring" in status.stdout
    assert KEY not in saved.stdout + saved.stderr + status.stdout + status.stderr
    assert KEY not in " ".join(command)
    assert KeyStore(secret_service).get() == KEY
    for path in app_home.rglob("*"):
        assert not path.is_file() or KEY.encode() not in path.read_bytes(), path
