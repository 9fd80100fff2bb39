"""When a routine runs, as people type it ("every weekday at 8:00") and as it is stored: the
repeat rules tasks take (app/tasks/when/repeat.py) plus a time of day, kept in the RRULE as BYHOUR
and BYMINUTE so `routines list --json` gives one complete rule.

A routine needs a time of day and runs at most daily: an hourly prompt to a paid model, with
nobody reading the answers, is a mistake rather than a wish.
"""

import re

from app.common.errors import UserError
from app.tasks.when.repeat import Repeat, check_rule, describe, read_repeat

EXAMPLE = "'every weekday at 8:00'"
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_TOO_OFTEN = ("FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY")
_TYPED_TIME = re.compile(r"\bat\s+(\d{1,2})(?::(\d{1,2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def read_when(text: str) -> str:
    """The stored RRULE for what the user typed; UserError (one sentence) otherwise."""
    cleaned = " ".join(str(text).split())
    if not cleaned:
        raise UserError(f"Say when the routine runs, like {EXAMPLE}.")
    if "=" in cleaned:
        rule = check_rule(cleaned)
        parts = _parts(rule)
        if "BYHOUR" not in parts:
            raise UserError(f"'{text}' has no time of day: add BYHOUR (and BYMINUTE), or write "
                            f"it like {EXAMPLE}.")
        hour, minute = _number(parts["BYHOUR"], 23, text), _number(parts.get("BYMINUTE", "0"),
                                                                      59, text)
        rule = ";".join(f"{k}={v}" for k, v in parts.items() if k not in _TIME_PARTS)
    else:
        _check_typed_time(cleaned)
        repeat, at = read_repeat(cleaned)
        if repeat is None:
            raise UserError(f"A routine needs a schedule, like {EXAMPLE}.")
        if repeat.after_done:
            raise UserError("A routine is never done, so it cannot repeat 'after done': write "
                            f"a plain schedule like {EXAMPLE}.")
        if at is None:
            raise UserError(f"'{text}' has no time of day: add one, like {EXAMPLE}.")
        rule, hour, minute = repeat.rule, at.hour, at.minute
    if any(rule.startswith(freq) for freq in _TOO_OFTEN):
        raise UserError("A routine runs at most once a day; write a daily or longer schedule, "
                        f"like {EXAMPLE}.")
    return f"{rule};BYHOUR={hour};BYMINUTE={minute}"


def _check_typed_time(text: str) -> None:
    match = _TYPED_TIME.search(text)
    if not match:
        return
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if minute > 59 or hour > (12 if half else 23) or (half and hour == 0):
        shown = match.group(0)[2:].strip()
        raise UserError(f"{shown} is not a time of day; use 0:00 to 23:59 (or 12am to 11:59pm).")


def _number(value: str, highest: int, text: str) -> int:
    if not value.isdigit() or int(value) > highest:
        raise UserError(f"'{text}' needs one time of day (BYHOUR 0-23, BYMINUTE 0-59).")
    return int(value)


def _parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def time_of_day(rule: str) -> tuple[int, int]:
    parts = _parts(rule)
    return int(parts.get("BYHOUR", "0")), int(parts.get("BYMINUTE", "0"))


def in_words(rule: str) -> str:
    """"every weekday at 08:00", "every Fri at 17:00"."""
    plain = ";".join(part for part in rule.split(";") if part.split("=")[0] not in _TIME_PARTS)
    hour, minute = time_of_day(rule)
    return f"{describe(Repeat(plain))} at {hour:02d}:{minute:02d}"
