"""The API key in the keyring: saved, overridden, validated, and never quoted in an error."""

from concurrent.futures import ThreadPoolExecutor

import keyring
import pytest
from conftest import GEMINI_SHAPED_KEY
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import InitError, KeyringLocked, PasswordSetError

from app.common.errors import UserError
from app.common.redact import redact
from app.config.keystore import SERVICE, USERNAME, KeyringUnavailableError, KeyStore

KEY = GEMINI_SHAPED_KEY


def test_set_get_clear(memory_keyring):
    store = KeyStore()
    assert store.get() is None and store.source() is None

    store.set(f"  {KEY}\n")  # pasted with a newline and spaces around it

    assert memory_keyring.passwords == {(SERVICE, USERNAME): KEY}
    assert store.get() == KEY
    assert store.source() == "keyring"
    assert store.backend_name() == memory_keyring.name
    assert store.clear() is True
    assert store.get() is None
    assert store.clear() is False


def test_environment_overrides_the_keyring(memory_keyring, monkeypatch):
    store = KeyStore()
    store.set(KEY)
    monkeypatch.setenv("GEMINI_API_KEY", " from-the-environment ")
    assert store.get() == "from-the-environment"
    assert store.source() == "environment"

    monkeypatch.setenv("GEMINI_API_KEY", "")  # `export GEMINI_API_KEY=` means "not set"
    assert store.get() == KEY


def test_environment_key_needs_no_keyring(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    store = KeyStore(fail.Keyring())
    assert store.get() == KEY
    assert store.source() == "environment"


def test_usable_from_a_worker_thread(memory_keyring):
    """The UI calls the keystore off its thread, since D-Bus calls can block."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(KeyStore().set, KEY).result()
        assert worker.submit(KeyStore().get).result() == KEY


@pytest.mark.parametrize("pasted, complaint", [
    ("", "empty"),
    (" \n\t ", "empty"),
    (f"{KEY[:20]} {KEY[20:]}", "spaces"),
    (f"{KEY[:20]}\n{KEY[20:]}", "line breaks"),
    (f"{KEY[:20]}\x00{KEY[20:]}", "invisible"),
    (f"{KEY[:20]}\u200b{KEY[20:]}", "invisible"),  # a zero-width space from a web page
    (KEY * 26, "1,000 characters"),
])
def test_bad_keys_are_refused_without_quoting_them(memory_keyring, pasted, complaint):
    with pytest.raises(UserError, match=complaint) as raised:
        KeyStore().set(pasted)
    assert KEY[:20] not in str(raised.value) and KEY[20:] not in str(raised.value)
    assert memory_keyring.passwords == {}


def test_a_thousand_characters_is_still_accepted(memory_keyring):
    KeyStore().set("k" * 1000)
    assert KeyStore().get() == "k" * 1000


# -- keyrings that cannot be used ---------------------------------------------------------------

class DismissedPrompt(KeyringBackend):
    """What the Secret Service backend raises when nobody unlocks the collection."""

    priority = 1

    def get_password(self, service, username, password=None):
        raise InitError("Failed to create the collection: Prompt dismissed.")

    set_password = delete_password = get_password


class LockedCollection(DismissedPrompt):
    def get_password(self, service, username, password=None):
        raise KeyringLocked("Failed to unlock the collection!")

    set_password = delete_password = get_password


class Blabbermouth(DismissedPrompt):
    """A backend whose error quotes the secret: our message must not pass it on."""

    def set_password(self, service, username, password):
        raise PasswordSetError(f"Can't store {password} for {username}")


class PlaintextKeyring(KeyringBackend):
    """Looks like keyrings.alt's file backend, which stores the secret in base64 in the home."""

    __module__ = "keyrings.alt.file"
    priority = 0.5

    def __init__(self):
        super().__init__()
        self.written = {}

    def get_password(self, service, username):
        return self.written.get((service, username))

    def set_password(self, service, username, password):
        self.written[(service, username)] = password


def chain_of(*backends):
    """keyring's ChainerBackend, as chosen when several backends are installed."""
    return type("Chain", (chainer.ChainerBackend,), {"backends": list(backends)})()


def every_operation(store):
    """All that reach the keyring; `backend_name` does too when there is no usable keyring."""
    return [store.get, store.source, lambda: store.set(KEY), store.clear]


def run_each(store, operations=None):
    """Each operation's error (all must fail), checked to be one line that never quotes the key."""
    errors = []
    for operation in operations or every_operation(store):
        with pytest.raises(KeyringUnavailableError) as raised:
            operation()
        message = str(raised.value)
        assert KEY not in message and KEY[4:20] not in message
        assert "\n" not in message and "GEMINI_API_KEY" in message
        # the original error may quote the key: a traceback of ours must not show it either
        error = raised.value
        assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
        errors.append(message)
    return errors


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), chain_of()],
                         ids=["fail", "null", "empty chain"])
def test_no_keyring_says_what_to_do(backend):
    store = KeyStore(backend)
    for message in run_each(store, every_operation(store) + [store.backend_name]):
        assert message.startswith("No system keyring is available (")
        assert "GNOME Keyring or KWallet" in message


def test_no_keyring_when_keyring_itself_found_nothing():
    keyring.set_keyring(fail.Keyring())  # what keyring picks without D-Bus (undone by the fixture)
    message = run_each(KeyStore(), [KeyStore().get])[0]
    assert message == (
        "No system keyring is available (keyring found no usable backend): set GEMINI_API_KEY in "
        "the environment, or install and unlock a Secret Service such as GNOME Keyring or KWallet.")


def test_dismissed_unlock_prompt_says_what_to_do():
    for message in run_each(KeyStore(DismissedPrompt())):
        assert message == (
            "The system keyring could not be used (Failed to create the collection: Prompt "
            "dismissed): unlock it and try again, or set GEMINI_API_KEY in the environment.")


def test_locked_collection_says_what_to_do():
    for message in run_each(KeyStore(LockedCollection())):
        assert "(Failed to unlock the collection!)" in message


def test_an_error_that_quotes_the_key_is_redacted():
    message = run_each(KeyStore(Blabbermouth()), [lambda: KeyStore(Blabbermouth()).set(KEY)])[0]
    assert "(Can't store [redacted] for gemini-api-key)" in message


def test_a_plaintext_keyring_is_refused():
    plaintext = PlaintextKeyring()
    for store in (KeyStore(plaintext), KeyStore(chain_of(plaintext))):
        for message in run_each(store, every_operation(store) + [store.backend_name]):
            assert "keeps secrets in an ordinary file" in message
    assert plaintext.written == {}


def test_a_chain_uses_its_secure_backend_and_skips_the_plaintext_one(memory_keyring):
    plaintext = PlaintextKeyring()
    store = KeyStore(chain_of(plaintext, memory_keyring))
    store.set(KEY)
    assert store.get() == KEY
    assert plaintext.written == {} and memory_keyring.passwords == {(SERVICE, USERNAME): KEY}


def test_a_bad_keyring_setting_is_explained(monkeypatch):
    """keyring picks its backend on first use, from PYTHON_KEYRING_BACKEND among others."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.Backend")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    message = run_each(KeyStore(), [KeyStore().get])[0]
    assert message.startswith("The keyring that is set up cannot be loaded (No module named 'no'): "
                              "correct PYTHON_KEYRING_BACKEND or keyringrc.cfg")


# -- redaction for crash logs -------------------------------------------------------------------

def test_redact_hides_a_given_key():
    assert redact("request failed for key=abc-123-xyz", "abc-123-xyz") == \
        "request failed for key=[redacted]"


def test_redact_hides_the_environment_key(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "env-secret-value")
    assert redact("Bearer env-secret-value") == "Bearer [redacted]"


def test_redact_hides_a_key_this_process_has_used(memory_keyring):
    KeyStore().set("saved-secret-value")
    assert redact("Authorization: Bearer saved-secret-value") == "Authorization: Bearer [redacted]"


def test_redact_hides_anything_shaped_like_a_google_key():
    assert redact(f"https://example.test/?key={KEY}") == "https://example.test/?key=[redacted]"
    assert redact("nothing secret here") == "nothing secret here"
