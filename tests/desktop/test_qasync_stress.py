"""Regression: PySide6 6.12.0 on Python 3.11 aborts a qasync app after a few thousand
callbacks ("Fatal Python error: none_dealloc"). The install pins must keep every supported
Python out of that; this runs far more callbacks than the crash needs, in its own process."""

import subprocess
import sys

from conftest import REPO

STRESS = """
import asyncio, os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import qasync
from PySide6 import __version__ as pyside

async def churn():
    for _ in range(40_000):
        await asyncio.sleep(0)
    timers = [asyncio.get_running_loop().call_later(0, lambda: None) for _ in range(5_000)]
    await asyncio.sleep(0.01)
    return pyside

print("survived", qasync.run(churn()))
"""


def test_forty_thousand_qasync_callbacks_do_not_crash_the_interpreter():
    result = subprocess.run([sys.executable, "-c", STRESS], capture_output=True, text=True,
                            cwd=REPO, timeout=300)
    assert "none_dealloc" not in result.stderr
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("survived")
