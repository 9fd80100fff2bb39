"""Every test gets its own data directory and never sees the developer's key or settings."""

import faulthandler
import os
import sys
from pathlib import Path
from typing import IO, Any

import pytest

# autouse: no test touches a real keyring; TEST_CLOCK moves the whole suite to another moment
pytest_plugins = ["keyring_fixtures", "qt_fixtures", "clock_fixtures", "zone_fixtures",
                  "sync_fixtures"]

# Before any Qt import: widgets render offscreen unless a test starts its own X display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"  # the helpers (fake servers, drivers, fixtures) live here, beside conftest
# The tests are grouped in folders by area (tasks/, sync/, ui/chat/, …) and some share fixtures
# with another area's file by its module name (test file names are unique): every folder is on
# the path, as the flat folder was.
sys.path[1:1] = [str(folder) for folder in sorted(TESTS.rglob("*"))
                 if folder.is_dir() and any(folder.glob("test_*.py"))]


@pytest.hookimpl(trylast=True)  # after pytest's own faulthandler set-up, which this narrows
def pytest_configure(config) -> None:
    """Cycles are collected on the test's own thread, between tests, as the app collects them
    on its GUI thread (app/ui/lifecycle/main_thread_gc.py): never on a worker thread that
    happens to allocate while a widget from an earlier test is still waiting to be freed.
    A crash prints the crashing thread alone: with every idle worker's stack before it, the
    frames that mattered were cut from the CI log."""
    from app.ui.lifecycle.main_thread_gc import hold_automatic_collection

    hold_automatic_collection()
    faulthandler.enable(file=os.dup(2), all_threads=False)  # stderr, as pytest's own


@pytest.fixture(autouse=True)
def collect_between_tests(request):
    """After a test with Qt, all its garbage goes at once: a wrapper of a Qt item that
    outlives the item (a QWidgetItem in a cycle, say) hands its stale type to the next object
    made at the same address, and a later test's widget came back as a QWidgetItem once."""
    yield
    import gc

    from app.ui.lifecycle.main_thread_gc import collect_due

    gc.unfreeze()  # the app freezes what lives once its agent stack is in; a test's ends here
    if "qapp" in request.fixturenames:
        gc.collect()
    else:
        collect_due()


@pytest.fixture(autouse=True)
def app_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("TASK_ASSISTANT_HOME", str(home))
    for name in ("GEMINI_API_KEY", "TASK_ASSISTANT_MODEL", "TASK_ASSISTANT_BASE_URL",
                 "TASK_ASSISTANT_SYNC_PASSWORD",
                 "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):  # never the desktop's real portal
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def store(app_home):
    from app.tasks import TaskStore

    with TaskStore(app_home / "tasks.sqlite3") as opened:
        yield opened


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for running the real `task-assistant` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k != "GEMINI_API_KEY"}
    # The checkout first; then whatever the suite's own children need (clock_fixtures).
    env.update(TASK_ASSISTANT_HOME=str(home), PYTHONPATH=os.pathsep.join(filter(None, (
        str(REPO), os.environ.get("PYTHONPATH")))), **extra)
    return env


CLI = [sys.executable, "-m", "app"]


@pytest.fixture
def gemini():
    from fake_gemini import FakeGemini

    with FakeGemini() as server:
        yield server


@pytest.fixture
def conversations(app_home):
    from app.conversations.store import ConversationStore

    with ConversationStore(app_home / "conversations.sqlite3") as opened:
        yield opened


@pytest.fixture
def assistant_for(store, monkeypatch):
    """An Assistant wired to a fake Gemini, with a key from the environment (never argv)."""
    from app.assistant.assistant import Assistant
    from app.assistant.gemini.model import RetryPolicy
    from app.config.keystore import KeyStore
    from app.config.settings import Settings

    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)

    def make(server, model: str = "gemini-2.5-flash"):
        settings = Settings()
        settings.set("base_url", server.base_url)
        settings.set("model", model)
        return Assistant(store, settings, KeyStore(), retry=RetryPolicy(backoff=(0.05, 0.05)))

    return make


@pytest.fixture
def chat_for(conversations, store):
    """A ChatSession with this Assistant, in the conversation given or a new one."""
    from app.assistant.chat_session import ChatSession

    def make(assistant, conversation_id: str | None = None):
        return ChatSession(assistant, conversations, store,
                           conversation_id or conversations.create().id)

    return make


TEST_KEY = "test-key-0123456789"
# A made-up key in the shape of a real Gemini key (39 chars, what redaction must recognise),
# spelled in two parts so secret scanners do not take the file for a leaked credential.
GEMINI_SHAPED_KEY = "AIza" "SyTestKey0123456789abcdefghijklmnop"


def piped(stream: IO[Any] | None) -> IO[Any]:
    """A child's stream the test asked for with subprocess.PIPE (Popen types each as Optional)."""
    assert stream is not None, "that stream was not piped"
    return stream
