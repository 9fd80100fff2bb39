"""The running app's sync: the timers and the worker-thread hop around app/sync/background.py,
which decides when a run is due and what it tells the status line. The task panel learns of what
sync wrote the way it learns of the CLI's writes (LiveUpdates' outside-write poll, asked right
after the run).
"""

import asyncio

from PySide6.QtCore import QObject, QTimer, Signal

from app.sync.background import AFTER_CHANGE_SECONDS, EVERY_SECONDS, OFF, SyncStatus, run_once
from app.sync.service import SyncService
from app.tasks import TaskStore
from app.ui.live_updates import LiveUpdates
from app.ui.task_runner import TaskRunner

EVERY_MS = EVERY_SECONDS * 1000
AFTER_CHANGE_MS = AFTER_CHANGE_SECONDS * 1000


class BackgroundSync(QObject):
    status_changed = Signal(object)  # a SyncStatus

    def __init__(self, service: SyncService, store: TaskStore, live: LiveUpdates,
                 runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._store_path = store.path
        self._live = live
        self._runner = runner
        self._running = False
        self._again = False  # a change arrived during a run: run once more after it
        self.status = OFF
        self.every = QTimer(self, interval=EVERY_MS)
        self.every.timeout.connect(self.sync_soon)
        self.after_change = QTimer(self, singleShot=True, interval=AFTER_CHANGE_MS)
        self.after_change.timeout.connect(self.sync_soon)
        live.tasks_changed.connect(self._task_changed)

    def start(self) -> None:
        """The first run now, then every EVERY_MS."""
        self.every.start()
        self.sync_soon()

    def stop(self) -> None:
        self.every.stop()
        self.after_change.stop()

    def _task_changed(self, change) -> None:
        if change.kind != "external":  # sync's own writes arrive as another connection's
            self.after_change.start()  # restarted by each change: one run after a burst

    def sync_soon(self) -> None:
        if self._running:
            self._again = True
            return
        self._runner.start(self.sync_now())

    async def sync_now(self) -> SyncStatus:
        """One run on a worker thread; the status says how it went."""
        if self._running:
            self._again = True
            return self.status
        self._running = True
        before = self.status  # what stays when a terminal's `sync now` holds the sync
        try:
            if self.status.state != "off":
                self._set(SyncStatus("syncing", "Syncing…", self.status.detail))
            self._set(await asyncio.to_thread(run_once, self.service, self._store_path, before))
            self._live.poll()  # show what sync wrote now, not at the next poll
        finally:
            self._running = False
        if self._again:
            self._again = False
            self._runner.start(self.sync_now())
        return self.status

    def _set(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

