"""`task-assistant routines`: list, add, edit, turn on or off, remove and run routines."""

import argparse
import asyncio
import json
import sys


def register(commands: argparse._SubParsersAction) -> None:
    routines = commands.add_parser("routines", help="prompts the assistant runs on a schedule "
                                   "(list, add, edit, enable, disable, remove, run)")
    routines.set_defaults(run=_list, json=False)
    actions = routines.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("list", help="name, schedule, next run and last run")
    show.add_argument("--json", action="store_true", help="as JSON objects")
    show.set_defaults(run=_list)
    add = actions.add_parser("add", help="add a routine")
    add.add_argument("name")
    add.add_argument("--when", required=True, help="like 'every weekday at 8:00'")
    add.add_argument("--prompt", required=True, help="what the assistant is asked")
    add.set_defaults(run=_add)
    edit = actions.add_parser("edit", help="change a routine's schedule or prompt")
    edit.add_argument("name")
    edit.add_argument("--when")
    edit.add_argument("--prompt")
    edit.set_defaults(run=_edit)
    for name, verb, run in (("enable", "turn a routine on", _enable),
                            ("disable", "turn a routine off", _disable),
                            ("remove", "remove a routine", _remove)):
        one = actions.add_parser(name, help=verb)
        one.add_argument("name")
        one.set_defaults(run=run)
    run_now = actions.add_parser("run", help="run a routine now (streams like ask)")
    run_now.add_argument("name")
    run_now.set_defaults(run=_run)


def _store():
    from app.common.paths import tasks_db_path
    from app.routines.store import RoutineStore

    return RoutineStore(tasks_db_path())


def _local(moment) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}" if moment else "-"


def _list(args) -> int:
    from datetime import datetime

    from app.common import clock
    from app.routines.schedule import next_run
    from app.routines.when import in_words

    now = clock.now()
    rows = []
    for routine in _store().all():
        upcoming = next_run(routine.rule, now) if routine.enabled else None
        last = datetime.fromisoformat(routine.last_run).astimezone() if routine.last_run \
            else None
        rows.append((routine, upcoming, last))
    if args.json:
        print(json.dumps([{"name": r.name, "prompt": r.prompt, "rule": r.rule,
                           "next_run": n.isoformat(timespec="seconds") if n else None,
                           "last_run": last.isoformat(timespec="seconds") if last else None,
                           "enabled": r.enabled} for r, n, last in rows],
                         ensure_ascii=False, indent=2))
        return 0
    from app.common.titles import printable

    for routine, upcoming, last in rows:
        state = f"next {_local(upcoming)}" if routine.enabled else "off"
        print(printable(f"{routine.name}  ({in_words(routine.rule)}; {state}; last run "
                        f"{_local(last)})"))
    return 0


def _add(args) -> int:
    from app.routines.when import in_words

    routine = _store().add(args.name, args.when, args.prompt)
    print(f"Added the routine '{routine.name}': {in_words(routine.rule)}.")
    return 0


def _edit(args) -> int:
    from app.routines.when import in_words

    routine = _store().edit(args.name, when=args.when, prompt=args.prompt)
    print(f"Changed the routine '{routine.name}': {in_words(routine.rule)}.")
    return 0


def _enable(args) -> int:
    routine = _store().set_enabled(args.name, True)
    print(f"The routine '{routine.name}' is on.")
    return 0


def _disable(args) -> int:
    routine = _store().set_enabled(args.name, False)
    print(f"The routine '{routine.name}' is off.")
    return 0


def _remove(args) -> int:
    routine = _store().remove(args.name)
    print(f"Removed the routine '{routine.name}'.")
    return 0


def _run(args) -> int:
    routine = _store().get(args.name)  # an unknown name: one sentence, before the agent loads
    try:
        return asyncio.run(_run_now(routine))
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130


async def _run_now(routine) -> int:
    from app.cli.ask import TurnPrinter, _approve, _say
    from app.common import clock
    from app.routines.unattended import run_routine
    from app.workspace import Workspace

    printer = TurnPrinter()

    async def decide(request) -> bool:
        return await _approve(request, False)

    workspace = Workspace()
    for warning in workspace.warnings:
        _say(f"task-assistant: {warning}")
    try:
        now = clock.now()
        routines = _store()
        routines.claim(routine.name, now, manual=True)
        outcome = await run_routine(
            routine, now, assistant=await workspace.agent.get(),
            conversations=workspace.conversations, tasks=workspace.store, show=printer.show,
            decide=decide if sys.stdin.isatty() else None)
        if routine.id is not None:
            routines.record_outcome(routine.name, outcome.conversation_id,
                                    outcome.failure or "ran")
        if outcome.not_done and not sys.stdin.isatty():
            _say("✗ Not done (stdin is not a terminal): " + "; ".join(outcome.not_done))
        return 1 if outcome.failure else 0
    finally:
        await workspace.close()
