"""Other programs' JSON schemas rewritten into the subset Gemini accepts for function parameters.

Gemini's OpenAI-compatible endpoint answers 400 "Invalid JSON payload received. Unknown name …"
to the whole request for one keyword it does not know, so MCP servers' schemas (pydantic-made:
$defs/$ref, title, default, anyOf with null, const…) are rebuilt from a whitelist: $ref inlined,
`anyOf[X, null]` made X, const made an enum, and anything unknown dropped. What cannot be made
safe (a recursive $ref, an object with no properties to describe it) raises UnsafeSchema, and
the tool is left out instead of costing every request a 400.
"""

from typing import Any

MAX_DEPTH = 12
_KEPT = ("description", "format", "minimum", "maximum", "minItems", "maxItems", "minLength",
         "maxLength", "pattern", "nullable")
_FORMATS = ("date-time", "enum")  # Gemini refuses other string formats
_TYPES = ("string", "number", "integer", "boolean", "array", "object")


class UnsafeSchema(ValueError):
    """Why a schema cannot be offered to Gemini, as a short phrase."""


def gemini_schema(schema: Any) -> dict:
    """A tool's parameters schema Gemini accepts; UnsafeSchema when there is none."""
    if not isinstance(schema, dict):
        raise UnsafeSchema("its parameters are not a JSON schema")
    definitions = {**(schema.get("definitions") or {}), **(schema.get("$defs") or {})}
    rewritten = _rewrite(schema, definitions, (), 0)
    if rewritten.get("type") != "object":
        raise UnsafeSchema("its parameters are not an object")
    rewritten.setdefault("properties", {})
    if not rewritten["properties"]:
        rewritten.pop("required", None)
    return rewritten


def _rewrite(node: Any, definitions: dict, refs: tuple[str, ...], depth: int) -> dict:
    if depth > MAX_DEPTH:
        raise UnsafeSchema("its parameters nest too deeply")
    if node is True or node == {}:
        raise UnsafeSchema("a parameter accepts anything, which Gemini can't describe")
    if not isinstance(node, dict):
        raise UnsafeSchema("a parameter's schema is not an object")
    if "$ref" in node:
        return _inline(node, definitions, refs, depth)
    for combined in ("allOf", "anyOf", "oneOf"):
        if combined in node:
            return _combination(node, combined, definitions, refs, depth)

    out: dict = {}
    kind = node.get("type")
    if isinstance(kind, list):  # ["string", "null"] -> "string"
        kinds = [k for k in kind if k != "null"]
        if len(kinds) != 1:
            raise UnsafeSchema("a parameter takes several types")
        kind = kinds[0]
    if kind is None:
        kind = _implied_type(node)
    if kind not in _TYPES:
        raise UnsafeSchema(f"a parameter has the type {kind!r}")
    out["type"] = kind
    for key in _KEPT:
        if key in node:
            out[key] = node[key]
    if "format" in out and (kind != "string" or out["format"] not in _FORMATS):
        del out["format"]
    if "const" in node:
        node = {**node, "enum": [node["const"]]}
    if "enum" in node:
        values = [v for v in node["enum"] if v is not None]
        if kind == "string" and values and all(isinstance(v, str) for v in values):
            out["enum"] = values
        elif values:  # Gemini takes enums of strings only: say it in words instead
            allowed = ", ".join(map(str, values))
            out["description"] = f"{out.get('description', '')} One of: {allowed}.".strip()
    if kind == "array":
        items = node.get("items")
        out["items"] = _rewrite(items, definitions, refs, depth + 1) if items not in (None, True) \
            else {"type": "string"}
    if kind == "object":
        properties = node.get("properties") or {}
        if not properties and depth > 0:
            raise UnsafeSchema("a parameter is an object without named fields")
        out["properties"] = {name: _rewrite(value, definitions, refs, depth + 1)
                             for name, value in properties.items()}
        required = [name for name in node.get("required") or [] if name in properties]
        if required:
            out["required"] = required
        # additionalProperties is accepted only on the parameters object itself, as false.
        if depth == 0 and node.get("additionalProperties") is False:
            out["additionalProperties"] = False
    return out


def _implied_type(node: dict) -> str:
    if "properties" in node:
        return "object"
    if "items" in node:
        return "array"
    if "enum" in node or "const" in node:
        values = node.get("enum") or [node.get("const")]
        return "string" if all(isinstance(v, str) for v in values) else "number"
    raise UnsafeSchema("a parameter has no type")


def _inline(node: dict, definitions: dict, refs: tuple[str, ...], depth: int) -> dict:
    ref = node["$ref"]
    prefix = next((p for p in ("#/$defs/", "#/definitions/") if str(ref).startswith(p)), None)
    if prefix is None or ref[len(prefix):] not in definitions:
        raise UnsafeSchema(f"it refers to {ref!r}, which it does not define")
    if ref in refs:
        raise UnsafeSchema("its parameters are recursive")
    target = _rewrite(definitions[ref[len(prefix):]], definitions, (*refs, ref), depth)
    if node.get("description"):  # the field's own description beats the model's
        target["description"] = node["description"]
    return target


def _combination(node: dict, key: str, definitions: dict, refs: tuple[str, ...],
                 depth: int) -> dict:
    choices = [c for c in node[key] if not (isinstance(c, dict) and c.get("type") == "null")]
    if len(choices) == 1 or (key == "allOf" and choices):
        merged: dict = {}
        for choice in choices:
            part = _rewrite(choice, definitions, refs, depth)
            if merged and part.get("type") != merged.get("type"):
                raise UnsafeSchema("a parameter combines schemas of different types")
            properties = {**merged.get("properties", {}), **part.get("properties", {})}
            required = [*merged.get("required", []), *part.get("required", [])]
            merged.update(part)
            if properties:
                merged["properties"] = properties
            if required:
                merged["required"] = list(dict.fromkeys(required))
        if node.get("description"):
            merged["description"] = node["description"]
        return merged
    if not choices:
        raise UnsafeSchema("a parameter can only be null")
    rewritten = {"anyOf": [_rewrite(c, definitions, refs, depth + 1) for c in choices]}
    if node.get("description"):
        rewritten["description"] = node["description"]
    return rewritten
