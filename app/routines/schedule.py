"""When a routine runs: its next run, and whether a run missed while the app was closed or the
computer asleep still happens.

Decided here:
- occurrences are stepped in local wall-clock time, like the repeat rules of tasks: a daily
  08:00 stays 08:00 across a DST change; a time a spring-forward skips runs that much later
  (02:30 becomes 03:30), as a task's due does;
- a missed run happens once, at the next start or wake, only if it is still the day it was
  for; never once per missed day (the latest occurrence is the only candidate);
- nothing before `since` (added, turned on, or given a new schedule) ever runs, so turning a
  routine on at 10:00 does not run that morning's 08:00 at once.
"""

from datetime import UTC, date, datetime, time

from app.routines.model import Routine
from app.tasks.when.dates import local_instant, wall_clock

ANCHOR = date(2024, 1, 1)  # a Monday: "every 2 weeks" counts its weeks from a fixed start


def _recurrence(rule: str):
    from dateutil.rrule import rrulestr  # only here, like the repeat rules

    parts = rule.split(";")
    until = next((part[len("UNTIL="):] for part in parts if part.startswith("UNTIL=")), None)
    plain = ";".join(part for part in parts if not part.startswith("UNTIL="))
    recurrence = rrulestr(plain + ";BYSECOND=0", dtstart=datetime.combine(ANCHOR, time()))
    return recurrence.replace(until=_until(until)) if until else recurrence


def _until(text: str) -> datetime:
    if len(text) == 8:
        return datetime.strptime(text, "%Y%m%d").replace(hour=23, minute=59, second=59)
    moment = datetime.strptime(text.rstrip("Z"), "%Y%m%dT%H%M%S")
    return wall_clock(moment.replace(tzinfo=UTC)) if text.endswith("Z") else moment


def next_run(rule: str, after: datetime) -> datetime | None:
    """The first occurrence strictly after `after` (aware), as a local aware instant; None once
    the rule has ended."""
    recurrence = _recurrence(rule)
    found = recurrence.after(wall_clock(after))
    # An autumn's repeated hour: a wall time can map to an instant not after `after`.
    while found is not None and local_instant(found) <= after:
        found = recurrence.after(found)
    return local_instant(found) if found is not None else None


def missed_or_due(routine: Routine, now: datetime) -> datetime | None:
    """The occurrence to run now, if any: the latest one not after `now`, when it is still
    its day, not before `since` and not run yet."""
    wall_now = wall_clock(now)
    found = _recurrence(routine.rule).before(wall_now, inc=True)
    if found is None or found.date() != wall_now.date():
        return None
    at = local_instant(found)
    if at > now or at < _instant(routine.since):
        return None
    if routine.last_run and at <= _instant(routine.last_run):
        return None
    return at


def _instant(stored: str) -> datetime:
    return datetime.fromisoformat(stored)
