"""Sync in the background, as policy: when a run is due and what one run tells the status line.

The running app syncs at start, every 5 minutes and ~10 s after a change made here (a burst of
changes is one run). Being offline is a state the next run clears, not a stream of errors, so a
run's outcome is one quiet line plus the details a click shows. The timers and the thread hop are
the UI's (app/ui/background_sync.py); everything that decides is here, without Qt.
"""

from collections import namedtuple
from pathlib import Path

from app.common import clock
from app.common.errors import UserError
from app.sync.service import SyncService
from app.tasks import TaskStore

EVERY_SECONDS = 5 * 60
AFTER_CHANGE_SECONDS = 10

# state: "off" (no account), "syncing", "ok", "offline", "refused", "error"
SyncStatus = namedtuple("SyncStatus", ("state", "text", "detail"))
OFF = SyncStatus("off", "", "")


def run_once(service: SyncService, store_path: Path, current: SyncStatus) -> SyncStatus:
    """One run with its own connection to the tasks file (callers run it on a worker thread),
    and the status it leaves. `current` stays when another process holds the sync."""
    from app.sync.connection import SyncError
    from app.sync.lock import SyncBusyError

    at = clock.now().astimezone().strftime("%H:%M")
    try:
        if service.account() is None:  # inside: a busy or damaged sync file is a status too
            return OFF
        with TaskStore(store_path) as store:
            summary = service.sync_now(store)
            status = service.status(store)  # None: the account was removed meanwhile
            conflicts = status.conflicts[:summary.conflicts] if status else ()
    except SyncBusyError:
        return current  # `sync now` in a terminal is running it
    except SyncError as error:
        if error.kind == "offline":
            return SyncStatus("offline", f"Offline since {at}; sync will retry", str(error))
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
