"""`task-assistant settings show|set|reset`: every setting from the command line."""

import argparse
import sys


def register(commands: argparse._SubParsersAction) -> None:
    settings = commands.add_parser(
        "settings",
        help="show or change settings (model, endpoint, tray, reminders, start on login)")
    actions = settings.add_subparsers(dest="action", metavar="ACTION", required=True,
                                      parser_class=type(settings))

    show = actions.add_parser("show", help="every setting, its value and where it comes from")
    show.set_defaults(run=_show)
    # NAME is checked by app.config.settings (its error lists the names): --help imports nothing.
    change = actions.add_parser("set", help="save a setting (names: see `settings show`)")
    change.add_argument("name")
    change.add_argument("value")
    change.add_argument("--allow-http", action="store_true",
                        help="accept a base_url with plain http to another computer (the API "
                             "key then travels unencrypted)")
    change.set_defaults(run=_set)
    reset = actions.add_parser("reset", help="go back to a setting's default")
    reset.add_argument("name")
    reset.set_defaults(run=_reset)


def _open():
    from app.config.settings import Settings

    settings = Settings()
    for warning in settings.warnings:
        print(f"task-assistant: {warning}", file=sys.stderr)
    return settings


def _show(args) -> int:
    settings = _open()
    width = max(map(len, settings.known))
    for name in settings.known:
        source = settings.source(name)
        where = f"from {settings.setting(name).env}" if source == "environment" else source
        print(f"{name:<{width}}  {_text(settings.get(name))}  ({where})")
    return 0


def _set(args) -> int:
    settings = _open()
    setting = settings.setting(args.name)
    value = settings.set(args.name, setting.from_text(args.value), allow_http=args.allow_http)
    print(f"Saved {args.name}: {_text(value)}")
    _mention_override(settings, args.name)
    return 0


def _reset(args) -> int:
    settings = _open()
    default = _text(settings.setting(args.name).default)
    if settings.reset(args.name):
        print(f"Reset {args.name} to the default: {default}")
    else:
        print(f"{args.name} already has the default: {default}")
    _mention_override(settings, args.name)
    return 0


def _mention_override(settings, name: str) -> None:
    if settings.source(name) == "environment":
        print(f"{settings.setting(name).env} is set in the environment and overrides it "
              "while it is set.")


def _text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
