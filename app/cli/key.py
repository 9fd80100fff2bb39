"""`task-assistant key set|clear|status`: the Gemini API key in the system keyring.

The key is read from a hidden prompt or from standard input, never from the command line:
arguments end up in shell history and in every other user's `ps` listing.
"""

import argparse
import sys
from typing import Any

from app.common.errors import UserError

ENV_VAR = "GEMINI_API_KEY"  # app.common.redact.ENV_VAR; not imported, to keep --help fast
HOW_TO_SET = f"run `task-assistant key set`, or set {ENV_VAR} in the environment"


def register(commands: argparse._SubParsersAction) -> None:
    key = commands.add_parser("key", help="save, check or remove the Gemini API key")
    actions = key.add_subparsers(dest="action", metavar="ACTION", required=True,
                                 parser_class=_no_arguments_parser(type(key)))

    save = actions.add_parser("set", help="save the key in the system keyring (asked for, or "
                                          "read from standard input)")
    save.set_defaults(run=_set)
    clear = actions.add_parser("clear", help="remove the key from the system keyring")
    clear.set_defaults(run=_clear)
    status = actions.add_parser("status", help="say where the key comes from (exit 1 if none)")
    status.set_defaults(run=_status)


def _no_arguments_parser(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    # Any: a type checker takes a base class only from a name it can see; this one is the
    # command line's own parser class (main's), handed in so that this module need not import it.
    parent: Any = base

    class NoArgumentsParser(parent):
        """Refuses stray arguments without repeating them: one may be the key, typed by habit."""

        def parse_known_args(self, args=None, namespace=None):
            namespace, extras = super().parse_known_args(args, namespace)
            if extras:
                self.error("takes no arguments; the API key is only read from a hidden prompt "
                           "or standard input, so it never lands in shell history")
            return namespace, extras

    return NoArgumentsParser


def _set(args) -> int:
    from app.config.keystore import KeyStore, environment_key

    KeyStore().set(_read_key())
    print("Saved the API key to the system keyring.")
    if environment_key():
        print(f"{ENV_VAR} is also set in the environment, and it is used instead while it is set.")
    return 0


def _read_key() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        try:
            key = getpass.getpass("Gemini API key (typing is hidden): ")
        except EOFError:
            key = ""
    else:  # piped: the first line, so `echo KEY | …` and `… < key.txt` both work
        key = sys.stdin.readline() if sys.stdin is not None else ""
    if not key.strip():
        raise UserError("No API key was given: type it at the prompt, or pipe it in "
                        "(task-assistant key set < key.txt).")
    return key


def _clear(args) -> int:
    from app.config.keystore import KeyStore, environment_key

    removed = KeyStore().clear()
    print("Removed the API key from the system keyring." if removed else "No API key was stored.")
    if environment_key():
        print(f"{ENV_VAR} is still set in the environment, so that key is still used.")
    return 0


def _status(args) -> int:
    from app.config.keystore import KeyStore

    store = KeyStore()
    source = store.source()
    if source == "environment":
        print(f"The API key comes from the {ENV_VAR} environment variable.")
    elif source == "keyring":
        print(f"The API key is saved in the system keyring ({store.backend_name()}).")
    else:
        print(f"No API key is set: {HOW_TO_SET}.")
        return 1
    return 0

