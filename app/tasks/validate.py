"""Checks on every value that reaches the store, each failing with one clear sentence."""

from app.common.errors import UserError, echo
from app.common.titles import one_line_title, refuse_nul, strip_controls
from app.tasks.model import PRIORITIES, STATUSES

MAX_TITLE = 500
MAX_NOTES = 100_000
MAX_TAG = 64
MAX_TAGS = 20
MAX_ID = 2**63 - 1  # SQLite's largest integer


def title(value: object) -> str:
    return one_line_title(value, noun="task", limit=MAX_TITLE)


def notes(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserError("Notes must be text.")
    if len(value) > MAX_NOTES:
        raise UserError(f"Notes can be at most {MAX_NOTES} characters.")
    refuse_nul(value, "Notes")
    return value


def priority(value: object) -> str:
    if value is None:
        return "none"
    if not isinstance(value, str) or value.strip().lower() not in PRIORITIES:
        raise UserError(f"Unknown priority {echo(repr(value))}: "
                        f"use one of {', '.join(PRIORITIES)}.")
    return value.strip().lower()


def status(value: object) -> str:
    if value not in STATUSES:
        raise UserError(f"Unknown status {echo(repr(value))}: use one of {', '.join(STATUSES)}.")
    return value


def tags(values: object) -> tuple[str, ...]:
    """Trimmed, without a leading '#', deduplicated ignoring case, in the order given."""
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise UserError("Tags must be a list of words.")
    seen: dict[str, str] = {}
    for value in values:
        if not isinstance(value, str):
            raise UserError("Tags must be a list of words.")
        refuse_nul(value, "A tag")
        tag = strip_controls(value).strip().lstrip("#").strip()
        if not tag:
            continue
        if "," in tag or len(tag) > MAX_TAG:
            raise UserError(f"Tag {tag!r} is not allowed: no commas, at most {MAX_TAG} characters.")
        seen.setdefault(tag.lower(), tag)
    if len(seen) > MAX_TAGS:
        raise UserError(f"A task can have at most {MAX_TAGS} tags.")
    return tuple(seen.values())


def task_id(value: object) -> int:
    number = _row_id(value)
    if number is None:
        raise UserError(f"{echo(repr(value))} is not a task id (ids are whole numbers, like 12).")
    return number


def step_id(value: object) -> int:
    """An undo step's number, as the history shows it."""
    number = _row_id(value)
    if number is None:
        raise UserError(f"{echo(repr(value))} is not a step number (steps are whole numbers, "
                        "like 12).")
    return number


def _row_id(value: object) -> int | None:
    """A positive whole number SQLite can hold, given as one or as digits; else None."""
    is_number_or_text = isinstance(value, (int, str)) and not isinstance(value, bool)
    text = str(value).strip() if is_number_or_text else ""
    # isascii: "²" and "٣" are digits to str.isdigit() but not numbers int() reads.
    # len: int() refuses over 4,300 digits with a ValueError, and no id has over 19.
    if not (text.isascii() and text.isdigit() and len(text) <= 19) \
            or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


MAX_LIST_NAME = 100


def zone_name(value: object) -> str:
    """An IANA time zone name, like Europe/Berlin."""
    from zoneinfo import ZoneInfo

    if isinstance(value, str) and value.strip() and len(value) <= MAX_ZONE:
        try:
            ZoneInfo(value.strip())
            return value.strip()
        except (ValueError, OSError, LookupError):  # ZoneInfoNotFoundError is a KeyError
            pass
    raise UserError(f"'due_zone' must be an IANA time zone name like Europe/Berlin, or null "
                    f"(not {str(value)[:80]!r}).")


def list_name(value: object) -> str:
    """A list's name, cleaned as a task's title is: one line, no control or bidi characters
    (a name is printed on terminals and sent to calendars), not empty, at most
    MAX_LIST_NAME characters."""
    if not isinstance(value, str) or not value.strip():
        raise UserError("A list needs a name, like Work.")
    if len(value) > MAX_LIST_NAME * 10:  # before cleaning: never work through a megabyte
        raise UserError(f"A list's name can be at most {MAX_LIST_NAME} characters.")
    refuse_nul(value, "A list's name")
    cleaned = clean_list_name(value)
    if not cleaned:
        raise UserError("A list needs a name, like Work.")
    if len(cleaned) > MAX_LIST_NAME:
        raise UserError(f"A list's name can be at most {MAX_LIST_NAME} characters.")
    return cleaned


def clean_list_name(value: str) -> str:
    """`value` on one line, without control or bidi characters (what the migration that repairs
    stored names applies too)."""
    return " ".join(strip_controls(value).split())


MAX_UID = 255  # RFC 5545 sets no limit; real ones are a UUID and a host name
MAX_ZONE = 64  # the longest IANA name is 32 characters


def uid(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UserError("'uid' must be text.")
    if len(value.strip()) > MAX_UID:
        raise UserError(f"A 'uid' can be at most {MAX_UID} characters.")
    refuse_nul(value, "A 'uid'")
    return value.strip()


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def list_name_key(name: str) -> str:
    """What two list names must share to be the same list: the store's column is COLLATE
    NOCASE, which folds ASCII letters only ("Work" is "work", "BÜRO" is not "büro")."""
    return name.translate(_ASCII_LOWER)
