"""One running Task Assistant per user and data directory.

A second launch connects to the running instance over a local socket (QLocalServer on a Unix
socket file, a named pipe on Windows), sends one line — "show", "quick-ask" or "ping" — waits
for a one-byte acknowledgement and exits. Start-up, before any event loop runs:

    server = start_or_hand_off("show")     # None: the running instance took it, exit 0
    ...                                    # else: we are the instance, listening
    server.message_received.connect(shell.handle)
    ...
    server.close()                         # removes the socket file, releases the lock

Who is "the running instance" is decided by a lock, not by `QLocalServer.listen()`: with
`UserAccessOption` (the socket only for its owner) Qt binds in a private temporary directory
and renames the socket into place, so a second `listen()` on the same name *succeeds* and
silently takes the name over (measured with Qt 6.11; named pipes on Windows behave alike). So:

- `running.lock` in the data directory is held (an OS file lock: flock / msvcrt) for as long
  as the instance listens. The OS drops it when the process dies, however it dies, so a crash
  leaves no stale lock — only a stale socket file, which the next holder removes.
- `starting.lock` is held only around "take running.lock, listen": whoever finds running.lock
  taken therefore knows the holder is already listening, and a retried `send_to_running`
  reaches it (the kernel queues the connection until its event loop answers). Two launches at
  the same moment: exactly one listens, the other hands off. No sleeping, no polling.
The two lock files stay in the data directory (empty); deleting a lock file that another
process may have just opened would let two processes "hold" it.
"""

import getpass
import hashlib
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QDir, QMetaMethod, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.common.errors import UserError
from app.common.paths import data_dir

MESSAGES = frozenset({"show", "quick-ask", "ping"})  # "ping": a start that wants nothing shown
ACK = b"+"  # the instance took the message
NAK = b"?"  # the instance is running but did not understand the message
MAX_MESSAGE = 64  # bytes, newline included: anything longer is garbage
MAX_HELD = 16  # messages kept until something connects to message_received
READ_TIMEOUT_MS = 3000  # a connection that sends no full line in this time is dropped
SEND_TIMEOUT_MS = 5000  # only spent when an instance is listening but busy: a refused or
#                         missing socket returns at once
RUNNING_LOCK = "running.lock"
STARTING_LOCK = "starting.lock"
_SUN_PATH_MAX = 100  # Unix socket paths are limited to 107 bytes; keep a margin

_log = logging.getLogger(__name__)


def _user() -> str:
    try:
        name = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (a bare container)
        name = ""
    uid = os.getuid() if hasattr(os, "getuid") else ""
    return f"{name}:{uid}"


def server_name() -> str:
    """The local-socket name for this user and data directory.

    On Linux with an XDG runtime directory (/run/user/<uid>, private to the user) this is a
    full path in it; otherwise a bare name, which Qt puts in the temporary directory on Unix
    and turns into a named pipe on Windows."""
    key = f"{_user()}\0{data_dir().resolve()}".encode()
    name = f"task-assistant-{hashlib.sha256(key).hexdigest()[:24]}"
    runtime = _runtime_dir()
    if runtime is not None and len(os.fsencode(runtime / name)) <= _SUN_PATH_MAX:
        return str(runtime / name)
    return name


def socket_path(name: str | None = None) -> Path | None:
    """Where the socket file of `name` lives (None on Windows: a named pipe has no file)."""
    if sys.platform == "win32":
        return None
    name = name or server_name()
    return Path(name) if os.path.isabs(name) else Path(QDir.tempPath()) / name


def _runtime_dir() -> Path | None:
    value = os.environ.get("XDG_RUNTIME_DIR")
    if not value or sys.platform in ("win32", "darwin") or not os.path.isabs(value):
        return None
    try:
        info = os.stat(value)
    except OSError:
        return None
    import stat

    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return Path(value)


# -- the second launch ------------------------------------------------------------------------


def send_to_running(message: str, timeout_ms: int = SEND_TIMEOUT_MS) -> bool:
    """Hand `message` to the running instance; True if one took it (acknowledged it).

    Blocking, for start-up before any event loop runs (never call it from a coroutine or a
    slot). Returns at once when nothing is running; `timeout_ms` bounds the whole exchange
    with an instance that is listening but does not answer."""
    return _deliver(message, timeout_ms) == ACK


def _deliver(message: str, timeout_ms: int) -> bytes | None:
    """The instance's one-byte reply (ACK or NAK), or None if no instance answered."""
    if message not in MESSAGES:
        raise ValueError(f"unknown single-instance message: {message!r}")
    name = server_name()
    path = socket_path(name)
    if path is not None:
        try:
            owner = os.stat(path).st_uid
        except OSError:
            return None  # no socket file: nothing is running (and Qt need not be asked)
        if owner != os.getuid():  # someone else's file where ours would be: never talk to it
            _log.warning("%s belongs to another user; not connecting to it", path)
            return None
    deadline = time.monotonic() + timeout_ms / 1000

    def left() -> int:
        return max(0, int((deadline - time.monotonic()) * 1000))

    socket = QLocalSocket()
    try:
        socket.connectToServer(name)
        if not socket.waitForConnected(left()):
            return None  # refused (a crashed instance's file) or not found: immediate
        socket.write(message.encode("ascii") + b"\n")
        while socket.bytesToWrite() > 0:
            if not socket.waitForBytesWritten(left()):
                return None
        while socket.bytesAvailable() < 1:
            if not socket.waitForReadyRead(left()):
                return None
        reply = bytes(socket.read(1).data())
        return reply if reply in (ACK, NAK) else None
    finally:
        socket.abort()  # the object itself goes with its Python wrapper (it has no parent)


def start_or_hand_off(message: str, timeout_ms: int = SEND_TIMEOUT_MS) -> "InstanceServer | None":
    """The start-up decision: None if a running instance took `message` (exit 0); otherwise
    a listening InstanceServer — this process is the instance.

    Needs the QApplication (the server's socket notifiers need its event dispatcher), but no
    running loop. Raises UserError when an instance holds the lock but does not answer, or
    when the socket cannot be created."""
    reply = _deliver(message, timeout_ms)
    if reply is None:
        server = InstanceServer()
        if server.listen():
            return server
        if not server.busy:
            raise UserError(f"Could not start: {server.error}")
        # Another launch became the instance a moment ago; its socket is listening already.
        reply = _deliver(message, timeout_ms)
    if reply == ACK:
        return None
    if reply == NAK:
        raise UserError("Task Assistant is already running, but a different version: "
                        "quit it and start again.")
    raise UserError("Task Assistant is already running but not responding. "
                    "Quit it (or end its process) and start again.")


# -- the running instance ---------------------------------------------------------------------


class InstanceServer(QObject):
    """Listens for second launches and emits each valid message they send.

    Connections are served only while the event loop runs. A message that arrives before
    anything is connected to `message_received` (the loop can serve the socket before the
    app's first coroutine step has built the window) is kept and emitted once something is:
    a second launch that was told "done" is never silently dropped."""

    message_received = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._held: list[str] = []  # read before anything was connected to message_received
        self.name = server_name()
        self.error = ""  # why listen() failed
        self.busy = False  # listen() failed because another instance holds the lock
        self._lock: _FileLock | None = None
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        # Open connections: the bytes read so far, or None once answered (closing).
        self._sockets: dict[QLocalSocket, bytearray | None] = {}

    def listen(self) -> bool:
        """Become the instance: False if another one is (`busy`) or the socket failed (`error`)."""
        if self._server.isListening():
            return True
        self.error, self.busy = "", False
        home = data_dir()
        try:
            with _FileLock(home / STARTING_LOCK):
                lock = _FileLock(home / RUNNING_LOCK)
                if not lock.acquire(blocking=False):
                    self.busy = True
                    self.error = "another Task Assistant is running"
                    return False
                # We hold the lock, so no live instance owns this name: any socket file there
                # is a crashed instance's. (With UserAccessOption Qt would rename over it
                # anyway; removing it first keeps that from depending on Qt's internals.)
                QLocalServer.removeServer(self.name)
                if not self._server.listen(self.name):
                    self.error = self._server.errorString()
                    lock.release()
                    return False
                self._lock = lock
        except OSError as error:  # an unwritable data directory, say
            self.error = f"{error.strerror or error} ({getattr(error, 'filename', '')})"
            return False
        return True

    def close(self) -> None:
        """Stop listening: drops open connections, removes the socket file, frees the lock.
        Safe to call twice, and after the event loop has ended."""
        for socket in list(self._sockets):
            self._drop(socket)
        if self._server.isListening():
            self._server.close()  # removes the socket file on Unix
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # -- connections ---------------------------------------------------------------------------

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._sockets[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            QTimer.singleShot(READ_TIMEOUT_MS, socket, lambda s=socket: self._timed_out(s))
            self._read(socket)  # the line may have arrived with the connection

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._sockets.get(socket)
        if buffer is None:
            socket.readAll()  # answered already (or gone): whatever else it sends is dropped
            return
        buffer += bytes(socket.read(MAX_MESSAGE + 1 - len(buffer)).data())
        end = buffer.find(b"\n")
        if end < 0:
            if len(buffer) > MAX_MESSAGE:
                self._reply(socket, NAK, f"an over-long message ({len(buffer)}+ bytes)")
            return
        line = bytes(buffer[:end]).rstrip(b"\r")
        message = line.decode("ascii", errors="replace")
        if message in MESSAGES:
            self._reply(socket, ACK)
            self._emit(message)
        else:
            self._reply(socket, NAK, f"an unknown message {line!r}")

    def _emit(self, message: str) -> None:
        if self.isSignalConnected(QMetaMethod.fromSignal(self.message_received)):
            self.message_received.emit(message)
        elif len(self._held) < MAX_HELD:
            self._held.append(message)

    def connectNotify(self, signal: QMetaMethod) -> None:
        super().connectNotify(signal)
        if getattr(self, "_held", None) and signal == QMetaMethod.fromSignal(
                self.message_received):
            QTimer.singleShot(0, self, self._release_held)  # not from inside connect()

    def _release_held(self) -> None:
        held, self._held = self._held, []
        for message in held:
            self._emit(message)

    def _reply(self, socket: QLocalSocket, reply: bytes, rejected: str = "") -> None:
        self._sockets[socket] = None
        if rejected:
            _log.warning("Ignored %s from another launch of the app", rejected)
        socket.write(reply)
        socket.flush()  # the other launch can exit now, before any slot runs
        socket.disconnectFromServer()  # `disconnected` then frees it

    def _timed_out(self, socket: QLocalSocket) -> None:
        if self._sockets.get(socket) is not None:
            _log.warning("Dropped a connection from another launch that sent no message")
            self._drop(socket)

    def _drop(self, socket: QLocalSocket) -> None:
        if socket not in self._sockets:
            return  # abort() below emits `disconnected` again
        del self._sockets[socket]
        socket.abort()
        socket.deleteLater()


# -- OS file locks: released by the OS when the process ends, however it ends -----------------


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, blocking: bool) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except OSError as error:
            os.close(fd)
            if blocking or not _is_contention(error):
                raise
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                os.lseek(self._fd, 0, os.SEEK_SET)
                msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(self._fd)  # closing drops a flock
            self._fd = None

    def __enter__(self) -> "_FileLock":
        self.acquire(blocking=True)
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _is_contention(error: OSError) -> bool:
    import errno

    return isinstance(error, BlockingIOError) or error.errno in (errno.EACCES, errno.EDEADLK)
