"""Small files the app owns (settings, reminders, login entries), written so a crash or a full
disk never leaves half of one, and a damaged one set aside rather than lost."""

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """A temporary file beside `path`, synced and renamed over it: a reader (or a crash) sees
    the old file or the new one, whole. `mode` widens mkstemp's private 0600 when the file is
    not secret. OSError propagates; the temporary file is removed."""
    import tempfile  # only here: the light start-up paths never write

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def read_json(path: Path) -> tuple[object, str | None]:
    """The JSON value in `path` (None when there is no file) and why it could not be read (an
    OS error, as a phrase). ValueError propagates for content that is not UTF-8 JSON."""
    import json

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, f"could not read it: {error.strerror or type(error).__name__}"
    return json.loads(data.decode("utf-8")), None


def keep_aside(path: Path) -> Path:
    """Moves a damaged file to `<name>.bad` (or `.bad-2`, … never over an earlier one) and
    returns where it went. OSError propagates when it cannot be moved."""
    for number in range(1, 1000):
        suffix = ".bad" if number == 1 else f".bad-{number}"
        aside = path.with_name(path.name + suffix)
        if not aside.exists():
            break
    os.replace(path, aside)
    return aside
