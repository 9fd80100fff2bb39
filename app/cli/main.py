"""`task-assistant`: the entry point. Kept import-light so --version and --help start fast."""

import argparse
import sys

from app import APP_NAME, __version__
from app.common.errors import UserError

PROG = "task-assistant"


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (no usage dump), exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from app.common.redact import redact  # `key AIza…` (a forgotten `set`) must not echo it

        self.exit(2, f"{self.prog}: {redact(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from app.cli import ask, backups, key, mcp, routines, settings, sync, tasks

    parser = OneLineParser(prog=PROG, description=f"{APP_NAME}: chat with Gemini about your tasks.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation has everything it needs (modules, "
                             "keyring, certificates, Qt plugins, resources) and exit")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--quick-ask", action="store_const", dest="start", const="quick-ask",
                       help="open the quick-ask popup (in the running app, or start it); bind "
                            "this to a hotkey")
    start.add_argument("--tray", action="store_const", dest="start", const="tray",
                       help="start in the tray without opening the window (start on login)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    tasks.register(commands)
    key.register(commands)
    settings.register(commands)
    ask.register(commands)
    backups.register(commands)
    mcp.register(commands)
    sync.register(commands)
    routines.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    # `mcp add NAME -- COMMAND [ARGS…]`: the command's own options (npx -y) are not ours, and
    # argparse would read them past a "--" inside a subcommand.
    command: list[str] = []
    if argv[:2] == ["mcp", "add"] and "--" in argv:
        argv, command = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    args = parser.parse_args(argv)
    args.server_command = command
    try:
        if args.self_test:
            from app.diagnostics.self_test import run as run_self_test

            return run_self_test()
        if args.command is None:  # no command: the desktop app
            from app.desktop.display import missing_display

            if problem := missing_display():  # asked before Qt, which would abort the process
                raise UserError(problem)
            from app.ui.lifecycle.desktop import run as run_desktop

            return run_desktop(args.start or "window")
        return args.run(args) or 0
    except UserError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `task-assistant tasks list | head` is not an error
        sys.stderr.close()
        return 0
    except Exception as error:  # the user gets a sentence; the traceback goes to the log file
        from app.common.crash_log import something_went_wrong

        print(f"{PROG}: {something_went_wrong(error)}", file=sys.stderr)
        return 1
