"""Todoist's CSV export (TYPE, CONTENT, DESCRIPTION, PRIORITY, INDENT, …, DATE, DATE_LANG,
TIMEZONE) as records the store imports.

Rows of TYPE "task" become tasks; INDENT 2 and 3 make subtasks of the task above; PRIORITY 4
(Todoist's p1) is high, 3 medium, 2 low; `@labels` in CONTENT become tags; DATE's natural
language ("every monday", "tomorrow 5pm", "Dec 24") becomes the due and the repeat rule.

DATE is written in the row's DATE_LANG and means wall-clock time in its TIMEZONE:
- a time is read in TIMEZONE (when it names a zone), stored as the local instant; a repeating
  task whose TIMEZONE is not the user's keeps it (`due_zone`), so its rule steps there;
- single dates are read in DATE_LANG as well as English for the languages dateparser knows
  (Todoist's de, fr, es, it, nl, pt, ja, ru, … among them);
- repeat phrases ("every …") are read in English only. A date that is not understood, a
  repeat in another language ("jeden Montag") above all, is never guessed: the task is
  imported without a due, the date is kept in its notes, and the import counts it.
"""

import re
from collections import namedtuple
from typing import Any

from app.common.errors import UserError, echo
from app.tasks.files.transfer import csv_rows
from app.tasks.when import repeat as repeats
from app.tasks.when.dates import own_zone_or
from app.tasks.when.natural_dates import read_due

PRIORITIES = {"4": "high", "3": "medium", "2": "low", "1": "none"}
_LABEL = re.compile(r"(?:^|\s)@([\w-]+)")
# Words that start a repeat in Todoist's languages: a date holding one is a repeat, never a
# single date (dateparser would read "jeden Montag" as the coming Monday).
_REPEAT_WORDS = re.compile(
    r"^(every!?|daily|weekly|monthly|yearly|jede[nrs]?|alle|täglich|wöchentlich|monatlich|"
    r"jährlich|chaque|tous|toutes|quotidien|cada|todos|todas|diario|diariamente|ogni|tutti|"
    r"tutte|giornalmente|elke|iedere|dagelijks|wekelijks|maandelijks|jaarlijks|todo|toda)\b",
    re.IGNORECASE)

TodoistFile = namedtuple("TodoistFile", ("records", "dates_not_understood"))


def read_todoist_csv(text: str, name: str) -> TodoistFile:
    rows = csv_rows(text, name)
    if not rows or "CONTENT" not in rows[0] or "TYPE" not in rows[0]:
        raise UserError(f"{name} is not a Todoist CSV export (it needs TYPE and CONTENT columns).")
    records: list[dict[str, Any]] = []
    parents: list[int] = []  # the record id at each indent level above
    not_understood = 0
    for row in rows:
        if (row.get("TYPE") or "").strip().lower() != "task":
            continue
        content = row.get("CONTENT") or ""
        tags = _LABEL.findall(content)
        title = _LABEL.sub("", content).strip() or "(no title)"
        record: dict[str, Any] = {"id": len(records) + 1, "title": title, "tags": tags,
                        "priority": PRIORITIES.get((row.get("PRIORITY") or "1").strip(), "none")}
        if (row.get("DESCRIPTION") or "").strip():
            record["notes"] = row["DESCRIPTION"]
        if not _date(record, (row.get("DATE") or "").strip(), _language(row),
                     (row.get("TIMEZONE") or "").strip() or None):
            not_understood += 1
        indent_text = (row.get("INDENT") or "1").strip() or "1"
        if not (indent_text.isascii() and indent_text.isdigit()) or len(indent_text) > 3:
            raise UserError(f"{name}: INDENT must be a whole number like 1, 2 or 3, not "
                            f"'{echo(indent_text)}' (task {len(records) + 1}).")
        indent = int(indent_text)
        del parents[max(indent - 1, 0):]
        if parents:
            record["parent_id"] = parents[-1]
        parents.append(record["id"])
        records.append(record)
    return TodoistFile(records, not_understood)


def _language(row: dict[str, Any]) -> str | None:
    code = (row.get("DATE_LANG") or "").strip().lower().replace("-", "_").split("_")[0]
    return code if code.isalpha() and code != "en" else None


def _date(record: dict[str, Any], text: str, language: str | None, timezone: str | None) -> bool:
    """Fill the due (and repeat) from DATE; False when DATE was there but not understood."""
    if not text:
        return True
    zone = own_zone_or(timezone)  # None: the user's own zone, or no zone we know
    if _REPEAT_WORDS.match(text):
        found = repeats.phrase(text)
        if not found:
            return _not_understood(record, text)
        repeat, at = found
        due = repeats.first_due(repeat, at, zone=zone)
        record["due"] = due.iso
        record["repeat"] = repeats.pin(repeat, due, zone).rule
        record["repeat_after_done"] = repeat.after_done
        if due.has_time and zone:
            record["due_zone"] = zone
        return True
    try:
        due = read_due(text, zone=zone, language=language)
    except UserError:
        return _not_understood(record, text)
    record["due"] = due.iso
    if due.has_time and zone:
        record["due_zone"] = zone
    return True


def _not_understood(record: dict[str, Any], text: str) -> bool:
    record["notes"] = (record.get("notes", "") + f"\n(Todoist date: {text})").strip()
    return False
