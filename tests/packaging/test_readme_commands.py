"""The README's two commands, typed as a newcomer types them, in a clean copy of this checkout.

Each copy makes its own .venv from nothing (pip's cache makes that about a minute), so this is
the one place that proves a fresh machine gets from `./scripts/run` to a working app.
"""

import os
import re
import shutil
import subprocess

import pytest
from clock_fixtures import real_environment
from conftest import REPO

from app import __version__

pytestmark = [
    pytest.mark.readme,
    pytest.mark.timeout(900),
    pytest.mark.skipif(os.geteuid() != 0, reason="the README's set-up installs system packages "
                                                  "as root"),
]


def readme_commands() -> dict[str, str]:
    """The commands in the README's "Two commands" block, by script: {"run": "./scripts/run", …}."""
    text = (REPO / "README.md").read_text()
    block = text.split("## Two commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return {line.split()[0].rsplit("/", 1)[1]: line.split()[0]
            for line in block.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """What git would give a newcomer: the tracked files (and new ones not ignored), no .venv."""
    copy = tmp_path_factory.mktemp("fresh") / "task-assistant"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    return copy


def typed(checkout, home, line: str, **env: str):
    """One README command line, run by a shell in the copy, with a private data dir. pip must see
    the real time (a registry's certificate), so the suite's pinned clock is left out."""
    environment = {name: value for name, value in real_environment(dict(os.environ)).items()
                   if name not in ("VIRTUAL_ENV", "PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY",
                                   "QT_QPA_PLATFORM")}
    environment.update(PATH=os.defpath, TASK_ASSISTANT_HOME=str(home))
    environment.update(env)
    result = subprocess.run(["bash", "-c", line], cwd=checkout, env=environment, text=True,
                            capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
    return result.returncode, result.stdout, result.stderr


def assert_quiet_set_up(stderr: str) -> None:
    """Setting up says one line on stderr, never pip's or setuptools' chatter."""
    assert re.fullmatch(r"Setting up \S+/\.venv.*…\n", stderr), stderr


def test_run_passes_every_argument_to_the_app_and_sets_up_once(checkout, tmp_path):
    run = readme_commands()["run"]
    assert run == "./scripts/run"
    code, stdout, stderr = typed(checkout, tmp_path, f"{run} --version")
    assert (code, stdout) == (0, f"task-assistant {__version__}\n")
    assert_quiet_set_up(stderr)
    assert typed(checkout, tmp_path, f"{run} --version") == (
        0, f"task-assistant {__version__}\n", "")

    # The README's own example: arguments reach the app, not apt-get.
    code, stdout, stderr = typed(checkout, tmp_path,
                                 f"{run} tasks add 'Renew passport' --due tomorrow")
    assert (code, stderr) == (0, "") and "Renew passport" in stdout
    code, stdout, stderr = typed(checkout, tmp_path, f"{run} tasks list")
    assert (code, stderr) == (0, "") and "Renew passport" in stdout
    code, stdout, stderr = typed(checkout, tmp_path, f"{run} --help")
    assert (code, stderr) == (0, "") and stdout.startswith("usage: task-assistant")


def test_run_without_a_display_says_so(checkout, tmp_path):
    code, stdout, stderr = typed(checkout, tmp_path, readme_commands()["run"])
    assert (code, stdout) == (1, "")
    assert stderr.splitlines()[-1].startswith("task-assistant: There is no display to open the "
                                              "window on (DISPLAY and WAYLAND_DISPLAY are not set)")


def test_switching_between_the_two_commands_never_reinstalls(checkout, tmp_path):
    commands = readme_commands()
    assert commands["test"] == "./scripts/test"
    typed(checkout, tmp_path, f"{commands['run']} --version")
    code, stdout, stderr = typed(checkout, tmp_path, f"{commands['test']} --version")
    assert code == 0 and stdout.startswith("pytest ")  # arguments go to pytest
    assert stderr.count("Setting up") == 1  # the test extras, once
    for line in (f"{commands['run']} --version", f"{commands['test']} --version",
                 f"{commands['run']} --version"):
        code, _, stderr = typed(checkout, tmp_path, line)
        assert code == 0 and "Setting up" not in stderr and "Installing" not in stderr


def test_help_version_and_commands_never_run_apt_get(checkout, tmp_path):
    """On a machine that lacks every Qt library, only a start of the window asks apt-get."""
    shims = tmp_path / "bin"
    shims.mkdir()
    calls = tmp_path / "apt-get.calls"
    for name, body in (("dpkg-query", "exit 1"),  # nothing is installed
                       ("apt-get", f'echo "$*" >> {calls}; exit 1')):
        (shims / name).write_text(f"#!/bin/sh\n{body}\n")
        (shims / name).chmod(0o755)
    run = readme_commands()["run"]
    path = f"{shims}:{os.defpath}"
    typed(checkout, tmp_path, f"{run} --version")  # the .venv, set up with the real tools
    for line in (f"{run} --help", f"{run} --version", f"{run} tasks list", f"{run} settings show"):
        code, _, stderr = typed(checkout, tmp_path, line, PATH=path)
        assert (code, stderr, calls.exists()) == (0, "", False), line
    code, _, stderr = typed(checkout, tmp_path, run, PATH=path)
    assert code == 1 and "Could not install: libegl1" in stderr
    assert calls.read_text().splitlines()[0] == "update -qq"
