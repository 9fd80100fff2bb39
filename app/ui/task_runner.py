"""Background coroutines for widgets, kept alive until they finish and stoppable at quit.

qasync's @asyncSlot keeps no strong reference to the task it creates (fixed only on qasync's
master after 0.28), so the garbage collector may drop a running coroutine; a widget starts its
coroutines here instead: the set below keeps them alive, and `stop()` cancels and awaits them
all when the app quits, so nothing is left pending.
"""

import asyncio
from collections.abc import Coroutine


class TaskRunner:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def start(self, coroutine: Coroutine) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    @property
    def running(self) -> int:
        return len(self._tasks)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            # Widgets turn expected failures into sentences themselves; anything else is a bug,
            # and goes to the log rather than onto the screen.
            from app.common.crash_log import record

            record(error)

    async def stop(self, timeout: float = 3.0) -> None:
        """Cancel every running coroutine and wait (bounded) for their clean-up to run."""
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
