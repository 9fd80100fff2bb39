"""What a conversation turn reports to its front end (window, tray popup, `ask`), in order."""

import asyncio
from dataclasses import dataclass, field


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
    """The agent wants to run a destructive tool; the turn waits until `allow()` or `deny()`."""

    call_id: str
    name: str
    arguments: dict
    summary: str      # "Delete task 7 'Renew passport'"
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
    kind: str         # no_key | auth | quota | overloaded | offline | timeout | incomplete | empty | …
    retryable: bool


@dataclass(frozen=True)
class Cancelled:
    pass


ChatEvent = (TextDelta | ToolStarted | ToolFinished | ApprovalRequested | Retrying | Completed
             | Failed | Cancelled)
