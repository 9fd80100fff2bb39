"""Bad input gets one sentence and changes nothing; terminal output and prompts are escaped;
the key never reaches the screen; base URLs and links are limited."""

import json
import sqlite3
import subprocess

import pytest
from conftest import CLI, GEMINI_SHAPED_KEY, TEST_KEY, cli_env
from fake_gemini import error, text, tool_calls

from app.common.errors import UserError
from app.tasks import Origin, TaskStore

WRITER = Origin("cli")  # who the test's own writes are recorded as


def _cli(home, *args, **kwargs):
    return subprocess.run([*CLI, *args], env=cli_env(home, **kwargs.pop("env", {})),
                          capture_output=True, text=True, timeout=60, **kwargs)


# -- ids, NUL, control and bidi characters, tags ---------------------------------------------------

@pytest.mark.parametrize("bad_id", ["²", "99999999999999999999999", "-1", "0", "1.5", "٣"])
def test_a_non_id_is_not_a_task_id(app_home, bad_id):
    _cli(app_home, "tasks", "add", "keep me")
    for verb in ("done", "rm", "edit"):
        extra = ["--title", "x"] if verb == "edit" else []
        result = _cli(app_home, "tasks", verb, bad_id, *extra)
        assert result.returncode == 1
        assert "is not a task id" in result.stderr and "Something went wrong" not in result.stderr
    assert _cli(app_home, "tasks", "list").stdout.split() == ["1", "[", "]", "keep", "me"]


def test_a_nul_in_an_imported_title_is_refused_and_nothing_is_added(app_home, tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([{"title": "fine"}, {"title": "bad\u0000title"}]))
    result = _cli(app_home, "tasks", "import", str(source))
    assert result.returncode == 1
    assert result.stderr.strip() == ("task-assistant: Task 2 in the file: A task title cannot "
                                     "contain a NUL character (\\0).")
    assert _cli(app_home, "tasks", "list").stdout.strip() == "No tasks."


def test_control_and_bidi_characters_are_stripped_from_titles(store):
    task = store.add("pay \x1b[2Jrent\u202e now\tplease", tags=["ho\u2066me"], by=WRITER)
    assert task.title == "pay [2Jrent now please"
    assert task.tags == ("home",)


def test_titles_already_stored_raw_are_shown_escaped_on_the_terminal(app_home, store):
    store.add("placeholder", by=WRITER)
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE tasks SET title = ?", ("evil\x1b[31m red\u202etxt.exe",))
    conn.commit()
    conn.close()
    listed = _cli(app_home, "tasks", "list").stdout
    assert "\x1b" not in listed and "\u202e" not in listed
    assert "evil\\x1b[31m red\\u202etxt.exe" in listed


def test_tags_are_capped_in_count_and_length(store):
    with pytest.raises(UserError, match="at most 20 tags"):
        store.add("many", tags=[f"t{n}" for n in range(21)], by=WRITER)
    with pytest.raises(UserError, match="at most 64 characters"):
        store.add("long", tags=["x" * 65], by=WRITER)
    assert store.count() == 0


# -- a wrongly typed tool argument ----------------------------------------------------------------

@pytest.mark.parametrize("name, arguments, sentence", [
    ("list_tasks", {"tag": ["x"]}, "Argument 'tag' must be text (a JSON string), not a list"),
    ("add_task", {"title": "x", "due": 5},
     "Argument 'due' must be text (a JSON string), not a int"),
    ("complete_task", {"id": True}, "Argument 'id' must be a whole number, not a bool"),
    ("add_task", {"title": "x", "tags": [1]}, "Argument 'tags' must be a list of strings"),
])
def test_a_wrongly_typed_argument_gets_an_error_the_model_can_act_on(
        app_home, gemini, monkeypatch, name, arguments, sentence):
    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)
    monkeypatch.setenv("TASK_ASSISTANT_BASE_URL", gemini.base_url)
    gemini.enqueue(tool_calls((name, arguments)), text("Let me fix that."))
    result = _cli(app_home, "ask", "do it", env={"GEMINI_API_KEY": TEST_KEY,
                                                 "TASK_ASSISTANT_BASE_URL": gemini.base_url})
    assert result.returncode == 0, result.stderr
    assert "Let me fix that." in result.stdout
    told = [m["content"] for m in gemini.requests[1]["messages"] if m["role"] == "tool"]
    assert sentence in json.loads(told[0])["error"]
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert store.count() == 0


def test_an_approval_prompt_shows_a_crafted_title_escaped(app_home, gemini):
    with TaskStore(app_home / "tasks.sqlite3") as store:
        task_id = store.add("placeholder", by=WRITER).id
    conn = sqlite3.connect(app_home / "tasks.sqlite3")
    conn.execute("UPDATE tasks SET title = ?", ("x\r\x1b[2K\u202eDelete nothing",))
    conn.commit()
    conn.close()
    gemini.enqueue(tool_calls(("delete_task", {"id": task_id})), text("Left it."))
    result = _cli(app_home, "ask", "delete it", env={"GEMINI_API_KEY": TEST_KEY,
                                                     "TASK_ASSISTANT_BASE_URL": gemini.base_url})
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert "\u202e" not in result.stderr
    assert "x\\r\\x1b[2K\\u202eDelete nothing" in result.stderr


# -- the key --------------------------------------------------------------------------------------

def test_a_server_echoing_the_authorization_header_never_shows_the_key(app_home, gemini):
    """`ask` and the window share the Failed sentence (assistant/failures.py), redacted there."""
    gemini.enqueue(error(400, f"Bad header Authorization: Bearer {TEST_KEY}",
                         grpc_status="INVALID_ARGUMENT"))
    result = _cli(app_home, "ask", "hello", env={"GEMINI_API_KEY": TEST_KEY,
                                                 "TASK_ASSISTANT_BASE_URL": gemini.base_url})
    assert result.returncode == 1
    assert TEST_KEY not in result.stderr + result.stdout
    assert "Authorization: Bearer [redacted]" in result.stderr


@pytest.mark.parametrize("url", [
    f"https://example.com/v1/?key={GEMINI_SHAPED_KEY}",
    "https://example.com/v1/?api_key=whatever",
    f"https://example.com/{GEMINI_SHAPED_KEY}/v1/",
])
def test_a_base_url_carrying_a_key_is_refused(app_home, url):
    result = _cli(app_home, "settings", "set", "base_url", url)
    assert result.returncode == 1
    assert "must not contain an API key" in result.stderr
    assert "AIza" not in result.stderr + result.stdout
    assert not (app_home / "settings.json").exists()


def test_plain_http_to_another_host_needs_allow_http(app_home):
    refused = _cli(app_home, "settings", "set", "base_url", "http://example.com/v1/")
    assert refused.returncode == 1
    assert "plain http to another computer" in refused.stderr and "--allow-http" in refused.stderr
    local = _cli(app_home, "settings", "set", "base_url", "http://127.0.0.1:8080/v1/")
    assert local.returncode == 0
    allowed = _cli(app_home, "settings", "set", "base_url", "http://example.com/v1/",
                   "--allow-http")
    assert allowed.returncode == 0
    assert "http://example.com/v1/" in _cli(app_home, "settings", "show").stdout


# -- links in answers ------------------------------------------------------------------------------

def test_links_in_answers_open_only_for_web_and_mail(qtbot):
    from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    from app.ui.chat.markdown_view import MarkdownView

    class Handler(QObject):
        def __init__(self):
            super().__init__()
            self.opened = []

        @Slot(QUrl)
        def open(self, url):
            self.opened.append(url.toString())

    handler = Handler()
    schemes = ("http", "https", "mailto", "file", "javascript", "smb", "tasks")
    for scheme in schemes:
        QDesktopServices.setUrlHandler(scheme, handler, "open")
    try:
        view = MarkdownView()
        qtbot.addWidget(view)
        links = ["https://example.com/a", "http://example.com/b", "mailto:me@example.com",
                 "file:///etc/passwd", "javascript:alert(1)", "smb://host/share",
                 "tasks://run"]
        view.set_markdown("\n\n".join(f"[link {n}]({url})" for n, url in enumerate(links)))
        view.resize(400, 400)
        view.show()
        qtbot.waitExposed(view)
        for n in range(len(links)):
            found = view.document().find(f"link {n}")
            rect = view.cursorRect(found)
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                             pos=rect.center() - QPoint(4, 0))  # on the link's last letters
        assert handler.opened == links[:3]
    finally:
        for scheme in schemes:
            QDesktopServices.unsetUrlHandler(scheme)
