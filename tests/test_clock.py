"""The app reads the time from one clock, and the suite can move it for every process at once."""

import json
import subprocess

from app.common import clock
from conftest import CLI, cli_env


def test_the_app_in_a_subprocess_agrees_with_the_test_on_today_and_the_zone(app_home):
    added = subprocess.run([*CLI, "tasks", "add", "Water the plants", "--due", "today", "--json"],
                           env=cli_env(app_home), capture_output=True, text=True, timeout=60)
    assert json.loads(added.stdout)["due"] == clock.today().isoformat()
    now = subprocess.run([*CLI[:1], "-c", "from app.common import clock; print(clock.now().isoformat())"],
                         env=cli_env(app_home), capture_output=True, text=True, timeout=60)
    theirs = clock.now().fromisoformat(now.stdout.strip())
    assert theirs.utcoffset() == clock.now().utcoffset()
    assert abs((theirs - clock.now()).total_seconds()) < 60
