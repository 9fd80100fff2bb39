"""Todoist's CSV export (TYPE, CONTENT, DESCRIPTION, PRIORITY, INDENT, …, DATE, DATE_LANG,
TIMEZONE) as records the store imports.

Rows of TYPE "task" become tasks; INDENT 2 and 3 make subtasks of the task above; PRIORITY 4
(Todoist's p1) is high, 3 medium, 2 low; `@labels` in CONTENT become tags; DATE's natural
language ("every monday", "tomorrow 5pm", "Dec 24") becomes the due and the repeat rule, read
with our own phrases and dates (English; other DATE_LANG values are read as English too).
"""

import csv
import io
import re

from app.common.errors import UserError
from app.tasks import repeat as repeats
from app.tasks.natural_dates import read_due

PRIORITIES = {"4": "high", "3": "medium", "2": "low", "1": "none"}
_LABEL = re.compile(r"(?:^|\s)@([\w-]+)")


def read_todoist_csv(text: str, name: str) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or "CONTENT" not in rows[0] or "TYPE" not in rows[0]:
        raise UserError(f"{name} is not a Todoist CSV export (it needs TYPE and CONTENT columns).")
    records: list[dict] = []
    parents: list[int] = []  # the record id at each indent level above
    for row in rows:
        if (row.get("TYPE") or "").strip().lower() != "task":
            continue
        content = row.get("CONTENT") or ""
        tags = _LABEL.findall(content)
        title = _LABEL.sub("", content).strip() or "(no title)"
        record: dict = {"id": len(records) + 1, "title": title, "tags": tags,
                        "priority": PRIORITIES.get((row.get("PRIORITY") or "1").strip(), "none")}
        if (row.get("DESCRIPTION") or "").strip():
            record["notes"] = row["DESCRIPTION"]
        _date(record, (row.get("DATE") or "").strip())
        indent = int((row.get("INDENT") or "1").strip() or 1)
        del parents[max(indent - 1, 0):]
        if parents:
            record["parent_id"] = parents[-1]
        parents.append(record["id"])
        records.append(record)
    return records


def _date(record: dict, text: str) -> None:
    if not text:
        return
    lowered = text.lower()
    if lowered.startswith("every"):
        found = repeats.phrase(text)
        if found:
            repeat, at = found
            due = repeats.first_due(repeat, at)
            record["due"] = due.iso
            record["repeat"] = repeats.pin(repeat, due).rule
            record["repeat_after_done"] = repeat.after_done
            return
    try:
        record["due"] = read_due(text).iso
    except UserError:
        record["notes"] = (record.get("notes", "") + f"\n(Todoist date: {text})").strip()
