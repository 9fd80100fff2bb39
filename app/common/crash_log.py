"""Unexpected errors go to a log file in the data directory, never onto the user's screen."""

import traceback
from pathlib import Path

from app.common import clock
from app.common.paths import data_dir
from app.common.private_files import open_private_append
from app.common.redact import redact


def record(error: BaseException) -> Path:
    """Appends the redacted traceback to the log; OSError when it cannot be written."""
    path = data_dir() / "task-assistant.log"
    with open_private_append(path) as log:
        log.write(f"--- {clock.now().isoformat(timespec='seconds')}\n")
        log.write(redact("".join(traceback.format_exception(error))))
    return path


def something_went_wrong(error: BaseException) -> str:
    """Record an unexpected error and say so in the one sentence every front end shows. A log
    that cannot be written (disk full, read-only) is mentioned, never a second traceback."""
    try:
        where = f"details are in {record(error)}"
    except Exception as problem:  # the handler of last resort must not raise
        reason = getattr(problem, "strerror", None) or type(problem).__name__
        where = f"the details could not be written to the log ({reason})"
    return redact(f"Something went wrong ({type(error).__name__}); {where}.")
