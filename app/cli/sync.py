"""`task-assistant sync add|status|now|remove`: two-way sync with a CalDAV server.

The password is read from a hidden prompt or standard input, never from the command line
(arguments land in shell history and in every user's `ps` listing).
"""

import argparse
import json
import sys

from app.common.errors import UserError

PASSWORD_ENV = "TASK_ASSISTANT_SYNC_PASSWORD"


def register(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser("sync", help="sync tasks with a CalDAV server (Nextcloud, "
                                            "Fastmail, Radicale…)")
    actions = sync.add_subparsers(dest="action", metavar="ACTION", required=True,
                                  parser_class=type(sync))
    add = actions.add_parser("add", help="connect an account (the password is asked for, or "
                                         "read from standard input)")
    add.add_argument("url", help="the server, e.g. https://cloud.example.com/remote.php/dav or "
                                 "just cloud.example.com")
    add.add_argument("--user", required=True, help="the account's user name")
    add.add_argument("--allow-http", action="store_true",
                     help="allow plain http to a host other than this machine (the password "
                          "crosses the network readable)")
    add.set_defaults(run=_add)
    status = actions.add_parser("status", help="the account, its calendars, the last sync and "
                                               "pending changes")
    status.add_argument("--json", action="store_true", help="print it as JSON")
    status.set_defaults(run=_status)
    now = actions.add_parser("now", help="sync both ways now")
    now.set_defaults(run=_now)
    remove = actions.add_parser("remove", help="forget the account (the tasks stay)")
    remove.set_defaults(run=_remove)


def _service():
    from app.common.paths import data_dir
    from app.sync.service import SyncService

    return SyncService(data_dir())


def _store():
    from app.common.paths import tasks_db_path
    from app.tasks import TaskStore

    return TaskStore(tasks_db_path())


def _read_password() -> str:
    import os

    if os.environ.get(PASSWORD_ENV):  # headless machines keep it in the environment
        return os.environ[PASSWORD_ENV]
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        try:
            password = getpass.getpass("Password or app password (typing is hidden): ")
        except EOFError:
            password = ""
    else:  # piped: the first line
        password = sys.stdin.readline() if sys.stdin is not None else ""
    password = password.rstrip("\r\n")
    if not password:
        raise UserError("No password was given: type it at the prompt, or pipe it in "
                        "(task-assistant sync add URL --user NAME < password.txt).")
    return password


def _add(args) -> int:
    if args.allow_http and args.url.strip().lower().startswith("http://"):
        print("task-assistant: warning: plain http sends the password and every task readable "
              "to anyone on the network.", file=sys.stderr)
    from app.sync.connection import check_url

    check_url(args.url, allow_http=args.allow_http)  # before asking for a password to send
    service = _service()
    names = service.add(args.url, args.user, _read_password(), allow_http=args.allow_http)
    account = service.account()
    found = ", ".join(names) if names else "none yet (a Tasks calendar is made at the first sync)"
    print(f"Connected to {account.url} as {account.username}. Task calendars: {found}.")
    print("Run `task-assistant sync now` to sync.")
    return 0


def _status(args) -> int:
    from app.sync.service import NO_ACCOUNT

    with _store() as store:
        status = _service().status(store)
    if status is None:
        if args.json:
            print(json.dumps({"account": None}))
            return 0
        raise UserError(NO_ACCOUNT)
    data = {
        "account": {"url": status.account.url, "user": status.account.username,
                    "password": status.password_source},
        "calendars": [{"list": pair.list_key, "calendar": pair.name, "url": pair.url}
                      for pair in status.calendars],
        "last_sync": status.last_run._asdict() if status.last_run else None,
        "pending": status.pending,
        "conflicts": [conflict._asdict() for conflict in status.conflicts],
    }
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"Account: {status.account.username} at {status.account.url} "
          f"({_password_words(status.password_source)})")
    for pair in status.calendars:
        print(f"  list {pair.list_key} ↔ calendar {pair.name}")
    if status.last_run:
        result = status.last_run.summary if status.last_run.ok else \
            f"failed: {status.last_run.summary}"
        from app.tasks.when.moments import moment_words  # here: --help loads no store

        print(f"Last sync: {moment_words(status.last_run.at)} — {result}")
    else:
        print("Last sync: never")
    print(f"Pending changes: {status.pending}")
    for conflict in status.conflicts:
        print(f"  {conflict.sentence}")
    return 0


def _password_words(source: str | None) -> str:
    if source == "environment":
        return f"password from {PASSWORD_ENV}"
    if source == "keyring":
        return "password in the system keyring"
    try:  # no password found: is it not there, or could the keyring not be asked?
        _service().keys.source()
    except UserError:
        return "the system keyring cannot be reached, so the password cannot be read"
    return "password missing: add the account again with `task-assistant sync add`"


def _now(args) -> int:
    with _store() as store:
        summary = _service().sync_now(store)
    print(summary.report())
    return 0


def _remove(args) -> int:
    removed = _service().remove()
    print("Forgot the sync account; your tasks stay here." if removed else
          "No sync account was set up.")
    return 0
