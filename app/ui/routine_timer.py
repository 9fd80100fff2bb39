"""The running app's routines: one single-shot QTimer armed for the next run. The decisions
(what is due, what was missed, who runs it) are RoutineScheduler's, tested without a display.

A QTimer counts monotonic time, which stops while the computer sleeps: the timer is armed for
at most MAX_WAIT_MS, so a run missed in sleep happens within that of the wake (and only once:
the scheduler decides). A run that failed for a passing reason is tried once more when the
system says the network is back, or else at the next look.
"""

from PySide6.QtCore import QObject, QTimer, Signal

from app.common import clock
from app.common.errors import UserError
from app.routines.scheduler import RoutineScheduler
from app.routines.store import RoutineStore
from app.ui.task_runner import TaskRunner

MAX_WAIT_MS = 15 * 60_000


class RoutineTimer(QObject):
    ran = Signal(object)        # a RunOutcome: the shell tells the user
    problem = Signal(str)       # one sentence (the routines could not be read)

    def __init__(self, scheduler: RoutineScheduler, runner: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scheduler = scheduler
        self._runner = runner
        self._busy = False
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.check)
        self._watching = False  # the network, once a run waits to be tried again

    @property
    def routines(self) -> RoutineStore:
        return self.scheduler.routines

    def start(self) -> None:
        """At start: a run missed while the app was closed happens now (if still its day)."""
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        if not self._busy:
            self._busy = True
            self._runner.start(self._check())

    def rearm(self) -> None:
        """The routines changed (Settings, another process): the next run may be another."""
        if not self._busy:
            self._arm()

    def run_now(self, name: str) -> None:
        self._runner.start(self._run_now(name))

    async def _check(self) -> None:
        try:
            retries = self.scheduler.retry_failed() if self.scheduler.has_retries else None
            for outcome in [*(await retries if retries else []),
                            *await self.scheduler.run_due()]:
                self.ran.emit(outcome)
        except UserError as error:
            self.problem.emit(str(error))
        finally:
            self._busy = False
            self._arm()

    async def _run_now(self, name: str) -> None:
        try:
            routine = self.routines.get(name)
            now = clock.now()
            self.routines.claim(routine.name, now, manual=True)
            self.ran.emit(await self.scheduler.run_one(routine, now))
        except UserError as error:
            self.problem.emit(str(error))

    def _arm(self) -> None:
        if self.scheduler.has_retries and not self._watching:
            self._watch_network()
        try:
            wake = self.scheduler.next_wake()
        except UserError as error:
            self.problem.emit(str(error))
            wake = None
        if wake is None and not self.scheduler.has_retries:
            self.timer.stop()
            return
        wait = MAX_WAIT_MS if wake is None else (wake - clock.now()).total_seconds() * 1000
        self.timer.start(int(min(max(wait, 0), MAX_WAIT_MS)) + 50)

    def _watch_network(self) -> None:
        """Only once a run failed for a passing reason: the reachability backend loads GLib's
        GIO and Qt's network-information plugin, ~2.5 MB resident for the whole session, and
        until a run waits to be tried again there is nothing for it to report."""
        from PySide6.QtNetwork import QNetworkInformation

        self._watching = True
        if not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability):
            return  # no backend here: a failed run is tried again at the next look
        info = QNetworkInformation.instance()
        info.reachabilityChanged.connect(self._reachability_changed)

    def _reachability_changed(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online \
                and self.scheduler.has_retries:
            self.check()
