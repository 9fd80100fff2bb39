"""MCP servers' schemas rewritten into what Gemini accepts: each is checked against the fake
Gemini, which refuses the keywords the real one refuses."""

import asyncio

import pytest
from fake_gemini import text
from openai import AsyncOpenAI

from app.assistant.gemini.schemas import UnsafeSchema, gemini_schema

# What MCPServer (pydantic) generates for `def plan(trip: Trip, mode: Literal["fast"] = "fast",
# note: str | None = None)` with a nested model: $defs, $ref, title, default, anyOf with null.
PYDANTIC = {
    "$defs": {
        "Stop": {"properties": {"city": {"title": "City", "type": "string"},
                                "nights": {"default": 1, "title": "Nights", "type": "integer"}},
                 "required": ["city"], "title": "Stop", "type": "object"},
        "Trip": {"properties": {"name": {"title": "Name", "type": "string"},
                                "stops": {"items": {"$ref": "#/$defs/Stop"}, "title": "Stops",
                                          "type": "array"}},
                 "required": ["name", "stops"], "title": "Trip", "type": "object",
                 "additionalProperties": False},
    },
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "properties": {
        "trip": {"$ref": "#/$defs/Trip", "description": "The whole trip."},
        "mode": {"const": "fast", "default": "fast", "title": "Mode", "type": "string"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None,
                 "title": "Note"},
        "labels": {"type": "object", "properties": {"colour": {"type": "string"}},
                   "propertyNames": {"pattern": "^[a-z]+$"}},
        "count": {"type": ["integer", "null"], "format": "int32"},
        "level": {"enum": [1, 2, 3]},
    },
    "required": ["trip"],
    "title": "planArguments",
    "type": "object",
}


def test_a_pydantic_schema_becomes_a_flat_one_with_the_same_meaning():
    schema = gemini_schema(PYDANTIC)
    trip = schema["properties"]["trip"]
    assert trip["description"] == "The whole trip."
    assert trip["properties"]["stops"]["items"] == {
        "type": "object", "properties": {"city": {"type": "string"},
                                         "nights": {"type": "integer"}}, "required": ["city"]}
    assert trip["required"] == ["name", "stops"]
    assert "additionalProperties" not in trip
    assert schema["properties"]["mode"] == {"type": "string", "enum": ["fast"]}
    assert schema["properties"]["note"] == {"type": "string"}
    assert schema["properties"]["labels"] == {"type": "object",
                                              "properties": {"colour": {"type": "string"}}}
    assert schema["properties"]["count"] == {"type": "integer"}
    assert schema["properties"]["level"]["type"] == "number"
    assert "One of: 1, 2, 3" in schema["properties"]["level"]["description"]
    assert schema["required"] == ["trip"]
    assert not {"$defs", "$schema", "title"} & set(schema)


def test_the_fake_gemini_refuses_the_original_and_accepts_the_rewrite(gemini):
    async def offer(parameters):
        async with AsyncOpenAI(base_url=gemini.base_url, api_key="k", max_retries=0) as client:
            return await client.chat.completions.create(
                model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}],
                tools=[{"type": "function", "function": {"name": "plan",
                                                         "parameters": parameters}}])

    import openai

    with pytest.raises(openai.BadRequestError) as refused:
        asyncio.run(offer(PYDANTIC))
    assert "Unknown name" in refused.value.body[0]["error"]["message"]
    gemini.enqueue(text("ok"))
    assert asyncio.run(offer(gemini_schema(PYDANTIC))).choices[0].message.content == "ok"


@pytest.mark.parametrize("schema, why", [
    ({"type": "object", "properties": {"node": {"$ref": "#/$defs/Node"}},
      "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}}},
     "recursive"),
    ({"type": "object", "properties": {"p": {"$ref": "https://example.com/s.json"}}},
     "does not define"),
    ({"type": "object", "properties": {"meta": {"type": "object",
                                                "additionalProperties": {"type": "string"}}}},
     "without named fields"),
    ({"type": "string"}, "not an object"),
    ({"type": "object", "properties": {"x": {}}}, "accepts anything"),
])
def test_what_cannot_be_made_safe_says_why(schema, why):
    with pytest.raises(UnsafeSchema, match=why):
        gemini_schema(schema)


def test_a_tool_without_parameters_gets_an_empty_object():
    assert gemini_schema({"type": "object"}) == {"type": "object", "properties": {}}
