"""What a repeat rule may ask for, so stepping it always ends quickly whoever wrote it.

A rule arrives from people, MCP clients, imported files and CalDAV servers alike, and
dateutil's rrule walks every period (every hour, every day…) until it finds an occurrence, up
to the year 9999: "FREQ=SECONDLY" from 2000, or a rule that never matches ("the 30th of
February"), runs for minutes. So, decided once:
- a task repeats at most hourly: SECONDLY and MINUTELY are refused, and so are BYHOUR,
  BYMINUTE and BYSECOND (a task repeats at its due's time of day);
- INTERVAL is at most 1,000, COUNT at most 1,000, UNTIL between 1900 and 2200, every list
  at most 400 values; BYSETPOS only where a period holds more than one day;
- a rule must produce a date within `PROOF_YEARS` years (checked once, near year 9999, where
  dateutil stops by itself), so every later search ends within that many years of periods;
- a due far in the past is first moved forward by whole periods (arithmetic, not stepping),
  to just before the moment searched from.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from app.common.errors import UserError

MAX_INTERVAL = 1000
MAX_COUNT = 1000
MAX_VALUES = 400
FIRST_YEAR, LAST_YEAR = 1900, 2200
PROOF_YEARS = 56  # two 28-year cycles of weekdays and leap years
_FREQS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_ALLOWED = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH",
            "BYSETPOS", "BYYEARDAY", "BYWEEKNO"}


def check_parts(parts: dict[str, str]) -> None:
    """UserError, in one sentence, for a rule this app does not repeat a task by."""
    freq = parts.get("FREQ", "")
    if freq in ("SECONDLY", "MINUTELY"):
        raise UserError("A task can repeat at most every hour: FREQ=SECONDLY and "
                        "FREQ=MINUTELY are not supported.")
    if freq not in _FREQS:
        return  # dateutil names what is wrong with it
    unknown = sorted(set(parts) - _ALLOWED)
    if unknown:
        raise UserError(f"A repeat rule cannot use {unknown[0][:20]}: a task repeats at its "
                        "due's time, by day, week, month or year.")
    for name, limit in (("INTERVAL", MAX_INTERVAL), ("COUNT", MAX_COUNT)):
        if name in parts and not (parts[name].isdigit() and 1 <= int(parts[name]) <= limit):
            raise UserError(f"{name} must be a whole number from 1 to {limit}.")
    if any(value.count(",") >= MAX_VALUES for value in parts.values()):
        raise UserError(f"A repeat rule can list at most {MAX_VALUES} values in one part.")
    if "BYSETPOS" in parts and freq in ("HOURLY", "DAILY"):
        raise UserError("BYSETPOS works with a weekly, monthly or yearly repeat only.")
    until = parts.get("UNTIL", "")
    if until and not (until[:4].isdigit() and FIRST_YEAR <= int(until[:4]) <= LAST_YEAR):
        raise UserError(f"UNTIL must be a date from {FIRST_YEAR} to {LAST_YEAR}.")


def check_produces(make_rrule: Callable[[datetime], Any], start: datetime,
                   parts: dict[str, str]) -> None:
    """UserError unless the rule, started on `start`'s month, day and time, produces a date
    within PROOF_YEARS years. `make_rrule(dtstart)` builds it without UNTIL or COUNT."""
    year = 9999 - PROOF_YEARS - 2 * _span_years(parts)
    year -= (year - start.year) % 28  # the same weekdays and leap years as start's own
    try:
        probe = start.replace(year=year)
    except ValueError:  # 29 February in a year 400-cycle rules make common
        probe = start.replace(year=year - 28)
    if make_rrule(probe).after(probe, inc=True) is None:
        raise UserError("This repeat rule never produces another date: check its days and months.")


def near(start: datetime, floor: datetime, parts: dict[str, str]) -> datetime:
    """`start` moved forward by whole periods of the rule to at most `floor` (and a period
    or a year before it), so every occurrence after `floor` is unchanged and few periods lie
    between. COUNT counts from the real start, so a rule with COUNT is not moved."""
    if floor <= start or "COUNT" in parts:
        return start
    interval = int(parts.get("INTERVAL", "1"))
    freq = parts["FREQ"]
    if freq in ("HOURLY", "DAILY", "WEEKLY"):
        period = timedelta(hours=interval) if freq == "HOURLY" else \
            timedelta(days=interval * (7 if freq == "WEEKLY" else 1))
        return start + period * max(0, (floor - start) // period - 1)
    months = interval * (12 if freq == "YEARLY" else 1)
    # Whole years' worth of periods (and 4 years for a 29 February) keep the day valid.
    step = months * 12 // _gcd(months, 12)
    if start.month == 2 and start.day == 29:
        step = step * 4 // _gcd(step // 12, 4)
    behind = (floor.year - start.year) * 12 + floor.month - start.month
    cycles = max(0, behind // step - 1)
    for _ in range(3):  # 2100 is no leap year: a 29 February then moves one step less
        try:
            return start.replace(year=start.year + cycles * step // 12)
        except ValueError:
            cycles = max(0, cycles - 1)
    return start


def _span_years(parts: dict[str, str]) -> int:
    """How many years one period of the rule spans, rounded up."""
    days = {"HOURLY": 1 / 24, "DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}
    return int(int(parts.get("INTERVAL", "1")) * days[parts["FREQ"]] // 365) + 1


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a
