"""What the running app runs, and when it should look again: the logic behind the window's
and the tray's timer (app/ui/routine_timer.py only arms a QTimer for `next_wake`).

Each due occurrence is claimed in the store before it runs, so the window and a `--tray`
started together never both run it. A run that failed for a reason that may pass (offline,
no key, quota) is retried once, when the front end says the network is back; never again.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from app.common import clock
from app.routines.model import Routine
from app.routines.schedule import missed_or_due, next_run
from app.routines.store import RoutineStore
from app.routines.unattended import RunOutcome

# (routine, occurrence, conversation to continue or None) -> what happened
Run = Callable[[Routine, datetime, str | None], Awaitable[RunOutcome]]


class RoutineScheduler:
    def __init__(self, routines: RoutineStore, run: Run) -> None:
        self.routines = routines
        self._run = run
        self._retries: list[tuple[Routine, datetime, str]] = []  # each tried once more, at most

    def next_wake(self, now: datetime | None = None) -> datetime | None:
        """When the next enabled routine runs; None when none is on."""
        now = now or clock.now()
        times = [found for routine in self.routines.stored() if routine.enabled
                 if (found := next_run(routine.rule, now)) is not None]
        return min(times, default=None)

    def claim_due(self, now: datetime | None = None) -> list[tuple[Routine, datetime]]:
        """The occurrences due now (a missed one of today included) that this process won."""
        now = now or clock.now()
        due = [(routine, occurrence) for routine in self.routines.stored() if routine.enabled
               if (occurrence := missed_or_due(routine, now)) is not None]
        return [(routine, occurrence) for routine, occurrence in due
                if self.routines.claim(routine.name, occurrence)]

    async def run_due(self, now: datetime | None = None) -> list[RunOutcome]:
        outcomes = []
        for routine, occurrence in self.claim_due(now):
            outcome = await self._attempt(routine, occurrence, None)
            if outcome.retry_later:
                self._retries.append((routine, occurrence, outcome.conversation_id))
            outcomes.append(outcome)
        return outcomes

    async def run_one(self, routine: Routine, when: datetime) -> RunOutcome:
        """A run asked for by hand ("Run now"): its failure is told, never retried."""
        return await self._attempt(routine, when, None)

    @property
    def has_retries(self) -> bool:
        return bool(self._retries)

    async def retry_failed(self) -> list[RunOutcome]:
        """The one more try of each run that failed for a passing reason."""
        retries, self._retries = self._retries, []
        return [await self._attempt(*retry) for retry in retries]

    async def _attempt(self, routine: Routine, occurrence: datetime,
                       conversation_id: str | None) -> RunOutcome:
        outcome = await self._run(routine, occurrence, conversation_id)
        self.routines.record_outcome(routine.name, outcome.conversation_id,
                                     outcome.failure or "ran")
        return outcome


def agent_run(loader, conversations, tasks) -> Run:
    """The running app's Run: the shared agent (loaded once), its stores."""
    from app.routines.unattended import run_routine

    async def run(routine: Routine, when: datetime, conversation_id: str | None) -> RunOutcome:
        return await run_routine(routine, when, assistant=await loader.get(),
                                 conversations=conversations, tasks=tasks,
                                 conversation_id=conversation_id)
    return run
