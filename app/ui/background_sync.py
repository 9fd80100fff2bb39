"""Sync in the background: at start, every 5 minutes, and ~10 s after a change made here.

Each run happens on a worker thread with its own connection to the tasks file, so the window
never waits for the network; the task panel learns of what sync wrote the way it learns of the
CLI's writes (LiveUpdates' outside-write poll, asked right after the run). The status is one
quiet line: being offline is a state that the next run clears, not a stream of errors.
"""

import asyncio
from collections import namedtuple

from PySide6.QtCore import QObject, QTimer, Signal

from app.common import clock
from app.common.errors import UserError
from app.sync.service import SyncService
from app.tasks import TaskStore
from app.ui.live_updates import LiveUpdates
from app.ui.task_runner import TaskRunner

EVERY_MS = 5 * 60 * 1000
AFTER_CHANGE_MS = 10 * 1000

# state: "off" (no account), "syncing", "ok", "offline", "refused", "error"
SyncStatus = namedtuple("SyncStatus", ("state", "text", "detail"))


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
        self.status = SyncStatus("off", "", "")
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
        try:
            if self.status.state != "off":
                self._set(SyncStatus("syncing", "Syncing…", self.status.detail))
            self._set(await asyncio.to_thread(self._run))
            self._live.poll()  # show what sync wrote now, not at the next poll
        finally:
            self._running = False
        if self._again:
            self._again = False
            self._runner.start(self.sync_now())
        return self.status

    def _run(self) -> SyncStatus:
        """On the worker thread: its own store connection, closed again."""
        from app.sync.connection import SyncError
        from app.sync.lock import SyncBusyError

        if self.service.account() is None:
            return SyncStatus("off", "", "")
        at = clock.now().astimezone().strftime("%H:%M")
        try:
            with TaskStore(self._store_path) as store:
                summary = self.service.sync_now(store)
                conflicts = self.service.status(store).conflicts[:summary.conflicts]
        except SyncBusyError:
            return self.status  # `sync now` in a terminal is running it
        except SyncError as error:
            if error.kind == "offline":
                return SyncStatus("offline", f"Offline since {at}; sync will retry",
                                  str(error))
            return SyncStatus("refused" if error.kind == "refused" else "error",
                              "Sync needs attention", str(error))
        except UserError as error:
            return SyncStatus("error", "Sync needs attention", str(error))
        # The counts are in the text once; the detail holds only what they don't say.
        detail = "\n".join((*summary.notes, *(conflict.sentence for conflict in conflicts)))
        text = f"Synced {at}"
        if summary.sent or summary.received:
            text += f" · {summary.line()}"
        return SyncStatus("ok", text, detail)

    def _set(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

