"""The one clock: every "now" and "today" in the app is read here.

Tests move it from outside (time-machine in-process, libfaketime in subprocesses), so the app
has no switch of its own that could change what time it thinks it is.
"""

from datetime import date, datetime


def now() -> datetime:
    """This moment, aware, in the user's own time zone."""
    return datetime.now().astimezone()


def today() -> date:
    """The user's local date."""
    return now().date()
