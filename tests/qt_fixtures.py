"""pytest-qt with a qasync event loop, so widgets that run coroutines can be tested directly.

`qloop` makes a qasync loop current for one test: the widget starts its asyncio tasks, and
`qtbot.waitUntil(...)` spins the Qt event loop, which runs them. Afterwards whatever is still
running is cancelled and awaited, so no test leaks a task into the next.
"""

import asyncio

import pytest

# qasync's loop keeps a QObject whose timers outlive close() until they fire. If the loop were
# garbage-collected on a worker thread (asyncio.to_thread in a later test), Qt would warn
# "Timers cannot be stopped from another thread": so finished loops are simply kept.
FINISHED_LOOPS: list = []


@pytest.fixture
def qloop(qapp):
    from app.ui.lifecycle.event_loop import AppEventLoop, async_generators_closed_on

    loop = AppEventLoop(qapp)
    asyncio.set_event_loop(loop)
    # qtbot spins Qt's event loop, which runs the loop's callbacks, but asyncio only counts a
    # loop as running inside run_forever: mark it running, as the app's loop is, so that code
    # asking for the running loop (asyncio.to_thread, httpx) finds it; and let it close the
    # async generators dropped meanwhile, as the app's loop does.
    asyncio.events._set_running_loop(loop)
    with async_generators_closed_on(loop):
        yield loop
        asyncio.events._set_running_loop(None)
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    asyncio.set_event_loop(None)
    loop.close()
    FINISHED_LOOPS.append(loop)


@pytest.fixture
def workspace(app_home, qloop):
    """The app's shared state in this test's data dir (key from the keyring fixture)."""
    from app.assistant.gemini.model import RetryPolicy
    from app.workspace import Workspace

    opened = Workspace(retry=RetryPolicy(backoff=(0.05, 0.05)))
    yield opened
    qloop.run_until_complete(opened.close())


def open_window(workspace):
    from app.ui.main_window import MainWindow
    from app.ui.task_runner import TaskRunner

    shown = MainWindow(workspace.store, workspace.conversations, workspace.settings,
                       workspace.keys, workspace.agent, TaskRunner())
    shown.show()
    return shown


def close_window(qtbot, window) -> None:
    """What quitting does to a window: stop its turns, save its state, then delete it."""
    if getattr(window, "closed_by_test", False):
        return
    window.closed_by_test = True
    done = asyncio.ensure_future(asyncio.gather(window.shutdown(), window.runner.stop()))
    qtbot.waitUntil(done.done, timeout=10_000)
    done.result()
    window.deleteLater()


@pytest.fixture
def window(qtbot, workspace, gemini, memory_keyring):
    """The real main window, talking to a fake Gemini, with a key in the (test) keyring."""
    from conftest import TEST_KEY

    from app.config.keystore import SERVICE, USERNAME

    memory_keyring.set_password(SERVICE, USERNAME, TEST_KEY)
    workspace.settings.set("base_url", gemini.base_url)
    shown = open_window(workspace)
    qtbot.waitExposed(shown)
    yield shown
    close_window(qtbot, shown)


@pytest.fixture
def make_panel(qtbot, store):
    """Shown task panels on this test's store; each is shut down before the store closes, as
    the main window does."""
    from app.ui.tasks.task_panel import TaskPanel

    made = []

    def make(width: int = 600, height: int = 400) -> TaskPanel:
        panel = TaskPanel(store)
        qtbot.addWidget(panel)
        panel.resize(width, height)
        panel.show()
        qtbot.waitExposed(panel)
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.shutdown()
