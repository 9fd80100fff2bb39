"""Quick add: one line as a person types it, split into a task's fields.

`Pay rent every month on the 1st #home !high ^Work` is the title "Pay rent", repeating monthly
on the 1st (due the next 1st), tagged home, high priority, in the list Work. Understood:
- `#tag` (several), `^List` (one word; `^"Two words"` for more), `!high` `!medium` `!low`
  `!none`, and Todoist's `p1`–`p4` (p1 high … p4 none);
- a repeat phrase anywhere ("every monday and thursday", "every 3 days after done", "daily");
- a date at the end ("tomorrow 5pm", "on friday", "by dec 24", "in 3 days").
A date is looked for only in the last words and only when they hold a date word (a weekday, a
month beside a number, "today", "tomorrow", "in 3 days", a time like 5pm or 17:00), so "Read
chapter 3" or "Call May" stay titles. `chips` says what was recognised, for the add box to show
before Enter; `tasks add` keeps plain flags, `tasks quick` takes this form.
"""

import re
from collections import namedtuple
from datetime import datetime

from app.common.errors import UserError
from app.tasks import repeat as repeats
from app.tasks.dates import Due
from app.tasks.natural_dates import read_due

QuickAdd = namedtuple("QuickAdd", ("title", "due", "repeat", "tags", "priority", "list",
                                   "chips"))

TODOIST_PRIORITIES = {"p1": "high", "p2": "medium", "p3": "low", "p4": "none"}
_PRIORITY = re.compile(r"!(high|medium|low|none)", re.IGNORECASE)
_LIST = re.compile(r'\^(?:"([^"]+)"|(\S+))')
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|tmrw?|(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day)?"
    r"|(next|this)\s+(week|month|year)|in\s+\d+\s+(min|minute|hour|day|week|month|year)s?"
    rf"|{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?|\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH}"
    r"|\d{1,2}(:\d{2})?\s*(am|pm)|\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|end\s+of\s+(the\s+)?(month|week))\b",
    re.IGNORECASE)
_LEAD_WORDS = {"on", "at", "by", "due"}
_REPEAT_STARTS = ("every", "every!", "daily", "weekly", "monthly", "yearly", "annually",
                  "hourly")
MOST_DATE_WORDS = 6


def parse(text: str, *, now: datetime | None = None) -> QuickAdd:
    """The fields in one typed line; UserError when nothing is left for a title."""
    chips: list[tuple[str, str]] = []
    tags: list[str] = []
    priority = None
    list_name = None
    match = _LIST.search(text)
    if match:
        list_name = (match.group(1) or match.group(2)).strip()
        text = text[:match.start()] + " " + text[match.end():]
        chips.append(("list", list_name))
    words = []
    for word in text.split():
        lowered = word.lower()
        if word.startswith("#") and len(word) > 1:
            tags.append(word[1:])
            chips.append(("tag", "#" + word[1:]))
        elif _PRIORITY.fullmatch(word) or lowered in TODOIST_PRIORITIES:
            priority = TODOIST_PRIORITIES.get(lowered) or lowered[1:]
            chips.append(("priority", priority))
        else:
            words.append(word)
    repeat, at, words = _repeat(words)
    due, words = _due(words, now)
    if repeat is not None:
        if due is None:
            due = repeats.first_due(repeat, at, now=now)
        elif at is not None and not due.has_time:
            due = Due.parse(datetime.combine(due.day, at).isoformat())
        repeat = repeats.pin(repeat, due)
        chips.append(("repeat", repeats.describe(repeat)))
    if due is not None:
        chips.insert(0, ("due", due.friendly()))
    title = " ".join(words).strip()
    if not title:
        raise UserError("Give the task a title as well, like 'Pay rent every month on the 1st'.")
    return QuickAdd(title, due, repeat, tuple(tags), priority, list_name, tuple(chips))


def _repeat(words: list[str]) -> tuple[repeats.Repeat | None, object, list[str]]:
    """The longest repeat phrase starting at an "every"-like word, taken out of the words."""
    for start, word in enumerate(words):
        if word.lower() not in _REPEAT_STARTS:
            continue
        for end in range(len(words), start, -1):
            found = repeats.phrase(" ".join(words[start:end]))
            if found:
                return found[0], found[1], words[:start] + words[end:]
    return None, None, words


def _due(words: list[str], now: datetime | None) -> tuple[Due | None, list[str]]:
    """The longest date at the end of the words (a title word is always left)."""
    for length in range(min(MOST_DATE_WORDS, len(words) - 1), 0, -1):
        candidate = " ".join(words[-length:])
        if not _DATE_WORDS.search(candidate):
            continue
        try:
            due = read_due(candidate, now=now)
        except UserError:
            continue
        rest = words[:-length]
        while len(rest) > 1 and rest[-1].lower() in _LEAD_WORDS:
            rest = rest[:-1]
        return due, rest
    return None, words
