"""Words a person reads: a task id that does not exist, a conversation, a moment and a keyring
that cannot be reached are each said as a person would say them (issue 21)."""

import json
import re
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from caldav_server import PASSWORD, USER
from conftest import CLI, cli_env

from app.conversations.store import ConversationStore
from app.tasks import Origin, TaskStore
from app.tasks.when.moments import moment_words

AUCKLAND = ZoneInfo("Pacific/Auckland")


def run(env, *argv, stdin: str = ""):
    return subprocess.run([*CLI, *argv], input=stdin, capture_output=True, text=True, env=env,
                          timeout=120)


def test_the_history_of_a_task_that_never_was_says_so_and_fails(app_home):
    env = cli_env(app_home)
    assert run(env, "tasks", "add", "Buy milk").returncode == 0
    missing = run(env, "tasks", "history", "999")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "task-assistant: There is no task 999.\n"
    assert "Buy milk" in run(env, "tasks", "history", "1").stdout  # a real one still reads


def test_every_command_that_takes_an_id_refuses_one_that_does_not_exist(app_home):
    env = cli_env(app_home)
    run(env, "tasks", "add", "Buy milk")
    for argv in (["done", "999"], ["reopen", "999"], ["rm", "999"], ["edit", "999", "--title", "x"],
                 ["restore", "999"], ["history", "999"], ["add", "x", "--parent", "999"]):
        result = run(env, "tasks", *argv)
        assert result.returncode == 1 and result.stderr.startswith(
            "task-assistant: There is no task 999"), argv


def test_history_names_a_conversation_by_its_title(app_home):
    with ConversationStore(app_home / "conversations.sqlite3") as conversations:
        plan = conversations.create("Plan the week")
        gone = conversations.create("Old chat")
        conversations.delete(gone.id)
    with TaskStore(app_home / "tasks.sqlite3") as store:
        store.add("Renew passport", by=Origin("agent", plan.id))
        store.add("Call mum", by=Origin("agent", gone.id))
    text = run(cli_env(app_home), "tasks", "history").stdout
    assert "(by the assistant, in 'Plan the week')" in text
    assert "(by the assistant, in a conversation since deleted)" in text
    assert plan.id not in text and gone.id not in text


def test_a_moment_reads_in_local_words():
    with time_machine.travel(datetime(2026, 12, 6, 15, 0, tzinfo=AUCKLAND), tick=False):
        # 01:36 UTC is 14:36 in Auckland (summer time, +13)
        assert moment_words("2026-12-06T01:36:25+00:00") == "today 14:36"
        assert moment_words("2026-12-04T20:12:00+00:00") == "yesterday 09:12"
        assert moment_words("2026-11-30T01:05:00+00:00") == "Mon 30 Nov 14:05"
        assert moment_words("2025-11-30T01:05:00+00:00") == "Sun 30 Nov 2025 14:05"


def test_sync_status_says_the_last_sync_in_words_and_an_unreachable_keyring(radicale, app_home,
                                                                            tmp_path):
    keyring = dict(PYTHON_KEYRING_BACKEND="tests.keyring_fixtures.FileKeyring",
                   TEST_KEYRING_FILE=str(tmp_path / "keyring.json"))
    env = cli_env(app_home, **keyring)
    assert run(env, "sync", "add", radicale.url, "--user", USER,
               stdin=PASSWORD + "\n").returncode == 0
    assert run(env, "sync", "now").returncode == 0
    text = run(env, "sync", "status").stdout
    assert "(password in the system keyring)" in text
    assert re.search(r"^Last sync: (today|yesterday) \d\d:\d\d — ↑ 0 sent, ↓ 0 received$", text,
                     re.MULTILINE), text
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)

    no_keyring = cli_env(app_home, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    text = run(no_keyring, "sync", "status").stdout
    assert f"Account: {USER} at {radicale.url} (the system keyring cannot be reached, so the " \
           "password cannot be read)" in text
    assert "password missing" not in text
    assert json.loads(run(no_keyring, "sync", "status", "--json").stdout)["account"][
        "password"] is None
