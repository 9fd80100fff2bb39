"""`task-assistant key …`: the key goes in through a hidden prompt or stdin, never comes out."""

import io
import os
import subprocess
import sys

import keyring
import pytest
from conftest import CLI, GEMINI_SHAPED_KEY, cli_env
from keyring.backends import fail

from app.cli.main import main
from app.config.keystore import SERVICE, USERNAME

KEY = GEMINI_SHAPED_KEY
HOW_TO_SET = "run `task-assistant key set`, or set GEMINI_API_KEY in the environment"


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))  # a pipe, not a terminal
    code = main(["key", *argv])
    out, err = capsys.readouterr()
    assert KEY not in out + err
    return code, out, err


def test_set_reads_the_first_line_of_piped_stdin(capsys, monkeypatch, memory_keyring):
    code, out, err = run(capsys, "set", stdin=f"{KEY}\nsomething else\n", monkeypatch=monkeypatch)
    assert (code, out, err) == (0, "Saved the API key to the system keyring.\n", "")
    assert memory_keyring.passwords == {(SERVICE, USERNAME): KEY}


def test_set_with_nothing_on_stdin_is_one_clear_line(capsys, monkeypatch, memory_keyring):
    code, out, err = run(capsys, "set", stdin="", monkeypatch=monkeypatch)
    assert (code, out) == (1, "")
    assert err == ("task-assistant: No API key was given: type it at the prompt, or pipe it in "
                   "(task-assistant key set < key.txt).\n")
    assert memory_keyring.passwords == {}


def test_set_refuses_a_mangled_key_without_echoing_it(capsys, monkeypatch, memory_keyring):
    code, out, err = run(capsys, "set", stdin=f"{KEY[:10]} {KEY[10:]}\n", monkeypatch=monkeypatch)
    assert code == 1 and "contains spaces" in err and KEY[10:] not in err
    assert memory_keyring.passwords == {}


@pytest.mark.parametrize("argv", [["set", KEY], ["set", f"--key={KEY}"], ["status", KEY]])
def test_the_key_cannot_be_given_as_an_argument(capsys, memory_keyring, argv):
    with pytest.raises(SystemExit) as exited:
        main(["key", *argv])
    out, err = capsys.readouterr()
    assert exited.value.code == 2
    assert err.startswith(f"task-assistant key {argv[0]}: takes no arguments; the API key is only "
                          "read from a hidden prompt or standard input")
    assert KEY not in out + err
    assert memory_keyring.passwords == {}


def test_status_says_where_the_key_comes_from(capsys, monkeypatch, memory_keyring):
    assert run(capsys, "status") == (1, f"No API key is set: {HOW_TO_SET}.\n", "")

    memory_keyring.passwords[(SERVICE, USERNAME)] = KEY
    assert run(capsys, "status") == (
        0, f"The API key is saved in the system keyring ({memory_keyring.name}).\n", "")

    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    assert run(capsys, "status") == (
        0, "The API key comes from the GEMINI_API_KEY environment variable.\n", "")


def test_clear_removes_the_key_and_mentions_the_environment(capsys, monkeypatch, memory_keyring):
    memory_keyring.passwords[(SERVICE, USERNAME)] = KEY
    assert run(capsys, "clear") == (0, "Removed the API key from the system keyring.\n", "")
    assert memory_keyring.passwords == {}
    assert run(capsys, "clear") == (0, "No API key was stored.\n", "")

    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    assert run(capsys, "clear") == (0, "No API key was stored.\nGEMINI_API_KEY is still set in "
                                       "the environment, so that key is still used.\n", "")


def test_without_a_keyring_every_command_explains(capsys, monkeypatch):
    keyring.set_keyring(fail.Keyring())  # what keyring chooses without D-Bus (fixture undoes it)
    sentence = ("task-assistant: No system keyring is available (keyring found no usable "
                "backend): set GEMINI_API_KEY in the environment, or install and unlock a Secret "
                "Service such as GNOME Keyring or KWallet.\n")
    assert run(capsys, "status") == (1, "", sentence)
    assert run(capsys, "clear") == (1, "", sentence)
    assert run(capsys, "set", stdin=KEY, monkeypatch=monkeypatch) == (1, "", sentence)


# -- the real program in a subprocess --------------------------------------------------------------

def test_set_and_status_in_a_subprocess(app_home, tmp_path):
    """Through `python -m app`, with a keyring file outside the data directory standing in for
    the system keyring (tests/config/test_keystore_secret_service.py does this with the real
    one)."""
    keyring_file = tmp_path / "keyring.json"
    env = cli_env(app_home, PYTHON_KEYRING_BACKEND="tests.keyring_fixtures.FileKeyring",
                  TEST_KEYRING_FILE=str(keyring_file))

    saved = subprocess.run(CLI + ["key", "set"], input=f"{KEY}\n", env=env, capture_output=True,
                           text=True, timeout=60)
    status = subprocess.run(CLI + ["key", "status"], env=env, capture_output=True, text=True,
                            timeout=60)

    assert (saved.returncode, saved.stdout, saved.stderr) == (
        0, "Saved the API key to the system keyring.\n", "")
    assert (status.returncode, status.stdout) == (
        0, "The API key is saved in the system keyring (keyring fixtures FileKeyring).\n")
    assert KEY in keyring_file.read_text()
    for path in app_home.rglob("*"):
        assert not path.is_file() or KEY.encode() not in path.read_bytes(), path


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_set_asks_at_a_hidden_prompt_on_a_terminal(app_home, tmp_path):
    """On a terminal the key is typed at a prompt that does not echo it."""
    import pty

    env = cli_env(app_home, PYTHON_KEYRING_BACKEND="tests.keyring_fixtures.FileKeyring",
                  TEST_KEYRING_FILE=str(tmp_path / "keyring.json"))
    pid, terminal = pty.fork()  # the child gets the pseudo-terminal as its controlling tty
    if pid == 0:
        try:
            os.execve(sys.executable, CLI + ["key", "set"], env)
        finally:
            os._exit(127)

    screen = _read_until(terminal, b"(typing is hidden): ")
    os.write(terminal, f"{KEY}\n".encode())
    screen += _read_until(terminal, None)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)

    assert os.waitstatus_to_exitcode(status) == 0
    assert screen.decode().replace("\r\n", "\n") == (
        "Gemini API key (typing is hidden): \nSaved the API key to the system keyring.\n")
    assert KEY in (tmp_path / "keyring.json").read_text()


def _read_until(terminal: int, end: bytes | None) -> bytes:
    """What the child writes, up to `end` (or until it exits: EIO on Linux, b"" elsewhere)."""
    seen = b""
    while end is None or end not in seen:
        try:
            chunk = os.read(terminal, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen
