"""`task-assistant tasks …`: the task store from the command line (scripting, and the tests)."""

import argparse
import sys

from app.common.errors import UserError


def register(commands: argparse._SubParsersAction) -> None:
    tasks = commands.add_parser("tasks", help="add, list, search and change tasks")
    actions = tasks.add_subparsers(dest="action", metavar="ACTION", required=True,
                                   parser_class=type(tasks))

    add = actions.add_parser("add", help="add a task")
    add.add_argument("title")
    _task_fields(add)
    add.add_argument("--json", action="store_true", help="print the new task as JSON")
    add.set_defaults(run=_add)

    quick = actions.add_parser("quick", help="add a task from one line: 'Pay rent every month "
                               "on the 1st #home !high ^Work' (p1-p4 too)")
    quick.add_argument("text")
    quick.add_argument("--json", action="store_true", help="print the new task as JSON")
    quick.set_defaults(run=_quick)

    show = actions.add_parser("list", help="list open tasks, soonest due first")
    show.add_argument("--all", action="store_true", help="include done tasks")
    show.add_argument("--done", action="store_true", help="only done tasks")
    show.add_argument("--tag")
    show.add_argument("--priority")
    show.add_argument("--due-before", metavar="DATE", help="due before DATE ('in 7 days', "
                                                           "'friday' or 2026-12-01)")
    show.add_argument("--due-after", metavar="DATE", help="due after DATE")
    show.add_argument("--overdue", action="store_true")
    show.add_argument("--today", action="store_true",
                      help="what to do today: due today and overdue, overdue first")
    show.add_argument("--limit", type=int)
    show.add_argument("--list", dest="list_name", metavar="NAME", help="only this list's tasks")
    show.add_argument("--json", action="store_true",
                      help="one flat array; subtasks carry their parent_id")
    show.set_defaults(run=_list)

    search = actions.add_parser("search", help="full-text search in titles, notes and tags")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=_search)

    edit = actions.add_parser("edit", help="change a task's fields")
    edit.add_argument("id")
    edit.add_argument("--title")
    _task_fields(edit)
    edit.add_argument("--clear-tags", action="store_true")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(run=_edit)

    for name, verb in (("done", "mark a task done"), ("reopen", "mark a task open again"),
                       ("rm", "move a task to the trash (kept 30 days)"),
                       ("restore", "bring a task back from the trash, same id and fields")):
        one = actions.add_parser(name, help=verb)
        one.add_argument("id")
        if name == "done":
            one.add_argument("--with-subtasks", action="store_true",
                             help="complete its open subtasks too")
        one.add_argument("--json", action="store_true")
        one.set_defaults(run=_one, verb=name)

    trash = actions.add_parser("trash", help="list the tasks in the trash, newest first")
    trash.add_argument("--empty", action="store_true",
                       help="delete them for good (asks first; off a terminal needs --yes)")
    trash.add_argument("--yes", action="store_true", help="empty without asking")
    trash.add_argument("--json", action="store_true")
    trash.set_defaults(run=_trash)

    history = actions.add_parser("history", help="what changed, by whom, in which "
                                   "undo step, newest first")
    history.add_argument("id", nargs="?", help="only this task's changes")
    history.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    history.add_argument("--json", action="store_true")
    history.set_defaults(run=_history)

    for name, verb in (("undo", "undo the newest change not yet undone (one step: one "
                                "answer of the assistant, one import, one sync, one command)"),
                       ("redo", "redo the newest undo")):
        again = actions.add_parser(name, help=verb)
        if name == "undo":
            again.add_argument("--step", metavar="N",
                               help="an older step instead, as `tasks history` numbers it")
        again.add_argument("--force", action="store_true",
                           help="even when its tasks changed again later (that change is lost)")
        again.set_defaults(run=_undo_or_redo, verb=name, step=None)

    export = actions.add_parser("export", help="write every task to stdout")
    export.add_argument("--format", choices=("json", "csv", "ics"), default="json",
                        help="json (lossless), csv, or ics (iCalendar VTODOs)")
    export.set_defaults(run=_export)

    load = actions.add_parser("import", help="add the tasks in a file: our JSON or CSV export, "
                              "an .ics (Thunderbird, tasks.org, Nextcloud) or Todoist's CSV")
    load.add_argument("file", help="path, or - for stdin")
    load.add_argument("--format", choices=("json", "csv", "ics", "todoist"),
                      help="default: from the file's ending (.ics, .csv), else json")
    load.add_argument("--duplicates", action="store_true",
                      help="import tasks already here too (same UID, or same title and due)")
    load.set_defaults(run=_import)

    reschedule = actions.add_parser("reschedule", help="move every overdue task to one day, "
                                    "as one undo step")
    reschedule.add_argument("--overdue", action="store_true", required=True,
                            help="the tasks to move: every overdue open task")
    reschedule.add_argument("--to", required=True, metavar="today|tomorrow|DATE")
    reschedule.set_defaults(run=_reschedule)

    _register_lists(commands)


def _register_lists(commands: argparse._SubParsersAction) -> None:
    lists = commands.add_parser("lists", help="show lists and their open tasks; add, rename, "
                                "remove lists")
    lists.add_argument("--json", action="store_true")
    lists.set_defaults(run=_lists, list_action=None)
    actions = lists.add_subparsers(dest="list_action", metavar="ACTION",
                                   parser_class=type(lists))
    add = actions.add_parser("add", help="add a list")
    add.add_argument("name")
    rename = actions.add_parser("rename", help="rename a list")
    rename.add_argument("old")
    rename.add_argument("new")
    remove = actions.add_parser("rm", help="remove a list")
    remove.add_argument("name")
    remove.add_argument("--move-to", metavar="OTHER", help="where its tasks go")


def _task_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--notes")
    parser.add_argument("--due", metavar="WHEN",
                        help="a date as you would say it ('tomorrow 5pm', 'next friday', "
                        "'in 3 days', 'dec 24') or ISO 8601 ('none' clears)")
    parser.add_argument("--repeat", metavar="RULE",
                        help="'every monday and thursday', 'every month on the 15th', "
                        "'every 3 days after done', or an RRULE ('none' clears)")
    parser.add_argument("--remind", metavar="WHEN",
                        help="'30m before', '1h before', '1 day before', or a time "
                        "('none' clears)")
    parser.add_argument("--list", dest="list_name", metavar="NAME", help="default Inbox")
    parser.add_argument("--parent", metavar="ID", help="make it a subtask ('none': not one)")
    parser.add_argument("--priority", help="none, low, medium or high")
    parser.add_argument("--tag", action="append", dest="tags", metavar="TAG",
                        help="repeat for several tags")


def _store():
    from app.common.paths import tasks_db_path
    from app.tasks.store import TaskStore

    return TaskStore(tasks_db_path())


def _by(kind: str = "cli"):
    from app.tasks.history import Origin

    return Origin(kind)


def _reschedule(args) -> int:
    from app.tasks.reschedule import reschedule_overdue, sentence

    with _store() as store:
        count, day = reschedule_overdue(store, args.to, by=_by())
    print(sentence(count, day))
    return 0


def _add(args) -> int:
    with _store() as store:
        task = store.add(args.title, by=_by(), notes=args.notes, due=args.due,
                         priority=args.priority, tags=args.tags, list=args.list_name,
                         parent_id=args.parent, repeat=args.repeat, remind=args.remind)
    _report(args, task, "Added")
    return 0


def _quick(args) -> int:
    from app.tasks import quick_add

    parsed = quick_add.parse(args.text)
    with _store() as store:
        added = quick_add.add(store, parsed, by=_by())
    if added.new_list and not args.json:
        print(f"Created list {added.new_list}.")
    _report(args, added.task, "Added")
    return 0


def _lists(args) -> int:
    with _store() as store:
        if args.list_action == "add":
            added = store.add_list(args.name, by=_by())
            print(f"Added list '{_printable(added.name)}'.")
        elif args.list_action == "rename":
            new = store.rename_list(args.old, args.new, by=_by())
            print(f"Renamed list '{_printable(args.old)}' to '{_printable(new)}'.")
        elif args.list_action == "rm":
            moved = store.remove_list(args.name, by=_by(), move_to=args.move_to)
            print(f"Removed list '{_printable(' '.join(args.name.split()))}'" + (
                f"; moved {moved} task{'s' if moved != 1 else ''} to "
                f"'{_printable(' '.join(args.move_to.split()))}'." if moved else "."))
        elif args.json:
            import json

            print(json.dumps([item._asdict() for item in store.lists()], ensure_ascii=False))
        else:
            for item in store.lists():
                print(f"{item.open:>6}  {_printable(item.name)}")
    return 0


def _list(args) -> int:
    from app.tasks.filters import TaskFilter

    status = "all" if args.all else "done" if args.done else "open"
    filters = TaskFilter(status=status, tag=args.tag, priority=args.priority,
                         due_before=args.due_before, due_after=args.due_after,
                         overdue=args.overdue, due_today=args.today, limit=args.limit,
                         list=args.list_name)
    with _store() as store:
        _print_tasks(args, store.list_tasks(filters))
    return 0


def _search(args) -> int:
    with _store() as store:
        _print_tasks(args, store.search(" ".join(args.query), limit=args.limit))
    return 0


def _edit(args) -> int:
    changes = {name: getattr(args, name) for name in ("title", "notes", "due", "priority", "tags",
                                                       "repeat", "remind")
               if getattr(args, name) is not None}
    if args.list_name is not None:
        changes["list"] = args.list_name
    if args.parent is not None:
        changes["parent_id"] = None if args.parent.strip().lower() in ("none", "0", "") \
            else args.parent
    if args.clear_tags:
        changes["tags"] = []
    if not changes:
        raise UserError("Nothing to change: give --title, --notes, --due, --priority, --tag, "
                        "--repeat, --remind, --list or --parent.")
    with _store() as store:
        task = store.update(args.id, by=_by(), **changes)
    _report(args, task, "Updated")
    return 0


def _one(args) -> int:
    with _store() as store:
        action = {"done": store.complete, "reopen": store.reopen, "rm": store.delete,
                  "restore": store.restore}[args.verb]
        if args.verb == "done":
            task = store.complete(args.id, by=_by(), with_subtasks=args.with_subtasks)
        else:
            task = action(args.id, by=_by())
    _report(args, task, {"done": "Completed", "reopen": "Reopened", "rm": "Moved",
                         "restore": "Restored"}[args.verb])
    if args.verb == "rm" and not args.json:
        print(f"`task-assistant tasks restore {task.id}` brings it back within 30 days.")
    return 0


def _trash(args) -> int:
    with _store() as store:
        trashed = store.trash()
        if not args.empty:
            _print_trash(args, trashed)
            return 0
        if not trashed:
            print("The trash is empty.")
            return 0
        count = f"{len(trashed)} task{'s' if len(trashed) != 1 else ''}"
        if not args.yes:
            if not sys.stdin.isatty():
                raise UserError(f"Not emptied: deleting {count} for good needs --yes when "
                                "stdin is not a terminal.")
            print(f"Delete {count} in the trash for good? This cannot be undone. [y/N] ",
                  end="", file=sys.stderr, flush=True)
            if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                print("Kept the trash as it is.", file=sys.stderr)
                return 1
        # Only what was counted: a task deleted (in the window) while the question waited stays.
        emptied = store.empty_trash(only=[item.task.id for item in trashed])
    print(f"Deleted {emptied} task{'s' if emptied != 1 else ''} for good.")
    return 0


def _history(args) -> int:
    with _store() as store:
        changes = store.history(args.id, limit=max(1, args.limit))
        if args.id is not None and not changes:
            store.get(args.id)  # "There is no task 999." rather than an empty history
    titles = _conversation_titles(changes)
    steps = _step_labels(changes)
    _print_each(args, changes, "No changes recorded.",
                lambda change: f"{steps[change.id]}  {_change_line(change, titles)}")
    return 0


def _step_labels(changes) -> dict[int, str]:
    """"step 12", the number `tasks undo --step` takes, padded to one width. A step's changes
    come together (one sync, one answer, one import): only the first line of them names it."""
    width = len(str(max((change.step for change in changes), default=0)))
    labels, previous = {}, None
    for change in changes:
        labels[change.id] = f"step {change.step:<{width}}" if change.step != previous \
            else " " * (len("step ") + width)
        previous = change.step
    return labels


def _conversation_titles(changes) -> dict[str, str]:
    """The titles of the conversations the changes came from: a person knows a conversation by
    its title, never by its id. A missing or unreadable conversation file names none."""
    import sqlite3

    from app.conversations.store import ConversationStore, conversations_db_path

    wanted = {change.origin.conversation_id for change in changes
              if change.origin.conversation_id and change.origin.kind != "mcp"}
    path = conversations_db_path()
    if not wanted or not path.exists():
        return {}
    try:
        with ConversationStore(path) as conversations:
            return {each.id: each.title for each in conversations.list() if each.id in wanted}
    except (UserError, OSError, sqlite3.Error):
        return {}


def _undo_or_redo(args) -> int:
    from app.tasks import validate
    from app.tasks.undo import UndoConflictError

    step = None if args.step is None else validate.step_id(args.step)  # before opening the file
    with _store() as store:
        try:
            if step is not None:
                reverted = store.undo_step(step, by=_by(), force=args.force)
            elif args.verb == "undo":
                reverted = store.undo(by=_by(), force=args.force)
            else:
                reverted = store.redo(by=_by(), force=args.force)
        except UndoConflictError as error:
            raise UserError(f"{error} Undo that first, or use --force.") from None
    print(_printable(reverted.summary))
    return 0


def _export(args) -> int:
    from app.tasks.files.transfer import write_csv, write_json
    from app.tasks.filters import TaskFilter

    with _store() as store:
        tasks = store.list_tasks(TaskFilter(status="all"))
    if args.format == "ics":
        from app.tasks.files.ical import write_ics

        write_ics(tasks, sys.stdout)
        return 0
    (write_csv if args.format == "csv" else write_json)(tasks, sys.stdout)
    return 0


def _import(args) -> int:
    from app.tasks.files.file_text import decode

    unread_dates = 0  # Todoist dates not understood: imported without a due
    kind = args.format or ("ics" if args.file.lower().endswith(".ics") else
                           "csv" if args.file.lower().endswith(".csv") else "json")
    name = "stdin" if args.file == "-" else args.file
    text, legacy = decode(_read_bytes(args.file), name)
    if kind == "json":
        from app.tasks.files.transfer import parse_json

        records = parse_json(text, name)
    else:
        if kind == "ics":
            from app.tasks.files.ical import read_ics

            records = read_ics(text, name)
        else:
            if kind == "todoist" or text.lstrip().startswith("TYPE,"):
                from app.tasks.files.todoist import read_todoist_csv

                records, unread_dates = read_todoist_csv(text, name)
            else:
                from app.tasks.files.transfer import read_csv

                records = read_csv(text, name)
    with _store() as store:
        ids = store.import_tasks(records, by=_by("import"), skip_duplicates=not args.duplicates)
        skipped, flattened = store.last_skipped, store.last_flattened
    line = f"Imported {len(ids)} task{'s' if len(ids) != 1 else ''}"
    if flattened:
        line += (f"; {flattened} subtask{'s were' if flattened != 1 else ' was'} placed higher "
                 "(subtasks go at most 3 levels deep, and never under their own "
                 "subtasks)")
    if skipped:
        line += (f"; skipped {skipped} already here (same UID, or same title and due; "
                 "--duplicates imports them anyway)")
    if unread_dates:
        line += (f"; {unread_dates} Todoist date{'s' if unread_dates != 1 else ''} I could not "
                 f"understand, so {'those tasks have' if unread_dates != 1 else 'that task has'}"
                 " no due date (the date is kept in the notes)")
    if legacy:
        line += (f" (the file is not UTF-8: it was read as {legacy}, Windows' Western European "
                 "encoding)")
    print(line + ".")
    return 0


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise UserError(f"There is no file {path}.") from None
    except OSError as error:
        raise UserError(f"Could not read {path}: {error.strerror or error}.") from None


# -- output -------------------------------------------------------------------------------

def _report(args, task, verb: str) -> None:
    if args.json:
        import json

        print(json.dumps(task.to_dict(), ensure_ascii=False))
    else:
        where = " to the trash" if verb == "Moved" else ""
        print(f"{verb} task {task.id}{where}: {_line(task)}")


def _print_tasks(args, tasks) -> None:
    if args.json:  # one flat array: subtasks carry their parent_id
        _print_each(args, tasks, "No tasks.", str)
        return
    from app.tasks.tree import in_tree_order

    _print_each(args, in_tree_order(tasks), "No tasks.", lambda item: f"{item[0].id:>5}  "
                f"{'  ' * item[1]}[{'x' if item[0].status == 'done' else ' '}] {_line(item[0])}")


def _print_each(args, things, empty: str, line) -> None:
    """A list as JSON (--json) or one line each; `empty` when there is nothing."""
    if args.json:
        import json

        print(json.dumps([thing.to_dict() for thing in things], ensure_ascii=False, indent=1))
        return
    if not things:
        print(empty)
    for thing in things:
        print(line(thing))


def _printable(text: str) -> str:
    from app.common.titles import printable  # a title stored by anything never hits the tty raw

    return printable(text)


def _line(task) -> str:
    parts = [_printable(task.title)]
    if task.due:
        from app.tasks.when.dates import friendly_due

        parts.append(f"(due {friendly_due(task.due)})")
    if task.repeat:
        from app.tasks.when.repeat import Repeat, describe

        parts.append(f"↻ {describe(Repeat(task.repeat, task.repeat_after_done))}")
    if task.remind_at:
        from app.tasks.when.dates import friendly_due

        parts.append(f"⏰ {friendly_due(task.remind_at)}")
    if task.list and task.list != "Inbox":
        parts.append(f"^{_printable(task.list)}")
    if task.priority != "none":
        parts.append(f"!{task.priority}")
    parts += [f"#{_printable(tag)}" for tag in task.tags]
    return "  ".join(parts)


def _print_trash(args, trashed) -> None:
    _print_each(args, trashed, "The trash is empty.", lambda item: f"{item.task.id:>5}  "
                f"deleted {_local(item.trashed_at)}  {_line(item.task)}")


def _change_line(change, titles: dict[str, str]) -> str:
    from app.tasks.undo import field_words

    # what completed, deleted or restored changed goes without saying
    named = field_words(change.fields) if change.action in ("edited", "undone", "redone") else ""
    fields = f" ({named})" if named else ""
    undone = "  [undone]" if change.undone_by is not None else ""
    conversation = _scope_words(change.origin, titles)
    from app.tasks.history import is_list

    subject = "list      " if is_list(change.task_id) else f"task {change.task_id:<5}"
    return (f"{_local(change.at)}  {subject} {change.action}{fields}: "
            f"{_printable(change.title)}  ({change.origin.words}{conversation}){undone}")


def _scope_words(origin, titles: dict[str, str]) -> str:
    """", in 'Plan the week'" for a conversation; an MCP client's session has only an id,
    which means nothing to a person (`--json` keeps it), so it is not shown."""
    if not origin.conversation_id or origin.kind == "mcp":
        return ""
    title = titles.get(origin.conversation_id)
    return f", in '{_printable(title)}'" if title else ", in a conversation since deleted"


def _local(stamp: str) -> str:
    """"today 14:05", padded so the columns after it line up."""
    from app.tasks.when.moments import moment_words

    return f"{moment_words(stamp):<16}"
