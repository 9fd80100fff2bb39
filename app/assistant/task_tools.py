"""The task store as function tools for the agent.

Schemas are written by hand and kept flat (simple types, no $ref/anyOf/default/title): that is
what Gemini's OpenAI-compatible endpoint reliably accepts. Arguments are parsed here rather than by
the SDK, so a malformed call from the model gets an answer it can act on instead of a crash.
The tools run on the event loop, like the SDK's runner (its function tools are coroutines), so
the store's announcements of their writes come from that thread too.
"""

import json
from collections.abc import Callable
from typing import Any

from agents import FunctionTool, RunContextWrapper

from app.assistant.answer_scope import CHANGES_EXISTING, AnswerScope
from app.common.errors import UserError
from app.tasks import PRIORITIES, Origin, Task, TaskFilter, TaskStore

DEFAULT_LIMIT = 50
_ID = {"type": "integer", "description": "The task's id, as returned by the other tools."}
_DUE = {"type": "string", "description": "ISO 8601 date (2026-11-27) or date-time with offset "
        "(2026-11-27T17:00:00+01:00). Resolve words like 'next Friday' yourself."}
_PRIORITY = {"type": "string", "enum": list(PRIORITIES)}
_TAGS = {"type": "array", "items": {"type": "string"}, "description": "Short words, no '#'."}
_STATUS = {"type": "string", "enum": ["open", "done", "all"]}
_LIMIT = {"type": "integer", "description": f"At most this many tasks (default {DEFAULT_LIMIT})."}

IN_TRASH = "It is in the trash for 30 days: restore_task (or undo) brings it back."


def compact(task: Task) -> dict:
    """A task as the model sees it: only what it needs, so long lists stay cheap."""
    shown: dict[str, Any] = {"id": task.id, "title": task.title, "status": task.status}
    if task.due:
        shown["due"] = task.due
    if task.priority != "none":
        shown["priority"] = task.priority
    if task.tags:
        shown["tags"] = list(task.tags)
    if task.notes:
        shown["notes"] = task.notes
    if task.list != "Inbox":
        shown["list"] = task.list
    if task.parent_id is not None:
        shown["parent_id"] = task.parent_id
    if task.repeat:
        shown["repeat"] = task.repeat + (" (after done)" if task.repeat_after_done else "")
    if task.remind_at:
        shown["remind_at"] = task.remind_at
    return shown


_REPEAT = {"type": "string", "description": "An RFC 5545 RRULE without 'RRULE:', e.g. "
           "FREQ=WEEKLY;BYDAY=MO,TH or FREQ=MONTHLY;BYMONTHDAY=15 ('none' clears). Needs a due "
           "(the first occurrence); completing the task moves it to the next one."}
_LIST = {"type": "string", "description": "The list's name (default Inbox); see list_lists."}
_PARENT = {"type": "integer", "description": "Make it a subtask of this task (3 levels at most)."}
_REMIND = {"type": "string", "description": "When to remind: an ISO 8601 date-time with offset, "
           "or '30m before' / '1h before' / '1 day before' the due ('none' clears)."}
_NEW_FIELDS = ("list", "parent_id", "repeat", "remind_at")


def _model_fields(a: dict) -> dict:
    """The model's names for the task-model fields, as the store takes them."""
    fields = {name: a[name] for name in ("list", "parent_id", "repeat") if name in a}
    if "remind_at" in a:
        fields["remind"] = a["remind_at"]
    return fields


def _schema(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


Run = Callable[[dict, AnswerScope], dict]


class _Spec:
    def __init__(self, name: str, description: str, schema: dict, run: Run):
        self.name, self.description, self.schema, self.run = name, description, schema, run


def _changed(key: str, task: Task, scope: AnswerScope, **extra) -> dict:
    """A change's result; `change` is its history row, which the window's Undo uses."""
    return {key: compact(task), "change": scope.step.change_ids[-1], **extra}


def _specs(store: TaskStore) -> list[_Spec]:
    def task_list(tasks: list[Task], limit: int) -> dict:
        return {"count": len(tasks[:limit]), "more": len(tasks) > limit,
                "tasks": [compact(t) for t in tasks[:limit]]}

    def add(a: dict, scope: AnswerScope) -> dict:
        return _changed("added", store.add(a["title"], by=scope.step, notes=a.get("notes"),
                                           due=a.get("due"), priority=a.get("priority"),
                                           tags=a.get("tags"), **_model_fields(a)), scope)

    def list_(a: dict, _scope: AnswerScope) -> dict:
        limit = _limit(a)
        filters = TaskFilter(status=a.get("status") or "open", tag=a.get("tag"),
                             priority=a.get("priority"), due_before=a.get("due_before"),
                             due_after=a.get("due_after"), overdue=bool(a.get("overdue")),
                             due_today=bool(a.get("due_today")), limit=limit + 1,
                             list=a.get("list"))
        return task_list(store.list_tasks(filters), limit)

    def search(a: dict, _scope: AnswerScope) -> dict:
        limit = _limit(a)
        return task_list(store.search(a["query"], status=a.get("status") or "all",
                                      limit=limit + 1), limit)

    def update(a: dict, scope: AnswerScope) -> dict:
        fields = {k: a[k] for k in ("title", "notes", "due", "priority", "tags") if k in a}
        fields.update(_model_fields(a))
        if not fields:
            raise UserError("Give at least one field to change.")
        return _changed("updated", store.update(a["id"], by=scope.step, **fields), scope)

    def status(key: str, change: Callable) -> Run:
        return lambda a, scope: _changed(key, change(a["id"], by=scope.step), scope)

    def undo(_a: dict, scope: AnswerScope) -> dict:
        # Its own step: "Undo all" on this answer must not redo what it just undid.
        reverted = store.undo(by=scope.origin, conversation_id=scope.origin.conversation_id,
                              skip_step=scope.step.id)
        return {"undone": reverted.summary, "tasks": list(reverted.task_ids)}

    def list_trash(a: dict, _scope: AnswerScope) -> dict:
        trashed = store.trash()[:_limit(a)]
        return {"count": len(trashed), "tasks": [
            {**compact(item.task), "deleted_at": item.trashed_at} for item in trashed]}

    return [
        _Spec("add_task", "Add a task to the user's list.", _schema({
            "title": {"type": "string"}, "due": _DUE, "notes": {"type": "string"},
            "priority": _PRIORITY, "tags": _TAGS, "list": _LIST, "parent_id": _PARENT,
            "repeat": _REPEAT, "remind_at": _REMIND}, ("title",)), add),
        _Spec("list_tasks", "List tasks, soonest due first. Without filters: open tasks.", _schema({
            "status": _STATUS, "tag": {"type": "string"}, "priority": _PRIORITY,
            "due_before": {**_DUE, "description": "Only tasks due before this day or time."},
            "due_after": {**_DUE, "description": "Only tasks due after this day or time."},
            "overdue": {"type": "boolean"},
            "due_today": {"type": "boolean",
                          "description": "Today's list: tasks due today and overdue ones (first)."},
            "list": _LIST, "limit": _LIMIT}),
            list_),
        _Spec("search_tasks", "Full-text search in titles, notes and tags (open and done).",
              _schema({"query": {"type": "string"}, "status": _STATUS, "limit": _LIMIT},
                      ("query",)), search),
        _Spec("update_task", "Change fields of a task. due 'none' clears the due date; tags "
              "replaces all tags.", _schema({
                  "id": _ID, "title": {"type": "string"}, "notes": {"type": "string"},
                  "due": _DUE, "priority": _PRIORITY, "tags": _TAGS, "list": _LIST,
                  "parent_id": _PARENT, "repeat": _REPEAT, "remind_at": _REMIND}, ("id",)),
              update),
        _Spec("list_lists", "The user's lists with how many open and done tasks each holds.",
              _schema({}), lambda _a, _scope: {"lists": [item._asdict()
                                                         for item in store.lists()]}),
        _Spec("complete_task", "Mark a task done.", _schema({"id": _ID}, ("id",)),
              status("completed", store.complete)),
        _Spec("reopen_task", "Mark a done task open again.", _schema({"id": _ID}, ("id",)),
              status("reopened", store.reopen)),
        _Spec("delete_task", "Move a task to the trash (kept 30 days). The user is asked to "
              "approve first.", _schema({"id": _ID}, ("id",)),
              lambda a, scope: _changed("deleted", store.delete(a["id"], by=scope.step), scope,
                                        note=IN_TRASH)),
        _Spec("restore_task", "Bring a task back from the trash, with its id and every field.",
              _schema({"id": _ID}, ("id",)), status("restored", store.restore)),
        _Spec("list_trash", "List the tasks in the trash, most recently deleted first.",
              _schema({"limit": _LIMIT}), list_trash),
        _Spec("undo", "Undo everything your previous answer in this conversation changed "
              "(for 'undo that'). Says what it restored.", _schema({}), undo),
    ]


def _limit(arguments: dict) -> int:
    limit = arguments.get("limit") or DEFAULT_LIMIT
    if not isinstance(limit, int) or limit < 1:
        raise UserError("limit must be a positive whole number.")
    return min(limit, 500)


def parse_arguments(raw: str, schema: dict) -> dict:
    """The model's JSON arguments, checked against the flat schema; UserError says what's wrong."""
    try:
        arguments = json.loads(raw or "{}")
    except json.JSONDecodeError as error:
        raise UserError(f"The arguments are not valid JSON ({error.msg}); send one JSON object.") \
            from None
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


def run_tool(spec_run: Run, schema: dict, raw: str, scope: AnswerScope) -> str:
    """Run one call; the model always gets JSON back, an error included."""
    try:
        result = spec_run(parse_arguments(raw, schema), scope)
    except UserError as error:
        result = {"error": str(error)}
    except Exception as error:  # a bug: logged, and the turn goes on with an answer to read
        from app.common.crash_log import something_went_wrong

        result = {"error": something_went_wrong(error)}
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))


def task_tools(store: TaskStore) -> list[FunctionTool]:
    """The tools; a run's context is its AnswerScope (ChatSession makes one per answer)."""
    def scope_of(context: RunContextWrapper) -> AnswerScope:
        scope = context.context
        return scope if isinstance(scope, AnswerScope) else AnswerScope(store, Origin("agent"))

    tools = []
    for spec in _specs(store):
        async def invoke(context: RunContextWrapper, raw: str, spec: _Spec = spec) -> str:
            return run_tool(spec.run, spec.schema, raw, scope_of(context))

        async def needs_approval(context: RunContextWrapper, _arguments: dict, call_id: str,
                                 spec: _Spec = spec) -> bool:
            return scope_of(context).needs_approval(spec.name, call_id)

        tools.append(FunctionTool(
            name=spec.name, description=spec.description, params_json_schema=spec.schema,
            on_invoke_tool=invoke, strict_json_schema=False,
            needs_approval=needs_approval if spec.name in CHANGES_EXISTING else False))
    return tools
