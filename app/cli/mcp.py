"""`task-assistant mcp …`: serve the tasks to other assistants, and manage the user's own MCP
servers, whose tools the assistant uses (serve, add, list, remove, enable, disable)."""

import argparse
import sys

from app.common.errors import UserError


def register(commands: argparse._SubParsersAction) -> None:
    mcp = commands.add_parser("mcp", help="MCP: serve your tasks to other assistants, or give "
                              "this one other servers' tools")
    actions = mcp.add_subparsers(dest="action", metavar="ACTION", required=True,
                                 parser_class=type(mcp))
    serve = actions.add_parser("serve", help="run as an MCP server on stdin/stdout (for Claude "
                               "Desktop, Cursor, Jan, LM Studio…)")
    serve.set_defaults(run=_serve)
    add = actions.add_parser("add", help="add a server: NAME -- COMMAND [ARGS…] or NAME --url URL",
                             usage="%(prog)s NAME [--env KEY=VALUE]… -- COMMAND [ARGS…] | "
                                   "NAME --url URL")
    add.add_argument("name")
    add.add_argument("--url", help="a streamable HTTP server's address")
    add.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                     help="a variable for the server's environment (repeatable)")
    # COMMAND [ARGS…] after "--" is split off by cli/main.py into args.server_command.
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="the servers, whether they start, and their tools")
    listing.set_defaults(run=_list)
    for action, text in (("remove", "forget a server"), ("enable", "use a server's tools again"),
                         ("disable", "stop using a server's tools (keeps its settings)")):
        parser = actions.add_parser(action, help=text)
        parser.add_argument("name")
        parser.set_defaults(run=globals()[f"_{action}"])


def _serve(args) -> int:
    from app.common.paths import tasks_db_path
    from app.mcp.server import serve
    from app.tasks import TaskStore

    with TaskStore(tasks_db_path()) as store:
        serve(store)
    return 0


def _servers():
    from app.config.mcp_servers import McpServers

    servers = McpServers()
    servers.all()
    for warning in servers.warnings:
        print(f"task-assistant: {warning}", file=sys.stderr)
    return servers


def _add(args) -> int:
    command = args.server_command
    env = {}
    for pair in args.env:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise UserError(f"--env takes KEY=VALUE, not {pair!r}.")
        env[key.strip()] = value
    if args.url and command:
        raise UserError("Give either a command (after --) or --url, not both.")
    if not args.url and not command:
        raise UserError("Say how to reach the server: task-assistant mcp add NAME -- COMMAND "
                        "[ARGS…], or task-assistant mcp add NAME --url URL.")
    server = _servers().add(args.name, command=command[0] if command else None,
                            args=command[1:], url=args.url, env=env)
    print(f"Added the MCP server '{server.name}' ({server.target}); its tools reach the "
          "assistant from the next question.")
    return 0


def _remove(args) -> int:
    _servers().remove(args.name)
    print(f"Removed the MCP server '{args.name}'.")
    return 0


def _enable(args) -> int:
    changed = _servers().set_enabled(args.name, True)
    print(f"The MCP server '{args.name}' is {'now' if changed else 'already'} enabled.")
    return 0


def _disable(args) -> int:
    changed = _servers().set_enabled(args.name, False)
    print(f"The MCP server '{args.name}' is {'now' if changed else 'already'} disabled.")
    return 0


def _list(args) -> int:
    import asyncio

    servers = _servers()
    configs = servers.all()
    if not configs:
        print("No MCP servers yet. Add one: task-assistant mcp add NAME -- COMMAND [ARGS…]")
        return 0
    from app.assistant.mcp_tools import McpTools

    # Start every enabled server once, to say whether it works and what it offers.
    probe = McpTools(servers)

    async def check() -> dict:
        try:
            await probe.tools()
            return probe.failures()
        finally:
            await probe.close()

    failures = asyncio.run(check())
    from app.config.mcp_servers import ALWAYS, OFF

    for config in servers.all():
        if not config.enabled:
            state = "disabled"
        elif failures.get(config.name):
            state = f"failed: {failures[config.name]}"
        else:
            state = f"running, {len(config.tools)} tool{'s' if len(config.tools) != 1 else ''}"
        print(f"{config.name}  {config.target}  ({state})")
        for tool in config.tools:
            permission = config.permission(tool.name)
            rule = ("off" if permission == OFF else "runs without asking (read-only)"
                    if tool.read_only else "always allowed" if permission == ALWAYS
                    else "asks first")
            print(f"  {tool.name}: {rule}")
    return 0
