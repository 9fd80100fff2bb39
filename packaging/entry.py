"""The frozen app's entry point: what PyInstaller runs as `task-assistant`."""

import os
import sys

# A windowed Windows executable starts with no console, so sys.stdout and sys.stderr are None
# and the first print() would raise. Send them nowhere instead; the log file keeps what matters.
for stream in ("stdout", "stderr"):
    if getattr(sys, stream) is None:
        setattr(sys, stream, open(os.devnull, "w", encoding="utf-8"))

from app.cli.main import main  # noqa: E402  (after the streams exist)

raise SystemExit(main())
