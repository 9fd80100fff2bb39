"""The one way a core object tells its views about a change (the window, the tray, the CLI)."""

import threading
from collections.abc import Callable


class Listeners:
    """Callbacks called after each committed change; one failing never stops the others or
    undoes the change it was told about."""

    def __init__(self, owner: str):
        self._owner = owner
        self._callbacks: list[Callable[..., object]] = []
        self._lock = threading.Lock()  # settings change from worker threads too

    def subscribe(self, callback: Callable[..., object]) -> Callable[[], None]:
        """Start calling `callback`; returns the function that stops it."""
        with self._lock:
            self._callbacks.append(callback)
        return lambda: self._unsubscribe(callback)

    def _unsubscribe(self, callback: Callable[..., object]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def notify(self, *args: object) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(*args)
            except Exception:
                import logging  # only on this rare path: logging costs start-up time

                logging.getLogger(__name__).exception("a %s listener failed", self._owner)
