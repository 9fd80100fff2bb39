"""Import: records in export's shape checked into rows (all or none), duplicates found by UID
or by title and due, and the rows written with their subtask links. TaskStore holds the
transaction and announces."""

import sqlite3
from collections.abc import Hashable
from typing import NamedTuple

from app.common.errors import UserError
from app.tasks import validate
from app.tasks.history import Recorder
from app.tasks.model import INBOX
from app.tasks.task_rows import Row, TaskRows, new_row, new_uid, remind_columns, snapshot_of
from app.tasks.tree import flattened_parents
from app.tasks.when import repeat as repeats
from app.tasks.when.dates import Due

_IMPORTED = {"id", "title", "notes", "due", "priority", "status", "tags", "created_at",
             "updated_at", "completed_at", "list", "parent_id", "repeat", "repeat_after_done",
             "remind_at", "remind_before", "uid", "due_zone"}
# A bulk insert leaves the search index in many small segments; from this many rows on they
# are merged at once (~0.1 s per 100k tasks), which keeps every later search fast.
_OPTIMIZE_FROM = 1_000


class ImportPlan(NamedTuple):
    rows: list[Row]          # the records to add, checked, each with its file id and parent
    parents: list[Hashable]  # each row's parent in the file, after flattening
    skipped: int             # duplicates left out
    flattened: int           # subtask links moved up (too deep, or a loop)


def find_duplicate(conn: sqlite3.Connection, uid: str | None, title: str,
                   due: str | None) -> int | None:
    """The task an imported one repeats: the same UID, or the same title and due."""
    if uid:
        row = conn.execute("SELECT id FROM tasks WHERE uid = ?", (uid,)).fetchone()
        if row:
            return int(row[0])
    row = conn.execute("SELECT id FROM tasks WHERE title = ? AND due IS ?",
                       (title, due)).fetchone()
    return int(row[0]) if row else None


def plan_import(conn: sqlite3.Connection, records: list[object], *,
                skip_duplicates: bool) -> ImportPlan:
    """Check every record (a bad one refuses the whole file) and decide on duplicates: left out
    with `skip_duplicates`, otherwise added with a UID of their own."""
    rows = []
    for number, record in enumerate(records, start=1):
        try:
            rows.append(imported_row(record))
        except UserError as error:
            raise UserError(f"Task {number} in the file: {error}") from None
    skipped = 0
    kept: list[Row] = []
    seen_uids: set[str] = set()
    for row in rows:
        known = find_duplicate(conn, row["uid"], row["title"], row["due"])
        if known is not None and skip_duplicates:
            skipped += 1
            continue
        if known is not None or row["uid"] in seen_uids:
            row["uid"] = new_uid()
        seen_uids.add(row["uid"])
        kept.append(row)
    parents, flattened = flattened_parents(
        [(row["_file_id"], row["_file_parent"]) for row in kept])
    return ImportPlan(kept, parents, skipped, flattened)


def write_import(conn: sqlite3.Connection, rows: TaskRows, history: Recorder,
                 plan: ImportPlan) -> list[int]:
    """Insert the planned rows (inside the caller's transaction); returns the new ids."""
    added: list[tuple[int, Row, str]] = []
    new_ids: dict[Hashable, int] = {}
    lists: dict[str, int] = {}
    for row in plan.rows:
        file_id = row.pop("_file_id")
        row.pop("_file_parent")
        name = row.pop("_list")
        if name not in lists:
            lists[name] = rows.list_id(name, create=True)
        row["list_id"] = lists[name]
        task_id = rows.insert(row)
        if file_id is not None:
            new_ids[file_id] = task_id
        added.append((task_id, row, name))
    for (task_id, row, name), file_parent in zip(added, plan.parents, strict=True):
        if file_parent is not None and file_parent in new_ids:
            row["parent_id"] = new_ids[file_parent]
            conn.execute("UPDATE tasks SET parent_id = ? WHERE id = ?",
                         (row["parent_id"], task_id))
        history.record(task_id, "imported", None, snapshot_of(task_id, row, name))
    if len(added) >= _OPTIMIZE_FROM:
        conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('optimize')")
    return [task_id for task_id, _, _ in added]


def imported_row(record: object) -> Row:
    """One record of a file as a new row, every field checked; `_file_id`, `_file_parent` and
    `_list` say where it goes, for write_import."""
    if not isinstance(record, dict):
        raise UserError("each task must be a JSON object.")
    unknown = set(record) - _IMPORTED
    if unknown:
        raise UserError(f"unknown field {sorted(unknown)[0]!r}.")
    due = record.get("due")
    if due is not None and not isinstance(due, str):
        raise UserError("'due' must be an ISO 8601 date or null.")
    row = new_row(title=record.get("title"), notes=record.get("notes"), due=due,
                  priority=record.get("priority"), tags=record.get("tags"))
    row["status"] = validate.status(record.get("status", "open"))
    for name in ("created_at", "updated_at", "completed_at"):
        value = record.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise UserError(f"'{name}' must be an ISO 8601 date-time.")
            row[name] = Due.parse(value).iso
    if row["status"] == "open":
        row["completed_at"] = None
    elif row["completed_at"] is None:
        row["completed_at"] = row["updated_at"]
    _read_repeat(record, row)
    _read_reminder(record, row)
    uid = record.get("uid")
    if uid is not None:
        row["uid"] = validate.uid(uid)
    zone = record.get("due_zone")
    if zone is not None and row["due_has_time"]:
        row["due_zone"] = validate.zone_name(zone)
    for name in ("id", "parent_id"):  # another record's id: a number, or a UID from .ics
        value = record.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, str))):
            raise UserError(f"'{name}' must be a number or text.")
    row["_file_id"] = record.get("id")
    row["_file_parent"] = record.get("parent_id")
    row["_list"] = validate.list_name(record.get("list") or INBOX)
    return row


def _read_repeat(record: dict[str, object], row: Row) -> None:
    rule = record.get("repeat")
    if rule is None:
        return
    if not isinstance(rule, str):
        raise UserError("'repeat' must be an RRULE or null.")
    if row["due"] is None:
        raise UserError("a repeating task needs a due date.")
    row["repeat"] = repeats.check_rule(rule)
    repeats.check_produces(row["repeat"], Due.parse(row["due"]))
    row["repeat_after_done"] = int(bool(record.get("repeat_after_done")))


def _read_reminder(record: dict[str, object], row: Row) -> None:
    remind_at = record.get("remind_at")
    if remind_at is None:
        return
    if not isinstance(remind_at, str):
        raise UserError("'remind_at' must be an ISO 8601 date-time or null.")
    before = record.get("remind_before")
    if before is not None and (not isinstance(before, int) or isinstance(before, bool)):
        raise UserError("'remind_before' must be whole minutes or null.")
    row.update(remind_columns(Due.parse(remind_at), before))
