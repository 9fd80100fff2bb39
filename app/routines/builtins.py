"""The two routines offered to everyone, off until the user turns one on. They are not stored
until then: `routines` lists them as off, and turning one on (or editing it) stores it."""

from app.routines.model import Routine

PLAN_MY_DAY = Routine(
    None, "Plan my day",
    "Plan my day. List what is overdue and what is due today (list_tasks with overdue, then "
    "due_today), then say which one or two tasks are worth doing first and why. If tasks are "
    "overdue, suggest moving them (say how: reschedule_overdue to today or tomorrow) but do not "
    "move them yourself. Keep it short.",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0", False, "", None, None, None, True)
WEEKLY_REVIEW = Routine(
    None, "Weekly review",
    "Weekly review. Say what got done this week (list_tasks with status done), what slipped "
    "(overdue tasks), and what is due next week, then suggest up to three priorities for next "
    "week. Change nothing. Keep it short.",
    "FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0", False, "", None, None, None, True)
BUILTINS = (PLAN_MY_DAY, WEEKLY_REVIEW)


def builtin(name: str) -> Routine | None:
    return next((r for r in BUILTINS if r.name.casefold() == name.strip().casefold()), None)
