"""Dates as people type them: "tomorrow 5pm", "in 3 days", "next friday", "dec 24", "end of month".

ISO 8601 (and "today"/"tomorrow") is read by `Due.parse` without loading anything; only other
text loads dateparser (~0.1 s), so scripts and `tasks list` never pay for it.

What the words mean, decided once (and tested in tests/tasks/when/test_natural_dates.py):
- "friday" and "this friday": the coming Friday, never today (on a Friday it is in 7 days);
- "next friday": the Friday of next week (weeks start on Monday), so on a Wednesday it is in
  9 days, not in 2; on a Sunday "friday" and "next friday" are the same day;
- "end of month": the month's last day (today, on that day); "end of week": the coming Sunday;
- "the 2nd" ("on the 2nd", "by the 21st at 5pm"): the next day of a month with that number,
  today included, skipping months too short for it (as "every month on the 2nd" starts);
- a distance in minutes or hours ("in 1 hour", "in 90 minutes") is elapsed time, counted on
  instants (app/tasks/when/elapsed.py), so it is right across a DST change; day-based words ("in 2
  days", "tomorrow 9am") keep wall-clock time;
- a time alone ("5pm") is today's if it is still ahead, otherwise tomorrow's; a time on a
  named day ("today 5pm", "6 dec 2026 01:00") is that day's, even once it has passed;
- a weekday before a written date ("Fri 11 Dec 2026", as the app writes dates) labels that
  date: the date decides;
- a date with no time stays a day; any time mentioned makes it a date-time in the local zone;
- dateparser reads English and the system locale's language (when it knows it), and prefers
  future dates ("dec 24" in January is this December's, in December 25th next year's).
"""

import locale
import os
import re
from calendar import monthrange
from datetime import date, datetime, timedelta

from app.common import clock
from app.common.errors import UserError, echo
from app.tasks.when.dates import Due, check_year, local_instant, zone_info
from app.tasks.when.elapsed import after, read_elapsed

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|rsday|urday)?"
_NEXT_WEEKDAY = re.compile(rf"\b(next|this)?\s*{_WEEKDAY}\b")
_END_OF = re.compile(r"\b(the\s+)?end\s+of\s+(the\s+)?(month|week)\b")
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
# "the 2nd", but not "the 2nd of may" nor "the 2nd may": those are dateparser's
_MONTH_DAY = re.compile(rf"\bthe\s+(\d{{1,2}})(st|nd|rd|th)\b(?!\s+(of\b|({_MONTHS})))")
# "Fri 11 Dec 2026", "friday, december 11": a weekday naming a written date is only its label
_DATE_LABEL = re.compile(
    rf"\b{_WEEKDAY},?\s+(?=\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?({_MONTHS})|({_MONTHS})\w*\s+\d)")
_UHR = re.compile(r"\b(\d{1,2})\s*uhr\b")
_TIME_WORDS = re.compile(r"\b\d{1,2}(:\d{2})?\s*(am|pm)\b|\b\d{1,2}:\d{2}\b|\b(noon|midnight)\b")

EXAMPLES = "'tomorrow 5pm', 'next friday', 'in 3 days', 'dec 24' or 2026-11-27"


def read_due(text: str, *, now: datetime | None = None, zone: str | None = None,
             language: str | None = None) -> Due:
    """A due date typed by a person; UserError with one sentence when it is not one, or is
    before 1900 or after 2200. `zone` (an IANA name) is the zone its wall-clock words mean,
    the local one for None; `language` a dateparser language code read before English and
    the locale's."""
    if len(str(text)) > 200:  # no date is this long: never hand a megabyte to the parsers
        raise UserError(f"'{echo(text)}' is not a date I can read: try {EXAMPLES}.")
    try:
        return check_year(_read_due(text, now=now, zone=zone, language=language), text)
    except OverflowError:  # "in 99999999999 hours"
        raise UserError(f"'{echo(text)}' is too far away: give a date up to 2200.") from None


def _read_due(text: str, *, now: datetime | None = None, zone: str | None = None,
              language: str | None = None) -> Due:
    cleaned = " ".join(str(text).split())
    if not cleaned:
        raise UserError(f"Give a date, like {EXAMPLES}.")
    moment = (now or clock.now()).astimezone(zone_info(zone) if zone else None)
    try:
        return _zoned(Due.parse(cleaned, today=moment.date()), cleaned, zone)
    except UserError:
        pass
    distance = read_elapsed(cleaned)
    if distance is not None:
        return Due.parse(after(distance, moment).isoformat(timespec="seconds"))
    due = _natural(cleaned, moment, zone, language)
    if due is None:
        raise UserError(f"'{echo(text)}' is not a date I can read: try {EXAMPLES}.")
    return due


def _zoned(due: Due, text: str, zone: str | None) -> Due:
    """A date-time read from naive text means wall-clock time in `zone`, kept as a local
    instant; a day, a text with its own offset, or no zone is left as read."""
    if zone is None or not due.has_time:
        return due
    try:
        wall = datetime.fromisoformat(text)
    except ValueError:
        return due
    if wall.tzinfo is not None:
        return due
    return Due.parse(local_instant(wall, zone).isoformat(timespec="seconds"))


def _natural(text: str, moment: datetime, zone: str | None = None,
             language: str | None = None) -> Due | None:
    lowered = _UHR.sub(r"\1:00", text.lower())  # German "17 Uhr"
    today = moment.date()
    lowered = _DATE_LABEL.sub("", lowered)  # or "fri" would be read as the coming Friday
    # Our own meanings first, turned into an explicit date the parser then reads with any time.
    match = _END_OF.search(lowered)
    if match:
        day = _end_of(match.group(3), today)
        lowered = lowered[:match.start()] + day.isoformat() + lowered[match.end():]
    match = _NEXT_WEEKDAY.search(lowered)
    if match:
        day = _weekday(match.group(2), bool(match.group(1) == "next"), today)
        lowered = lowered[:match.start()] + day.isoformat() + lowered[match.end():]
    match = _MONTH_DAY.search(lowered)
    if match and 1 <= int(match.group(1)) <= 31:
        day = _month_day(int(match.group(1)), today)
        lowered = lowered[:match.start()] + day.isoformat() + lowered[match.end():]
    lowered = re.sub(r"^(on|at|by|due)\s+", "", lowered.strip())
    try:
        return _zoned(Due.parse(lowered), lowered, zone)  # an ISO date is all that was left
    except UserError:
        pass
    parsed = _dateparser(lowered, moment, language)
    if parsed is None:
        return None
    found, period = parsed
    # dateparser calls "tomorrow 9am" typed at 09:00 a day (the time equals its base's): a time
    # written out is a time.
    if period != "time" and not _TIME_WORDS.search(lowered):
        return Due.on(found.date())
    if found < moment.replace(tzinfo=None) and found.date() == today \
            and not _TIME_WORDS.sub("", lowered).strip():
        found += timedelta(days=1)  # "5pm" alone, typed at 18:00, means tomorrow's
    wall = found.replace(second=0, microsecond=0)
    return _zoned(Due.parse(wall.isoformat()), wall.isoformat(), zone)


def _weekday(prefix: str, next_week: bool, today: date) -> date:
    wanted = next(n for n, name in enumerate(WEEKDAYS) if name.startswith(prefix))
    if next_week:
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=wanted)
    ahead = (wanted - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def _month_day(number: int, today: date) -> date:
    """The next day numbered `number`, today included, in a month long enough for it."""
    year, month = today.year, today.month
    if number < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while number > monthrange(year, month)[1]:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, number)


def _end_of(unit: str, today: date) -> date:
    if unit == "week":
        return today + timedelta(days=6 - today.weekday())
    return today.replace(day=monthrange(today.year, today.month)[1])


def languages() -> list[str]:
    """English, and the system locale's language when dateparser knows it."""
    found = ["en"]
    name = (os.environ.get("LC_ALL") or os.environ.get("LC_TIME") or os.environ.get("LANG")
            or (locale.getlocale()[0] or ""))
    code = name.split(".")[0].split("_")[0].lower()
    if code and code not in ("en", "c", "posix") and code.isalpha():
        found.append(code)
    return found



def _dateparser(text: str, moment: datetime, language: str | None = None
                ) -> tuple[datetime, str] | None:
    from dateparser.date import DateDataParser  # loaded only here: ~0.1 s

    settings = {"PREFER_DATES_FROM": "future", "RETURN_TIME_AS_PERIOD": True,
                "RELATIVE_BASE": moment.replace(tzinfo=None, second=0, microsecond=0)}
    from dateparser.data.languages_info import language_order

    wanted = ([language] if language else []) + languages()
    known = [code for code in dict.fromkeys(wanted) if code in language_order]
    parser = DateDataParser(languages=known, settings=settings)
    data = parser.get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.replace(tzinfo=None), data.period or "day"
