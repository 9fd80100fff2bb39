"""Unexpected errors go to a log file in the data directory, never onto the user's screen."""

import traceback
from pathlib import Path

from app.common import clock
from app.common.paths import data_dir
from app.common.redact import redact


def record(error: BaseException) -> Path:
    path = data_dir() / "task-assistant.log"
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {clock.now().isoformat(timespec='seconds')}\n")
        log.write(redact("".join(traceback.format_exception(error))))
    return path


def something_went_wrong(error: BaseException) -> str:
    """Record an unexpected error and say so in the one sentence every front end shows."""
    return f"Something went wrong ({type(error).__name__}); details are in {record(error)}."
