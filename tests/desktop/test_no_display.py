"""With no display (SSH, a server, a container), the desktop app says so in one sentence and
exits, instead of Qt aborting the process with a core dump."""

import subprocess

import pytest
from conftest import CLI, cli_env

STARTS = [[], ["--quick-ask"], ["--tray"]]
HINT = "`tasks`, `ask`, `key` and `settings` work without one."


def start(home, argv, **display):
    env = {name: value for name, value in cli_env(home).items()
           if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([*CLI, *argv], env={**env, **display}, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=60)
    return result.returncode, result.stdout, result.stderr.splitlines()


@pytest.mark.parametrize("argv", STARTS, ids=["window", "quick-ask", "tray"])
def test_no_display_at_all_is_one_sentence_and_an_ordinary_exit(app_home, argv):
    code, stdout, stderr = start(app_home, argv)
    assert (code, stdout) == (1, "")
    assert stderr == ["task-assistant: There is no display to open the window on (DISPLAY and "
                      f"WAYLAND_DISPLAY are not set); {HINT}"]


@pytest.mark.parametrize("argv", STARTS, ids=["window", "quick-ask", "tray"])
def test_an_x_display_that_cannot_be_reached_is_named(app_home, argv):
    code, stdout, stderr = start(app_home, argv, DISPLAY=":4242")  # no X server has that number
    assert (code, stdout) == (1, "")
    assert stderr == ["task-assistant: The display ':4242' cannot be reached, so the window "
                      f"cannot open; {HINT}"]


def test_a_wayland_socket_that_is_not_there_is_named(app_home, tmp_path):
    code, stdout, stderr = start(app_home, [], WAYLAND_DISPLAY="wayland-7",
                                 XDG_RUNTIME_DIR=str(tmp_path))
    assert (code, stdout) == (1, "")
    assert stderr == ["task-assistant: The display 'wayland-7' cannot be reached, so the window "
                      f"cannot open; {HINT}"]


def test_commands_still_work_without_a_display(app_home):
    code, stdout, stderr = start(app_home, ["tasks", "add", "Water the plants"])
    assert (code, stderr) == (0, [])
    code, stdout, stderr = start(app_home, ["tasks", "list"])
    assert code == 0 and "Water the plants" in stdout
