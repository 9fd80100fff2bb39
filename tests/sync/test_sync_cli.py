"""`task-assistant sync …` as a user runs it: real processes, a real Radicale, real kills."""

import json
import os
import signal
import sqlite3
import subprocess
import time

import pytest
from caldav_server import PASSWORD, USER
from conftest import CLI, cli_env

from app.config.keystore import SERVICE, SYNC_PASSWORD


def run(env, *argv, stdin: str = "", timeout: float = 120):
    done = subprocess.run([*CLI, *argv], input=stdin, capture_output=True, text=True, env=env,
                          timeout=timeout)
    assert PASSWORD not in done.stdout + done.stderr
    return done


@pytest.fixture
def env(app_home):
    return cli_env(app_home, TASK_ASSISTANT_SYNC_PASSWORD=PASSWORD)


def test_add_now_status_remove(radicale, app_home, tmp_path):
    keyring_file = tmp_path / "keyring.json"
    env = cli_env(app_home, PYTHON_KEYRING_BACKEND="tests.keyring_fixtures.FileKeyring",
                  TEST_KEYRING_FILE=str(keyring_file))
    run(env, "tasks", "add", "Buy milk")

    added = run(env, "sync", "add", radicale.url, "--user", USER, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"Connected to {radicale.url} as {USER}.")
    stored = json.loads(keyring_file.read_text())
    assert stored == [{"service": SERVICE, "username": SYNC_PASSWORD.username,
                       "password": PASSWORD}]

    now = run(env, "sync", "now")
    assert (now.returncode, now.stdout, now.stderr) == (0, "↑ 1 sent, ↓ 0 received\n", "")
    status = json.loads(run(env, "sync", "status", "--json").stdout)
    assert status["account"] == {"url": radicale.url, "user": USER, "password": "keyring"}
    assert [pair["calendar"] for pair in status["calendars"]] == ["Inbox"]
    assert status["last_sync"]["summary"] == "↑ 1 sent, ↓ 0 received"
    assert status["pending"] == 0
    text = run(env, "sync", "status").stdout
    assert "Account: alice at" in text and "Pending changes: 0" in text

    # the password reached no file of ours
    for path in app_home.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path

    removed = run(env, "sync", "remove")
    assert removed.stdout == "Forgot the sync account; your tasks stay here.\n"
    assert json.loads(keyring_file.read_text()) == []
    assert "Buy milk" in run(env, "tasks", "list").stdout
    assert run(env, "sync", "now").stderr == (
        "task-assistant: No sync account is set up: add one with `task-assistant sync add URL "
        "--user NAME`.\n")


def test_a_wrong_password_and_an_unreachable_server_exit_1_with_one_sentence(radicale, env,
                                                                             app_home):
    refused = run({**env, "TASK_ASSISTANT_SYNC_PASSWORD": "not it"}, "sync", "add", radicale.url,
                  "--user", USER)
    assert refused.returncode == 1
    assert refused.stderr == ("task-assistant: 127.0.0.1 refused the user name or password: "
                              "check them (Nextcloud and Fastmail want an app password).\n")
    assert run(env, "sync", "add", radicale.url, "--user", USER).returncode == 0

    radicale.stop()
    offline = run(env, "sync", "now")
    assert (offline.returncode, offline.stderr) == (
        1, "task-assistant: Can't reach 127.0.0.1: it may be offline, or the address is wrong.\n")
    radicale.start()
    wrong = run({**env, "TASK_ASSISTANT_SYNC_PASSWORD": "changed on the server"}, "sync", "now")
    assert wrong.returncode == 1 and "refused the user name or password" in wrong.stderr


def test_sync_now_says_what_it_did_to_a_calendar_and_status_keeps_it(radicale, env):
    run(env, "lists", "add", "Groceries")
    run(env, "tasks", "add", "Buy apples", "--list", "Groceries")
    assert run(env, "sync", "add", radicale.url, "--user", USER).returncode == 0
    assert run(env, "sync", "now").stdout == "↑ 1 sent, ↓ 0 received\n"
    run(env, "lists", "rename", "Groceries", "Shopping")

    now = run(env, "sync", "now")

    said = ("↑ 0 sent, ↓ 0 received\nRenamed calendar 'Groceries' to 'Shopping' on the server, "
            "as its list was renamed here.")
    assert (now.returncode, now.stdout, now.stderr) == (0, said + "\n", "")
    assert sorted(radicale.phone_calendars()) == ["Inbox", "Shopping"]
    status = json.loads(run(env, "sync", "status", "--json").stdout)
    assert status["last_sync"]["summary"] == said
    assert status["account"]["password"] == "environment"


def test_plain_http_to_another_host_needs_allow_http_and_warns(env):
    refused = run(env, "sync", "add", "http://cloud.example.invalid/dav", "--user", USER)
    assert refused.returncode == 1
    assert refused.stderr == (
        "task-assistant: cloud.example.invalid would be reached over plain http, which sends "
        "the password readable to the network: use https, or pass --allow-http if you really "
        "mean it.\n")
    allowed = run(env, "sync", "add", "http://cloud.example.invalid/dav", "--user", USER,
                  "--allow-http")
    assert allowed.stderr.startswith("task-assistant: warning: plain http sends the password")
    assert "Can't reach cloud.example.invalid" in allowed.stderr


def test_a_bad_certificate_is_one_sentence(env, tmp_path):
    """An https server with a self-signed certificate: nothing is sent, one sentence is said."""
    import http.server
    import ssl
    import threading

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = run(env, "sync", "add", f"https://localhost:{server.server_address[1]}/",
                   "--user", USER)
    finally:
        server.shutdown()
    assert (done.returncode, done.stderr) == (
        1, "task-assistant: The certificate of localhost could not be verified, so nothing was "
           "sent: check the address, or the server's certificate.\n")


def _kill_when(process: subprocess.Popen, ready) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert process.poll() is None, "the sync ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)  # polling another process's progress: there is no signal to wait on
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def _stored_objects(storage) -> int:
    """The .ics files Radicale has committed. os.walk, not rglob: Radicale's own temporary
    folders (.Radicale.tmp-*) vanish while being walked, and their files are not stored yet."""
    count = 0
    for _folder, subfolders, files in os.walk(storage):
        subfolders[:] = [name for name in subfolders if not name.startswith(".Radicale")]
        count += sum(name.endswith(".ics") for name in files)
    return count


def _server_objects(radicale) -> list:
    return radicale.phone_calendars()["Inbox"].get_todos(include_completed=True)


def test_kill_9_in_the_middle_of_uploading_resumes_without_duplicates(radicale, env, app_home):
    records = [{"title": f"Task {number}"} for number in range(400)]
    app_home.mkdir(parents=True, exist_ok=True)
    (app_home / "many.json").write_text(json.dumps(records))
    assert run(env, "tasks", "import", str(app_home / "many.json")).returncode == 0
    assert run(env, "sync", "add", radicale.url, "--user", USER).returncode == 0
    storage = radicale.root / "collections"

    process = subprocess.Popen([*CLI, "sync", "now"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _kill_when(process, lambda: _stored_objects(storage) > 20)
    uploaded = _stored_objects(storage)
    assert uploaded < 400

    resumed = run(env, "sync", "now")
    assert resumed.returncode == 0, resumed.stderr
    titles = [str(todo.icalendar_component["summary"]) for todo in _server_objects(radicale)]
    assert sorted(titles) == sorted(record["title"] for record in records)
    assert run(env, "sync", "now").stdout == "↑ 0 sent, ↓ 0 received\n"


def test_kill_9_in_the_middle_of_receiving_resumes_without_duplicates(radicale, env, app_home):
    assert run(env, "sync", "add", radicale.url, "--user", USER).returncode == 0
    assert run(env, "sync", "now").returncode == 0  # makes the Tasks calendar
    calendar = radicale.phone_calendars()["Inbox"]
    for number in range(300):
        calendar.add_todo(summary=f"From the phone {number}")
    tasks_file = app_home / "tasks.sqlite3"

    def received_some() -> bool:
        with sqlite3.connect(f"file:{tasks_file}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM tasks").fetchone()[0] > 40

    process = subprocess.Popen([*CLI, "sync", "now"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _kill_when(process, received_some)

    assert run(env, "sync", "now").returncode == 0
    listed = json.loads(run(env, "tasks", "list", "--all", "--json").stdout)
    assert sorted(task["title"] for task in listed) == \
        sorted(f"From the phone {number}" for number in range(300))
    assert len(_server_objects(radicale)) == 300
    assert run(env, "sync", "now").stdout == "↑ 0 sent, ↓ 0 received\n"
