"""Keeps every test away from the developer's real keyring.

Loaded from conftest.py, so `memory_keyring` below is autouse for the whole suite: keyring
calls in the test process go to an in-memory backend, and subprocesses inherit
PYTHON_KEYRING_BACKEND=fail, so they cannot reach a real keyring either. Tests marked
`secret_service` opt out: they talk to the private Secret Service that scripts/test starts.
"""

import json
import os
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keyring that forgets everything when the test ends."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password")


class FileKeyring(MemoryKeyring):
    """MemoryKeyring kept in the JSON file named by TEST_KEYRING_FILE, so it crosses into a
    `python -m app` subprocess (PYTHON_KEYRING_BACKEND=tests.keyring_fixtures.FileKeyring)."""

    def __init__(self) -> None:
        super().__init__()
        self.file = Path(os.environ["TEST_KEYRING_FILE"])
        if self.file.exists():
            for entry in json.loads(self.file.read_text()):
                self.passwords[(entry["service"], entry["username"])] = entry["password"]

    def set_password(self, service, username, password):
        super().set_password(service, username, password)
        self._save()

    def delete_password(self, service, username):
        super().delete_password(service, username)
        self._save()

    def _save(self) -> None:
        self.file.write_text(json.dumps([{"service": s, "username": u, "password": p}
                                         for (s, u), p in self.passwords.items()]))


@pytest.fixture(autouse=True)
def memory_keyring(request, monkeypatch):
    """This test's keyring (None for `secret_service` tests, which use the real one)."""
    if request.node.get_closest_marker("secret_service"):
        yield None
        return
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    backend = MemoryKeyring()
    # keyring.set_keyring has no undo; patching its module global restores the previous backend
    # (usually "not chosen yet") after the test.
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    yield backend
