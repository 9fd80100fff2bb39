"""What a conversation turn reports to its front end (window, tray popup, `ask`), in order."""

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum


class FailureKind(StrEnum):
    """Why a turn failed: front ends choose their buttons by it (Settings…, Retry)."""

    NO_KEY = "no_key"                  # no API key anywhere
    AUTH = "auth"                      # the server rejected the key
    QUOTA = "quota"                    # rate limit or quota used up
    OVERLOADED = "overloaded"          # the model is busy (503)
    NOT_FOUND = "not_found"            # no such model at that endpoint
    SERVER = "server"                  # the server failed (5xx, or something unexpected)
    REJECTED = "rejected"              # the server refused the request (other 4xx)
    OFFLINE = "offline"                # the server could not be reached
    TIMEOUT = "timeout"                # the server did not answer in time
    INCOMPLETE = "incomplete"          # the answer was cut off mid-stream
    EMPTY = "empty"                    # the model answered nothing, twice
    TOO_MANY_STEPS = "too_many_steps"  # the agent looped past MAX_TURNS
    MODEL = "model"                    # the model sent something unusable
    USER = "user"                      # a UserError: the sentence says what to fix
    INTERNAL = "internal"              # a bug: the details are in the log
    EMPTY_MESSAGE = "empty_message"    # nothing to send, or nothing to retry
    NOT_STARTED = "not_started"        # stopped or failed before the message was sent


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolStarted:
    call_id: str
    name: str
    arguments: dict


@dataclass(frozen=True)
class ToolFinished:
    call_id: str
    name: str
    arguments: dict
    result: dict      # what the tool answered the model (an "error" key when it refused)
    summary: str      # one line for people: "Added 'Buy milk', due Fri 27 Nov"

    @property
    def ok(self) -> bool:
        return "error" not in self.result


@dataclass
class ApprovalRequested:
    """The agent wants to run a destructive tool, or to change many tasks at once (a batch:
    `details` lists every change); the turn waits until `allow()` or `deny()`."""

    call_id: str
    name: str
    arguments: dict
    summary: str      # "Delete task 7 'Renew passport'", "Change 12 tasks"
    details: tuple[str, ...] = ()  # a batch's changes: "Update task 7 'Buy milk': notes → ''"
    _decision: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop()
                                      .create_future(), repr=False)

    def allow(self) -> None:
        if not self._decision.done():
            self._decision.set_result(True)

    def deny(self) -> None:
        if not self._decision.done():
            self._decision.set_result(False)

    async def decision(self) -> bool:
        return await self._decision


@dataclass(frozen=True)
class Retrying:
    message: str      # "The model is overloaded right now; trying again in 3 s."
    delay: float


@dataclass(frozen=True)
class Completed:
    text: str         # the whole answer


@dataclass(frozen=True)
class Failed:
    message: str      # one plain sentence
    kind: FailureKind
    retryable: bool


@dataclass(frozen=True)
class Cancelled:
    pass


ChatEvent = (TextDelta | ToolStarted | ToolFinished | ApprovalRequested | Retrying | Completed
             | Failed | Cancelled)
