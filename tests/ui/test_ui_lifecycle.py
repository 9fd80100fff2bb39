"""Starting and quitting the real app: the window before the agent stack, a clean exit always."""

import asyncio
import logging
import signal
import subprocess
import time

import pytest
from conftest import CLI, TEST_KEY, cli_env
from fake_gemini import text
from qt_fixtures import FINISHED_LOOPS

OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def test_quitting_mid_answer_stops_the_stream_closes_the_files_and_returns_0(
        qapp, app_home, gemini, monkeypatch, caplog):
    from ui_helpers import answer_text

    from app.ui.lifecycle.desktop import run

    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)
    monkeypatch.setenv("TASK_ASSISTANT_BASE_URL", gemini.base_url)
    gemini.enqueue(text(*[f"word{n} " for n in range(500)], delay=0.02))
    seen = {}

    def shown(window):
        from PySide6.QtCore import QTimer

        seen["window"] = window
        FINISHED_LOOPS.append(asyncio.get_running_loop())
        seen["title"], seen["icon"] = window.windowTitle(), window.windowIcon()
        window.chat.send("tell me everything")

        def quit_once_streaming():
            if "word3" in answer_text(window):
                seen["partial"] = answer_text(window)
                window.quit_requested.emit()  # what Ctrl+Q does
            else:
                QTimer.singleShot(10, quit_once_streaming)

        quit_once_streaming()

    with caplog.at_level(logging.WARNING):
        assert run(on_shown=shown) == 0
    assert "word499" not in seen["partial"]
    assert seen["title"].startswith("Task Assistant") and not seen["icon"].isNull()
    with pytest.raises(Exception, match="closed"):  # the databases were closed on the way out
        seen["window"].conversations.list()
    assert not [r for r in caplog.records if "pending" in r.getMessage()
                or "never retrieved" in r.getMessage()]


def run_on_the_apps_loop(qapp, coroutine):
    """Runs `coroutine` to its end on the app's own loop, as desktop.run does; its result."""
    from app.ui.lifecycle.event_loop import AppEventLoop

    with asyncio.Runner(loop_factory=lambda: AppEventLoop(qapp)) as runner:
        result = runner.run(coroutine)
        FINISHED_LOOPS.append(runner.get_loop())
    return result


def test_a_stream_dropped_mid_answer_is_closed_on_the_loop_where_its_cleanup_can_await(qapp):
    """An answer's HTTP stream dropped before its end (Stop, or quitting mid-answer) closes its
    connection in cleanup that awaits. The app's loop runs that cleanup as a task on the loop;
    qasync's own loop left it to the garbage collector, outside any loop, where it failed."""
    closed_on = []

    async def stream():
        try:
            yield "word0"
            yield "word1"
        finally:
            await asyncio.sleep(0)  # closing a connection awaits
            closed_on.append(asyncio.get_running_loop())

    async def answer_then_stop():
        chunks = stream()
        await anext(chunks)
        del chunks  # the answer is stopped: nothing holds its stream any more
        for _ in range(3):  # a few turns of the loop, for the cleanup's task
            await asyncio.sleep(0)
        return asyncio.get_running_loop()

    loop = run_on_the_apps_loop(qapp, answer_then_stop())
    assert closed_on == [loop]


def test_a_stream_dropped_as_the_loop_stops_is_closed_with_the_loop_running(qapp):
    """After its loop stops, qasync runs Qt's queue once more. A stream dropped then (the last
    answer's, as the app quits) has its cleanup start there: it must find the loop running, as
    in asyncio's own loop, or httpx's cleanup fails ("Task exception was never retrieved").
    As in asyncio's own Runner, what follows the cleanup's first await is not waited for: the
    app closes the HTTP client's connections itself before it leaves (workspace.close)."""
    cleaned_up = []

    async def stream():
        try:
            yield "word0"
            yield "word1"
        finally:
            cleaned_up.append(asyncio.get_running_loop())  # what httpx's cleanup asks first
            await asyncio.sleep(0)  # closing a connection awaits

    held = []

    async def answer_then_quit():
        held.append(stream())
        await anext(held[0])
        held.clear()  # the answer ends as the app quits: its cleanup is queued as the loop stops
        return asyncio.get_running_loop()

    loop = run_on_the_apps_loop(qapp, answer_then_quit())
    assert cleaned_up == [loop]


def test_a_refused_run_leaves_the_running_loop_as_it_was(qapp):
    """run_until_complete called while the loop runs is refused; the loop stays the running
    one for the code after it (asyncio.get_running_loop() keeps working)."""
    async def refused_inside():
        loop = asyncio.get_running_loop()
        with pytest.raises(RuntimeError, match="already running"):
            loop.run_until_complete(loop.create_future())
        return asyncio.get_running_loop()

    run_on_the_apps_loop(qapp, refused_inside())  # get_running_loop() there did not raise
    assert asyncio.events._get_running_loop() is None  # and none once it has finished


def start_app(app_home, **env) -> subprocess.Popen:
    return subprocess.Popen(CLI, env=cli_env(app_home, QT_QPA_PLATFORM="offscreen", **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_window(app_home, process, timeout=30.0) -> None:
    """The window opens its first conversation as it is built: that row is the sign it is up."""
    import sqlite3

    database = app_home / "conversations.sqlite3"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if database.exists():
            with sqlite3.connect(database) as connection:
                try:
                    if connection.execute("SELECT count(*) FROM conversations").fetchone()[0]:
                        return
                except sqlite3.OperationalError:
                    pass  # created but not migrated yet
        time.sleep(0.05)
    raise AssertionError("the window did not open")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_ctrl_c_quit_cleanly_with_exit_0(app_home, how):
    process = start_app(app_home, PYTHONFAULTHANDLER="1")
    wait_for_window(app_home, process)
    process.send_signal(how)
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # where it hangs: faulthandler prints every thread
        process.send_signal(signal.SIGABRT)
        raise AssertionError(f"still running 20 s after {how.name}:\n"
                             f"{process.communicate(timeout=20)[1]}") from None
    assert process.returncode == 0
    problems = [line for line in err.splitlines() if line.strip() and OFFSCREEN_NOISE not in line]
    assert problems == []
    assert (app_home / "window.ini").exists()  # the window saved its place on the way out



def test_garbage_holding_a_qt_object_is_freed_on_the_gui_thread_not_a_worker(qtbot):
    """A worker that allocates (the agent stack's import, a sync) must not be the thread that
    frees a widget: the app's collector holds Python's automatic one and collects here."""
    import gc
    import threading
    import weakref

    from PySide6.QtWidgets import QWidget

    from app.ui.lifecycle.main_thread_gc import MainThreadCollector

    gc.collect()
    gc.enable()  # as a fresh process starts; the suite itself holds it (conftest)
    collector = MainThreadCollector()
    try:
        freed_on = []
        widget = QWidget()
        widget.itself = widget  # a cycle: only the cycle collector can free it
        weakref.finalize(widget, lambda: freed_on.append(threading.current_thread()))
        del widget
        kept: list = []  # what the worker made stays: the collector's count stays over threshold
        worker = threading.Thread(target=lambda: kept.extend([n] for n in range(20_000)))
        worker.start()
        worker.join()
        assert freed_on == []  # the worker's allocations collected nothing
        qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
        assert freed_on == [threading.main_thread()]
    finally:
        collector.deleteLater()
        gc.disable()


def test_a_quit_signal_is_acted_on_from_the_event_loop_not_inside_running_code(qtbot):
    """The quit runs where the event loop is ready for it, never between two bytecodes of
    whatever was running when the signal came (where setting an asyncio event can be lost)."""
    import os

    from app.ui.lifecycle.quit_signals import QuitSignals

    running = [True]
    quits: list[bool] = []
    signals = QuitSignals(lambda: quits.append(running[0]))
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(10_000):  # code running on: a Python handler would run in here
            pass
        running[0] = False
        qtbot.waitUntil(lambda: bool(quits))
        assert quits == [False]
    finally:
        signals.restore()
