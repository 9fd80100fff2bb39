"""The app reads the time from one clock, and the suite can move it for every process at once."""

import json
import subprocess

from conftest import CLI, cli_env

from app.common import clock


def test_the_app_in_a_subprocess_agrees_with_the_test_on_today_and_the_zone(app_home):
    added = subprocess.run([*CLI, "tasks", "add", "Water the plants", "--due", "today", "--json"],
                           env=cli_env(app_home), capture_output=True, text=True, timeout=60)
    assert json.loads(added.stdout)["due"] == clock.today().isoformat()
    print_now = "from app.common import clock; print(clock.now().isoformat())"
    now = subprocess.run([*CLI[:1], "-c", print_now],
                         env=cli_env(app_home), capture_output=True, text=True, timeout=60)
    theirs = clock.now().fromisoformat(now.stdout.strip())
    assert theirs.utcoffset() == clock.now().utcoffset()
    assert abs((theirs - clock.now()).total_seconds()) < 60


def test_a_child_process_can_sleep_at_the_pinned_moment(tmp_path):
    """A retry that waits (a busy database's, say) must not crash a child under libfaketime:
    see tests/faketime_site/sitecustomize.py."""
    import os
    import sys

    done = subprocess.run([sys.executable, "-c", "import time; time.sleep(0.02); print('slept')"],
                          env=dict(os.environ), capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (0, "slept\n"), done.stderr
