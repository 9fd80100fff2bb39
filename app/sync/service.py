"""The sync account and its runs, as the CLI and the window use them (blocking; Qt-free).

`SyncService` owns where things are: the state file beside the tasks, the password in the
keyring (TASK_ASSISTANT_SYNC_PASSWORD overriding it), the lock that keeps syncs one at a time.
The sync engine (and icalendar under it, ~7 MB) is imported only once there is an account: the
window builds a SyncService at start-up whether or not the user ever syncs.
"""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path
from typing import TYPE_CHECKING

from app.common.errors import UserError
from app.config.keystore import SYNC_PASSWORD, KeyStore
from app.sync import connection
from app.sync.lock import SyncLock
from app.sync.state import FILE_NAME, Account, Run, SyncState
from app.tasks.when.dates import timestamp

if TYPE_CHECKING:
    from app.sync.engine import Summary
    from app.tasks import TaskStore

NO_ACCOUNT = "No sync account is set up: add one with `task-assistant sync add URL --user NAME`."

Status = namedtuple("Status", ("account", "calendars", "last_run", "pending", "conflicts",
                               "password_source"))


class SyncService:
    def __init__(self, data_dir: Path, keys: KeyStore | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.state_path = self.data_dir / FILE_NAME
        self.keys = keys or KeyStore(secret=SYNC_PASSWORD)

    def _state(self) -> SyncState:
        return SyncState(self.state_path)

    def account(self) -> Account | None:
        with self._state() as state:
            return state.account()

    # -- the account --------------------------------------------------------------------------

    def add(self, url: str, username: str, password: str, *, allow_http: bool = False) -> list[str]:
        """Check the account on the server, then save it; returns the task calendars found.

        Nothing is saved when the server cannot be reached or refuses the password."""
        url = connection.check_url(url, allow_http=allow_http)
        username = (username or "").strip()
        if not username:
            raise UserError("Give the account's user name with --user.")
        from app.config.keystore import check_password

        password = check_password(password)
        from app.common.redact import remember

        remember(password)
        _, principal = connection.discover(url, username, password)
        home = connection.call(lambda: principal.calendar_home_set, url)
        calendars = connection.call(home.get_calendars, url)
        names = [connection.call(calendar.get_display_name, url) or str(calendar.url)
                 for calendar in calendars
                 if "VTODO" in connection.call(calendar.get_supported_components, url)]
        if self.keys.source() != "environment":  # headless: the variable is the password's home
            self.keys.set(password)
        with self._state() as state:
            state.save_account(Account(url, username, allow_http, str(home.url)))
        return names

    def test(self, url: str, username: str, password: str, *, allow_http: bool = False) -> str:
        """One sentence saying whether these details reach an account; saves nothing."""
        url = connection.check_url(url, allow_http=allow_http)
        connection.discover(url, username.strip(), password)
        return f"Connected to {connection.host_of(url)} as {username.strip()}."

    def remove(self) -> bool:
        """Forget the account and what was synced; the tasks stay."""
        with self._state() as state:
            had = state.remove_account()
        try:
            self.keys.clear()
        except UserError:
            pass  # no keyring: nothing was stored there
        return had

    def given_or_stored(self, password: str, url: str, username: str, *,
                        allow_http: bool = False) -> str:
        """The password typed, or, when none was, the one the app already has: Test and
        Connect work without typing it again. The keyring's password is the saved account's,
        so it goes only to that account's URL and user, never to another host someone typed;
        the environment variable is the password for whatever account this machine is given.
        The fields are checked in the order a person fills them: the server, the user, then
        the password."""
        connection.check_url(url, allow_http=allow_http)
        if not (username or "").strip():
            raise UserError("Give the account's user name.")
        if password:
            return password
        if self.keys.source() == "environment":
            return self.keys.get() or ""
        account = self.account()
        if account is None or (connection.check_url(url, allow_http=allow_http),
                               (username or "").strip()) != (account.url, account.username):
            raise UserError("Type the password for this account.")
        return self.keys.get() or ""

    def password(self) -> str:
        password = self.keys.get()
        if not password:
            raise UserError("The sync password is not in the keyring: run `task-assistant sync "
                            "add` again, or set TASK_ASSISTANT_SYNC_PASSWORD.")
        return password

    # -- syncing ------------------------------------------------------------------------------

    def sync_now(self, store: TaskStore) -> Summary:
        """One full two-way sync; SyncError (one sentence, with its kind) when it cannot run."""
        from app.sync.engine import Sync
        from app.sync.local import LocalTasks

        with SyncLock(self.data_dir / "sync.lock"), self._state() as state:
            account = state.account()
            if account is None:
                raise UserError(NO_ACCOUNT)
            # Every failure from here is a failed run, and `sync status` says so with its
            # sentence, rather than still showing the last run that went well.
            try:
                connection.check_url(account.url, allow_http=account.allow_http)
                davclient = connection.client(account.home_url, account.username,
                                              self.password())
                summary = Sync(state, LocalTasks(store), davclient, account.url).run()
            except UserError as error:
                state.record_run(Run(timestamp(), False, str(error)))
                raise
            except Exception as error:  # a bug: the front end logs it; status names it
                state.record_run(Run(timestamp(), False, f"Something went wrong "
                                     f"({type(error).__name__}); see the log."))
                raise
            state.record_run(Run(timestamp(), True, summary.report()))
            return summary

    def status(self, store: TaskStore) -> Status | None:
        with self._state() as state:
            account = state.account()
            if account is None:
                return None
            from app.sync.local import LocalTasks
            from app.sync.merge import pending

            local = LocalTasks(store)
            items = {item.task_id: item for item in state.items()}
            tasks = local.all()
            count = sum(1 for task_id in {*tasks, *items}
                        if pending(items.get(task_id), tasks.get(task_id), local.names))
            return Status(account, state.calendars(), state.last_run(), count,
                          state.conflicts(5), self.password_source())

    def password_source(self) -> str | None:
        """"environment" (TASK_ASSISTANT_SYNC_PASSWORD), "keyring", or None when there is none
        (or no keyring to ask)."""
        try:
            return self.keys.source()
        except UserError:
            return None
