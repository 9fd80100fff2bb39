"""The one way changes reach the views: every write, this process's or another's, as a signal.

The stores and the settings announce their own writes through their listeners, from whichever
thread wrote (settings and keys are saved on worker threads; the agent's tools run on the event
loop). Here each announcement becomes a signal queued to the GUI thread, so a view never updates
in the middle of the write, or of its own event handler, that caused it. Writes by other
processes (`task-assistant tasks`, `task-assistant ask`, another copy) are detected here, once
for every view and for the reminders, by a poll of SQLite's data_version; the stores then announce
them like their own.
"""

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.common import clock, crash_log
from app.config.settings import Settings
from app.conversations.store import ConversationStore
from app.tasks import TaskStore


class LiveUpdates(QObject):
    tasks_changed = Signal(object)             # a TaskChange
    conversations_changed = Signal(str, str)   # kind, conversation id ("" for an outside write)
    setting_changed = Signal(str)              # the setting's name
    day_changed = Signal()                     # past midnight: Today and Upcoming hold others
    stopped = Signal()                         # detecting outside writes failed (it is logged)

    POLL_INTERVAL_MS = 1000  # how soon a write by another process shows

    # Emitted from any thread; each is connected, queued, to its public twin above.
    _tasks = Signal(object)
    _conversations = Signal(str, str)
    _setting = Signal(str)

    def __init__(self, store: TaskStore, conversations: ConversationStore | None = None,
                 settings: Settings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._conversations_store = conversations
        self._settings = settings
        queued = Qt.ConnectionType.QueuedConnection
        self._tasks.connect(self.tasks_changed, queued)
        self._conversations.connect(self.conversations_changed, queued)
        self._setting.connect(self.setting_changed, queued)
        stops = [store.subscribe(self._tasks.emit)]
        if conversations is not None:
            stops.append(conversations.subscribe(self._conversations.emit))
        if settings is not None:
            stops.append(settings.subscribe(self._setting.emit))
        self._unsubscribe = lambda: [stop() for stop in stops]
        # `destroyed` fires after the Python side is gone, so it must not call into self.
        unsubscribe = self._unsubscribe
        self.destroyed.connect(lambda *_: unsubscribe())

        self._today = clock.today()
        self.poll_timer = QTimer(self, interval=self.POLL_INTERVAL_MS)
        self.poll_timer.timeout.connect(self.poll)
        self.poll_timer.start()

    def poll(self) -> None:
        """Announce writes by other processes, and the day changing at midnight."""
        try:
            self._store.poll_external_changes()
            if self._conversations_store is not None:
                self._conversations_store.poll_external_changes()
            if self._settings is not None:
                self._settings.poll_external_changes()
        except Exception as error:
            self.poll_timer.stop()  # one log entry, not one a second
            crash_log.record(error)
            self.stopped.emit()
            return
        if clock.today() != self._today:
            self._today = clock.today()
            self.day_changed.emit()

    def stop(self) -> None:
        """Stop watching (before the stores close); safe to call twice."""
        self.poll_timer.stop()
        self._unsubscribe()
