"""A fake of Gemini's OpenAI-compatible endpoint, served over real HTTP on loopback.

Why a real server: the bugs we guard against live in the HTTP/SSE layer (index-less
tool-call deltas, list-shaped error bodies, cut-off streams). A scripted model object
would skip the openai client's parsing and the Agents SDK's stream handler, which is
exactly the code that misbehaves with Gemini. See /work/shared/GEMINI.md for the quirks.

Usage::

    with FakeGemini() as gemini:
        gemini.enqueue(text("Hello", " world"))
        client = AsyncOpenAI(base_url=gemini.base_url, api_key="test-key", max_retries=0)
        ...
        assert gemini.requests[0]["model"] == "gemini-2.5-flash"
        assert gemini.headers[0]["authorization"] == "Bearer test-key"

Each POST .../chat/completions consumes one scripted Reply (FIFO). Streamed requests
("stream": true) get SSE; others get the equivalent single `chat.completion` JSON.
Standard library only.
"""

from __future__ import annotations

import collections
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "FakeGemini",
    "Reply",
    "bad_key",
    "cut_off",
    "empty",
    "error",
    "overloaded",
    "quota",
    "text",
    "tool_calls",
]

API_PREFIX = "/v1beta/openai"
CHAT_PATH = f"{API_PREFIX}/chat/completions"
MODELS_PATH = f"{API_PREFIX}/models"
MODEL_IDS = ("models/gemini-2.5-flash", "models/gemini-2.5-pro", "models/gemini-3-flash-preview")

_ids = itertools.count(1)


# --------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class Frame:
    """One streamed chunk: the delta of choices[0], plus the optional terminal fields."""

    delta: dict[str, Any]
    finish_reason: str | None = None
    usage: bool = False


@dataclass(frozen=True)
class Reply:
    """What the fake answers to one POST /chat/completions. Build it with the functions below.

    A success carries both shapes of the same answer: `frames` for a streamed request and
    `message`/`finish_reason` for a non-streamed one, so a test need not care which the
    code under test sends.
    """

    status: int = 200
    error_body: Any = None  # JSON body of an error reply (Gemini's list shape)
    frames: tuple[Frame, ...] = ()
    message: dict[str, Any] = field(default_factory=dict)  # non-streamed choices[0].message
    finish_reason: str | None = "stop"
    complete: bool = True  # False: stop without finish_reason and without [DONE]
    abrupt: bool = False  # with complete=False: also break the HTTP framing (transport error)
    delay: float = 0.0  # seconds to sleep before each streamed chunk
    usage: bool = True


def _usage() -> dict[str, int]:
    return {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


def _text_frames(chunks: tuple[str, ...]) -> list[Frame]:
    # Gemini repeats role="assistant" on every delta.
    return [Frame({"role": "assistant", "content": c}) for c in chunks]


def _finish(frames: list[Frame], usage: bool) -> tuple[Frame, ...]:
    """Put finish_reason "stop" (and usage) on the last chunk, like Gemini does."""
    if not frames:
        frames = [Frame({"role": "assistant"})]
    last = frames[-1]
    return (*frames[:-1], Frame(last.delta, finish_reason="stop", usage=usage))


def text(*chunks: str, usage: bool = True, delay: float = 0.0) -> Reply:
    """A plain text answer streamed as one delta per chunk."""
    return Reply(
        frames=_finish(_text_frames(chunks), usage),
        message={"role": "assistant", "content": "".join(chunks)},
        delay=delay,
        usage=usage,
    )


def empty(*, usage: bool = True, delay: float = 0.0) -> Reply:
    """No text and no tool call: what Gemini sometimes sends when tools are offered (seed 004)."""
    return Reply(
        frames=(Frame({"role": "assistant"}), Frame({}, finish_reason="stop", usage=usage)),
        message={"role": "assistant", "content": ""},
        delay=delay,
        usage=usage,
    )


def silent(*, delay: float = 0.0) -> Reply:
    """HTTP 200, then [DONE] without a single chunk: the "silent reply" of the seed's report."""
    return Reply(frames=(), message={"role": "assistant", "content": ""}, delay=delay)


def cut_off(*chunks: str, abrupt: bool = False, delay: float = 0.0) -> Reply:
    """Text deltas, then the stream ends: no finish_reason, no [DONE].

    abrupt=False ends the HTTP body cleanly (the SSE stream simply stops early).
    abrupt=True closes the socket mid-body (unterminated chunked encoding), which the
    HTTP client sees as a transport error. A non-streamed request gets a truncated body.
    """
    return Reply(
        frames=tuple(_text_frames(chunks)),
        message={"role": "assistant", "content": "".join(chunks)},
        complete=False,
        abrupt=abrupt,
        delay=delay,
    )


def _arguments_string(arguments: dict[str, Any] | str) -> str:
    # A raw string passes through untouched, so tests can send malformed JSON.
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def _split(s: str, parts: int = 3) -> list[str]:
    size = max(1, -(-len(s) // parts))
    return [s[i : i + size] for i in range(0, len(s), size)] or [""]


def tool_calls(
    *calls: tuple[str, dict[str, Any] | str],
    style: str = "one_delta",
    empty_ids: bool = False,
    signature: str | None = None,
    usage: bool = True,
    delay: float = 0.0,
    content: str | None = None,
) -> Reply:
    """One or more function calls, streamed the way Gemini streams them.

    calls: (name, arguments) pairs; arguments is a dict (JSON-encoded here) or a raw string.
    style:
      "one_delta"       all calls in one delta's tool_calls list, no `index` keys (Gemini)
      "separate_chunks" one call per chunk, no `index` keys (Gemini)
      "split_args"      per call: first delta has id+name+first part of the arguments,
                        later deltas only function.arguments pieces; no `index` keys
      "indexed"         standard OpenAI style with `index` on every tool-call delta
    empty_ids: send "id": "" (older Gemini models).
    content: text the model says before its calls, in the same reply.
    signature: put extra_content.google.thought_signature on the first call, and also
      send a trailing tool-call delta that holds only extra_content (GEMINI.md rows 2, 5).
    The turn ends with finish_reason "stop", not "tool_calls", as Gemini does.
    """
    if style not in ("one_delta", "separate_chunks", "split_args", "indexed"):
        raise ValueError(f"unknown style {style!r}")
    indexed = style == "indexed"

    def with_index(tc: dict[str, Any], i: int) -> dict[str, Any]:
        return {"index": i, **tc} if indexed else tc

    full_calls: list[dict[str, Any]] = []
    for i, (name, arguments) in enumerate(calls):
        tc: dict[str, Any] = {
            "id": "" if empty_ids else f"function-call-{next(_ids)}",
            "type": "function",
            "function": {"name": name, "arguments": _arguments_string(arguments)},
        }
        if signature is not None and i == 0:
            tc["extra_content"] = {"google": {"thought_signature": signature}}
        full_calls.append(tc)

    deltas: list[list[dict[str, Any]]] = []  # each entry: one chunk's tool_calls list
    if style == "one_delta":
        deltas.append(list(full_calls))
    elif style == "split_args":
        for i, tc in enumerate(full_calls):
            first, *rest = _split(tc["function"]["arguments"])
            head = {**tc, "function": {"name": tc["function"]["name"], "arguments": first}}
            deltas.append([with_index(head, i)])
            deltas.extend([with_index({"function": {"arguments": part}}, i)] for part in rest)
    else:  # separate_chunks, indexed
        deltas.extend([with_index(tc, i)] for i, tc in enumerate(full_calls))

    if signature is not None and full_calls:
        trailer = {"extra_content": {"google": {"thought_signature": signature}}}
        deltas.append([with_index(trailer, 0)])

    frames = [Frame({"role": "assistant", "tool_calls": tcs}) for tcs in deltas]
    if content:
        frames.insert(0, Frame({"role": "assistant", "content": content}))
    return Reply(
        frames=_finish(frames, usage),
        message={"role": "assistant", "content": content, "tool_calls": full_calls},
        delay=delay,
        usage=usage,
    )


def error(
    status: int, message: str, *, grpc_status: str, retry_delay: str | None = None
) -> Reply:
    """An error reply with Gemini's list-shaped body: [{"error": {...}}] (GEMINI.md row 6)."""
    return Reply(status=status, error_body=_error_body(status, message, grpc_status, retry_delay))


def _error_body(
    status: int, message: str, grpc_status: str, retry_delay: str | None = None
) -> list[dict[str, Any]]:
    details: list[dict[str, Any]] = []
    if retry_delay is not None:
        details.append(
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
        )
    error_fields = {"code": status, "message": message, "status": grpc_status, "details": details}
    return [{"error": error_fields}]


def bad_key() -> Reply:
    """Gemini answers a wrong API key with 400, not 401 (GEMINI.md row 7)."""
    return error(
        400, "API key not valid. Please pass a valid API key.", grpc_status="INVALID_ARGUMENT"
    )


def quota(retry_delay: str = "0.2s") -> Reply:
    """429 with the delay both in the message and in RetryInfo, no Retry-After header (row 8)."""
    return error(
        429,
        "You exceeded your current quota, please check your plan and billing details. "
        f"Please retry in {retry_delay}.",
        grpc_status="RESOURCE_EXHAUSTED",
        retry_delay=retry_delay,
    )


def overloaded() -> Reply:
    return error(503, "The model is overloaded. Please try again later.", grpc_status="UNAVAILABLE")


# --------------------------------------------------------------------------- validation


def _validation_error(body: dict[str, Any], require_signatures: bool) -> str | None:
    """The 400 message Gemini would give this request, or None when it would accept it."""
    needs_signature = require_signatures or str(body.get("model", "")).startswith("gemini-3")
    assistant_messages = [m for m in body.get("messages") or [] if m.get("role") == "assistant"]
    problems = [_parallel_tool_calls_problem(body), _schema_problem(body)]
    problems += [_empty_assistant_problem(m) for m in assistant_messages]
    if needs_signature:
        problems += [_missing_signature_problem(m) for m in assistant_messages]
    return next((p for p in problems if p is not None), None)


# Keywords Gemini's function-declaration schema does not know: one anywhere in a tool's
# parameters fails the whole request. additionalProperties only on the parameters object itself.
UNKNOWN_SCHEMA_KEYWORDS = ("$ref", "$defs", "definitions", "$schema", "const", "propertyNames")


def _schema_problem(body: dict[str, Any]) -> str | None:
    for number, tool in enumerate(body.get("tools") or []):
        parameters = (tool.get("function") or {}).get("parameters")
        if isinstance(parameters, dict):
            found = _unknown_keyword(parameters, f"tools[0].function_declarations[{number}]"
                                     ".parameters", top=True)
            if found:
                name, where = found
                return (f'Invalid JSON payload received. Unknown name "{name}" at '
                        f"'{where}': Cannot find field.")
    return None


def _unknown_keyword(schema: dict[str, Any], where: str, top: bool = False):
    for key in schema:
        if key in UNKNOWN_SCHEMA_KEYWORDS or (key == "additionalProperties" and not top):
            return key, where
    children: list[tuple[str, Any]] = []
    for index, value in enumerate((schema.get("properties") or {}).values()):
        children.append((f"{where}.properties[{index}].value", value))
    if isinstance(schema.get("items"), dict):
        children.append((f"{where}.items", schema["items"]))
    for key in ("anyOf", "oneOf", "allOf"):
        for index, value in enumerate(schema.get(key) or []):
            children.append((f"{where}.{key}[{index}]", value))
    for child_where, child in children:
        if isinstance(child, dict) and (found := _unknown_keyword(child, child_where)):
            return found
    return None


def _parallel_tool_calls_problem(body: dict[str, Any]) -> str | None:
    # Row 10: Gemini has rejected the parameter outright, whatever its value.
    return "Parallel tool calls are not supported" if "parallel_tool_calls" in body else None


def _empty_assistant_problem(message: dict[str, Any]) -> str | None:
    # Row 9: an assistant turn with no text and no tool call becomes an empty Gemini
    # `parts` list, which the API rejects.
    content = message.get("content")
    if isinstance(content, list):  # content parts: only their text counts
        content = "".join(str(part.get("text") or "") for part in content)
    if message.get("tool_calls") or (content or "").strip():
        return None
    return "* GenerateContentRequest.contents[].parts: contents.parts must not be empty."


def _missing_signature_problem(message: dict[str, Any]) -> str | None:
    # Row 5: Gemini 3 wants the thought signature back. It gives one only to the first call
    # of a parallel set, so only the first call of each assistant message is checked.
    first_call = (message.get("tool_calls") or [None])[0]
    if first_call is None:
        return None
    google = (first_call.get("extra_content") or {}).get("google") or {}
    if google.get("thought_signature"):
        return None
    name = (first_call.get("function") or {}).get("name", "")
    return (
        "Function call is missing a thought_signature in functionCall parts. This is required "
        "for tools to work correctly, and missing thought_signature may lead to degraded model "
        f"performance. Additional data, function call `default_api:{name}` , position 1. "
        "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more "
        "details."
    )


# --------------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so streams use chunked encoding: that lets cut_off(abrupt=True) break the
    # framing the way a dropped connection does, and lets the client keep connections alive.
    protocol_version = "HTTP/1.1"
    # Many tiny SSE writes: without TCP_NODELAY, Nagle + delayed ACK can stall each one.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    # --- routing

    def do_GET(self) -> None:
        self.server.fake._record_path(f"GET {self.path}")
        if self.path.rstrip("/") == MODELS_PATH:
            self._send_json(200, _models_body())
        else:
            self._send_not_found()

    def do_POST(self) -> None:
        fake = self.server.fake
        fake._record_path(f"POST {self.path}")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.rstrip("/") != CHAT_PATH:
            # e.g. /responses: the real endpoint has no Responses API (GEMINI.md row 1).
            self._send_not_found()
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            unreadable = _error_body(400, "Invalid JSON payload received.", "INVALID_ARGUMENT")
            self._send_json(400, unreadable)
            return
        fake._record_request(body, {k.lower(): v for k, v in self.headers.items()})

        # Validation comes before the queue: a request Gemini would reject does not
        # consume the reply the test scripted for a valid one.
        problem = _validation_error(body, fake.require_signatures)
        if problem is not None:
            self._send_json(400, _error_body(400, problem, "INVALID_ARGUMENT"))
            return

        reply = fake._next_reply()
        if reply is None:
            # Dict shape on purpose: openai puts error.message into str(exc), so the test
            # failure names the real cause.
            n = len(fake.requests)
            self._send_json(500, {"error": {"code": 500, "status": "INTERNAL", "message": (
                f"FakeGemini: the test scripted no reply for request #{n}; call enqueue()."
            )}})
            return
        if reply.status != 200:
            self._send_json(reply.status, reply.error_body)
        elif body.get("stream"):
            self._send_stream(reply, str(body.get("model", "")))
        else:
            self._send_completion(reply, str(body.get("model", "")))

    # --- responses

    def _send_not_found(self) -> None:
        path = self.path.split("?")[0]
        self._send_json(404, _error_body(404, f"Path {path} was not found.", "NOT_FOUND"))

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_completion(self, reply: Reply, model: str) -> None:
        payload = {
            "id": f"fake-{next(_ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": reply.message, "finish_reason": reply.finish_reason}
            ],
        }
        if reply.usage:
            payload["usage"] = _usage()
        if reply.complete:
            self._send_json(200, payload)
            return
        # cut_off, non-streamed: promise the full body, send half, hang up.
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.close_connection = True

    def _send_stream(self, reply: Reply, model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        envelope = {
            "id": f"fake-{next(_ids)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }
        try:
            for frame in reply.frames:
                if reply.delay:
                    time.sleep(reply.delay)
                choice: dict[str, Any] = {"index": 0, "delta": frame.delta}
                if frame.finish_reason is not None:
                    choice["finish_reason"] = frame.finish_reason
                chunk: dict[str, Any] = {**envelope, "choices": [choice]}
                if frame.usage:
                    chunk["usage"] = _usage()
                self._write_event(json.dumps(chunk))
                self.server.fake.chunks_sent += 1
            if reply.complete:
                self._write_event("[DONE]")
            if reply.abrupt:
                # No terminating zero-length chunk: the client sees an incomplete body.
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            # The client stopped reading (e.g. a cancelled run); nothing left to do.
            self.close_connection = True

    def _write_event(self, data: str) -> None:
        # One write per SSE event, framed as one HTTP chunk, so each arrives on its own.
        event = f"data: {data}\n\n".encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        self.wfile.flush()


def _models_body() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {"id": m, "object": "model", "created": 0, "owned_by": "google"} for m in MODEL_IDS
        ],
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGemini) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)  # port 0: the OS picks a free one
        self.fake = fake


class FakeGemini:
    """Gemini's OpenAI-compatible endpoint on 127.0.0.1, scripted per test.

    requests: JSON bodies received at /chat/completions, in order (rejected ones too).
    headers:  the matching request headers, keys lower-cased ("authorization").
    paths:    "METHOD /path" of every request of any kind, e.g. to assert no /responses call.
    require_signatures: reject replayed tool calls without a thought signature even when
      the model name does not start with "gemini-3".
    """

    def __init__(self, *, require_signatures: bool = False) -> None:
        self.require_signatures = require_signatures
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.chunks_sent = 0  # streamed chunks written so far, to act mid-stream without sleeping
        self._replies: collections.deque[Reply] = collections.deque()
        self._lock = threading.Lock()  # handler threads and the test thread share the lists
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # --- lifecycle

    def start(self) -> FakeGemini:
        self._server = _Server(self)
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}{API_PREFIX}/"
        # A short poll interval keeps stop() (which waits for the next poll) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGemini:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- scripting

    def enqueue(self, *replies: Reply) -> None:
        """Queue replies; each POST /chat/completions takes the oldest one."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        """Replies not consumed yet (a test can assert 0 at the end)."""
        with self._lock:
            return len(self._replies)

    # --- used by the handler

    def _next_reply(self) -> Reply | None:
        with self._lock:
            return self._replies.popleft() if self._replies else None

    def _record_request(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)

    def _record_path(self, path: str) -> None:
        with self._lock:
            self.paths.append(path)
