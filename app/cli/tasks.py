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

    show = actions.add_parser("list", help="list open tasks, soonest due first")
    show.add_argument("--all", action="store_true", help="include done tasks")
    show.add_argument("--done", action="store_true", help="only done tasks")
    show.add_argument("--tag")
    show.add_argument("--priority")
    show.add_argument("--due-before", metavar="DATE")
    show.add_argument("--due-after", metavar="DATE")
    show.add_argument("--overdue", action="store_true")
    show.add_argument("--today", action="store_true", help="only tasks due today")
    show.add_argument("--limit", type=int)
    show.add_argument("--json", action="store_true")
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
                       ("rm", "delete a task")):
        one = actions.add_parser(name, help=verb)
        one.add_argument("id")
        one.add_argument("--json", action="store_true")
        one.set_defaults(run=_one, verb=name)

    export = actions.add_parser("export", help="write every task to stdout")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.set_defaults(run=_export)

    load = actions.add_parser("import", help="add the tasks in a JSON file (export's shape)")
    load.add_argument("file", help="path, or - for stdin")
    load.set_defaults(run=_import)


def _task_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--notes")
    parser.add_argument("--due", metavar="WHEN",
                        help="ISO 8601 date or date-time, 'today' or 'tomorrow' ('none' clears)")
    parser.add_argument("--priority", help="none, low, medium or high")
    parser.add_argument("--tag", action="append", dest="tags", metavar="TAG",
                        help="repeat for several tags")


def _store():
    from app.common.paths import tasks_db_path
    from app.tasks.store import TaskStore

    return TaskStore(tasks_db_path())


def _add(args) -> int:
    with _store() as store:
        task = store.add(args.title, notes=args.notes, due=args.due, priority=args.priority,
                         tags=args.tags)
    _report(args, task, "Added")
    return 0


def _list(args) -> int:
    from app.tasks.filters import TaskFilter

    status = "all" if args.all else "done" if args.done else "open"
    filters = TaskFilter(status=status, tag=args.tag, priority=args.priority,
                         due_before=args.due_before, due_after=args.due_after,
                         overdue=args.overdue, due_today=args.today, limit=args.limit)
    with _store() as store:
        _print_tasks(args, store.list_tasks(filters))
    return 0


def _search(args) -> int:
    with _store() as store:
        _print_tasks(args, store.search(" ".join(args.query), limit=args.limit))
    return 0


def _edit(args) -> int:
    changes = {name: getattr(args, name) for name in ("title", "notes", "due", "priority", "tags")
               if getattr(args, name) is not None}
    if args.clear_tags:
        changes["tags"] = []
    if not changes:
        raise UserError("Nothing to change: give --title, --notes, --due, --priority or --tag.")
    with _store() as store:
        task = store.update(args.id, **changes)
    _report(args, task, "Updated")
    return 0


def _one(args) -> int:
    with _store() as store:
        action = {"done": store.complete, "reopen": store.reopen, "rm": store.delete}[args.verb]
        task = action(args.id)
    _report(args, task, {"done": "Completed", "reopen": "Reopened", "rm": "Deleted"}[args.verb])
    return 0


def _export(args) -> int:
    from app.tasks.transfer import write_csv, write_json
    from app.tasks.filters import TaskFilter

    with _store() as store:
        tasks = store.list_tasks(TaskFilter(status="all"))
    (write_csv if args.format == "csv" else write_json)(tasks, sys.stdout)
    return 0


def _import(args) -> int:
    from app.tasks.transfer import read_json

    records = read_json(sys.stdin if args.file == "-" else args.file)
    with _store() as store:
        ids = store.import_tasks(records)
    print(f"Imported {len(ids)} task{'s' if len(ids) != 1 else ''}.")
    return 0


# -- output -------------------------------------------------------------------------------

def _report(args, task, verb: str) -> None:
    if args.json:
        import json

        print(json.dumps(task.to_dict(), ensure_ascii=False))
    else:
        print(f"{verb} task {task.id}: {_line(task)}")


def _print_tasks(args, tasks) -> None:
    if args.json:
        import json

        print(json.dumps([task.to_dict() for task in tasks], ensure_ascii=False, indent=1))
        return
    if not tasks:
        print("No tasks.")
    for task in tasks:
        print(f"{task.id:>5}  [{'x' if task.status == 'done' else ' '}] {_line(task)}")


def _line(task) -> str:
    from app.common.titles import printable  # a title stored by anything never hits the tty raw

    parts = [printable(task.title)]
    if task.due:
        parts.append(f"(due {task.due})")
    if task.priority != "none":
        parts.append(f"!{task.priority}")
    parts += [f"#{printable(tag)}" for tag in task.tags]
    return "  ".join(parts)
