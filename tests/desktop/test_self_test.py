"""`task-assistant --self-test`: the real CLI in a subprocess, each problem made for real.

What a subprocess cannot take away honestly (a Qt plugin or a resource that is installed) is
tested on the check functions with a temporary folder standing in for the bundle.
"""

import io
import subprocess
import sys

import pytest
from conftest import CLI, GEMINI_SHAPED_KEY, REPO, cli_env

from app.diagnostics.self_test import CHECKS, CheckFailed, check_imports, check_resources, run

NAMES = [name for name, _check in CHECKS]


def self_test(home, **env: str | None) -> tuple[int, list[str], str]:
    """Run `task-assistant --self-test` with a working (test) keyring unless `env` says
    otherwise; a variable given as None is removed."""
    environment = cli_env(home, QT_QPA_PLATFORM="offscreen",
                          PYTHON_KEYRING_BACKEND="tests.keyring_fixtures.FileKeyring",
                          TEST_KEYRING_FILE=str(keyring_file(home)))
    given = {**environment, **env}
    environment = {name: value for name, value in given.items() if value is not None}
    result = subprocess.run([*CLI, "--self-test"], capture_output=True, text=True, timeout=60,
                            env=environment)
    return result.returncode, result.stdout.splitlines(), result.stderr


def keyring_file(home):
    return home.parent / "keyring.json"


def line(lines: list[str], name: str) -> str:
    return next(each for each in lines if each[8:].startswith(f"{name}: "))


def assert_only_failure(lines: list[str], failed: str) -> str:
    """Every other check passed; returns the failed check's line."""
    for name in NAMES:
        assert line(lines, name).startswith("FAILED  " if name == failed else "ok      ")
    assert lines[-1] == f"Self-test failed: 1 of {len(NAMES)} checks; see above."
    return line(lines, failed)


def test_every_check_passes_and_nothing_is_written(app_home):
    code, lines, stderr = self_test(app_home)
    assert (code, stderr) == (0, "")
    assert [each[:8] + each[8:].split(":")[0] for each in lines[:-1]] == \
        [f"ok      {name}" for name in NAMES]
    assert lines[-1] == f"Self-test passed: {len(NAMES)} checks."
    assert "painted" in line(lines, "window") and "icon drawn" in line(lines, "window")
    assert all(each.isascii() for each in lines)
    # The store and the window used a temporary home: the user's has no file, no task.
    assert not app_home.exists() or not any(app_home.iterdir())
    assert not keyring_file(app_home).exists()  # nothing was saved to the keyring


@pytest.mark.secret_service
def test_the_real_secret_service_is_found(app_home):
    from test_keystore_secret_service import _private_secret_service_problem

    problem = _private_secret_service_problem()
    if problem:
        pytest.skip(problem)
    code, lines, _ = self_test(app_home, PYTHON_KEYRING_BACKEND=None)
    assert line(lines, "keyring") == "ok      keyring: SecretService Keyring"
    assert code == 0


def test_no_keyring_is_one_sentence_with_the_fix(app_home):
    code, lines, stderr = self_test(app_home,
                                    PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert (code, stderr) == (1, "")
    failed = assert_only_failure(lines, "keyring")
    assert "No system keyring is available" in failed
    assert "set GEMINI_API_KEY in the environment" in failed
    assert "install and unlock a Secret Service" in failed


def test_no_keyring_with_the_key_in_the_environment_is_a_warning_that_says_what_is_lost(app_home):
    code, lines, stderr = self_test(app_home, GEMINI_API_KEY=GEMINI_SHAPED_KEY,
                                    PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert (code, stderr) == (0, "")
    warned = line(lines, "keyring")
    assert warned.startswith("warning keyring: none usable")
    assert "your key is not remembered: it is read from GEMINI_API_KEY each time" in warned
    assert "install and unlock a Secret Service" in warned and GEMINI_SHAPED_KEY not in warned
    assert [each[:8].strip() for each in lines[:-1]] == ["ok", "warning", "ok", "ok", "ok", "ok"]
    assert lines[-1] == "Self-test passed: 6 checks, 1 with a warning above."


def test_a_keyring_that_is_set_up_but_broken_fails_even_with_the_key_in_the_environment(app_home):
    code, lines, stderr = self_test(app_home, GEMINI_API_KEY=GEMINI_SHAPED_KEY,
                                    PYTHON_KEYRING_BACKEND="no_such_module.Keyring")
    assert (code, stderr) == (1, "")
    failed = assert_only_failure(lines, "keyring")
    assert ("The keyring that is set up cannot be loaded (No module named 'no_such_module')"
            in failed)


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_certificates_that_cannot_verify_anything_fail(app_home, tmp_path, variable):
    empty = tmp_path / "empty.pem"
    empty.touch()
    if variable == "SSL_CERT_DIR":
        empty = tmp_path / "no-certificates"
        empty.mkdir()
    code, lines, stderr = self_test(app_home, **{"SSL_CERT_FILE": None, "SSL_CERT_DIR": None,
                                                 variable: str(empty)})
    assert (code, stderr) == (1, "")
    failed = assert_only_failure(lines, "TLS certificates")
    assert f"in {variable} ({empty}) cannot be used" in failed
    assert "so no HTTPS server can be verified" in failed and "or unset it." in failed


def test_the_http_client_itself_honours_an_empty_certificate_file(tmp_path, monkeypatch):
    """What the check above relies on: openai's client would fail the same way."""
    import ssl

    import httpx2

    empty = tmp_path / "empty.pem"
    empty.touch()
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    with pytest.raises(ssl.SSLError):
        httpx2.create_ssl_context()


def test_a_module_left_out_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "jiter", None)  # how Python spells "not installed"
    with pytest.raises(CheckFailed, match=r"^Could not import .*jiter \(ModuleNotFoundError: "):
        check_imports()


def test_a_bundle_without_resources_says_which(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)  # a frozen app's root
    with pytest.raises(CheckFailed) as failure:
        check_resources()
    assert str(failure.value).startswith(
        f"task-assistant.svg, icons/copy.svg, icons/LICENSE-lucide.txt and "
        f"task-assistant.desktop are missing from "
        f"{tmp_path / 'resources'}: reinstall")


def test_missing_or_broken_platform_plugins_are_named(tmp_path):
    from app.ui.lifecycle.window_check import (
        check_plugins,
        plugin_file,
        plugins_dir,
        required_plugins,
    )

    real = plugins_dir()
    linux = required_plugins("linux")
    (tmp_path / "platforms").mkdir()
    xcb = tmp_path / "platforms" / "libqxcb.so"
    xcb.write_bytes(b"not a library")
    with pytest.raises(CheckFailed, match="Qt's wayland and xdg-shell plugins are missing from "):
        check_plugins(tmp_path, linux)
    with pytest.raises(CheckFailed, match="Qt's xcb plugin cannot be loaded"):
        check_plugins(tmp_path, ["platforms/xcb"])
    assert plugin_file(tmp_path, "platforms/windows") is None
    for name in ("qwindows.dll", "libqcocoa.dylib"):
        (tmp_path / "platforms" / name).touch()
    assert plugin_file(tmp_path, "platforms/windows").name == "qwindows.dll"
    assert plugin_file(tmp_path, "platforms/cocoa").name == "libqcocoa.dylib"
    if sys.platform.startswith("linux"):
        assert check_plugins(real, linux) == ["xcb", "wayland", "xdg-shell"]


def test_an_icon_without_the_svg_plugins_is_reported(app_home, tmp_path):
    # Qt looks for plugins only in its library paths: an empty one is a bundle without them.
    code = ("from PySide6.QtCore import QCoreApplication\n"
            "from PySide6.QtWidgets import QApplication\n"
            "from app.common.paths import resource_path\n"
            "from app.diagnostics.self_test import run\n"
            "from app.ui.lifecycle.window_check import check_icon\n"
            "app = QApplication([])\n"
            f"QCoreApplication.setLibraryPaths([{str(tmp_path)!r}])\n"
            "run([('icon', lambda: check_icon(resource_path('task-assistant.svg')) or 'drawn')])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=cli_env(app_home, QT_QPA_PLATFORM="offscreen"))
    assert result.stdout.splitlines()[0].startswith(
        "FAILED  icon: The app icon (task-assistant.svg) cannot be drawn, which means Qt's SVG "
        "plugins (iconengines/qsvgicon, imageformats/qsvg) are missing or do not load")


def test_an_unexpected_error_is_one_line_without_the_key_and_the_rest_still_runs(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", GEMINI_SHAPED_KEY)

    def broken():
        raise ValueError(f"bad header Bearer {GEMINI_SHAPED_KEY}\nsecond line")

    out = io.StringIO()
    code = run([("broken", broken), ("fine", lambda: "caf\u00e9 \u2026 \u2713")], out=out)
    assert code == 1
    assert out.getvalue().splitlines() == [
        "FAILED  broken: It stopped with an unexpected error "
        "(ValueError: bad header Bearer [redacted] second line).",
        "ok      fine: cafe ... ?",
        "Self-test failed: 1 of 2 checks; see above.",
    ]


def test_self_test_is_listed_in_help(app_home):
    result = subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=60,
                            env=cli_env(app_home), cwd=REPO)
    assert "--self-test" in result.stdout
