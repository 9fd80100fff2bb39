"""Which tasks to notify about, each once (no Qt here: the tray asks and shows the answer).

The tray calls `due_now()` at start and then on a timer (`next_due_in()` says when the next
task falls due), shows one notification per reminder or one `summarize()` for many, and then
calls `mark_notified()`. What was notified is remembered per task *and* due value in
`reminders.json`, so a restart does not repeat a reminder but a rescheduled task reminds again.
"""

import json
from collections import namedtuple
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from pathlib import Path

from app.common.safe_files import keep_aside, write_atomically
from app.tasks.filters import TaskFilter
from app.tasks.store import TaskStore
from app.tasks.when.dates import Due, friendly_due, local_today
from app.tasks.when.dates import now as utc_now

FILE_NAME = "reminders.json"
# A task due on a day (no time) reminds at 09:00 local time that day, not at midnight: "due
# 4 Dec" means "do it on the 4th", and a midnight reminder would be shown to a sleeping user (or
# a suspended laptop's first minute) and then count as notified, leaving nothing for the
# morning. 09:00 is also what Apple Reminders uses for all-day reminders. If the app starts
# later than that, the reminder comes at start.
DAY_REMINDER_AT = time(9, 0)
# A timed task counts as overdue (rather than "due now") when its moment passed this long ago:
# the tray checks every ~30 s, so anything older was missed (app closed, laptop asleep).
LATE_AFTER = timedelta(minutes=5)
NAMES_IN_SUMMARY = 3
TITLE_IN_SUMMARY = 60  # characters; notification pop-ups cut long lines anyway

# `due` is the task's ISO due value; `when` the same for people ("Fri 4 Dec 17:00"); `overdue`:
# a timed task was due more than LATE_AFTER ago, a day-only task's day is over.
# `remind_at`: set for a reminder of the task's own (issue 14, "--remind 30m before"), which is
# notified at that instant, apart from (and as well as) the due.
Reminder = namedtuple("Reminder", ("task_id", "title", "due", "overdue", "when", "remind_at"),
                      defaults=(None,))


def summarize(reminders: list[Reminder]) -> tuple[str, str]:
    """(title, message) for one notification about these reminders: the task itself for one,
    a count and the first few titles for several."""
    if not reminders:
        raise ValueError("no reminders to summarize")
    if len(reminders) == 1:
        reminder = reminders[0]
        name = _short(reminder.title)
        if reminder.remind_at:
            return (f"Reminder: {name}", (f"Due {reminder.when}. " if reminder.when else "")
                    + "Click to mark it done or snooze it.")
        if reminder.overdue:
            return f"{name} is overdue", f"It was due {reminder.when}."
        return (f"{name} is due {'now' if Due.parse(reminder.due).has_time else 'today'}",
                f"Due {reminder.when}.")
    count, late = len(reminders), sum(reminder.overdue for reminder in reminders)
    if late == count:
        title = f"{count} tasks are overdue"
    elif late:
        title = f"{count} tasks are due, {late} of them overdue"
    else:
        title = f"{count} tasks are due"
    message = ", ".join(_short(reminder.title) for reminder in reminders[:NAMES_IN_SUMMARY])
    if count > NAMES_IN_SUMMARY:
        message += f" and {count - NAMES_IN_SUMMARY} more"
    return title, message


def _short(title: str) -> str:
    if len(title) <= TITLE_IN_SUMMARY:
        return title
    return title[:TITLE_IN_SUMMARY - 1].rstrip() + "…"


def _by_task_id(stored: dict) -> dict[int, str]:
    """One part of the file, its keys read back as task ids (ValueError, AttributeError if it
    is not what this class wrote)."""
    return {int(task_id): value for task_id, value in stored.items() if isinstance(value, str)}


class Reminders:
    def __init__(self, store: TaskStore, path: Path | None = None,
                 clock: Callable[[], datetime] = utc_now,
                 day_reminder_at: time = DAY_REMINDER_AT) -> None:
        if path is None:
            from app.common.paths import data_dir

            path = data_dir() / FILE_NAME
        self.path = Path(path)
        self.warnings: list[str] = []  # sentences about the file, for the tray to show or log
        self._store = store
        self._clock = clock
        self._day_reminder_at = day_reminder_at
        # The file: task id -> the due value it was notified for, and task id -> the instant of
        # its own reminder that was notified (a snooze or the next occurrence makes a new one).
        self._notified, self._reminded = self._load()
        # Never shown twice in one run, whatever happens to the file (unreadable, unwritable)
        # and even if a task is completed and reopened meanwhile.
        self._shown: set[tuple[int, str] | tuple[str, int, str]] = set()
        # Reading every overdue task costs ~5 ms per thousand, too much every 30 s for someone
        # with thousands: all of them are read only at start and after a change to the tasks;
        # in between only those that came due since the last check are new.
        self._rescan = True
        self._checked: datetime | None = None
        self._returned: list = []  # the tasks due_now() last answered with: until marked, again
        # Every change reaches us through the store's announcements: this process's writes as
        # they happen, other processes' once the one detector of outside writes (the app's
        # ui/live_updates.py, every second) has noticed them and the store announced them.
        self._unsubscribe = store.subscribe(self._tasks_changed)

    summarize = staticmethod(summarize)  # also reachable from the object the tray holds

    def close(self) -> None:
        """Stop following the store's changes (the store itself stays open)."""
        self._unsubscribe()

    def _tasks_changed(self, change: object) -> None:
        self._rescan = True

    # -- asking ---------------------------------------------------------------------------------

    def due_now(self) -> list[Reminder]:
        """Open tasks that have fallen due and were not notified for that due value yet,
        soonest first; at start that is every such overdue task (summarize() many)."""
        moment = self._clock()
        if moment.tzinfo is None:
            moment = moment.astimezone()
        # Open tasks whose day has begun or whose time has passed (a second's margin: the
        # store's bound is exclusive, and the exact test is `at <= moment` below).
        until = (moment + timedelta(seconds=1)).isoformat()
        # None: read them all (at start, after a change, or when the clock went back)
        last_check = None if self._rescan or self._checked is None or moment < self._checked \
            else self._checked
        found = self._own_reminders(moment, last_check)
        if last_check is None:
            self._rescan = False  # before reading: a change made meanwhile asks again
            candidates = self._store.list_tasks(TaskFilter(due_before=until))
            # Forget tasks completed, deleted or moved since they were notified: the file stays
            # small, and a task moved to a new time is notified again when that comes.
            current = {task.id: task.due for task in candidates}
            self._notified = {task_id: due for task_id, due in self._notified.items()
                              if current.get(task_id) == due}
        else:
            # No task changed: what came due since the last check (a day reminds less than two
            # days after its midnight, the value the store filters by), and what is not marked.
            since = (last_check - timedelta(days=2)).isoformat()
            recent = self._store.list_tasks(TaskFilter(due_before=until, due_after=since))
            candidates = list({task.id: task for task in [*self._returned, *recent]}.values())
        self._checked = moment
        for task in candidates:
            if (task.id, task.due) in self._shown or self._notified.get(task.id) == task.due:
                continue
            at = self._remind_at(task.due)
            if at <= moment:
                found.append((at, task, Reminder(task.id, task.title, task.due,
                                                 self._overdue(task.due, at, moment),
                                                 friendly_due(task.due))))
        found.sort(key=lambda item: item[0])
        self._returned = [task for _, task, reminder in found if not reminder.remind_at]
        return [reminder for _, _, reminder in found]

    def _own_reminders(self, moment: datetime, last_check: datetime | None) -> list:
        """Tasks whose own reminder (remind_at) has come and was not notified at that instant:
        all of them at start and after a change (`last_check` None), else those of the last day
        (few, indexed)."""
        since = None if last_check is None else last_check - timedelta(days=1)
        tasks = self._store.reminders_between(since, moment + timedelta(seconds=1))
        if last_check is None:  # forget reminders moved (snoozed, next occurrence) or done since
            current = {task.id: task.remind_at for task in tasks}
            self._reminded = {task_id: at for task_id, at in self._reminded.items()
                              if current.get(task_id) == at}
        found = []
        for task in tasks:
            if ("remind", task.id, task.remind_at) in self._shown \
                    or self._reminded.get(task.id) == task.remind_at:
                continue
            at = datetime.fromisoformat(task.remind_at)
            found.append((at, task, Reminder(task.id, task.title, task.due, False,
                                             friendly_due(task.due), task.remind_at)))
        return found

    def next_due_in(self, after: datetime) -> float | None:
        """Seconds from `after` until the next open task falls due (None: no such task), so the
        tray can set one timer for exactly then. Tasks already due are due_now()'s business."""
        if after.tzinfo is None:
            after = after.astimezone()
        # The earliest reminder is either a task due after `after` (the first by due value, or
        # one due before that first one's reminder: a day reminds in the morning, after its
        # midnight) or a day-only task due today whose morning reminder has not come yet.
        today = local_today(after)
        candidates = self._store.list_tasks(TaskFilter(  # due on this very day, not before
            due_after=(today - timedelta(days=1)).isoformat(),
            due_before=(today + timedelta(days=1)).isoformat()))
        first = self._store.list_tasks(TaskFilter(due_after=after.isoformat(), limit=1))
        if first:
            until = self._remind_at(first[0].due)
            candidates += first + self._store.list_tasks(
                TaskFilter(due_after=after.isoformat(), due_before=until.isoformat()))
        moments = [at for at in map(self._remind_at, (task.due for task in candidates))
                   if at > after]
        own = self._store.reminders_between(after + timedelta(microseconds=1),
                                            after + timedelta(days=366))[:1]
        moments += [datetime.fromisoformat(task.remind_at) for task in own]
        return (min(moments) - after).total_seconds() if moments else None

    def mark_notified(self, reminders: Iterable[Reminder]) -> None:
        """Remember that these were shown. A file that cannot be written never stops the tray
        (the reminders are still not repeated in this run); `warnings` says so."""
        for reminder in reminders:
            if reminder.remind_at:
                self._shown.add(("remind", reminder.task_id, reminder.remind_at))
                self._reminded[reminder.task_id] = reminder.remind_at
                continue
            self._shown.add((reminder.task_id, reminder.due))
            self._notified[reminder.task_id] = reminder.due
        self._returned = [task for task in self._returned
                          if (task.id, task.due) not in self._shown]
        try:
            self._write({"notified": {str(task_id): due
                                      for task_id, due in sorted(self._notified.items())},
                         "reminded": {str(task_id): at
                                      for task_id, at in sorted(self._reminded.items())}})
        except OSError as error:
            self._warn(f"Which reminders were shown could not be saved to {self.path} "
                       f"({error.strerror or error}), so some may be shown again next time.")

    # -- when ------------------------------------------------------------------------------------

    def _remind_at(self, iso: str) -> datetime:
        due = Due.parse(iso)  # a task's stored due, never empty here
        if not due.has_time:  # combine() + astimezone() picks that day's offset (DST-safe)
            return datetime.combine(due.day, self._day_reminder_at).astimezone()
        return datetime.fromisoformat(due.iso)  # the store keeps every time with its offset

    @staticmethod
    def _overdue(iso: str, at: datetime, moment: datetime) -> bool:
        due = Due.parse(iso)  # a task's stored due, never empty here
        if not due.has_time:  # like the task list: a day is overdue once it is over
            return due.is_overdue(moment)
        return moment - at > LATE_AFTER  # a time: only once its reminder was clearly missed

    # -- the file ----------------------------------------------------------------------------------

    def _load(self) -> tuple[dict[int, str], dict[int, str]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}, {}
        except OSError as error:
            self._warn(f"{self.path.name} could not be read ({error.strerror or error}), so "
                       "reminders already shown may be shown again.")
            return {}, {}
        try:
            stored = json.loads(data.decode("utf-8"))
            # "reminded" came with issue 14: a file written before it has none.
            notified, reminded = stored["notified"], stored.get("reminded", {})
            return _by_task_id(notified), _by_task_id(reminded)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            self._keep_aside(type(error).__name__)
            return {}, {}

    def _keep_aside(self, reason: str) -> None:
        """Like the settings: a damaged file is moved aside (never over an earlier one), the
        app starts afresh, and at worst a reminder is shown once more."""
        try:
            aside = keep_aside(self.path)
        except OSError:
            aside = None  # the next successful save overwrites it
        self._warn(f"{self.path.name} was damaged ({reason})"
                   + (f"; it was kept as {aside.name}" if aside else "")
                   + ", so reminders already shown may be shown again.")

    def _write(self, data: dict) -> None:
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        write_atomically(self.path, text.encode("utf-8"))

    def _warn(self, sentence: str) -> None:
        if sentence not in self.warnings:  # a full disk must not grow this every 30 s
            self.warnings.append(sentence)
