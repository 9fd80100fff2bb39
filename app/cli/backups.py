"""`task-assistant backups [now | restore [NAME]]`: the task file's backups."""

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    backups = commands.add_parser("backups", help="list, take or restore backups of the tasks "
                                                  "(7 daily and 4 weekly are kept)")
    backups.set_defaults(run=_list)
    actions = backups.add_subparsers(dest="action", metavar="ACTION", parser_class=type(backups))
    now = actions.add_parser("now", help="take a backup now")
    now.set_defaults(run=_now)
    restore = actions.add_parser("restore", help="put a backup (the newest by default) in place "
                                                 "of the task file, keeping the current one aside")
    restore.add_argument("name", nargs="?", help="a name from `task-assistant backups`")
    restore.set_defaults(run=_restore)


def _db():
    from app.common.paths import tasks_db_path

    return tasks_db_path()


def _list(args) -> int:
    from app.tasks.backups import folder, list_backups

    found = list_backups(_db())
    if not found:
        print(f"No backups yet (they go in {folder(_db())}); take one with "
              "`task-assistant backups now`.")
    for backup in found:
        print(f"{backup.name}  {backup.taken:%a %d %b %Y %H:%M}  {_size(backup.size)}")
    return 0


def _now(args) -> int:
    from app.tasks.backups import take

    backup = take(_db())
    print(f"Backed up to {backup.path} ({_size(backup.size)}).")
    return 0


def _restore(args) -> int:
    from app.tasks.backups import restore

    backup, aside = restore(_db(), args.name)
    kept = f"; the previous file was kept as {aside.name}" if aside else ""
    print(f"Restored {backup.name} (taken {backup.taken:%a %d %b %Y %H:%M}){kept}.")
    return 0


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, size // 1000)} kB"
