"""A real CalDAV server for the sync tests: Radicale on 127.0.0.1, htpasswd auth, in a temp dir.

Why a real server: what sync gets wrong lives in the protocol (sync tokens, ETags and 412s,
MKCALENDAR, how a server rewrites what it stores), which no fake would reproduce faithfully.

Usage::

    with Radicale(tmp_path) as server:
        server.url            # http://127.0.0.1:PORT/
        server.phone()        # a caldav client on the same account: the user's phone
        server.stop(); server.start()   # the server down, and back on the same port and data
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

USER = "alice"
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Radicale:
    def __init__(self, root: Path, *, user: str = USER, password: str = PASSWORD) -> None:
        self.root = Path(root) / "radicale"
        self.root.mkdir(parents=True, exist_ok=True)
        self.user, self.password = user, password
        self.users = self.root / "users"
        self.users.write_text(f"{user}:{password}\n")
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Radicale:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", "",
             "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(self.root / "collections"),
             "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(self.users),
             "--auth-htpasswd-encryption", "plain", "--logging-level", "warning",
             # a refused password costs a second by default; the tests refuse some on purpose
             "--auth-delay", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError("Radicale exited: " + said)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)  # a server coming up has no signal to wait on
        raise RuntimeError("Radicale did not start within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                # Radicale waits for its open connections on SIGTERM; one left hanging by a
                # hostile test's client kept a teardown waiting (seen once in CI).
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def __enter__(self) -> Radicale:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def phone(self):
        """A second CalDAV client on the same account, as a phone with DAVx5 would be."""
        import caldav

        return caldav.DAVClient(url=self.url, username=self.user, password=self.password)

    def phone_calendars(self) -> dict:
        """The account's calendars by display name, as the phone sees them."""
        principal = self.phone().principal()
        return {calendar.get_display_name(): calendar for calendar in principal.calendars()}
