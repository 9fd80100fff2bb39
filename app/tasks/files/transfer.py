"""Export and import: JSON (the lossless format import reads back) and CSV (for spreadsheets)."""

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from app.common.errors import UserError
from app.tasks.model import FIELDS, Task


def write_json(tasks: Iterable[Task], out: IO[str]) -> None:
    json.dump([task.to_dict() for task in tasks], out, ensure_ascii=False, indent=1)
    out.write("\n")


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's "CSV
# injection"): such a cell is written with a leading single quote, which the spreadsheet shows
# as text and read_csv takes off again. A cell that already starts with quotes before one of
# them gets one more, so a title like "'=x" comes back as it was too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_escaped_form(text: str) -> bool:
    return text.lstrip("'").startswith(_FORMULA_STARTS)


def _cell(value: object) -> object:
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and _is_escaped_form(value) else value


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and _is_escaped_form(text) else text


def write_csv(tasks: Iterable[Task], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for task in tasks:
        row = task.to_dict()
        row["tags"] = ",".join(task.tags)
        writer.writerow([_cell(row[name]) for name in FIELDS])


def read_json(source: str | Path | IO[str], name: str | None = None) -> list[dict[str, Any]]:
    """The records in an export file; UserError if it is not a JSON array of objects."""
    name = name or ("stdin" if hasattr(source, "read") else str(source))
    try:
        if hasattr(source, "read"):
            data = json.load(source)
        else:
            with open(source, encoding="utf-8") as file:
                data = json.load(file)
    except FileNotFoundError:
        raise UserError(f"There is no file {name}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Could not read {name}: {error}.") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{name} is not valid JSON (line {error.lineno}: {error.msg}).") from None
    except RecursionError:
        raise UserError(f"{name} is nested too deeply to be a task export.") from None
    if not isinstance(data, list):
        raise UserError(f"{name} must hold a JSON array of tasks, as `tasks export` writes.")
    return data


def parse_json(text: str, name: str) -> list[dict[str, Any]]:
    """read_json for a file already read as text (see file_text)."""
    return read_json(io.StringIO(text), name)


def csv_rows(text: str, name: str) -> list[dict[str, Any]]:
    """The CSV's rows; UserError for a field over csv's limit (128 KB) or a broken quote."""
    try:
        return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise UserError(f"{name} has a field over 128 KB; no field of a task is that long."
                            ) from None
        raise UserError(f"{name} is not a CSV file I can read ({str(error).rstrip('.')}).") \
            from None


def read_csv(text: str, name: str) -> list[dict[str, Any]]:
    """What write_csv wrote, as records the store imports; UserError for another CSV."""
    rows = csv_rows(text, name)
    if rows and "title" not in rows[0]:
        raise UserError(f"{name} is not a CSV that `tasks export --format csv` wrote "
                        "(it needs a title column).")
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for field, value in row.items():
            if field is None or value in (None, ""):
                continue
            value = _uncell(value)
            if field == "tags":
                record[field] = [tag for tag in value.split(",") if tag]
            elif field in ("id", "parent_id", "remind_before"):
                record[field] = int(value) if value.lstrip("-").isdigit() else value
            elif field == "repeat_after_done":
                record[field] = value.strip().lower() in ("true", "1", "yes")
            else:
                record[field] = value
        records.append(record)
    return records
