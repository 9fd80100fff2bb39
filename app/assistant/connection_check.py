"""The "Test connection" check: one tiny real request that proves the key, the endpoint and the
model name at once.

A non-streamed chat completion is the smallest request that exercises all three (`GET /models`
would not prove the model name). Qt-free, so the settings dialog and a CLI can share it.
"""

import asyncio
import importlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.common.redact import redact
from app.config.keystore import NO_KEY
from app.config.settings import SETTINGS

TIMEOUT = 15.0  # seconds: a check the user is watching must not hang for the chat's 60 s
# Thinking tokens count against max_tokens on Gemini 2.5+, so a small cap bounds the time and
# cost of the check; the reply may then be empty (finish_reason "length"), which is still a
# success: the server accepted the key and knows the model.
MAX_TOKENS = 16
PROMPT = "Reply with the single word OK."


@dataclass(frozen=True)
class ConnectionReport:
    ok: bool
    message: str  # one plain sentence for the user; never contains the key


async def check_connection(base_url: str, model: str, key: str) -> ConnectionReport:
    """Asks `model` at `base_url` for one word with `key`; never raises for a failed check."""
    key = (key or "").strip()
    if not key:
        return ConnectionReport(False, NO_KEY)
    try:
        base_url, model = _checked("base_url", base_url), _checked("model", model)
    except ValueError as problem:  # the fields may hold unsaved values the settings would refuse
        return ConnectionReport(False, str(problem))

    # `import openai` takes ~0.6 s: on a worker thread it does not freeze the window.
    openai = await asyncio.to_thread(importlib.import_module, "openai")
    from app.assistant.gemini.errors import describe

    client = openai.AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=TIMEOUT)
    try:
        reply = await client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": PROMPT}], max_tokens=MAX_TOKENS)
    except Exception as error:  # every failure is a sentence here: this is a diagnostic
        message = describe(error, model=model, base_url=base_url).message
        # An error body is server text: a misconfigured proxy could echo the Authorization header.
        return ConnectionReport(False, redact(message, key))
    finally:
        await client.close()

    # A wrong base URL can still answer 200 (a web page, some other JSON API); the openai client
    # then hands back a string, a list or an empty ChatCompletion instead of raising.
    if not isinstance(reply, openai.types.chat.ChatCompletion) or not reply.choices:
        host = urlsplit(base_url).hostname or base_url
        return ConnectionReport(False, f"{host} answered, but not like Gemini's OpenAI-compatible "
                                       "endpoint: check the base URL.")
    return ConnectionReport(True, f"Connected: {model} answered.")


def _checked(name: str, value: str) -> str:
    """The value as the setting's own check normalises it, or ValueError with its sentence."""
    setting = next(each for each in SETTINGS if each.name == name)
    try:
        return setting.check(value)
    except ValueError as error:
        raise ValueError(f"The {setting.label} {error}.") from None
