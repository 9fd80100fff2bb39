"""The app's asyncio loop: qasync's, with asyncio's own care for async generators.

asyncio's loops install hooks while they run (sys.set_asyncgen_hooks) so that an async generator
dropped before its end, such as an answer's HTTP stream when the user stops it or quits, is
closed by a task on the loop, where its cleanup can await (httpx closing the connection), and
so that the Runner's shutdown_asyncgens() finds what is still open. qasync's run_forever runs
Qt's loop instead of asyncio's and installs none: the garbage collector closed such a stream
outside any loop, its cleanup failed ("unraisable exception ... no async library"), and the
connection was left to the process's end. The same care covers the last run of Qt's queue that
qasync's run_until_complete makes after its loop has stopped.
"""

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import qasync


@contextmanager
def async_generators_closed_on(loop) -> Iterator[None]:
    """While it lasts, async generators are tracked and closed by `loop`, as asyncio's
    run_forever does (the hooks are the loop's own, which shutdown_asyncgens relies on)."""
    before = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook,
                           finalizer=loop._asyncgen_finalizer_hook)
    try:
        yield
    finally:
        sys.set_asyncgen_hooks(*before)


class AppEventLoop(qasync.QEventLoop):
    _finishing = False  # inside run_until_complete, which runs Qt's queue once more at its end

    def run_until_complete(self, future):
        # What was running before comes back after: this loop itself when the call is refused
        # ("already running") or made from a slot inside the last pass, else none.
        before = asyncio.events._get_running_loop()
        self._finishing = True
        try:
            with async_generators_closed_on(self):
                return super().run_until_complete(future)
        finally:
            self._finishing = False
            asyncio.events._set_running_loop(before)

    def run_forever(self):
        with async_generators_closed_on(self):
            try:
                return super().run_forever()
            finally:
                # qasync's run_until_complete then runs Qt's queue one last time, where a task
                # queued as the loop stopped takes its step: a stream dropped as the app quits
                # closes its connection there. Outside a running loop its cleanup failed (httpx
                # asks for the running loop first: "Task exception was never retrieved").
                if self._finishing:
                    asyncio.events._set_running_loop(self)
