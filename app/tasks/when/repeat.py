"""Repeating tasks: English phrases to RFC 5545 RRULEs, their checks, and the next occurrence.

A repeating task is one task that moves: completing it records the done occurrence (history)
and moves the same task to its next due. The rule is stored as an RRULE ("FREQ=WEEKLY;BYDAY=MO")
and checked and stepped with python-dateutil's rrule; `after_done` marks Todoist's `every!`
("every 3 days after done"), counted from the day it is completed instead of from its due.

Decided where RFC 5545 or the apps differ:
- "every month on the 29th/30th/31st" means that day, or the month's last day when it is
  shorter (BYMONTHDAY=28,29,30,31;BYSETPOS=-1), so a monthly bill never skips February; a
  monthly or yearly rule with no day of its own is pinned to its due's day the same way when it
  is set ("every month" from 31 Jan: 28/29 Feb, 31 Mar, 30 Apr…; "every year" from 29 Feb:
  28 Feb in common years). An RRULE typed as such is kept as written.
- COUNT is turned into the UNTIL of its last occurrence when the rule is set, because the task
  moves and a count from each new due would never end.
- The next due is the first occurrence after the current due that is not already past (today
  for a day, now for a time): a daily task completed three days late is due today or tomorrow,
  not three times overdue. Missed occurrences are not created.
- A time of day is kept as wall-clock time across DST changes (09:00 stays 09:00), in the
  due's own zone (`zone`, an imported event's TZID) or else the local one: as RFC 5545 says,
  "every Wednesday at 17:00 Europe/Berlin" is Berlin's Wednesdays, whatever day it is in
  Auckland then; each occurrence is then stored and shown as a local instant.
"""

import re
from collections import deque, namedtuple
from datetime import UTC, datetime, time
from typing import Any

from app.common import clock
from app.common.errors import UserError, echo
from app.tasks.when import rule_limits
from app.tasks.when.dates import Due, local_instant, wall_clock

Repeat = namedtuple("Repeat", ("rule", "after_done"), defaults=(False,))

NONE_WORDS = ("", "none", "never", "no", "off", "clear")
MAX_RULE = 1000
EXAMPLES = "'every day', 'every monday and thursday', 'every month on the 15th', " \
           "'every 3 days after done' or an RRULE like FREQ=WEEKLY;BYDAY=MO"
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = {"minute": "MINUTELY", "hour": "HOURLY", "day": "DAILY", "week": "WEEKLY",
          "month": "MONTHLY", "year": "YEARLY"}
_ADVERBS = {"hourly": "HOURLY", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
            "yearly": "YEARLY", "annually": "YEARLY"}
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_NUMBER_WORDS = {"other": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_AFTER_DONE = re.compile(r"\s+(after|from)\s+(done|completion|completed|complete|finished|"
                         r"finishing|completing)$")
_AT_TIME = re.compile(r"\s+at\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")


def _day_index(word: str) -> int | None:
    word = word.strip().rstrip("s")  # "mondays"
    if len(word) < 3:
        return None
    for index, name in enumerate(_DAY_NAMES):
        if name.startswith(word) or word == name:
            return index
    return None


def _ordinal(word: str) -> int | None:
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[word]
    match = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", word)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 31 else None


def _month_day_rule(day: int) -> str:
    """The day, or the month's last day when it is shorter (see the module's note)."""
    if day <= 28:
        return f"BYMONTHDAY={day}"
    return f"BYMONTHDAY={','.join(str(n) for n in range(28, day + 1))};BYSETPOS=-1"


# -- reading -------------------------------------------------------------------------------

def read_repeat(text: str) -> tuple[Repeat | None, time | None]:
    """A repeat typed by a person or a program: (the Repeat, or None for "none"; a time of day
    the phrase named, "every day at 9am", for the due). UserError says what to type instead."""
    cleaned = " ".join(str(text).split())
    if cleaned.lower() in NONE_WORDS:
        return None, None
    upper = cleaned.upper()
    if upper.startswith("RRULE:") or "=" in upper:
        return Repeat(check_rule(cleaned)), None
    parsed = phrase(cleaned)
    if parsed is None:
        raise UserError(f"'{echo(text)}' is not a repeat I understand: try {EXAMPLES}.")
    rule_limits.check_parts(_parts(parsed[0].rule))  # "every minute" is a phrase too
    return parsed



def phrase(text: str) -> tuple[Repeat, time | None] | None:
    """An English repeat phrase, or None if it is not one."""
    words = " ".join(text.lower().replace(",", " , ").split())
    after_done = False
    if words.startswith("every!"):
        after_done, words = True, "every " + words[len("every!"):].strip()
    match = _AFTER_DONE.search(words)
    if match:
        after_done, words = True, words[:match.start()]
    at = None
    match = _AT_TIME.search(words)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if match.group(3) == "pm" and hour < 12:
            hour += 12
        elif match.group(3) == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            return None
        at, words = time(hour, minute), words[:match.start()]
    rule = _rule(words.replace(" ,", ","))
    return (Repeat(rule, after_done), at) if rule else None


def _rule(words: str) -> str | None:
    if words in _ADVERBS:
        return f"FREQ={_ADVERBS[words]}"
    if not words.startswith("every "):
        return None
    rest = words[len("every "):].strip()
    if rest in ("weekday", "workday", "work day", "weekdays", "workdays"):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if rest in ("weekend", "weekends", "weekend day"):
        return "FREQ=WEEKLY;BYDAY=SA,SU"
    # every 2 weeks / every other month / every day / every 3 days on … (unit first)
    match = re.fullmatch(r"(?:(\d+|other|two|three|four|five|six)\s+)?"
                         r"(minute|hour|day|week|month|year)s?(?:\s+on\s+(.+))?", rest)
    if match:
        count = match.group(1)
        interval = int(count) if count and count.isdigit() else _NUMBER_WORDS.get(count or "", 1)
        if interval < 1:
            return None
        freq = _UNITS[match.group(2)]
        rule = f"FREQ={freq}" + (f";INTERVAL={interval}" if interval > 1 else "")
        if not match.group(3):
            return rule
        extra = _on(match.group(3), freq)
        return f"{rule};{extra}" if extra else None
    # every monday and thursday / every other friday
    interval = 1
    if rest.startswith("other "):
        interval, rest = 2, rest[len("other "):]
    days = _day_list(rest)
    if days:
        return "FREQ=WEEKLY" + (f";INTERVAL={interval}" if interval > 1 else "") + \
            f";BYDAY={','.join(_DAYS[d] for d in days)}"
    if interval > 1:
        return None
    # every last friday / every first monday (of the month)
    match = re.fullmatch(r"(\S+)\s+(\S+?)(?:\s+of\s+(?:the|every)\s+month)?", rest)
    which, day = (_ordinal(match.group(1)), _day_index(match.group(2))) if match else (None, None)
    if which is not None and day is not None:
        if not -1 <= which <= 5 or which == 0:
            return None
        return f"FREQ=MONTHLY;BYDAY={which}{_DAYS[day]}"
    # every 15th / every 1st and 15th / every last day (of the month)
    rest = re.sub(r"\s+of\s+(the|every)\s+month$", "", rest)
    month_days = _on(rest, "MONTHLY")
    return f"FREQ=MONTHLY;{month_days}" if month_days else None


def _on(text: str, freq: str) -> str | None:
    """The "on …" of "every month on the 15th", "every week on monday and friday"."""
    text = re.sub(r"^the\s+", "", text.strip())
    if freq == "WEEKLY":
        days = _day_list(text)
        return f"BYDAY={','.join(_DAYS[d] for d in days)}" if days else None
    if freq != "MONTHLY":
        return None
    match = re.fullmatch(r"(\S+)\s+(\S+)", text)
    which, day = (_ordinal(match.group(1)), _day_index(match.group(2))) if match else (None, None)
    if which is not None and day is not None:
        return f"BYDAY={which}{_DAYS[day]}"
    parts = [part for part in re.split(r"\s*(?:,|\band\b)\s*(?:the\s+)?", text) if part]
    return _month_days(*parts)


def _month_days(*words: str) -> str | None:
    days = []
    for word in words:
        word = re.sub(r"\s+day$", "", word.strip())
        number = _ordinal(word)
        if number is None:
            return None
        days.append(number)
    if len(days) == 1 and days[0] > 0:
        return _month_day_rule(days[0])
    return "BYMONTHDAY=" + ",".join(str(day) for day in days)


def _day_list(text: str) -> list[int]:
    parts = [part for part in re.split(r"\s*(?:,|\band\b|&|\+)\s*", text.strip()) if part]
    days = [_day_index(part) for part in parts]
    known = [day for day in days if day is not None]
    if not days or len(known) != len(days):
        return []
    return sorted(set(known))


# -- checking ------------------------------------------------------------------------------

def check_rule(text: str) -> str:
    """An RRULE as stored (upper case, no "RRULE:"), or UserError saying what is wrong."""
    from dateutil.rrule import rrulestr

    rule = text.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    parts = [part.strip() for part in rule.split(";") if part.strip()]
    rule = ";".join(part.split("=", 1)[0].upper() + "=" + part.split("=", 1)[1].upper()
                    if "=" in part else part.upper() for part in parts)
    if "FREQ=" not in rule:
        raise UserError(f"'{echo(text)}' is not a repeat rule: an RRULE needs FREQ, like "
                        "FREQ=WEEKLY;BYDAY=MO.")
    if len(rule) > MAX_RULE:
        raise UserError(f"A repeat rule can be at most {MAX_RULE} characters.")
    rule_limits.check_parts(_parts(rule))
    try:
        rrulestr(_without_until(rule)[0], dtstart=datetime(2000, 1, 1))
        _until(rule)
    except (ValueError, TypeError) as error:
        raise UserError(f"'{echo(text)}' is not a valid repeat rule ({str(error).rstrip('.')}); "
                        "write an RFC 5545 RRULE like FREQ=MONTHLY;BYMONTHDAY=15.") from None
    return rule


def _without_until(rule: str) -> tuple[str, str | None]:
    parts = rule.split(";")
    until = next((part[len("UNTIL="):] for part in parts if part.startswith("UNTIL=")), None)
    return ";".join(part for part in parts if not part.startswith("UNTIL=")), until


def _until(rule: str, zone: str | None = None) -> datetime | None:
    """UNTIL as a wall-clock time in the rule's zone (dateutil refuses a UTC UNTIL with a
    naive start)."""
    _, until = _without_until(rule)
    if until is None:
        return None
    if len(until) == 8:
        return datetime.strptime(until, "%Y%m%d").replace(hour=23, minute=59, second=59)
    moment = datetime.strptime(until.rstrip("Z"), "%Y%m%dT%H%M%S")
    if until.endswith("Z"):
        return wall_clock(moment.replace(tzinfo=UTC), zone)
    return moment


def _parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


# -- stepping ------------------------------------------------------------------------------

def wall_start(due: Due, zone: str | None = None) -> datetime:
    """The due as a naive wall-clock time in its zone: what rrule steps through."""
    if not due.has_time:
        return datetime.combine(due.day, time())
    return wall_clock(datetime.fromisoformat(due.iso), zone)


def _due_at(moment: datetime, has_time: bool, zone: str | None = None) -> Due:
    if not has_time:
        return Due.on(moment.date())
    return Due.parse(local_instant(moment, zone).isoformat(timespec="seconds"))


def _rrule(rule: str, start: datetime, zone: str | None = None) -> Any:  # dateutil: no stubs
    from dateutil.rrule import rrulestr

    plain, _ = _without_until(rule)
    recurrence = rrulestr(plain, dtstart=start)
    until = _until(rule, zone)
    return recurrence.replace(until=until) if until else recurrence


def _after(rule: str, start: datetime, floor: datetime, *, inc: bool = False,
           zone: str | None = None) -> datetime | None:
    """The rule's first occurrence after `floor` (or on it, with `inc`), stepped from
    `start`: in a bounded number of steps whatever the rule (see rule_limits)."""
    from dateutil.rrule import rrulestr

    parts = _parts(rule)
    rule_limits.check_parts(parts)  # a rule stored before the limits, or by another version
    plain = ";".join(part for part in _without_until(rule)[0].split(";")
                     if not part.startswith("COUNT="))
    rule_limits.check_produces(lambda dtstart: rrulestr(plain, dtstart=dtstart), start, parts)
    moved = rule_limits.near(start, floor, parts)
    found: datetime | None = _rrule(rule, moved, zone).after(floor, inc=inc)
    return found


def pin(repeat: Repeat, due: Due, zone: str | None = None) -> Repeat:
    """The rule as stored for this due: a monthly or yearly rule with no day of its own keeps
    the due's day (the last day when a month is shorter), and COUNT becomes UNTIL."""
    parts = _parts(repeat.rule)
    rule = repeat.rule
    start = wall_start(due, zone)
    own_day = any(name in parts for name in ("BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO",
                                             "BYSETPOS"))
    if not repeat.after_done and not own_day and parts.get("FREQ") in ("MONTHLY", "YEARLY"):
        day = start.day
        if parts["FREQ"] == "YEARLY" and "BYMONTH" not in parts:
            rule += f";BYMONTH={start.month}"
        if day > 28 and (parts["FREQ"] == "MONTHLY" or start.month == 2):
            rule += ";" + _month_day_rule(day)
    if "COUNT" in parts and not repeat.after_done:
        if _after(rule, start, start, inc=True, zone=zone) is None:
            raise UserError("This repeat rule never produces a date.")
        # Stepped one by one (COUNT is at most 1,000), never kept as a list.
        last = deque(_rrule(rule, start, zone), maxlen=1)[0]
        rule = ";".join(part for part in rule.split(";") if not part.startswith("COUNT="))
        rule += ";UNTIL=" + (f"{last:%Y%m%d}" if not due.has_time else
                             local_instant(last, zone).astimezone(UTC)
                             .strftime("%Y%m%dT%H%M%SZ"))
    return Repeat(rule, repeat.after_done)


def next_due(repeat: Repeat, due: Due, *, now: datetime | None = None,
             zone: str | None = None) -> Due | None:
    """Where a repeating task moves when completed now; None when the rule has ended. The rule
    is stepped in the due's `zone` (the local one for None)."""
    moment = wall_clock(now or clock.now(), zone if due.has_time else None)
    start = wall_start(due, zone)
    if repeat.after_done:
        if _parts(repeat.rule).get("FREQ") in ("HOURLY", "MINUTELY"):
            base = moment.replace(second=0, microsecond=0)
        else:
            base = datetime.combine(moment.date(), start.time())
        found = _after(repeat.rule, base, base, zone=zone)
    else:
        floor = datetime.combine(moment.date(), time()) if not due.has_time else moment
        if floor > start:
            found = _after(repeat.rule, start, floor, inc=not due.has_time, zone=zone)
        else:
            found = _after(repeat.rule, start, start, zone=zone)
    return _due_at(found, due.has_time, zone) if found else None


def first_due(repeat: Repeat, at: time | None = None, *, now: datetime | None = None,
              zone: str | None = None) -> Due:
    """The due a new repeating task gets when none was given: its first occurrence from today
    on (today itself for "every day" and after-done rules), at `at` if the phrase named one,
    in `zone`'s wall-clock time (the local one for None)."""
    moment = wall_clock(now or clock.now(), zone)
    start = datetime.combine(moment.date(), at or time())
    if repeat.after_done:
        return _due_at(start, at is not None, zone)
    found = _after(repeat.rule, start, start, inc=True, zone=zone)
    if found is not None and at is not None and found < moment:
        found = _after(repeat.rule, start, moment, zone=zone)
    if found is None:
        raise UserError("This repeat rule never produces another date.")
    return _due_at(found, at is not None, zone)


def check_produces(rule: str, due: Due) -> None:
    """Refuse a rule that never produces a date from this due's day and time (an imported or
    synced rule is stored as written, so it is checked here before it is ever stepped)."""
    from dateutil.rrule import rrulestr

    plain = ";".join(part for part in _without_until(rule)[0].split(";")
                     if not part.startswith("COUNT="))
    rule_limits.check_produces(lambda dtstart: rrulestr(plain, dtstart=dtstart),
                               wall_start(due), _parts(rule))


def check_continues(repeat: Repeat, due: Due, *, now: datetime | None = None,
                    zone: str | None = None) -> None:
    """Refuse a rule that never produces another date after this due."""
    if next_due(repeat, due, now=now, zone=zone) is None:
        raise UserError("This repeat rule never produces another date after the task's due "
                        f"({due.friendly()}): check its UNTIL, COUNT or days.")


# -- describing ----------------------------------------------------------------------------

def describe(repeat: Repeat | None) -> str:
    """For people: "every 2 weeks on Mon, Thu", "every month on the 31st or last day"."""
    if repeat is None:
        return ""
    parts = _parts(repeat.rule)
    unit = {v: k for k, v in _UNITS.items()}.get(parts.get("FREQ", ""), "")
    interval = int(parts.get("INTERVAL", "1") or 1)
    text = f"every {interval} {unit}s" if interval > 1 else f"every {unit}"
    byday = parts.get("BYDAY")
    if byday:
        days = byday.split(",")
        if days == ["MO", "TU", "WE", "TH", "FR"] and interval == 1:
            text = "every weekday"
        elif re.fullmatch(r"[+-]?\d[A-Z]{2}", byday):
            which = int(byday[:-2])
            name = _DAY_NAMES[_DAYS.index(byday[-2:])].title()
            text += f" on the {'last' if which == -1 else _nth(which)} {name}"
        else:
            names = ", ".join(_DAY_NAMES[_DAYS.index(day[-2:])][:3].title()
                              for day in days if day[-2:] in _DAYS)
            text = f"every {names}" if text == "every week" else f"{text} on {names}"
    monthday = parts.get("BYMONTHDAY")
    if monthday:
        days = monthday.split(",")
        if parts.get("BYSETPOS") == "-1" and len(days) > 1:
            text += f" on the {_nth(int(days[-1]))} or last day"
        else:
            text += " on the " + " and ".join("last day" if day == "-1" else _nth(int(day))
                                              for day in days)
    if "UNTIL" in parts:
        until = _until(repeat.rule)
        text += f" until {until:%d %b %Y}" if until else ""
    if repeat.after_done:
        text += " after done"
    return text


def _nth(number: int) -> str:
    if number < 0:
        return f"{-number}{_suffix(-number)} last"
    return f"{number}{_suffix(number)}"


def _suffix(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
