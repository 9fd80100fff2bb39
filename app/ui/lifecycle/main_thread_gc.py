"""Python's cycle collector runs on whichever thread happens to allocate when a threshold is
crossed: the agent stack's import on the loader thread, a sync worker, asyncio.to_thread. If the
garbage it finds holds a Qt object (a closed dialog, a window's Python wrapper in a cycle with
its slots), that object is destroyed on the worker thread while the GUI thread may be using
it: a rare crash, at a random moment. So the automatic collector is held, and the GUI
thread collects instead, by the same thresholds, on a short timer (as Calibre and pyqtgraph do).
"""

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 1000  # garbage waits at most this long; streaming frees most by refcount anyway


def hold_automatic_collection() -> None:
    gc.disable()


def collect_due() -> None:
    """The collections the automatic collector would have made by now: generation 0 when its
    count is over the threshold, and the older ones in turn, as CPython decides."""
    young, middle, old = gc.get_threshold()
    count0, count1, count2 = gc.get_count()
    if count0 <= young:
        return
    if count1 <= middle:
        gc.collect(0)
    elif count2 <= old:
        gc.collect(1)
    else:
        gc.collect(2)


class MainThreadCollector(QObject):
    """While it lives, cycles are collected on the thread that made it (the GUI thread)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        hold_automatic_collection()
        self._timer = QTimer(self, interval=CHECK_MS)
        self._timer.timeout.connect(collect_due)
        self._timer.start()
