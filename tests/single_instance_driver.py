"""Acts like the app's start-up, for tests/desktop/test_single_instance.py.

    python single_instance_driver.py MESSAGE [--wait-for-go] [--timeout-ms N]

Prints one line for what happened — "handed off" (exit 0), "listening", or "error: …" (exit 1)
— then, while listening, every message it receives, until "quit" (or end of file) on stdin;
then "closed" and exit 0. With --wait-for-go it prints "ready" once everything is imported
and waits for "go" on stdin first, so tests can start several at the same instant.
"""

import argparse
import os
import sys

from PySide6.QtCore import QCoreApplication, QSocketNotifier

from app.common.errors import UserError
from app.ui.lifecycle.single_instance import SEND_TIMEOUT_MS, start_or_hand_off


def say(text: str) -> None:
    print(text, flush=True)


def stdin_line() -> str | None:
    """One line from fd 0, unbuffered (a buffered read could swallow a later "quit");
    None at end of file."""
    data = b""
    while not data.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            return data.decode().strip() or None
        data += byte
    return data.decode().strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("message")
    parser.add_argument("--wait-for-go", action="store_true")
    parser.add_argument("--timeout-ms", type=int, default=SEND_TIMEOUT_MS)
    args = parser.parse_args()

    app = QCoreApplication(sys.argv[:1])
    if args.wait_for_go:
        say("ready")
        if stdin_line() != "go":
            return 2
    try:
        server = start_or_hand_off(args.message, args.timeout_ms)
    except UserError as error:
        say(f"error: {error}")
        return 1
    if server is None:
        say("handed off")
        return 0
    server.message_received.connect(say)
    notifier = QSocketNotifier(0, QSocketNotifier.Type.Read)

    def command() -> None:
        if stdin_line() in ("quit", None):
            notifier.setEnabled(False)
            app.quit()

    notifier.activated.connect(command)
    say("listening")
    app.exec()
    server.close()
    say("closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
