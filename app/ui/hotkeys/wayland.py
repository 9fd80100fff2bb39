"""Wayland: the xdg-desktop-portal GlobalShortcuts portal, on a session-bus connection of our own.

Wayland lets no client grab keys; the desktop binds them for us. The exchange is asynchronous:
Registry.Register (our app id, needed outside Flatpak/Snap since xdg-desktop-portal 1.21; older
portals lack it, which is fine) -> CreateSession -> BindShortcuts, each answered later by a
Response signal on a Request object, and the desktop may pick another key or ask the user. So
`bind` returns None and `answered` later carries the one sentence for Settings; Activated then
opens quick ask. A changed setting closes the session and binds in a new one (a session is
bound once on some portals).

D-Bus goes through jeepney (pure Python, already here as keyring's Secret Service transport):
PySide6's QtDBus cannot marshal the a(sa{sv}) that BindShortcuts takes without a C++ type
registered for it. Reading is driven by a QSocketNotifier, so nothing blocks Qt's loop once the
connection is open.
"""

import logging
import secrets
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from app.common.errors import UserError
from app.config.shortcut_text import MODIFIERS, Shortcut
from app.ui.hotkeys import NOT_AVAILABLE

log = logging.getLogger(__name__)
APP_ID = "task-assistant"  # the installed .desktop file's name, as the portal checks it
SHORTCUT_ID = "quick-ask"
DESCRIPTION = "Open quick ask"
PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
REGISTRY = "org.freedesktop.host.portal.Registry"
GLOBAL_SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
CALL_TIMEOUT_MS = 10_000  # a method call's reply; a Response may wait on the user for longer
MAX_TRIGGER_TEXT = 60  # the desktop's description of the key, shown in Settings
# Errors meaning "no such portal or interface here", not "something broke".
ABSENT = {"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.UnknownMethod",
          "org.freedesktop.DBus.Error.UnknownInterface", "org.freedesktop.DBus.Error.UnknownObject",
          "org.freedesktop.DBus.Error.NameHasNoOwner"}

_PORTAL_MODIFIERS = {"Ctrl": "CTRL", "Alt": "ALT", "Shift": "SHIFT", "Meta": "LOGO"}
# xkb keysym names of Qt's named keys (the portal's trigger syntax, from the XDG shortcuts spec).
_PORTAL_KEYS = {"Space": "space", "Return": "Return", "Enter": "KP_Enter", "Tab": "Tab",
                "Backspace": "BackSpace", "Esc": "Escape", "Insert": "Insert", "Del": "Delete",
                "Home": "Home", "End": "End", "PgUp": "Page_Up", "PgDown": "Page_Down",
                "Left": "Left", "Up": "Up", "Right": "Right", "Down": "Down", "Print": "Print",
                "Pause": "Pause"}


def portal_trigger(shortcut: Shortcut) -> str:
    """Qt's portable text in the portal's syntax: Ctrl+Alt+Space -> CTRL+ALT+space."""
    key = _PORTAL_KEYS.get(shortcut.key)
    if key is None:  # letters by their lower-case keysym; digits and F-keys as they are
        key = shortcut.key.lower() if len(shortcut.key) == 1 else shortcut.key
    modifiers = [_PORTAL_MODIFIERS[name] for name in MODIFIERS if name in shortcut.modifiers]
    return "+".join([*modifiers, key])


def _shown(text) -> str:
    """The desktop's text, made safe to show in one line."""
    text = "".join(c for c in str(text) if c.isprintable()).strip()
    return text[:MAX_TRIGGER_TEXT]


class WaylandHotkey(QObject):
    """The quick-ask shortcut through the portal on $DBUS_SESSION_BUS_ADDRESS."""

    answered = Signal(str)  # the sentence once the desktop has answered (bound, or why not)

    def __init__(self, on_pressed: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_pressed = on_pressed
        try:
            from jeepney.io.blocking import open_dbus_connection

            self._connection = open_dbus_connection("SESSION")
        except (ImportError, KeyError, OSError, ValueError) as error:  # no session bus to reach
            raise UserError(NOT_AVAILABLE) from error
        self._sender = self._connection.unique_name[1:].replace(".", "_")
        self._replies: dict[int, tuple[Callable, Callable, QTimer]] = {}
        self._responses: dict[str, Callable] = {}  # request path -> what its Response does
        self._session: str | None = None
        self._wanted: Shortcut | None = None
        self._generation = 0  # bumped by every bind: answers to an older one are ignored
        self._registered = False
        self._notifier = QSocketNotifier(self._connection.sock.fileno(),
                                         QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read_messages)
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus

        for rule in (MatchRule(type="signal", interface=REQUEST, member="Response",
                               path_namespace=f"{PORTAL_PATH}/request/{self._sender}"),
                     MatchRule(type="signal", interface=GLOBAL_SHORTCUTS, member="Activated"),
                     # the user changed the key in the desktop's own settings
                     MatchRule(type="signal", interface=GLOBAL_SHORTCUTS,
                               member="ShortcutsChanged")):
            self._send(message_bus.AddMatch(rule))

    # -- what the manager calls -----------------------------------------------------------

    def bind(self, shortcut: Shortcut) -> None:
        """Asks the desktop for `shortcut`; `answered` says what became of it."""
        self.unbind()
        self._wanted = shortcut
        self._generation += 1
        if self._registered:
            self._create_session(self._generation)
        else:
            self._call(PORTAL_PATH, REGISTRY, "Register", "sa{sv}", (APP_ID, {}),
                       self._after_register(self._generation))

    def unbind(self) -> None:
        self._generation += 1
        if self._session is not None:
            self._call(self._session, SESSION, "Close", None, ())
            self._session = None

    def close(self) -> None:
        self.unbind()
        self._notifier.setEnabled(False)
        for _, _, timer in self._replies.values():
            timer.stop()
        self._replies.clear()
        self._connection.close()  # the portal ends whatever session is left with the connection

    # -- the exchange, step by step -------------------------------------------------------

    def _after_register(self, generation: int,
                        ) -> tuple[Callable[[object], None], Callable[[str, str], None]]:
        def registered(_body) -> None:
            self._registered = True
            if generation == self._generation:
                self._create_session(generation)

        def not_registered(name: str, text: str) -> None:
            # An older portal has no Registry (and an app in Flatpak needs none): go on.
            log.info("The portal did not register the app id (%s: %s)", name, text)
            self._registered = True
            if generation == self._generation:
                self._create_session(generation)

        return registered, not_registered

    def _create_session(self, generation: int) -> None:
        token = self._token()

        def created(results: dict) -> None:
            session = results.get("session_handle", ("s", ""))[1]
            if not isinstance(session, str) or not session.startswith("/"):
                self._fail(generation, "The desktop did not open a shortcut session for quick "
                                       "ask.")
                return
            if generation != self._generation:  # the setting changed meanwhile
                self._call(session, SESSION, "Close", None, ())
                return
            self._session = session
            self._bind_shortcuts(generation, session)

        options = {"handle_token": ("s", token), "session_handle_token": ("s", self._token())}
        self._request(generation, token, created, "CreateSession", "a{sv}", (options,))

    def _bind_shortcuts(self, generation: int, session: str) -> None:
        token = self._token()
        shortcut = self._wanted
        assert shortcut is not None  # bind() sets it before any session is asked for
        wanted = [(SHORTCUT_ID, {"description": ("s", DESCRIPTION),
                                 "preferred_trigger": ("s", portal_trigger(shortcut))})]

        def bound(results: dict) -> None:
            self._show_bound(results.get("shortcuts", ("a(sa{sv})", []))[1])

        self._request(generation, token, bound, "BindShortcuts", "oa(sa{sv})sa{sv}",
                      (session, wanted, "", {"handle_token": ("s", token)}))

    def _request(self, generation: int, token: str, on_success: Callable, method: str,
                 signature: str, body: tuple) -> None:
        """Calls a GlobalShortcuts method that answers with a Request's Response signal."""
        path = f"{PORTAL_PATH}/request/{self._sender}/{token}"

        def responded(code, results) -> None:
            if generation != self._generation:
                return
            if code == 0 and isinstance(results, dict):
                on_success(results)
            elif code == 1:
                self._fail(generation, "The desktop's shortcut request for quick ask was "
                                       "cancelled; change the shortcut in Settings to ask again.")
            else:
                self._fail(generation, "The desktop refused the quick-ask shortcut; bind "
                                       "`task-assistant --quick-ask` in its keyboard settings.")

        def returned(reply_body) -> None:
            handle = reply_body[0] if reply_body else path
            if handle != path:  # portals before 0.9 choose their own request path
                self._responses[handle] = self._responses.pop(path, responded)

        def failed(name: str, text: str) -> None:
            self._responses.pop(path, None)
            if name in ABSENT:
                self._fail(generation, NOT_AVAILABLE)
            else:
                log.warning("The desktop's GlobalShortcuts portal said %s: %s", name, text)
                self._fail(generation, "The desktop could not bind the quick-ask shortcut; bind "
                                       "`task-assistant --quick-ask` in its keyboard settings.")

        self._responses[path] = responded  # before the call: the Response may come at once
        self._call(PORTAL_PATH, GLOBAL_SHORTCUTS, method, signature, body, (returned, failed))

    def _show_bound(self, listed) -> None:
        """Says which key the desktop bound, from its list of (id, {trigger_description…})."""
        trigger = ""
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == SHORTCUT_ID \
                    and isinstance(entry[1], dict):
                trigger = _shown(entry[1].get("trigger_description", ("s", ""))[1])
        if trigger:
            self.answered.emit(f"Quick ask is bound to {trigger} by the desktop.")
        else:
            self.answered.emit("The desktop has not bound a key to quick ask yet; choose one "
                               "in its keyboard settings.")

    def _fail(self, generation: int, sentence: str) -> None:
        if generation == self._generation:
            log.warning("%s", sentence)
            self.answered.emit(sentence)

    # -- D-Bus plumbing -------------------------------------------------------------------

    @staticmethod
    def _token() -> str:
        return "task_assistant_" + secrets.token_hex(8)

    def _call(self, path: str, interface: str, method: str, signature: str | None, body: tuple,
              handlers: tuple[Callable, Callable] | None = None) -> None:
        from jeepney import DBusAddress, new_method_call

        message = new_method_call(DBusAddress(path, PORTAL, interface), method, signature, body)
        serial = self._send(message)
        if handlers is not None:
            timer = QTimer(self, singleShot=True, interval=CALL_TIMEOUT_MS)
            timer.timeout.connect(lambda: self._timed_out(serial))
            timer.start()
            self._replies[serial] = (*handlers, timer)

    def _send(self, message) -> int:
        serial = next(self._connection.outgoing_serial)
        try:
            self._connection.send(message, serial=serial)
        except OSError as error:  # the bus went away
            log.warning("The session bus closed: %s", error)
        return serial

    def _timed_out(self, serial: int) -> None:
        handlers = self._replies.pop(serial, None)
        if handlers is not None:
            handlers[1]("timeout", "no answer")

    def _read_messages(self) -> None:
        from jeepney import HeaderFields, MessageType

        while True:
            try:
                message = self._connection.receive(timeout=0)
            except TimeoutError:
                return
            except (OSError, ValueError) as error:  # closed, or bytes that are not D-Bus
                log.warning("The session bus connection failed: %s", error)
                self._notifier.setEnabled(False)
                return
            fields = message.header.fields
            kind = message.header.message_type
            if kind in (MessageType.method_return, MessageType.error):
                handlers = self._replies.pop(fields.get(HeaderFields.reply_serial), None)
                if handlers is None:
                    continue
                on_reply, on_error, timer = handlers
                timer.stop()
                if kind == MessageType.method_return:
                    on_reply(message.body)
                else:
                    text = message.body[0] if message.body else ""
                    on_error(fields.get(HeaderFields.error_name, ""), str(text)[:200])
            elif kind == MessageType.signal:
                self._signal(fields.get(HeaderFields.interface), fields.get(HeaderFields.member),
                             fields.get(HeaderFields.path), message.body)

    def _signal(self, interface: str, member: str, path: str, body: tuple) -> None:
        if interface == REQUEST and member == "Response" and len(body) == 2:
            responded = self._responses.pop(path, None)
            if responded is not None:
                responded(*body)
        elif interface == GLOBAL_SHORTCUTS and member == "Activated" and len(body) >= 2 \
                and self._session is not None and tuple(body[:2]) == (self._session, SHORTCUT_ID):
            self._on_pressed()
        elif interface == GLOBAL_SHORTCUTS and member == "ShortcutsChanged" and len(body) == 2 \
                and self._session is not None and body[0] == self._session:
            self._show_bound(body[1])
