"""What a turn that raised tells its front end: every exception becomes one Failed event."""

import openai
from agents import MaxTurnsExceeded, ModelBehaviorError

from app.assistant.events import Failed
from app.assistant.events import FailureKind as Kind
from app.assistant.gemini.errors import describe
from app.assistant.gemini.model import EmptyReplyError
from app.assistant.gemini.stream import IncompleteStreamError
from app.common.crash_log import something_went_wrong
from app.common.errors import UserError
from app.common.redact import redact

CUT_OFF = "The answer was cut off before it finished; retry to ask again."


def failure(error: Exception, *, model: str, base_url: str) -> Failed:
    """The one sentence for what went wrong, its kind, and whether asking again may help.
    Anything unforeseen is logged and never shown as a traceback. The key is taken out of
    every sentence: a server may echo the Authorization header in its error message."""
    found = _failure(error, model=model, base_url=base_url)
    return Failed(redact(found.message), found.kind, found.retryable)


def _failure(error: Exception, *, model: str, base_url: str) -> Failed:
    if isinstance(error, IncompleteStreamError):
        return Failed(CUT_OFF, Kind.INCOMPLETE, True)
    if isinstance(error, EmptyReplyError):
        return Failed("The model sent an empty answer, even when asked again. Retry, or "
                      "rephrase the request.", Kind.EMPTY, True)
    if isinstance(error, (openai.APIStatusError, openai.APIConnectionError)):
        problem = describe(error, model=model, base_url=base_url)
        return Failed(problem.message, problem.kind, problem.retryable)
    if isinstance(error, MaxTurnsExceeded):
        return Failed("The assistant took too many steps on this request and was stopped; "
                      "try a smaller request.", Kind.TOO_MANY_STEPS, True)
    if isinstance(error, ModelBehaviorError):
        return Failed(f"The model sent something the app could not use ({error}); retry.",
                      Kind.MODEL, True)
    if isinstance(error, UserError):
        return Failed(str(error), Kind.USER, False)
    return Failed(something_went_wrong(error), Kind.INTERNAL, True)


def refused_audio(failed: Failed, model: str) -> Failed:
    """A server that refused a voice message (4xx) most likely cannot hear audio: a local model
    behind a base URL, say. Asking again would not help; typing would."""
    if failed.kind != Kind.REJECTED:
        return failed
    return Failed(f"The model {model} did not take the recording; it may not understand audio. "
                  "Type the message instead, or choose a model that hears audio, such as "
                  "gemini-2.5-flash.", Kind.REJECTED, False)
