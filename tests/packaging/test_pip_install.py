"""The app as pip and pipx install it: a wheel built from the project's files, installed into a
clean virtual environment outside the checkout, passes its self-test with its icons found.

The wheel's dependencies (PySide6 and the rest, ~1 GB) are not downloaded again: the clean
environment sees the suite's site-packages through a .pth line, which adds them to the path
without running their .pth files, so the checkout's editable install stays out and `app`
comes from the wheel alone. Building needs the build backend (setuptools from the index).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import GEMINI_SHAPED_KEY, REPO

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.timeout(600),
    pytest.mark.skipif(sys.platform == "win32", reason="the venv layout below is POSIX"),
]

# What an sdist holds: everything the build reads, nothing of the checkout's own state.
PROJECT_FILES = ["pyproject.toml", "setup.py", "README.md", "LICENSE", "app", "resources"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a clean venv with the wheel installed."""
    root = tmp_path_factory.mktemp("pip-install")
    source = root / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
         "-w", str(root / "dist")], cwd=root)
    [wheel] = (root / "dist").glob("task_assistant-*.whl")
    venv = root / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    python = venv / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
               cwd=root).strip()
    Path(site, "suite-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], cwd=root)
    return venv / "bin"


def run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def outside_the_checkout(home: Path, **extra: str) -> dict[str, str]:
    # No PYTHONPATH (it would put the checkout first) and no key but the one given.
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "GEMINI_API_KEY", "PYTHON_KEYRING_BACKEND")}
    env.update(TASK_ASSISTANT_HOME=str(home), QT_QPA_PLATFORM="offscreen", **extra)
    return env


def test_the_installed_wheel_has_its_resources_inside_the_package(installed, tmp_path):
    found = run([str(installed / "python"), "-c",
                 "from app.common.paths import resources_dir; print(resources_dir())"],
                cwd=tmp_path, env=outside_the_checkout(tmp_path / "home")).strip()
    assert Path(found).parts[-2:] == ("app", "_resources")
    assert Path(found).is_relative_to(installed.parent)  # the venv's copy, not the checkout's
    assert (Path(found) / "icons" / "copy.svg").is_file()


def test_a_pip_install_passes_its_self_test_without_a_keyring(installed, tmp_path):
    env = outside_the_checkout(tmp_path / "home", GEMINI_API_KEY=GEMINI_SHAPED_KEY,
                               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = subprocess.run([str(installed / "task-assistant"), "--self-test"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = {line[8:].split(":")[0]: line[:8].strip() for line in lines[:-1]}
    assert verdicts == {"imports": "ok", "keyring": "warning", "TLS certificates": "ok",
                        "resources": "ok", "task store": "ok", "window": "ok"}
    assert "icon drawn" in next(line for line in lines if line[8:].startswith("window:"))
    assert lines[-1] == "Self-test passed: 6 checks, 1 with a warning above."
    assert GEMINI_SHAPED_KEY not in result.stdout + result.stderr
