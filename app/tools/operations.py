"""The task operations other programs drive: the agent's function tools and the MCP server.

One list, so both speak the same names, schemas, validation and compact JSON results. No Qt and
no agent SDK here: `task-assistant mcp serve` imports this and must start fast.

Schemas are written by hand and kept flat (simple types, no $ref/anyOf/default/title): that is
what Gemini's OpenAI-compatible endpoint, and Gemini-backed MCP clients, reliably accept.
Arguments are parsed here rather than by a framework, so a malformed call gets an answer it can
act on instead of a crash. Every call is given `by`, which the task history records: the agent
passes its answer's Step (one answer, one undo step), the MCP server one Step per call; `undo`
takes back the caller's own newest step.
"""

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from app.common.errors import UserError
from app.common.tool_arguments import decode_arguments
from app.tasks.filters import TaskFilter
from app.tasks.history import Origin, Step
from app.tasks.model import INBOX, PRIORITIES, Task
from app.tasks.reschedule import reschedule_overdue, sentence
from app.tasks.store import TaskStore

DEFAULT_LIMIT = 50
_ID = {"type": "integer", "description": "The task's id, as returned by the other tools."}
_DUE = {"type": "string", "description": "ISO 8601 date (2026-11-27) or date-time with offset "
        "(2026-11-27T17:00:00+01:00). Resolve words like 'next Friday' yourself."}
_PRIORITY = {"type": "string", "enum": list(PRIORITIES)}
_TAGS = {"type": "array", "items": {"type": "string"}, "description": "Short words, no '#'."}
_STATUS = {"type": "string", "enum": ["open", "done", "all"]}
_LIMIT = {"type": "integer", "description": f"At most this many tasks (default {DEFAULT_LIMIT})."}
_REPEAT = {"type": "string", "description": "An RFC 5545 RRULE without 'RRULE:', e.g. "
           "FREQ=WEEKLY;BYDAY=MO,TH or FREQ=MONTHLY;BYMONTHDAY=15 ('none' clears). Needs a due "
           "(the first occurrence); completing the task moves it to the next one."}
_LIST = {"type": "string", "description": "The list's name (default Inbox); see list_lists."}
_LIST_NAME = {"type": "string", "description": "The list's name, as list_lists shows it."}
_PARENT = {"type": "integer", "description": "Make it a subtask of this task (3 levels at most)."}
_REMIND = {"type": "string", "description": "When to remind: an ISO 8601 date-time with offset, "
           "or '30m before' / '1h before' / '1 day before' the due ('none' clears)."}
_WITH_SUBTASKS = {"type": "boolean", "description": "Complete its open subtasks too (a task "
                  "with open subtasks is refused without this)."}
IN_TRASH = "It is in the trash for 30 days: restore_task (or undo) brings it back."
EMPTIED = "Those tasks are deleted for good, with their history: nothing brings them back."
LIST_DELETED = "No task was deleted; undo brings the list back with its tasks."

By = Origin | Step  # who the history says made a change
JSON = dict[str, Any]  # a call's arguments, or its result, as JSON


class Operation(NamedTuple):
    name: str
    description: str
    schema: JSON
    run: Callable[[JSON, By], JSON]
    read_only: bool = False    # changes nothing: runs without asking anyone
    destructive: bool = False  # may remove or overwrite data (MCP's destructiveHint)
    idempotent: bool = False   # a repeat with the same arguments changes nothing more


def compact(task: Task) -> JSON:
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
    if task.list != INBOX:
        shown["list"] = task.list
    if task.parent_id is not None:
        shown["parent_id"] = task.parent_id
    if task.repeat:
        shown["repeat"] = task.repeat + (" (after done)" if task.repeat_after_done else "")
    if task.remind_at:
        shown["remind_at"] = task.remind_at
    return shown


def _model_fields(a: JSON) -> JSON:
    """The callers' names for the task-model fields (issue 14), as the store takes them."""
    fields: JSON = {name: a[name] for name in ("list", "parent_id", "repeat") if name in a}
    if "remind_at" in a:
        fields["remind"] = a["remind_at"]
    return fields


def _schema(properties: JSON, required: tuple[str, ...] = ()) -> JSON:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


def recorded(by: By, write: Callable[[], JSON]) -> JSON:
    """A write's result. `change` is its history row (the window's Undo on a tool line uses
    it); a write that changed nothing (completing a done task) has none."""
    written = len(by.change_ids) if isinstance(by, Step) else 0
    result = write()
    if isinstance(by, Step) and len(by.change_ids) > written:
        result["change"] = by.change_ids[-1]
    return result


def changing(key: str, by: By, write: Callable[[], Task], **extra: object) -> JSON:
    """A task write's result: the task, compact, under `key`."""
    return recorded(by, lambda: {key: compact(write()), **extra})


def operations(store: TaskStore) -> list[Operation]:
    def task_list(tasks: list[Task], limit: int) -> JSON:
        return {"count": len(tasks[:limit]), "more": len(tasks) > limit,
                "tasks": [compact(t) for t in tasks[:limit]]}

    def add(a: JSON, by: By) -> JSON:
        return changing("added", by, lambda: store.add(
            a["title"], by=by, notes=a.get("notes"), due=a.get("due"),
            priority=a.get("priority"), tags=a.get("tags"), **_model_fields(a)))

    def by_id(key: str, write: Callable[..., Task]) -> Callable[[JSON, By], JSON]:
        return lambda a, by: changing(key, by, lambda: write(a["id"], by=by))

    def list_(a: JSON, _by: By) -> JSON:
        limit = _limit(a)
        filters = TaskFilter(status=a.get("status") or "open", tag=a.get("tag"),
                             priority=a.get("priority"), due_before=a.get("due_before"),
                             due_after=a.get("due_after"), overdue=bool(a.get("overdue")),
                             due_today=bool(a.get("due_today")), limit=limit + 1,
                             list=a.get("list"))
        return task_list(store.list_tasks(filters), limit)

    def search(a: JSON, _by: By) -> JSON:
        limit = _limit(a)
        return task_list(store.search(a["query"], status=a.get("status") or "all",
                                      limit=limit + 1), limit)

    def update(a: JSON, by: By) -> JSON:
        fields: JSON = {k: a[k] for k in ("title", "notes", "due", "priority", "tags") if k in a}
        fields.update(_model_fields(a))
        if not fields:
            raise UserError("Give at least one field to change.")
        return changing("updated", by, lambda: store.update(a["id"], by=by, **fields))

    def complete(a: JSON, by: By) -> JSON:
        return changing("completed", by, lambda: store.complete(
            a["id"], by=by, with_subtasks=bool(a.get("with_subtasks"))))

    def lists(_a: JSON, _by: By) -> JSON:
        return {"lists": [item._asdict() for item in store.lists()]}

    def add_list(a: JSON, by: By) -> JSON:
        return recorded(by, lambda: {"added_list": store.add_list(a["name"], by=by).name})

    def rename_list(a: JSON, by: By) -> JSON:
        old = store.list_info(a["name"]).name
        return recorded(by, lambda: {"renamed_list": old, "to": store.rename_list(
            old, a["new_name"], by=by)})

    def delete_list(a: JSON, by: By) -> JSON:
        # To Inbox, like the window's sidebar: no task is ever deleted with its list.
        name = store.list_info(a["name"]).name
        return recorded(by, lambda: {"deleted_list": name, "moved_to_inbox": store.remove_list(
            name, by=by, move_to=INBOX), "note": LIST_DELETED})

    def delete(a: JSON, by: By) -> JSON:
        return changing("deleted", by, lambda: store.delete(a["id"], by=by), note=IN_TRASH)

    def undo(_a: JSON, by: By) -> JSON:
        origin = _origin(by)
        # The caller's own newest step: its conversation's (the agent) or its session's (an MCP
        # client), else its kind's. A step of its own: "Undo all" on the answer must not redo it.
        reverted = store.undo(by=origin, conversation_id=origin.conversation_id,
                              origin=None if origin.conversation_id else origin.kind,
                              skip_step=by.id if isinstance(by, Step) else None)
        return {"undone": reverted.summary, "tasks": list(reverted.task_ids)}

    def redo(_a: JSON, by: By) -> JSON:
        origin = _origin(by)
        # The caller's own newest undo (its rows carry the caller's conversation or session);
        # a step of its own, like undo's.
        reverted = store.redo(by=origin, conversation_id=origin.conversation_id,
                              origin=None if origin.conversation_id else origin.kind)
        return {"redone": reverted.summary, "tasks": list(reverted.task_ids)}

    def reschedule(a: JSON, by: By) -> JSON:
        def write() -> JSON:
            count, day = reschedule_overdue(store, a["to"], by=by)
            return {"moved": count, "to": day.isoformat(), "note": sentence(count, day)}
        return recorded(by, write)

    def list_trash(a: JSON, _by: By) -> JSON:
        trashed = store.trash()[:_limit(a)]
        return {"count": len(trashed), "tasks": [
            {**compact(item.task), "deleted_at": item.trashed_at} for item in trashed]}

    return [
        Operation("add_task", "Add a task to the user's list.", _schema({
            "title": {"type": "string"}, "due": _DUE, "notes": {"type": "string"},
            "priority": _PRIORITY, "tags": _TAGS, "list": _LIST, "parent_id": _PARENT,
            "repeat": _REPEAT, "remind_at": _REMIND}, ("title",)), add),
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
                      "list": _LIST, "limit": _LIMIT}),
                  list_, read_only=True, idempotent=True),
        Operation("search_tasks", "Full-text search in titles, notes and tags (open and done).",
                  _schema({"query": {"type": "string"}, "status": _STATUS, "limit": _LIMIT},
                          ("query",)), search, read_only=True, idempotent=True),
        Operation("update_task", "Change fields of a task. due 'none' clears the due date; tags "
                  "replaces all tags.", _schema({
                      "id": _ID, "title": {"type": "string"}, "notes": {"type": "string"},
                      "due": _DUE, "priority": _PRIORITY, "tags": _TAGS, "list": _LIST,
                      "parent_id": _PARENT, "repeat": _REPEAT, "remind_at": _REMIND}, ("id",)),
                  update, idempotent=True),
        Operation("list_lists", "The user's lists with how many open and done tasks each "
                  "holds.", _schema({}), lists, read_only=True, idempotent=True),
        # Idempotent: a name already taken is refused, so a repeat adds nothing more.
        Operation("add_list", "Make a new, empty list.", _schema({"name": _LIST_NAME},
                  ("name",)), add_list, idempotent=True),
        Operation("rename_list", "Rename a list (not Inbox); its tasks stay in it.", _schema({
            "name": _LIST_NAME, "new_name": {"type": "string"}}, ("name", "new_name")),
                  rename_list, idempotent=True),
        Operation("delete_list", "Delete a list (not Inbox); its tasks, open and done, move to "
                  "Inbox. Says how many moved; undo brings the list back with them.",
                  _schema({"name": _LIST_NAME}, ("name",)), delete_list, destructive=True,
                  idempotent=True),
        Operation("complete_task", "Mark a task done (a repeating one moves to its next "
                  "occurrence).", _schema({"id": _ID, "with_subtasks": _WITH_SUBTASKS}, ("id",)),
                  complete),  # not idempotent: a repeating task moves on at each call
        Operation("reopen_task", "Mark a done task open again.", _schema({"id": _ID}, ("id",)),
                  by_id("reopened", store.reopen), idempotent=True),
        Operation("delete_task", "Move a task to the trash, where it is kept 30 days "
                  "(restore_task brings it back).", _schema({"id": _ID}, ("id",)), delete,
                  destructive=True, idempotent=True),
        Operation("restore_task", "Bring a task back from the trash, with its id and every "
                  "field.", _schema({"id": _ID}, ("id",)), by_id("restored", store.restore),
                  idempotent=True),
        Operation("list_trash", "List the tasks in the trash, most recently deleted first.",
                  _schema({"limit": _LIMIT}), list_trash, read_only=True, idempotent=True),
        Operation("undo", "Undo everything your previous answer in this conversation changed "
                  "(for 'undo that'). Says what it restored.", _schema({}), undo,
                  destructive=True),
        Operation("redo", "Redo what your newest undo in this conversation took back (for "
                  "'redo that', 'no, do it after all'). Says what it put back.", _schema({}),
                  redo, destructive=True),
        # Not destructive: only due dates change, and undo moves them back. Idempotent: once
        # moved, nothing is overdue. The agent's bulk guard asks first when it moves many.
        Operation("reschedule_overdue", "Move every overdue open task to one day (to: 'today', "
                  "'tomorrow' or an ISO date), as one undo step; a task with a time keeps it. "
                  "Says how many moved.", _schema({"to": {
                      "type": "string", "description": "today, tomorrow, or 2026-11-27"}},
                      ("to",)), reschedule, idempotent=True),
        Operation("empty_trash", "Delete every task in the trash for good, with its history; "
                  "nothing can bring them back (not undo). Says how many went.", _schema({}),
                  emptying(store), destructive=True, idempotent=True),
    ]


def emptying(store: TaskStore, approved: tuple[int, ...] | None = None
             ) -> Callable[[JSON, By], JSON]:
    """empty_trash's run: the whole trash, or only `approved`, the tasks the approval card
    showed the user (a task deleted after the card was made stays in the trash, and the
    result says so)."""
    def run(_a: JSON, _by: By) -> JSON:
        count = store.empty_trash(only=approved)
        left = store.trash_count() if approved is not None else 0
        result = {"emptied": count, "note": EMPTIED if count else
                  "Nothing was deleted." if left else "The trash was already empty."}
        if left:
            tasks, them = ("1 task", "it") if left == 1 else (f"{left} tasks", "them")
            result.update(left=left, left_note=(
                f"Left in the trash: {tasks} not on the list the user approved (deleted after "
                f"the user was asked); ask again to delete {them} for good."))
        return result

    return run


def _origin(by: By) -> Origin:
    return by.origin if isinstance(by, Step) else by


def _limit(arguments: JSON) -> int:
    limit = arguments.get("limit") or DEFAULT_LIMIT
    if not isinstance(limit, int) or limit < 1:
        raise UserError("limit must be a positive whole number.")
    return min(limit, 500)


def parse_arguments(raw: str | JSON | None, schema: JSON) -> JSON:
    """The caller's arguments (JSON text or an already-decoded object), checked against the
    flat schema; UserError says what's wrong."""
    arguments = decode_arguments(raw)
    properties = schema["properties"]
    unknown = sorted(set(arguments) - set(properties))
    if unknown:
        allowed = f"allowed: {', '.join(properties)}" if properties else "this tool takes none"
        raise UserError(f"Unknown argument {unknown[0]!r}; {allowed}.")
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


def _typed(name: str, value: object, schema: JSON) -> object:
    """`value` if it has the schema's type (a whole number may come as digits in a string);
    else a UserError the model can act on, naming the argument and the type it needs."""
    kind = str(schema.get("type"))
    if kind == "integer" and isinstance(value, str) and value.strip().isascii() \
            and value.strip().isdigit():
        return int(value)
    wanted = _PYTHON_TYPES.get(kind)
    fits = wanted is not None and isinstance(value, wanted) and \
        not (kind == "integer" and isinstance(value, bool))
    if fits and isinstance(value, list):
        fits = all(isinstance(item, str) for item in value)
    if not fits:
        sent = type(value).__name__.replace("str", "string").replace("dict", "object")
        raise UserError(f"Argument {name!r} must be {_TYPE_WORDS.get(kind, kind)}, not a "
                        f"{sent}: send it again with that type.")
    if "enum" in schema and str(value).strip().lower() not in schema["enum"]:
        raise UserError(f"Argument {name!r} must be one of {', '.join(schema['enum'])}.")
    return value


def perform(operation: Operation, raw: str | JSON | None, by: By) -> str:
    """Run one call; the caller always gets compact JSON back, an error included."""
    try:
        result = operation.run(parse_arguments(raw, operation.schema), by)
    except UserError as error:
        result = {"error": str(error)}
    except Exception as error:  # a bug: logged, and the caller gets an answer to read
        from app.common.crash_log import something_went_wrong

        result = {"error": something_went_wrong(error)}
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))
