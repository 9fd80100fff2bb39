"""pytest-qt with a qasync event loop, so widgets that run coroutines can be tested directly.

`qloop` makes a qasync loop current for one test: the widget starts its asyncio tasks, and
`qtbot.waitUntil(...)` spins the Qt event loop, which runs them. Afterwards whatever is still
running is cancelled and awaited, so no test leaks a task into the next.
"""

import asyncio

import pytest


@pytest.fixture
def qloop(qapp):
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    # qtbot spins Qt's event loop, which runs the loop's callbacks, but asyncio only counts a
    # loop as running inside run_forever: mark it running, as the app's loop is, so that code
    # asking for the running loop (asyncio.to_thread, httpx) finds it.
    asyncio.events._set_running_loop(loop)
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


@pytest.fixture
def workspace(app_home, qloop):
    """The app's shared state in this test's data dir (key from the keyring fixture)."""
    from app.assistant.gemini_model import RetryPolicy
    from app.workspace import Workspace

    opened = Workspace(retry=RetryPolicy(backoff=(0.05, 0.05)))
    yield opened
    qloop.run_until_complete(opened.close())
