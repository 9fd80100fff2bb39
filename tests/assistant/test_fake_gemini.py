"""The fake Gemini server, driven through the real openai client.

These tests pin down the wire shapes the rest of the suite relies on, so a change to
fake_gemini.py that stops imitating Gemini fails here first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fake_gemini import (
    FakeGemini,
    bad_key,
    cut_off,
    empty,
    overloaded,
    quota,
    text,
    tool_calls,
)
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

MODEL = "gemini-2.5-flash"
USER: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


def gemini_error(error: openai.APIStatusError) -> dict[str, Any]:
    """Gemini's error object from the body openai keeps (typed `object`): [{"error": {…}}]."""
    body = error.body
    assert isinstance(body, list)
    return body[0]["error"]


@pytest.fixture
def gemini() -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        yield fake


def client_for(gemini: FakeGemini) -> AsyncOpenAI:
    # max_retries=0: the client must not hide scripted errors by retrying them.
    return AsyncOpenAI(base_url=gemini.base_url, api_key="test-key", max_retries=0)


async def stream_chunks(gemini: FakeGemini, **kwargs: Any) -> list[Any]:
    """All chunks of one streamed request."""
    async with client_for(gemini) as client:
        stream = await client.chat.completions.create(
            model=kwargs.pop("model", MODEL), messages=kwargs.pop("messages", USER),
            stream=True, **kwargs,
        )
        return [chunk async for chunk in stream]


async def create(gemini: FakeGemini, **kwargs: Any) -> Any:
    """One non-streamed request."""
    async with client_for(gemini) as client:
        return await client.chat.completions.create(
            model=kwargs.pop("model", MODEL), messages=kwargs.pop("messages", USER), **kwargs
        )


def tool_call_deltas(chunks: list[Any]) -> list[Any]:
    return [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]


# --------------------------------------------------------------------------- text


def test_streamed_text_arrives_in_order_and_ends_with_stop(gemini: FakeGemini) -> None:
    gemini.enqueue(text("Hel", "lo"))
    chunks = asyncio.run(stream_chunks(gemini))

    assert [c.choices[0].delta.content for c in chunks] == ["Hel", "lo"]
    assert [c.choices[0].finish_reason for c in chunks] == [None, "stop"]
    assert all(c.object == "chat.completion.chunk" and c.model == MODEL for c in chunks)
    assert chunks[-1].usage is not None and chunks[0].usage is None
    assert gemini.requests[0]["stream"] is True
    assert gemini.headers[0]["authorization"] == "Bearer test-key"


def test_non_streamed_request_gets_one_chat_completion(gemini: FakeGemini) -> None:
    gemini.enqueue(text("Hel", "lo"))
    completion = asyncio.run(create(gemini))

    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content == "Hello"
    assert completion.choices[0].finish_reason == "stop"


def test_empty_reply_has_neither_text_nor_tool_calls(gemini: FakeGemini) -> None:
    gemini.enqueue(empty())
    chunks = asyncio.run(stream_chunks(gemini))

    assert all(not c.choices[0].delta.content for c in chunks)
    assert tool_call_deltas(chunks) == []
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_many_chunks_stream_quickly(gemini: FakeGemini) -> None:
    gemini.enqueue(text(*["word "] * 4000))
    started = time.monotonic()
    chunks = asyncio.run(stream_chunks(gemini))

    assert len(chunks) == 4000
    assert time.monotonic() - started < 20


def test_delay_spaces_out_the_chunks(gemini: FakeGemini) -> None:
    gemini.enqueue(text("a", "b", "c", delay=0.1))
    started = time.monotonic()
    asyncio.run(stream_chunks(gemini))

    assert time.monotonic() - started >= 0.3


# --------------------------------------------------------------------------- tool calls


def test_gemini_tool_call_deltas_carry_no_index(gemini: FakeGemini) -> None:
    gemini.enqueue(tool_calls(("add_task", {"title": "milk"}), ("add_task", {"title": "eggs"})))
    chunks = asyncio.run(stream_chunks(gemini))

    deltas = tool_call_deltas(chunks)
    assert len(chunks[0].choices[0].delta.tool_calls) == 2  # style "one_delta"
    assert [d.index for d in deltas] == [None, None]  # openai parses a missing index as None
    assert [d.function.arguments for d in deltas] == ['{"title": "milk"}', '{"title": "eggs"}']
    assert all(d.id for d in deltas)
    assert chunks[-1].choices[0].finish_reason == "stop"  # not "tool_calls"


def test_separate_chunks_put_one_call_per_chunk(gemini: FakeGemini) -> None:
    gemini.enqueue(tool_calls(("a", {}), ("b", {}), style="separate_chunks"))
    chunks = asyncio.run(stream_chunks(gemini))

    assert [[tc.function.name for tc in c.choices[0].delta.tool_calls] for c in chunks] == [
        ["a"], ["b"]
    ]
    assert [d.index for d in tool_call_deltas(chunks)] == [None, None]


def test_split_args_continue_without_id_or_name(gemini: FakeGemini) -> None:
    gemini.enqueue(tool_calls(("add_task", {"title": "a long title"}), style="split_args"))
    deltas = tool_call_deltas(asyncio.run(stream_chunks(gemini)))

    head, *rest = deltas
    assert head.id and head.function.name == "add_task" and head.index is None
    assert rest and all(d.id is None and d.function.name is None and d.index is None for d in rest)
    assert "".join(d.function.arguments for d in deltas) == '{"title": "a long title"}'


def test_indexed_style_numbers_the_calls(gemini: FakeGemini) -> None:
    gemini.enqueue(tool_calls(("a", {}), ("b", {}), style="indexed"))
    deltas = tool_call_deltas(asyncio.run(stream_chunks(gemini)))

    assert [d.index for d in deltas] == [0, 1]


def test_empty_ids_and_raw_argument_strings(gemini: FakeGemini) -> None:
    gemini.enqueue(tool_calls(("add_task", '{"title": "bro'), empty_ids=True))
    (delta,) = tool_call_deltas(asyncio.run(stream_chunks(gemini)))

    assert delta.id == ""
    assert delta.function.arguments == '{"title": "bro'


def test_signature_on_first_call_and_in_a_trailing_delta(gemini: FakeGemini) -> None:
    gemini.enqueue(tool_calls(("a", {}), ("b", {}), signature="sig-abc"))
    deltas = tool_call_deltas(asyncio.run(stream_chunks(gemini)))

    signature = {"google": {"thought_signature": "sig-abc"}}
    first, second, trailer = deltas
    assert first.extra_content == signature
    assert getattr(second, "extra_content", None) is None
    assert trailer.extra_content == signature
    assert trailer.id is None and trailer.function is None and trailer.index is None


def test_non_streamed_tool_calls_come_whole(gemini: FakeGemini) -> None:
    gemini.enqueue(tool_calls(("a", {"x": 1}), ("b", {}), style="split_args", signature="s"))
    message = asyncio.run(create(gemini)).choices[0].message

    assert [(tc.function.name, tc.function.arguments) for tc in message.tool_calls] == [
        ("a", '{"x": 1}'), ("b", "{}")
    ]
    assert message.tool_calls[0].extra_content == {"google": {"thought_signature": "s"}}


# --------------------------------------------------------------------------- errors


def test_error_bodies_are_lists_and_the_message_is_only_in_the_body(gemini: FakeGemini) -> None:
    gemini.enqueue(bad_key())
    with pytest.raises(openai.BadRequestError) as caught:
        asyncio.run(create(gemini))

    exc = caught.value
    assert exc.status_code == 400  # a bad key is 400 on Gemini, not 401
    assert str(exc) == exc.message == "Error code: 400"  # openai 3.54 finds no message in a list
    assert exc.code is None
    assert isinstance(exc.body, list)
    assert gemini_error(exc)["status"] == "INVALID_ARGUMENT"
    assert gemini_error(exc)["message"] == "API key not valid. Please pass a valid API key."


def test_quota_error_carries_retry_info(gemini: FakeGemini) -> None:
    gemini.enqueue(quota(retry_delay="0.2s"))
    with pytest.raises(openai.RateLimitError) as caught:
        asyncio.run(stream_chunks(gemini))

    error = gemini_error(caught.value)
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert "Please retry in 0.2s." in error["message"]
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.2s"} in error[
        "details"
    ]
    assert caught.value.response.headers.get("retry-after") is None


def test_overloaded_is_503_unavailable(gemini: FakeGemini) -> None:
    gemini.enqueue(overloaded())
    with pytest.raises(openai.InternalServerError) as caught:
        asyncio.run(create(gemini))

    assert caught.value.status_code == 503
    assert gemini_error(caught.value)["status"] == "UNAVAILABLE"


def test_unscripted_request_fails_loudly(gemini: FakeGemini) -> None:
    with pytest.raises(openai.InternalServerError, match="scripted no reply"):
        asyncio.run(create(gemini))


# --------------------------------------------------------------------------- cut-off streams


def test_clean_cut_off_ends_without_error_and_without_finish_reason(gemini: FakeGemini) -> None:
    # Recorded behaviour: the openai client ends the iteration normally; only the missing
    # finish_reason tells the stream was cut.
    gemini.enqueue(cut_off("Hel", "lo"))
    chunks = asyncio.run(stream_chunks(gemini))

    assert [c.choices[0].delta.content for c in chunks] == ["Hel", "lo"]
    assert all(c.choices[0].finish_reason is None for c in chunks)


def test_abrupt_cut_off_raises_a_connection_error(gemini: FakeGemini) -> None:
    # Recorded behaviour: the chunks before the break arrive, then APIConnectionError.
    gemini.enqueue(cut_off("Hel", "lo", abrupt=True))
    received: list[str | None] = []

    async def consume() -> None:
        async with client_for(gemini) as client:
            stream = await client.chat.completions.create(model=MODEL, messages=USER, stream=True)
            async for chunk in stream:
                received.append(chunk.choices[0].delta.content)

    with pytest.raises(openai.APIConnectionError):
        asyncio.run(consume())
    assert received == ["Hel", "lo"]


# --------------------------------------------------------------------------- routes


def test_responses_api_is_404_and_recorded(gemini: FakeGemini) -> None:
    async def call_responses() -> None:
        async with client_for(gemini) as client:
            await client.responses.create(model=MODEL, input="hi")

    with pytest.raises(openai.NotFoundError) as caught:
        asyncio.run(call_responses())

    assert isinstance(caught.value.body, list)
    assert gemini.paths == ["POST /v1beta/openai/responses"]
    assert gemini.requests == []


def test_models_are_listed_in_openai_shape(gemini: FakeGemini) -> None:
    async def list_models() -> list[str]:
        async with client_for(gemini) as client:
            return [m.id async for m in client.models.list()]

    assert "models/gemini-2.5-flash" in asyncio.run(list_models())


# --------------------------------------------------------------------------- validation


def expect_400(gemini: FakeGemini, match: str, **kwargs: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        asyncio.run(create(gemini, **kwargs))
    assert match in gemini_error(caught.value)["message"]


def test_empty_assistant_text_in_history_is_rejected(gemini: FakeGemini) -> None:
    gemini.enqueue(text("ok"))
    messages = [*USER, {"role": "assistant", "content": "  "}, {"role": "user", "content": "again"}]
    expect_400(gemini, "must not be empty", messages=messages)

    assert gemini.pending == 1  # a rejected request does not use up the scripted reply
    assert len(gemini.requests) == 1  # but it is recorded


def test_parallel_tool_calls_parameter_is_rejected(gemini: FakeGemini) -> None:
    tools = [{"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}}]
    expect_400(gemini, "Parallel tool calls are not supported", tools=tools,
               parallel_tool_calls=False)


def history_with_tool_call(extra: dict[str, Any]) -> list[dict[str, Any]]:
    call = {"id": "c1", "type": "function", "function": {"name": "a", "arguments": "{}"}, **extra}
    return [
        *map(dict, USER),
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "done"},
    ]


def test_gemini_3_requires_the_thought_signature_back(gemini: FakeGemini) -> None:
    expect_400(gemini, "missing a thought_signature", model="gemini-3-flash-preview",
               messages=history_with_tool_call({}))

    gemini.enqueue(text("ok"))
    signed = {"extra_content": {"google": {"thought_signature": "sig-abc"}}}
    reply = asyncio.run(create(gemini, model="gemini-3-flash-preview",
                               messages=history_with_tool_call(signed)))
    assert reply.choices[0].message.content == "ok"


def test_gemini_2_5_accepts_a_missing_signature_unless_told_otherwise() -> None:
    for require, accepted in ((False, True), (True, False)):
        with FakeGemini(require_signatures=require) as gemini:
            gemini.enqueue(text("ok"))
            try:
                asyncio.run(create(gemini, messages=history_with_tool_call({})))
            except openai.BadRequestError:
                assert not accepted
            else:
                assert accepted


def function(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": "a", "parameters": parameters}}]


@pytest.mark.parametrize("keyword, parameters", [
    ("$ref", {"type": "object", "properties": {"p": {"$ref": "#/$defs/P"}}}),
    ("$defs", {"type": "object", "properties": {}, "$defs": {"P": {"type": "string"}}}),
    ("$schema", {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}),
    ("const", {"type": "object", "properties": {"mode": {"const": "fast"}}}),
    ("propertyNames", {"type": "object", "properties": {"m": {
        "type": "object", "properties": {"a": {"type": "string"}},
        "propertyNames": {"pattern": "^[a-z]+$"}}}}),
    ("additionalProperties", {"type": "object", "properties": {"m": {
        "type": "object", "properties": {"a": {"type": "string"}},
        "additionalProperties": {"type": "string"}}}}),
])
def test_schema_keywords_gemini_does_not_know_fail_the_request(
        gemini: FakeGemini, keyword: str, parameters: dict[str, Any]) -> None:
    expect_400(gemini, f'Invalid JSON payload received. Unknown name "{keyword}"',
               tools=function(parameters))


def test_additional_properties_on_the_parameters_object_itself_is_accepted(
        gemini: FakeGemini) -> None:
    gemini.enqueue(text("ok"))
    asyncio.run(create(gemini, tools=function({"type": "object", "properties": {
        "a": {"type": "string"}}, "additionalProperties": False})))
    assert gemini.pending == 0
