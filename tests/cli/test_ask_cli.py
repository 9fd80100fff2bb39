"""`task-assistant ask` end to end: the real program in a subprocess, against a fake Gemini.

The key always travels in the child's environment (GEMINI_API_KEY), never on its command line.
"""

import asyncio
import contextlib
import os
import selectors
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLI, TEST_KEY, cli_env
from fake_gemini import bad_key, text, tool_calls

from app.conversations.store import ConversationStore
from app.tasks import TaskStore
from app.tasks.history import Origin
from app.tasks.when.dates import friendly_due

BY_CLI = Origin("cli")  # who the test's own writes are recorded as

TIMEOUT = 60  # seconds for one run: the agent stack alone takes ~2 s to import
NOT_A_TERMINAL = "stdin is not a terminal; use --yes to allow"


# -- helpers ---------------------------------------------------------------------------------------

def ask_argv(*argv: str) -> list[str]:
    command = [*CLI, "ask", *argv]
    assert not any(TEST_KEY in part for part in command)  # by construction: the key is env-only
    return command


def env_for(app_home: Path, base_url: str, **extra: str) -> dict[str, str]:
    return cli_env(app_home, GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=base_url, **extra)


def ask(env: dict[str, str], *argv: str, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    result = subprocess.run(ask_argv(*argv), env=env, stdin=stdin, capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert "Traceback" not in result.stderr, result.stderr
    assert TEST_KEY not in result.stdout + result.stderr
    return result


def add_task(app_home: Path, title: str) -> int:
    with TaskStore(app_home / "tasks.sqlite3") as store:
        return store.add(title, by=BY_CLI).id


def titles(app_home: Path) -> list[str]:
    with TaskStore(app_home / "tasks.sqlite3") as store:
        return [task.title for task in store.list_tasks()]


def read_some(stream) -> bytes:
    """The bytes available on a pipe, blocking until there are some (or the run times out)."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(TIMEOUT):
            pytest.fail(f"nothing to read after {TIMEOUT} s")
    return os.read(stream.fileno(), 65536)


def read_until(stream, end: bytes) -> bytes:
    seen = b""
    while end not in seen:
        chunk = read_some(stream)
        if not chunk:
            pytest.fail(f"the program exited before writing {end!r}; it wrote {seen!r}")
        seen += chunk
    return seen


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


@contextlib.contextmanager
def asking_on_a_terminal(app_home: Path, gemini, question: str):
    """`ask QUESTION` with a pseudo-terminal for stdin (pipes for stdout and stderr); yields the
    process and the terminal's other end, which the test types into."""
    import pty

    terminal, child_end = pty.openpty()
    try:
        process = subprocess.Popen(ask_argv(question), env=env_for(app_home, gemini.base_url),
                                   stdin=child_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(child_end)
        try:
            yield process, terminal
        finally:
            stop(process)
    finally:
        os.close(terminal)


# -- a normal question -----------------------------------------------------------------------------

def test_the_answer_goes_to_stdout_and_what_the_agent_did_to_stderr(app_home, gemini):
    gemini.enqueue(tool_calls(("add_task", {"title": "Buy milk", "due": "2026-11-27"})),
                   text("Added ", "*Buy milk* ", "for Friday."))

    result = ask(env_for(app_home, gemini.base_url), "add", "milk", "for", "friday")

    assert (result.returncode, result.stdout, result.stderr) == (
        0, "Added *Buy milk* for Friday.\n",
        f"• Added 'Buy milk', due {friendly_due('2026-11-27')}\n")
    assert gemini.requests[0]["messages"][-1] == {"role": "user",
                                                  "content": "add milk for friday"}
    assert gemini.pending == 0
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert [(t.title, t.due) for t in store.list_tasks()] == [("Buy milk", "2026-11-27")]


def test_the_answer_is_written_as_it_arrives(app_home, gemini):
    chunks = ["First ", "second ", "third ", "fourth."]
    gemini.enqueue(text(*chunks, delay=0.2))  # the reply takes >= 0.8 s to stream

    process = subprocess.Popen(ask_argv("tell me"), env=env_for(app_home, gemini.base_url),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        first = read_until(process.stdout, chunks[0].encode())
        running_after_first_chunk = process.poll() is None
        command_line = Path(f"/proc/{process.pid}/cmdline")
        argv = command_line.read_bytes() if command_line.exists() else b""
        rest, err = process.communicate(timeout=TIMEOUT)
    finally:
        stop(process)

    assert first == chunks[0].encode()  # alone: the later chunks were not written yet
    assert running_after_first_chunk    # ...and the child was still busy receiving them
    assert first + rest == ("".join(chunks) + "\n").encode()
    assert (process.returncode, err) == (0, b"")
    assert TEST_KEY.encode() not in argv


def test_the_conversation_is_saved_under_the_question(app_home, gemini):
    gemini.enqueue(text("Nothing is due today."))

    assert ask(env_for(app_home, gemini.base_url), "what's due today?").returncode == 0

    with ConversationStore(app_home / "conversations.sqlite3") as conversations:
        saved = conversations.list()
        assert [c.title for c in saved] == ["what's due today?"]
        messages = asyncio.run(conversations.messages(saved[0].id))
    assert [(m.role, m.text) for m in messages] == [("user", "what's due today?"),
                                                    ("assistant", "Nothing is due today.")]


def test_model_applies_to_this_question_only(app_home, gemini):
    gemini.enqueue(text("ok"))

    result = ask(env_for(app_home, gemini.base_url), "--model", "my-model", "hi")
    shown = subprocess.run([*CLI, "settings", "show"], env=cli_env(app_home),
                           capture_output=True, text=True, timeout=TIMEOUT)

    assert (result.returncode, result.stdout) == (0, "ok\n")
    assert gemini.requests[0]["model"] == "my-model"
    assert shown.returncode == 0
    model_line = next(line for line in shown.stdout.splitlines() if line.startswith("model "))
    assert model_line.split() == ["model", "gemini-2.5-flash", "(default)"]
    settings_file = app_home / "settings.json"
    assert not settings_file.exists() or "my-model" not in settings_file.read_text()


def test_a_bad_model_name_is_one_clear_line(app_home, gemini):
    result = ask(env_for(app_home, gemini.base_url), "--model", "my model", "hi")

    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert "model" in result.stderr and "went wrong" not in result.stderr
    assert gemini.requests == []


# -- deletions need approval -----------------------------------------------------------------------

def test_a_deletion_is_denied_when_stdin_is_not_a_terminal(app_home, gemini):
    task_id = add_task(app_home, "Buy milk")
    gemini.enqueue(tool_calls(("delete_task", {"id": task_id})), text("I left it alone."))

    result = ask(env_for(app_home, gemini.base_url), "delete buy milk")

    assert (result.returncode, result.stdout) == (0, "I left it alone.\n")
    assert "Denied" in result.stderr and "--yes" in result.stderr
    assert f"✗ Denied: Delete task {task_id} 'Buy milk' ({NOT_A_TERMINAL})" in result.stderr
    assert titles(app_home) == ["Buy milk"]
    told = [m["content"] for m in gemini.requests[1]["messages"] if m["role"] == "tool"]
    assert len(told) == 1 and '"denied": true' in told[0]


def test_yes_allows_a_deletion_without_asking(app_home, gemini):
    task_id = add_task(app_home, "Buy milk")
    gemini.enqueue(tool_calls(("delete_task", {"id": task_id})), text("Deleted it."))

    result = ask(env_for(app_home, gemini.base_url), "--yes", "delete buy milk")

    assert (result.returncode, result.stdout) == (0, "Deleted it.\n")
    assert result.stderr == (f"• Allowed (--yes): Delete task {task_id} 'Buy milk'\n"
                             "• Moved to the trash: 'Buy milk'\n")
    assert titles(app_home) == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("typed", "deleted"), [("y\n", True), ("\n", False)])
def test_on_a_terminal_the_user_is_asked(app_home, gemini, typed, deleted):
    task_id = add_task(app_home, "Buy milk")
    gemini.enqueue(tool_calls(("delete_task", {"id": task_id})), text("Done."))
    with asking_on_a_terminal(app_home, gemini, "delete buy milk") as (process, terminal):
        prompt = read_until(process.stderr, b"[y/N] ")
        asked_before_deciding = titles(app_home) == ["Buy milk"]
        os.write(terminal, typed.encode())
        out, err = process.communicate(timeout=TIMEOUT)

    assert prompt.decode() == f"Delete task {task_id} 'Buy milk'? [y/N] "
    assert asked_before_deciding
    assert (process.returncode, out.decode()) == (0, "Done.\n")
    assert b"Traceback" not in err and NOT_A_TERMINAL.encode() not in err
    assert titles(app_home) == ([] if deleted else ["Buy milk"])


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_at_the_prompt_stops_cleanly(app_home, gemini):
    task_id = add_task(app_home, "Buy milk")
    gemini.enqueue(tool_calls(("delete_task", {"id": task_id})), text("Done."))
    with asking_on_a_terminal(app_home, gemini, "delete buy milk") as (process, _terminal):
        read_until(process.stderr, b"[y/N] ")
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            out, err = process.communicate(timeout=15)  # a clean stop takes well under 1 s
        except subprocess.TimeoutExpired:
            pytest.fail("still running 15 s after Ctrl-C (waiting for Enter?)")

    assert (process.returncode, out) == (130, b"")
    assert err.decode() == "\nStopped.\n", err.decode()
    assert titles(app_home) == ["Buy milk"]


# -- errors: one line, exit 1, never a traceback ---------------------------------------------------

def test_a_rejected_key_is_one_line(app_home, gemini):
    gemini.enqueue(bad_key())

    result = ask(env_for(app_home, gemini.base_url), "hi")

    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.splitlines()) == 1 and "API key was rejected" in result.stderr
    assert len(gemini.requests) == 1  # not retried


def test_no_key_and_an_empty_keyring_says_how_to_set_one(app_home, gemini, tmp_path):
    env = cli_env(app_home, TASK_ASSISTANT_BASE_URL=gemini.base_url,
                  PYTHON_KEYRING_BACKEND="tests.keyring_fixtures.FileKeyring",
                  TEST_KEYRING_FILE=str(tmp_path / "keyring.json"))

    result = ask(env, "hi")

    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.splitlines()) == 1 and "key set" in result.stderr
    assert gemini.requests == []


def test_no_key_and_no_keyring_says_to_set_the_variable(app_home, gemini):
    # The suite gives subprocesses keyring's `fail` backend (tests/keyring_fixtures.py): what a
    # machine without a Secret Service gets. Then `key set` cannot help, the variable can.
    env = cli_env(app_home, TASK_ASSISTANT_BASE_URL=gemini.base_url)
    assert "GEMINI_API_KEY" not in env
    assert env["PYTHON_KEYRING_BACKEND"] == "keyring.backends.fail.Keyring"

    result = ask(env, "hi")

    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.splitlines()) == 1
    assert "No system keyring" in result.stderr and "GEMINI_API_KEY" in result.stderr
    assert gemini.requests == []


@pytest.mark.parametrize("question", [["   "], []])
def test_an_empty_question_is_one_line(app_home, gemini, question):
    result = ask(env_for(app_home, gemini.base_url), *question)

    assert result.returncode != 0 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("task-assistant")
    assert gemini.requests == []


def test_a_server_that_is_gone_is_reported(app_home):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        port = closed.getsockname()[1]
        # Default retry policy: two more attempts, 1 s and 3 s apart, each announced.
        result = ask(env_for(app_home, f"http://127.0.0.1:{port}/v1beta/openai/"), "hi")

    assert (result.returncode, result.stdout) == (1, "")
    *retries, last = result.stderr.splitlines()
    assert last.startswith("task-assistant: Could not reach 127.0.0.1")
    assert len(retries) == 2 and all(line.startswith("… Could not reach") for line in retries)


# -- the key -----------------------------------------------------------------------------------

def test_the_key_is_in_no_file_after_runs(app_home, gemini):
    gemini.enqueue(tool_calls(("add_task", {"title": "Buy milk"})), text("Added."),
                   bad_key())
    env = env_for(app_home, gemini.base_url)

    assert ask(env, "add milk").returncode == 0
    assert ask(env, "hi").returncode == 1

    assert all(h["authorization"] == f"Bearer {TEST_KEY}" for h in gemini.headers)  # it was used
    files = [path for path in app_home.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"tasks.sqlite3", "conversations.sqlite3"}
    for path in files:
        assert TEST_KEY.encode() not in path.read_bytes(), path


def _blank_every_note(app_home: Path, gemini, count: int) -> list[int]:
    with TaskStore(app_home / "tasks.sqlite3") as store:
        ids = [store.add(f"Task {n}", notes="keep me", by=BY_CLI).id for n in range(count)]
    gemini.enqueue(tool_calls(*[("update_task", {"id": i, "notes": ""}) for i in ids]),
                   text("Cleared."))
    return ids


def notes(app_home: Path) -> list[str]:
    with TaskStore(app_home / "tasks.sqlite3") as store:
        return [task.notes for task in store.list_tasks()]


def test_a_bulk_change_is_denied_as_one_batch_without_a_terminal(app_home, gemini):
    ids = _blank_every_note(app_home, gemini, 6)

    result = ask(env_for(app_home, gemini.base_url), "clear every note")

    assert result.stderr.count("✗ Denied: Change 6 existing tasks at once") == 1
    assert f"  Update task {ids[5]} 'Task 5': notes → \"\"\n" in result.stderr
    assert notes(app_home) == ["keep me"] * 6


def test_yes_allows_a_bulk_change(app_home, gemini):
    _blank_every_note(app_home, gemini, 6)

    result = ask(env_for(app_home, gemini.base_url), "--yes", "clear every note")

    assert "• Allowed (--yes): Change 6 existing tasks at once" in result.stderr
    assert notes(app_home) == [""] * 6
