"""Loaded only by the suite's child processes under TEST_CLOCK: clock_fixtures puts this folder
on their PYTHONPATH beside libfaketime.

libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC (which the children need: Python's lock
timeouts wait on the real monotonic clock in the kernel) shifts the absolute CLOCK_MONOTONIC
deadline that Python 3.11's time.sleep hands to clock_nanosleep, and the kernel answers EINVAL
(wolfcw/libfaketime#426). A relative select() wait is the same sleep and is left alone.
"""

import select
import time
from typing import SupportsIndex


def _sleep(secs: float | SupportsIndex) -> None:  # time.sleep's own signature
    seconds = float(secs)
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


time.sleep = _sleep
