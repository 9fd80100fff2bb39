"""Lint and types are part of the suite (issue 22): ruff (style, likely bugs, import order) and
mypy (strict on app/tasks, app/tools, app/sync and app/common; see pyproject.toml) both find
nothing, so a change that adds a finding fails here like any other test."""

import subprocess
import sys

from conftest import REPO

CHECKED = ["app", "tests", "scripts", "bench", "packaging"]


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=REPO,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr
