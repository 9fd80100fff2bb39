"""The task operations other programs drive: the agent's function tools and the MCP server.

One list, so both speak the same names, schemas, validation and compact JSON results. No Qt and
no agent SDK here: `task-assistant mcp serve` imports this and must start fast.

Schemas are written by hand and kept flat (simple types, no $ref/anyOf/default/title): that is
what Gemini's OpenAI-compatible endpoint, and Gemini-backed MCP clients, reliably accept.
Arguments are parsed here rather than by a framework, so a malformed call gets an answer it can
act on instead of a crash.
"""

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from app.common.errors import UserError
from app.tasks.filters import TaskFilter
from app.tasks.model import PRIORITIES, Task
from app.tasks.store import TaskStore

DEFAULT_LIMIT = 50
_ID = {"type": "integer", "description": "The task's id, as returned by the other tools."}
_DUE = {"type": "string", "description": "ISO 8601 date (2026-11-27) or date-time with offset "
        "(2026-11-27T17:00:00+01:00). Resolve words like 'next Friday' yourself."}
_PRIORITY = {"type": "string", "enum": list(PRIORITIES)}
_TAGS = {"type": "array", "items": {"type": "string"}, "description": "Short words, no '#'."}
_STATUS = {"type": "string", "enum": ["open", "done", "all"]}
_LIMIT = {"type": "integer", "description": f"At most this many tasks (default {DEFAULT_LIMIT})."}


class Operation(NamedTuple):
    name: str
    description: str
    schema: dict
    run: Callable[[dict], dict]
    read_only: bool = False    # changes nothing: runs without asking anyone
    destructive: bool = False  # loses data: the user approves it first
    idempotent: bool = False   # a repeat with the same arguments changes nothing more


def compact(task: Task) -> dict:
    """A task as a model sees it: only what it needs, so long lists stay cheap."""
    shown: dict[str, Any] = {"id": task.id, "title": task.title, "status": task.status}
    if task.due:
        shown["due"] = task.due
    if task.priority != "none":
        shown["priority"] = task.priority
    if task.tags:
        shown["tags"] = list(task.tags)
    if task.notes:
        shown["notes"] = task.notes
    return shown


def _schema(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


def operations(store: TaskStore) -> list[Operation]:
    def task_list(tasks: list[Task], limit: int) -> dict:
        return {"count": len(tasks[:limit]), "more": len(tasks) > limit,
                "tasks": [compact(t) for t in tasks[:limit]]}

    def add(a: dict) -> dict:
        return {"added": compact(store.add(a["title"], notes=a.get("notes"), due=a.get("due"),
                                           priority=a.get("priority"), tags=a.get("tags")))}

    def list_(a: dict) -> dict:
        limit = _limit(a)
        filters = TaskFilter(status=a.get("status") or "open", tag=a.get("tag"),
                             priority=a.get("priority"), due_before=a.get("due_before"),
                             due_after=a.get("due_after"), overdue=bool(a.get("overdue")),
                             due_today=bool(a.get("due_today")), limit=limit + 1)
        return task_list(store.list_tasks(filters), limit)

    def search(a: dict) -> dict:
        limit = _limit(a)
        return task_list(store.search(a["query"], status=a.get("status") or "all",
                                      limit=limit + 1), limit)

    def update(a: dict) -> dict:
        fields = {k: a[k] for k in ("title", "notes", "due", "priority", "tags") if k in a}
        if not fields:
            raise UserError("Give at least one field to change.")
        return {"updated": compact(store.update(a["id"], **fields))}

    return [
        Operation("add_task", "Add a task to the user's list.", _schema({
            "title": {"type": "string"}, "due": _DUE, "notes": {"type": "string"},
            "priority": _PRIORITY, "tags": _TAGS}, ("title",)), add),
        Operation("list_tasks", "List tasks, soonest due first. Without filters: open tasks.",
                  _schema({
                      "status": _STATUS, "tag": {"type": "string"}, "priority": _PRIORITY,
                      "due_before": {**_DUE, "description": "Only tasks due before this day or "
                                     "time."},
                      "due_after": {**_DUE, "description": "Only tasks due after this day or "
                                    "time."},
                      "overdue": {"type": "boolean"},
                      "due_today": {"type": "boolean", "description": "Today's list: tasks due "
                                    "today and overdue ones (first)."},
                      "limit": _LIMIT}),
                  list_, read_only=True, idempotent=True),
        Operation("search_tasks", "Full-text search in titles, notes and tags (open and done).",
                  _schema({"query": {"type": "string"}, "status": _STATUS, "limit": _LIMIT},
                          ("query",)), search, read_only=True, idempotent=True),
        Operation("update_task", "Change fields of a task. due 'none' clears the due date; tags "
                  "replaces all tags.", _schema({
                      "id": _ID, "title": {"type": "string"}, "notes": {"type": "string"},
                      "due": _DUE, "priority": _PRIORITY, "tags": _TAGS}, ("id",)), update,
                  idempotent=True),
        Operation("complete_task", "Mark a task done.", _schema({"id": _ID}, ("id",)),
                  lambda a: {"completed": compact(store.complete(a["id"]))}, idempotent=True),
        Operation("reopen_task", "Mark a done task open again.", _schema({"id": _ID}, ("id",)),
                  lambda a: {"reopened": compact(store.reopen(a["id"]))}, idempotent=True),
        Operation("delete_task", "Delete a task for good. The user is asked to approve first.",
                  _schema({"id": _ID}, ("id",)),
                  lambda a: {"deleted": compact(store.delete(a["id"]))}, destructive=True,
                  idempotent=True),
    ]


def _limit(arguments: dict) -> int:
    limit = arguments.get("limit") or DEFAULT_LIMIT
    if not isinstance(limit, int) or limit < 1:
        raise UserError("limit must be a positive whole number.")
    return min(limit, 500)


def parse_arguments(raw: str | dict | None, schema: dict) -> dict:
    """The caller's arguments (JSON text or an already-decoded object), checked against the
    flat schema; UserError says what's wrong."""
    if isinstance(raw, dict):
        arguments: object = raw
    else:
        try:
            arguments = json.loads(raw or "{}")
        except json.JSONDecodeError as error:
            raise UserError(f"The arguments are not valid JSON ({error.msg}); send one JSON "
                            "object.") from None
    if not isinstance(arguments, dict):
        raise UserError("The arguments must be one JSON object.")
    properties = schema["properties"]
    unknown = sorted(set(arguments) - set(properties))
    if unknown:
        raise UserError(f"Unknown argument {unknown[0]!r}; allowed: {', '.join(properties)}.")
    missing = [name for name in schema["required"] if arguments.get(name) in (None, "")]
    if missing:
        raise UserError(f"Missing required argument {missing[0]!r}.")
    # Models sometimes send null for "not given": treat it so.
    given = {name: value for name, value in arguments.items() if value is not None}
    for name, value in given.items():
        given[name] = _typed(name, value, properties[name])
    return given


_TYPE_WORDS = {"string": "text (a JSON string)", "integer": "a whole number",
               "boolean": "true or false", "array": "a list of strings"}
_PYTHON_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}


def _typed(name: str, value: object, schema: dict) -> object:
    """`value` if it has the schema's type (a whole number may come as digits in a string);
    else a UserError the model can act on, naming the argument and the type it needs."""
    kind = schema.get("type")
    if kind == "integer" and isinstance(value, str) and value.strip().isascii() \
            and value.strip().isdigit():
        return int(value)
    wanted = _PYTHON_TYPES.get(kind)
    fits = wanted is not None and isinstance(value, wanted) and \
        not (kind == "integer" and isinstance(value, bool))
    if fits and kind == "array":
        fits = all(isinstance(item, str) for item in value)
    if not fits:
        sent = type(value).__name__.replace("str", "string").replace("dict", "object")
        raise UserError(f"Argument {name!r} must be {_TYPE_WORDS.get(kind, kind)}, not a "
                        f"{sent}: send it again with that type.")
    if "enum" in schema and str(value).strip().lower() not in schema["enum"]:
        raise UserError(f"Argument {name!r} must be one of {', '.join(schema['enum'])}.")
    return value


def perform(operation: Operation, raw: str | dict | None) -> str:
    """Run one call; the caller always gets compact JSON back, an error included."""
    try:
        result = operation.run(parse_arguments(raw, operation.schema))
    except UserError as error:
        result = {"error": str(error)}
    except Exception as error:  # a bug: logged, and the caller gets an answer to read
        from app.common.crash_log import something_went_wrong

        result = {"error": something_went_wrong(error)}
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))
