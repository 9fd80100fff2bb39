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
