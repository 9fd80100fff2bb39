"""The X server going away under the window (a remote session dropped, Xvfb stopped): a normal
way for the app to end. It closes its files and says so in one sentence, with no trace."""

import sqlite3
import subprocess

from test_ui_real_display import QUIT, STARTUP, App, pytestmark, start_xvfb, stop, visible_window  # noqa: F401

from app.tasks import Origin, TaskStore


def test_losing_the_display_closes_the_files_and_ends_with_one_sentence(app_home, gemini,
                                                                        tmp_path):
    with TaskStore(app_home / "tasks.sqlite3") as store:
        store.add("Still here", by=Origin("cli"))
    server, display = start_xvfb(tmp_path)
    app = App(app_home, display, gemini, tmp_path)
    try:
        app.wait_until(lambda: visible_window(display), STARTUP, "showing its window")
        server.kill()  # the display dies under the window
        server.wait()
        try:
            code = app.process.wait(timeout=QUIT * 3)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the app kept running without its display:\n{app.stderr}") from None
    finally:
        app.stop()
        stop(server)
    said = [line for line in app.stderr.splitlines() if line.strip()]
    print(said)
    assert code == 0, app.stderr
    assert said == ["task-assistant: The display went away, so the app closed its files and "
                    "quit."], app.stderr
    assert not app.crash_log.exists()
    with sqlite3.connect(app_home / "tasks.sqlite3") as db:  # closed cleanly, readable
        assert db.execute("SELECT title FROM tasks").fetchall() == [("Still here",)]
