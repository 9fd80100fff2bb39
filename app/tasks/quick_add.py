"""Quick add: one line as a person types it, split into a task's fields.

`Pay rent every month on the 1st #home !high ^Work` is the title "Pay rent", repeating monthly
on the 1st (due the next 1st), tagged home, high priority, in the list Work.

What the parser takes, and nothing else (the title keeps every other word as typed):
- marks with a sign, anywhere: `#tag` (several; starting with a letter, so "Fix #42" keeps
  its number), `^List` (the first one; `^"Two words"` for more), `!high` `!medium` `!low`
  `!none`;
- from the trailing run of phrases only: the line is read from its end, phrase by phrase, and
  stops at the first word that is not part of one. A phrase is Todoist's `p1`–`p4` (p1 high
  … p4 none), a repeat ("every friday", "every 3 days after done", or "daily", "weekly" … as
  the word itself, not after "the", "a", "my" …), or a date ("tomorrow 5pm", "on friday",
  "by dec 24", "in 3 days", "on the 2nd") made only of date words and holding one that
  names a day or a time. So "Weekly shop tomorrow" is "Weekly shop", due tomorrow, and "Send
  the weekly report friday" keeps "weekly". One of each kind is taken; a title word is
  always left.
- Short weekdays that are words too (sun, sat, wed) are dates only after on, by, due, next
  or this; a month is a date only beside a day's number ("Call May" stays); a clock time
  without am/pm only after "at" ("John 3:16" stays).

`readings` says what was taken, each with the words it came from, for the add box's chips;
`keep` names readings the user took back (by those words): their words stay in the title.
`add` saves a reading, making its `^List` first when there is none yet.
"""

import re
from collections import namedtuple
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.common.errors import UserError
from app.tasks.history import Origin, Step
from app.tasks.validate import list_name_key
from app.tasks.when import repeat as repeats
from app.tasks.when.dates import Due
from app.tasks.when.natural_dates import read_due

if TYPE_CHECKING:  # the store is handed in: a quick line is read without it
    from app.tasks.store import TaskStore

QuickAdd = namedtuple("QuickAdd", ("title", "due", "repeat", "tags", "priority", "list",
                                   "readings"))
# kind: due, repeat, tag, priority or list; text: what it means; source: the words it took
Reading = namedtuple("Reading", ("kind", "text", "source"))
Added = namedtuple("Added", ("task", "new_list"))

TODOIST_PRIORITIES = {"p1": "high", "p2": "medium", "p3": "low", "p4": "none"}
_TOKEN = re.compile(r'\^"[^"]*"|\S+')
_PRIORITY = re.compile(r"!(high|medium|low|none)", re.IGNORECASE)
_TAG = re.compile(r"#[^\W\d_][^#\s]*")
_LIST = re.compile(r'\^(?:"([^"]+)"|(\S+))')
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|rsday|urday)?"
_ORDINAL = r"\d{1,2}(st|nd|rd|th)"
# Every word of a date phrase is one of these...
_DATE_VOCABULARY = re.compile(
    rf"on|at|by|due|in|the|of|end|next|this|a|an|and|today|tonight|tomorrow|tmrw?|noon"
    rf"|midnight|{_WEEKDAY}|{_MONTH}|(min|minute|hour|day|week|month|year)s?|mins|am|pm"
    rf"|\d+|{_ORDINAL}|\d{{1,2}}(:\d{{2}})?(am|pm)|\d{{1,2}}:\d{{2}}|\d{{4}}-\d{{2}}-\d{{2}}",
    re.IGNORECASE)
# ...and one of them names a day or a time.
_DATE_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|tmrw?|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tue|tues|thu|thur|thurs|fri|((on|by|due|next|this)\s+(sat|sun|wed))"
    r"|(next|this)\s+(week|month|year)|in\s+(\d+|an?)\s+(min|minute|hour|day|week|month|year)s?"
    rf"|{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?|\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?{_MONTH}"
    rf"|(on|by|due)\s+the\s+{_ORDINAL}|(at|by)\s+(noon|midnight)"
    r"|\d{1,2}(:\d{2})?\s*(am|pm)|at\s+\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}"
    r"|end\s+of\s+(the\s+)?(month|week))\b",
    re.IGNORECASE)
# words a date may start with that mean nothing alone ("by the end of the month")
_LEAD_WORDS = {"on", "at", "by", "due", "in", "the", "next", "this"}
_REPEAT_STARTS = {"every", "every!", "daily", "weekly", "monthly", "yearly", "annually",
                  "hourly"}
# "the weekly", "my daily": a noun, not a repeat
_DETERMINERS = {"the", "a", "an", "my", "your", "our", "their", "his", "her", "its", "this",
                "that"}
MOST_DATE_WORDS = 6
MOST_REPEAT_WORDS = 12


def parse(text: str, *, now: datetime | None = None,
          keep: Collection[str] = frozenset()) -> QuickAdd:
    """The fields in one typed line; UserError when nothing is left for a title. `keep`: the
    sources of readings taken back, whose words stay in the title."""
    tokens = _TOKEN.findall(text)
    taken: list[tuple[int, Reading]] = []  # (where its words start, the reading)
    used: set[int] = set()  # every token a reading took
    tags: list[str] = []
    priority = list_name = None
    for number, token in enumerate(tokens):
        if token in keep:
            continue
        if _TAG.fullmatch(token):
            tags.append(token[1:])
            taken.append((number, Reading("tag", token, token)))
        elif _PRIORITY.fullmatch(token):
            priority = token[1:].lower()
            taken.append((number, Reading("priority", priority, token)))
        elif list_name is None and _LIST.fullmatch(token):
            match = _LIST.fullmatch(token)
            assert match is not None  # the condition just matched it
            list_name = " ".join((match.group(1) or match.group(2)).split())
            taken.append((number, Reading("list", list_name, token)))
        else:
            continue
        used.add(number)
    words = [number for number, token in enumerate(tokens) if not _is_mark(token)]
    trailing = _Trailing(tokens, words, keep, now)
    trailing.read()
    used.update(trailing.used)
    priority = trailing.priority or priority
    due, repeat = trailing.due, None
    if trailing.repeat is not None:
        repeat, at = trailing.repeat
        if due is None:
            due = repeats.first_due(repeat, at, now=now)
            # the day it starts on is read from the same words, and taken back with them
            taken.append((trailing.repeat_at, Reading("due", due.friendly(),
                                                      trailing.readings["repeat"].source)))
        elif at is not None and not due.has_time:
            due = Due.parse(datetime.combine(due.day, at).isoformat())
        repeat = repeats.pin(repeat, due)
        trailing.readings["repeat"] = trailing.readings["repeat"]._replace(
            text=repeats.describe(repeat))
    if trailing.due is not None:
        trailing.readings["due"] = trailing.readings["due"]._replace(text=due.friendly())
    taken += [(trailing.starts[kind], reading) for kind, reading in trailing.readings.items()]
    title = " ".join(token for number, token in enumerate(tokens) if number not in used)
    if not title:
        raise UserError("Give the task a title as well, like 'Pay rent every month on the 1st'.")
    readings = tuple(reading for _, reading in sorted(taken, key=lambda item: item[0]))
    return QuickAdd(title, due, repeat, tuple(tags), priority, list_name, readings)


def _is_mark(token: str) -> bool:
    """A word with a sign (#tag, !high, ^List): never part of a title's phrases."""
    return bool(_TAG.fullmatch(token) or _PRIORITY.fullmatch(token) or _LIST.fullmatch(token))


class _Trailing:
    """The phrases at the end of the line, read from the last word back (see the module's
    note). `order` holds the numbers of the tokens in play: every one but the marks."""

    def __init__(self, tokens: list[str], order: list[int], keep: Collection[str],
                 now: datetime | None) -> None:
        self.tokens, self.order, self.keep, self.now = tokens, order, keep, now
        self.readings: dict[str, Reading] = {}  # by kind
        self.starts: dict[str, int] = {}  # the token each reading starts at
        self.used: set[int] = set()
        self.priority = self.due = self.repeat = None

    @property
    def repeat_at(self) -> int:
        return self.starts["repeat"]

    def read(self) -> None:
        end = len(self.order)
        while True:
            found = self._phrase_ending(end)
            if found is None:
                return
            start, kind, value = found
            numbers = self.order[start:end]
            source = " ".join(self.tokens[n] for n in numbers)
            end = start
            if source in self.keep:
                continue  # taken back: its words stay, and the run goes on before them
            self.readings[kind] = Reading(kind, value if kind == "priority" else source, source)
            self.starts[kind] = numbers[0]
            self.used.update(numbers)
            setattr(self, kind, value)

    def _words(self, start: int, end: int) -> list[str]:
        return [self.tokens[n] for n in self.order[start:end]]

    def _phrase_ending(self, end: int) -> tuple[int, str, object] | None:
        """The longest phrase of a kind not read yet that ends at `end` and leaves a word
        before it (start ≥ 1)."""
        if end < 2:
            return None
        last = self.tokens[self.order[end - 1]].lower()
        if self.priority is None and last in TODOIST_PRIORITIES:
            return end - 1, "priority", TODOIST_PRIORITIES[last]
        if self.repeat is None:
            for start in range(max(1, end - MOST_REPEAT_WORDS), end):
                words = self._words(start, end)
                if words[0].lower() not in _REPEAT_STARTS:
                    continue
                if len(words) == 1 and self._words(start - 1, start)[0].lower() in _DETERMINERS:
                    continue
                found = repeats.phrase(" ".join(words))
                if found:
                    return start, "repeat", found
        if self.due is None:
            for start in range(max(1, end - MOST_DATE_WORDS), end):
                words = self._words(start, end)
                candidate = " ".join(words)
                if not all(_DATE_VOCABULARY.fullmatch(word) for word in words) \
                        or not _DATE_WORDS.search(candidate):
                    continue
                due = self._date(candidate)
                if due is None:
                    continue
                # a first word the date does not need is a title's ("in the sun tomorrow")
                while start < end - 1 and self._same_date(" ".join(self._words(start + 1, end)),
                                                          due):
                    start += 1
                while start > 1 and self._words(start - 1, start)[0].lower() in _LEAD_WORDS:
                    start -= 1
                return start, "due", due
        return None


    def _same_date(self, shorter: str, due: Due) -> bool:
        """Whether `shorter` is a date phrase by itself, meaning `due` too."""
        return bool(_DATE_WORDS.search(shorter)) and self._date(shorter) == due

    def _date(self, text: str) -> Due | None:
        try:
            return read_due(text, now=self.now)
        except UserError:
            return None


def add(store: "TaskStore", parsed: QuickAdd, *, by: Origin | Step, **fields: Any) -> Added:
    """Save `parsed` (`fields` override its own: a view's list, say). A `^List` that does not
    exist yet is made first, in the same undo step as the task."""
    values = {"due": parsed.due.iso if parsed.due else None, "repeat": parsed.repeat,
              "tags": parsed.tags, "priority": parsed.priority, "list": parsed.list}
    values.update(fields)
    step = by if isinstance(by, Step) else Step(by)
    new_list = None
    wanted = values["list"]
    if wanted and list_name_key(wanted) not in {list_name_key(item.name)
                                                for item in store.lists()}:
        new_list = store.add_list(wanted, by=step).name
    return Added(store.add(parsed.title, by=step, **values), new_list)
