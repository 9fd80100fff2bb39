"""`task-assistant backups [now | restore [NAME]]`: the task file's backups."""

import argparse

from app.common.errors import UserError


def register(commands: argparse._SubParsersAction) -> None:
    backups = commands.add_parser("backups", help="list, take or restore backups of the tasks "
                                                  "(7 daily and 4 weekly are kept)")
    backups.set_defaults(run=_list)
    actions = backups.add_subparsers(dest="action", metavar="ACTION", parser_class=type(backups))
    now = actions.add_parser("now", help="take a backup now")
    now.set_defaults(run=_now)
    restore = actions.add_parser("restore", help="put a backup (the newest by default) in place "
                                                 "of the task file, keeping the current one aside")
    restore.add_argument("name", nargs="?", help="a number (or file name) from "
                                                "`task-assistant backups`")
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
    from app.tasks.when.moments import moment_words

    # Numbered, newest first: the number is what `backups restore` takes, so nobody has to
    # copy a file name full of digits.
    for number, backup in enumerate(found, 1):
        print(f"{number:>3}  {moment_words(backup.taken):<16}  {_size(backup.size)}")
    return 0


def _now(args) -> int:
    from app.tasks.backups import folder, take

    backup = take(_db())
    print(f"Took a backup of the tasks ({_size(backup.size)}), kept in {folder(_db())}.")
    return 0


def _restore(args) -> int:
    from app.tasks.backups import list_backups, restore
    from app.tasks.when.moments import moment_words

    name = args.name
    if name and name.strip().isdigit():  # a number from the list
        found = list_backups(_db())
        number = int(name)
        if not 1 <= number <= len(found):
            raise UserError(f"There is no backup {number}: `task-assistant backups` lists "
                            f"{len(found)}." if found else "There are no backups yet.")
        name = found[number - 1].name
    backup, aside = restore(_db(), name)
    kept = f"; the previous file was kept as {aside.name}" if aside else ""
    print(f"Restored the backup from {moment_words(backup.taken)}{kept}.")
    return 0


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, size // 1000)} kB"
