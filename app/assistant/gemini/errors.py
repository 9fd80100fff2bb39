"""What went wrong talking to the model, in one plain sentence, and whether waiting helps.

Gemini's error bodies are a JSON *list* (`[{"error": {...}}]`), which the openai client does not
read: `str(error)` is just "Error code: 400". So the message, the gRPC status and the RetryInfo
delay are dug out of `error.body` here.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import openai

from app.assistant.events import FailureKind as Kind

MAX_AUTOMATIC_WAIT = 60.0  # seconds; longer quota waits are reported, not waited out


@dataclass(frozen=True)
class ApiProblem:
    kind: Kind
    message: str     # shown to the user as it is
    retry_after: float | None = None  # seconds the server asked us to wait, when it said

    @property
    def retryable(self) -> bool:
        return self.kind in (Kind.QUOTA, Kind.OVERLOADED, Kind.SERVER, Kind.OFFLINE, Kind.TIMEOUT)


def _error_object(body: object) -> dict:
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return inner
    return {}


def _retry_delay(error: dict) -> float | None:
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and "retryDelay" in detail:
            match = re.fullmatch(r"\s*([\d.]+)s\s*", str(detail["retryDelay"]))
            if match:
                return float(match.group(1))
    match = re.search(r"retry in ([\d.]+)\s*s", str(error.get("message", "")), re.IGNORECASE)
    return float(match.group(1)) if match else None


def _seconds(delay: float) -> str:
    return f"{max(1, round(delay))} s"


def describe(exception: BaseException, *, model: str = "", base_url: str = "") -> ApiProblem:
    host = urlsplit(base_url).hostname or "the model server"
    if isinstance(exception, openai.APITimeoutError):
        return ApiProblem(Kind.TIMEOUT, f"{host} did not answer in time; try again.")
    if isinstance(exception, openai.APIConnectionError):
        return ApiProblem(Kind.OFFLINE, f"Could not reach {host}: check your internet connection "
                                         "and try again.")
    if not isinstance(exception, openai.APIStatusError):
        return ApiProblem(Kind.SERVER, f"Talking to the model failed ({type(exception).__name__}).")

    status = exception.status_code
    error = _error_object(exception.body)
    text = str(error.get("message") or "").strip()
    grpc = str(error.get("status") or "")
    if status == 429 or grpc == "RESOURCE_EXHAUSTED":
        delay = _retry_delay(error)
        wait = f" Try again in {_seconds(delay)}." if delay else " Try again later."
        return ApiProblem(Kind.QUOTA, "Gemini's quota or rate limit for this key is used up for "
                                      "now." + wait, delay)
    if status == 503 or grpc == "UNAVAILABLE":
        return ApiProblem(Kind.OVERLOADED, "The model is overloaded right now; try again in a "
                                           "moment.", _retry_delay(error))
    # After quota: a 429 message may mention the key too.
    if "api key" in text.lower() or status in (401, 403) or grpc in ("UNAUTHENTICATED",
                                                                    "PERMISSION_DENIED"):
        return ApiProblem(Kind.AUTH, "The API key was rejected: add a valid Gemini API key in "
                                      "Settings or with `task-assistant key set`.")
    if status == 404:
        return ApiProblem(Kind.NOT_FOUND, f"The model {model or '(unnamed)'} was not found at "
                                          f"{host}: check the model name and base URL in "
                                          "Settings.")
    if status >= 500:
        return ApiProblem(Kind.SERVER, f"{host} had an internal error ({status}); try again.")
    detail = f": {text.rstrip('.')}." if text else f" (HTTP {status})."
    return ApiProblem(Kind.REJECTED, f"The model refused the request{detail}")
