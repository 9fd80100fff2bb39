"""Gemini's streamed chunks, reshaped into what the Agents SDK's stream handler expects.

The SDK (ChatCmplStreamHandler) keys streamed tool calls by `delta.tool_calls[].index`. Gemini
sends them *without* an index, so every call of a turn would merge into one call with its
arguments glued together ('{"title":"milk"}{"title":"eggs"}'), the tool would fail, and the model
would still say "Added both". Gemini also sends `"id": ""` on older models, and the SDK passes a
stream that just stops (no finish_reason) off as a complete answer.
"""

import asyncio
import time
import uuid
from typing import Any

from openai.types.chat import ChatCompletionChunk


class IncompleteStreamError(Exception):
    """The answer stopped before the model said it was finished."""


def new_call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"


class ToolCallIndexer:
    """Gives every streamed tool-call delta an index and every call a non-empty id.

    A delta without index starts a new call when it carries an id or a function name; otherwise
    it continues the latest call (more argument text, or a trailing delta holding only the
    thought signature in `extra_content`).
    """

    def __init__(self) -> None:
        self._latest: int | None = None  # index of the call being streamed
        self._count = 0                  # calls seen so far
        self._named: set[int] = set()    # calls whose named first delta has been seen

    def fix(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        for choice in chunk.choices:
            for call in (choice.delta.tool_calls or []) if choice.delta else []:
                if call.index is None:
                    starts_call = bool(call.id) or bool(call.function and call.function.name)
                    if starts_call or self._latest is None:
                        self._latest, self._count = self._count, self._count + 1
                    call.index = self._latest
                else:  # OpenAI-style numbering: trust it
                    self._latest = call.index
                    self._count = max(self._count, call.index + 1)
                if call.function and call.function.name and call.index not in self._named:
                    self._named.add(call.index)
                    if not call.id:  # the Runner refuses to execute a call with an empty id
                        call.id = new_call_id()
        return chunk


YIELD_EVERY = 0.004  # seconds of chunk handling before the event loop gets a turn


class NormalisedStream:
    """Wraps openai's AsyncStream of chunks: fixed tool calls, and a cut-off raises.

    Keeps `.response` (the SDK reads the request id from it) and `close()` (the SDK closes the
    provider stream when it is done or cancelled).
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._chunks = stream.__aiter__()
        self._indexer = ToolCallIndexer()
        self._finished = False
        self._last_yield = time.perf_counter()
        self.response = getattr(stream, "response", None)

    def __aiter__(self) -> "NormalisedStream":
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        # openai parses a whole network read (hundreds of chunks when the server is fast) and
        # the SDK handles each one without ever giving the event loop a turn: a window froze
        # for 40-370 ms per read (bench/window_bench.py). A brief yield every few milliseconds
        # keeps the UI at 60 Hz for about a quarter more stream time.
        if time.perf_counter() - self._last_yield > YIELD_EVERY:
            await asyncio.sleep(0)
            self._last_yield = time.perf_counter()
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            if not self._finished:
                raise IncompleteStreamError("the stream ended without a finish_reason") from None
            raise
        if any(choice.finish_reason for choice in chunk.choices):
            self._finished = True
        return self._indexer.fix(chunk)

    async def close(self) -> None:
        await self._stream.close()
