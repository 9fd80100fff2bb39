"""Takes the Gemini API key (and the sync password) out of text before it is written anywhere
(crash logs, error reports).

`redact` never asks the keyring (that can block on D-Bus, and a crash handler must not hang):
it knows the key passed to it, the one in GEMINI_API_KEY, and every key this process has read
or saved through `app.config.keystore` (which calls `remember`).
"""

import os
import re
import threading

ENV_VAR = "GEMINI_API_KEY"
SYNC_PASSWORD_ENV = "TASK_ASSISTANT_SYNC_PASSWORD"  # the CalDAV password, also never written
REDACTED = "[redacted]"

# Google API keys have a fixed shape: catches one this process never saw (pasted into a task, say).
_GOOGLE_API_KEY = re.compile(r"AIza[0-9A-Za-z_\-]{35}")

_seen: set[str] = set()
_seen_lock = threading.Lock()  # keys are remembered from worker threads; logs are written anywhere


def remember(key: str) -> None:
    """Records a key this process holds, so `redact` hides it without asking the keyring."""
    if key:
        with _seen_lock:
            _seen.add(key)


def redact(text: str, key: str | None = None) -> str:
    """`text` with every known API key replaced by "[redacted]"."""
    with _seen_lock:
        keys = set(_seen)
    keys.update(filter(None, (key, (os.environ.get(ENV_VAR) or "").strip(),
                              (os.environ.get(SYNC_PASSWORD_ENV) or "").strip())))
    for known in sorted(keys, key=len, reverse=True):  # longest first: one key may contain another
        text = text.replace(known, REDACTED)
    return _GOOGLE_API_KEY.sub(REDACTED, text)


# A server's own command line may hold a token the user typed there ("--token abc…",
# "Authorization: Bearer abc…"); these hide it wherever the command is shown.
_SECRET_FLAGS = re.compile(r"--?(?:token|api[-_]?key|key|secret|password|passwd|auth)"
                           r"(?:=(.+))?$", re.IGNORECASE)
_BEARER = re.compile(r"(\bBearer\s+)\S+", re.IGNORECASE)
_QUERY_SECRET = re.compile(r"([?&](?:[\w-]*(?:token|key|secret|password))=)[^&#\s]+",
                           re.IGNORECASE)
# Over 20 characters of a key's alphabet with letters and digits mixed: random, not a word.
_KEYLIKE = re.compile(r"(?=[^\s]*[A-Za-z])(?=[^\s]*\d)[A-Za-z0-9_\-.+=~]{21,}")


def redact_arguments(words: list[str]) -> list[str]:
    """A command's words as shown to people: the value after --token, --api-key and the
    like, after "Bearer", in a URL's token= or key=, and any word that looks like a key
    become "[redacted]"."""
    shown, hide_next = [], False
    for word in words:
        flag = _SECRET_FLAGS.match(word)
        if hide_next:
            word = REDACTED
        elif flag and flag.group(1):
            word = word[:flag.start(1)] + REDACTED
        else:
            word = _QUERY_SECRET.sub(lambda m: m.group(1) + REDACTED, _BEARER.sub(
                lambda m: m.group(1) + REDACTED, word))
            word = REDACTED if _KEYLIKE.fullmatch(word) else word
        hide_next = bool(flag and not flag.group(1)) or word.lower().endswith("bearer")
        shown.append(word)
    return shown
