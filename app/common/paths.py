"""Where Task Assistant keeps its files."""

import os
import sys
from pathlib import Path

from app.common.private_files import private_dir, tighten_tree

HOME_ENV = "TASK_ASSISTANT_HOME"
_tightened: set[Path] = set()


def data_dir() -> Path:
    """The data directory, created private (0700) on first use, its files tightened to 0600;
    TASK_ASSISTANT_HOME overrides it (tests set it)."""
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs  # only here: the override path (tests, scripts) skips the import

        path = Path(platformdirs.user_data_dir("task-assistant", appauthor=False))
    private_dir(path)
    if path not in _tightened:  # once per process: files an older version made 0644
        _tightened.add(path)
        tighten_tree(path)
    return path


def tasks_db_path() -> Path:
    return data_dir() / "tasks.sqlite3"


def resources_dir() -> Path:
    """`resources/`: in the bundle when frozen by PyInstaller; inside the package as
    `app/_resources` when installed from a wheel (pip, pipx: setup.py puts it there); else
    beside `app/` in a checkout (an editable install reads the checkout too)."""
    if frozen := getattr(sys, "_MEIPASS", None):
        return Path(frozen) / "resources"
    # The package's own folder, not importlib.resources: an installed wheel is plain files
    # (Qt wants a path anyway), and importing importlib.resources cost ~15 ms of the first paint.
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_resources"
    if packaged.is_dir():
        return packaged
    return package.parent / "resources"


def resource_path(name: str) -> Path | None:
    """A file from `resources/`; None when it is missing (the app then runs without it,
    e.g. no icon)."""
    path = resources_dir() / name
    return path if path.exists() else None
