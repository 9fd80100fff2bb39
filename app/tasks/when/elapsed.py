"""Elapsed time as people type it: "in 1 hour", "in 90 minutes", "2h", "in an hour and a half".

A distance in minutes or hours is real time: the arithmetic is done on aware instants, so "in 1
hour" typed at 01:30 on a fall-back night is 01:30 again (the second time), and at 01:30 on a
spring-forward night it is 03:30, not a wall-clock 02:30 that does not exist. Day-based words
("in 2 days", "tomorrow 9am") keep their wall-clock meaning and are read elsewhere
(natural_dates). Typed dues, typed reminders and snoozes all read distances here.
"""

import re
from datetime import UTC, datetime, timedelta

_AMOUNT = r"(\d+(?:[.,]\d+)?|an?|one|half an?|an? half)"
_UNIT = r"(m|mins?|minutes?|h|hrs?|hours?)"
_ELAPSED = re.compile(
    rf"(?:in\s+)?{_AMOUNT}\s*{_UNIT}(?:\s+(?:and\s+)?(\d+\s*(?:m|mins?|minutes?)|a\s+half))?"
    r"(?:\s+(?:from\s+now|later))?")
_WORDS = {"a": 1, "an": 1, "one": 1, "half a": 0.5, "half an": 0.5, "a half": 0.5,
          "an half": 0.5}


def read_elapsed(text: str) -> timedelta | None:
    """The distance in "in 90 minutes", "1h", "in an hour and a half"; None for other text."""
    match = _ELAPSED.fullmatch(" ".join(text.lower().split()))
    if not match:
        return None
    amount, unit, extra = match.groups()
    count = _WORDS.get(amount)
    if count is None:
        count = float(amount.replace(",", "."))
    minutes = count * (60 if unit.startswith("h") else 1)
    if extra:
        number = re.match(r"\d+", extra)
        minutes += 30 if extra == "a half" or number is None else int(number.group())
    if minutes <= 0:
        return None
    return timedelta(minutes=round(minutes))


def after(distance: timedelta, now: datetime) -> datetime:
    """`distance` of real time after `now`, in the local zone (counted in UTC)."""
    return (now.astimezone(UTC) + distance).astimezone()
