"""Export and import: JSON (the lossless format import reads back) and CSV (for spreadsheets)."""

import csv
import json
from pathlib import Path
from typing import IO, Iterable

from app.common.errors import UserError
from app.tasks.model import FIELDS, Task


def write_json(tasks: Iterable[Task], out: IO[str]) -> None:
    json.dump([task.to_dict() for task in tasks], out, ensure_ascii=False, indent=1)
    out.write("\n")


def write_csv(tasks: Iterable[Task], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for task in tasks:
        row = task.to_dict()
        row["tags"] = ",".join(task.tags)
        writer.writerow(["" if row[name] is None else row[name] for name in FIELDS])


def read_json(source: str | Path | IO[str]) -> list[dict]:
    """The records in an export file; UserError if it is not a JSON array of objects."""
    name = "stdin" if hasattr(source, "read") else str(source)
    try:
        if hasattr(source, "read"):
            data = json.load(source)  # type: ignore[arg-type]
        else:
            with open(source, encoding="utf-8") as file:
                data = json.load(file)
    except FileNotFoundError:
        raise UserError(f"There is no file {name}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Could not read {name}: {error}.") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{name} is not valid JSON (line {error.lineno}: {error.msg}).") from None
    if not isinstance(data, list):
        raise UserError(f"{name} must hold a JSON array of tasks, as `tasks export` writes.")
    return data
