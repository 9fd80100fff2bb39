"""The chat-completions model the agent runs on, hardened against Gemini's known quirks.

- Chat Completions only: Gemini has no Responses API (the SDK's default model gets a 404).
- Streamed tool calls are re-numbered and given ids (see gemini_stream).
- Thought signatures are sent back whatever the model is called (see GeminiModelName).
- Rate limits, overload and dropped connections are retried a bounded number of times, honouring
  Gemini's RetryInfo delay; an empty or silent reply (seen when tools are offered) is asked
  again.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import openai
from agents import OpenAIChatCompletionsModel
from openai.types.chat import ChatCompletion

from app.assistant.gemini.errors import MAX_AUTOMATIC_WAIT, ApiProblem, describe
from app.assistant.gemini.stream import IncompleteStreamError, NormalisedStream, new_call_id


class EmptyReplyError(Exception):
    """The model answered with nothing at all, even when asked again."""


class GeminiModelName(str):
    """A model name the SDK treats as Gemini's, however it is spelled.

    The SDK echoes thought signatures (required by Gemini 3 on every tool call) only when
    `"gemini" in model.lower()`. An alias such as "flash-latest" would silently lose them and
    the next request would fail with 400. The name itself is sent unchanged; the signature is
    only ever echoed when the server sent one, so other providers are unaffected.
    """

    def lower(self) -> str:
        return "gemini:" + str.lower(self)


@dataclass(frozen=True)
class RetryPolicy:
    backoff: tuple[float, ...] = (1.0, 3.0)  # waits before each retry of a transient error
    max_wait: float = MAX_AUTOMATIC_WAIT     # a longer quota delay is reported, not waited out
    empty_retries: int = 2                   # times an empty reply is asked again

    def wait(self, problem: ApiProblem, retries_so_far: int) -> float | None:
        """Seconds to wait before trying again, or None to give up and report."""
        if not problem.retryable or retries_so_far >= len(self.backoff):
            return None
        if problem.kind == "quota" and problem.retry_after is None:
            return None  # no idea how long: better to tell the user now
        delay = problem.retry_after if problem.retry_after is not None \
            else self.backoff[retries_so_far]
        return delay if delay <= self.max_wait else None


RetryListener = Callable[[ApiProblem, float], None]
# Who hears "retrying in 3 s": set by the chat session around its run. A context variable, not
# an attribute, because the window and the tray popup share one model and may run at once.
retry_listener: ContextVar[RetryListener | None] = ContextVar("retry_listener", default=None)


def _is_substantive(event: Any) -> bool:
    """Text or a tool call: anything but an empty reply."""
    kind = getattr(event, "type", "")
    if kind == "response.output_text.delta":
        return bool(event.delta)
    if kind == "response.output_item.added":
        return getattr(event.item, "type", "") == "function_call"
    if kind == "response.completed":
        for item in event.response.output or []:
            if getattr(item, "type", "") == "function_call":
                return True
            if any(getattr(part, "text", "") for part in getattr(item, "content", None) or []):
                return True
    return False


class GeminiChatModel(OpenAIChatCompletionsModel):
    def __init__(self, model: str, client: openai.AsyncOpenAI, *,
                 retry: RetryPolicy = RetryPolicy(), base_url: str = ""):
        super().__init__(model=GeminiModelName(model), openai_client=client)
        self.retry = retry
        self.base_url = base_url

    async def _fetch_response(self, *args: Any, **kwargs: Any) -> Any:
        result = await super()._fetch_response(*args, **kwargs)
        if isinstance(result, ChatCompletion):  # not streamed
            for choice in result.choices:
                for call in choice.message.tool_calls or []:
                    call.id = call.id or new_call_id()
            return result
        response, stream = result
        return response, NormalisedStream(stream)

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        retries = empties = 0
        while True:
            held: list[Any] = []  # events of this attempt not yet passed on
            substantive = False
            try:
                async for event in super().stream_response(*args, **kwargs):
                    if substantive:
                        yield event
                        continue
                    held.append(event)
                    if _is_substantive(event):
                        substantive = True
                        for waiting in held:
                            yield waiting
                        held.clear()
            except IncompleteStreamError:
                if substantive:  # part of the answer is out: a real cut-off
                    raise
                # A 200 stream that ended ([DONE]) before a single chunk: a silent reply, seen
                # from Gemini when tools are offered. Nothing was shown, so ask again like an
                # empty reply rather than calling it "cut off".
            except (openai.APIStatusError, openai.APIConnectionError) as error:
                if substantive:  # part of the answer is out: this is a cut-off, not an outage
                    raise IncompleteStreamError("the connection dropped mid-answer") from error
                problem = describe(error, model=str(self.model), base_url=self.base_url)
                delay = self.retry.wait(problem, retries)
                if delay is None:
                    raise
                retries += 1
                listener = retry_listener.get()
                if listener:
                    listener(problem, delay)
                await asyncio.sleep(delay)
                continue
            if substantive:
                return
            empties += 1  # an empty reply: nothing was passed on, so asking again is invisible
            if empties > self.retry.empty_retries:
                raise EmptyReplyError("the model sent an empty reply")
