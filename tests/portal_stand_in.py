"""A stand-in xdg-desktop-portal on a private session bus, speaking the real interfaces the
quick-ask shortcut uses: org.freedesktop.host.portal.Registry.Register, and
org.freedesktop.portal.GlobalShortcuts CreateSession / BindShortcuts answered through Request
objects' Response signals, Session.Close, and the Activated signal.

Run as `python portal_stand_in.py CALLS_FILE [--bind-as TRIGGER] [--without-registry]
[--without-global-shortcuts]`. It prints "ready" once it owns org.freedesktop.portal.Desktop,
appends each call it receives to CALLS_FILE as a JSON line, binds the preferred trigger (or
TRIGGER: a desktop that chose another key), and on a stdin line "activate" emits Activated for
the newest open session, as a desktop does when the key is pressed ("change TRIGGER":
ShortcutsChanged, as when the user picks another key in the desktop's settings). Built on
jeepney, which the app's keyring already brings.
"""

import argparse
import json
import selectors
import sys

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

PORTAL = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
REGISTRY = "org.freedesktop.host.portal.Registry"
GLOBAL_SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"


class StandInPortal:
    def __init__(self, options) -> None:
        self.options = options
        self.connection = open_dbus_connection("SESSION")
        self.sessions: dict[str, str] = {}  # session path -> its owner's unique name
        self.callers_seen: set[str] = set()  # connections that already made a portal call

    def record(self, call: dict) -> None:
        with open(self.options.calls, "a", encoding="utf-8") as calls:
            calls.write(json.dumps(call) + "\n")

    def own_name(self) -> None:
        reply = self.connection.send_and_get_reply(message_bus.RequestName(PORTAL), timeout=10)
        assert reply.body[0] == 1, "another portal owns the name on this bus"

    def handle(self, message) -> None:
        fields = message.header.fields
        if message.header.message_type != MessageType.method_call:
            return
        interface, member = fields.get(HeaderFields.interface), fields[HeaderFields.member]
        sender, path = fields[HeaderFields.sender], fields[HeaderFields.path]
        if interface == REGISTRY and member == "Register" and not self.options.without_registry:
            self.register(message, sender)
        elif interface == GLOBAL_SHORTCUTS and not self.options.without_global_shortcuts \
                and member in ("CreateSession", "BindShortcuts"):
            self.callers_seen.add(sender)
            getattr(self, member)(message, sender)
        elif interface == SESSION and member == "Close" and path in self.sessions:
            self.record({"call": "Close", "session": path})
            del self.sessions[path]
            self.reply(new_method_return(message))
        elif interface == "org.freedesktop.DBus.Peer" or interface is None:
            self.reply(new_method_return(message))
        else:
            self.reply(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                 (f"No such method {interface}.{member}",)))

    def register(self, message, sender: str) -> None:
        app_id = message.body[0]
        self.record({"call": "Register", "app_id": app_id})
        if sender in self.callers_seen:  # the real portal's rule: Register comes first
            self.reply(new_error(message, "org.freedesktop.portal.Error.Failed", "s",
                                 ("Connection already associated with an application ID",)))
            return
        self.callers_seen.add(sender)
        self.reply(new_method_return(message))

    def CreateSession(self, message, sender: str) -> None:
        options = message.body[0]
        self.record({"call": "CreateSession", "options": sorted(options)})
        request = self.request_path(sender, options["handle_token"][1])
        session = f"{PATH}/session/{sender[1:].replace('.', '_')}/" \
                  f"{options['session_handle_token'][1]}"
        self.sessions[session] = sender
        self.reply(new_method_return(message, "o", (request,)))
        self.respond(request, sender, {"session_handle": ("s", session)})

    def BindShortcuts(self, message, sender: str) -> None:
        session, shortcuts, _parent_window, options = message.body
        wanted = [{"id": shortcut_id, "description": values["description"][1],
                   "preferred_trigger": values.get("preferred_trigger", ("s", ""))[1]}
                  for shortcut_id, values in shortcuts]
        self.record({"call": "BindShortcuts", "session": session, "shortcuts": wanted})
        if self.sessions.get(session) != sender:
            self.reply(new_error(message, "org.freedesktop.portal.Error.NotFound", "s",
                                 ("No such session",)))
            return
        request = self.request_path(sender, options["handle_token"][1])
        self.reply(new_method_return(message, "o", (request,)))
        bound = [(shortcut["id"], {
            "description": ("s", shortcut["description"]),
            "trigger_description": ("s", self.options.bind_as or shortcut["preferred_trigger"]),
        }) for shortcut in wanted]
        self.respond(request, sender, {"shortcuts": ("a(sa{sv})", bound)})

    @staticmethod
    def request_path(sender: str, token: str) -> str:
        return f"{PATH}/request/{sender[1:].replace('.', '_')}/{token}"

    def respond(self, request: str, destination: str, results: dict) -> None:
        signal = new_signal(DBusAddress(request, interface=REQUEST), "Response", "ua{sv}",
                            (0, results))
        signal.header.fields[HeaderFields.destination] = destination
        self.reply(signal)

    def activate(self) -> None:
        session = list(self.sessions)[-1]
        self.record({"call": "Activated", "session": session})
        signal = new_signal(DBusAddress(PATH, interface=GLOBAL_SHORTCUTS), "Activated",
                            "osta{sv}", (session, "quick-ask", 1234, {}))
        signal.header.fields[HeaderFields.destination] = self.sessions[session]
        self.reply(signal)

    def change(self, trigger: str) -> None:
        """The user gave quick ask another key in the desktop's settings: ShortcutsChanged."""
        session = list(self.sessions)[-1]
        shortcuts = [("quick-ask", {"description": ("s", "Open quick ask"),
                                    "trigger_description": ("s", trigger)})]
        signal = new_signal(DBusAddress(PATH, interface=GLOBAL_SHORTCUTS), "ShortcutsChanged",
                            "oa(sa{sv})", (session, shortcuts))
        signal.header.fields[HeaderFields.destination] = self.sessions[session]
        self.reply(signal)

    def reply(self, message) -> None:
        self.connection.send(message)

    def serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.connection.sock, selectors.EVENT_READ, "bus")
        selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
        while True:
            for key, _ in selector.select():
                if key.data == "stdin":
                    line = sys.stdin.readline()
                    if not line:
                        return
                    command, _, argument = line.strip().partition(" ")
                    if command == "activate":
                        self.activate()
                    elif command == "change":
                        self.change(argument)
                    print("done", flush=True)
                    continue
                while True:
                    try:
                        self.handle(self.connection.receive(timeout=0))
                    except TimeoutError:
                        break


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("calls")
    parser.add_argument("--bind-as")
    parser.add_argument("--without-registry", action="store_true")
    parser.add_argument("--without-global-shortcuts", action="store_true")
    portal = StandInPortal(parser.parse_args())
    portal.own_name()
    print("ready", flush=True)
    portal.serve()


if __name__ == "__main__":
    main()
