"""The layers, checked rather than promised: what may import what, no import cycles, Qt only in
app/ui, a small top level, and the light start-up path."""

import ast
import subprocess
import sys
from pathlib import Path

from conftest import CLI, REPO, cli_env

APP = REPO / "app"
# Top to bottom: a part may import only the parts in layers below its own. Parts in one layer
# are independent of each other. `app` itself (the name and version) is for everyone.
LAYERS = [
    ("__main__",),
    ("cli",),                    # runs the self-test, or the desktop app when given no command
    ("diagnostics",),            # paints the real window to check it
    ("ui",),
    ("workspace",),
    ("routines",),               # runs the assistant on a schedule, unattended
    ("assistant", "desktop", "mcp", "sync"),
    ("tools",),                  # the task tools' protocol the agent and MCP share
    ("conversations", "tasks", "config"),
    ("common",),
]
QT = ("PySide6", "qasync")
# The entry point starts the window when no command is given, and the self-test builds one to
# check it paints: each imports the UI inside a function, only then (the subprocess test below
# checks that importing the core loads no Qt).
LAUNCHERS = ["app.cli.main imports app.ui.lifecycle.desktop",
             "app.diagnostics.self_test imports app.ui.lifecycle.window_check"]
MAX_TOP_LEVEL_MODULES = 5
MAX_MODULE_LINES = 800     # a room a newcomer can read through
MAX_MODULES_PER_FOLDER = 16  # .py files directly in one folder, __init__ included
HEAVY = ("PySide6", "qasync", "agents", "openai", "keyring", "httpx", "sqlite3")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in APP.rglob("*.py")}


def imports(path: Path, *, top_level_only: bool = False):
    """(imported module, line) for each import in the file; `from a import b` names the module
    a.b when b is one, otherwise a."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield (submodule if submodule in MODULES else node.module), node.lineno


def part(module: str) -> str | None:
    """The layer part a module of the app belongs to: app.tasks.store -> "tasks"."""
    pieces = module.split(".")
    return pieces[1] if pieces[0] == "app" and len(pieces) > 1 else None


def test_every_part_of_app_has_a_layer():
    known = {name for layer in LAYERS for name in layer}
    parts = {path.stem if path.is_file() else path.name
             for path in APP.iterdir() if path.name != "__init__.py" and
             (path.suffix == ".py" or (path / "__init__.py").exists())}
    assert parts == known


def test_layers_import_only_downward():
    rank = {name: depth for depth, layer in enumerate(LAYERS) for name in layer}
    offenders = []
    for name, path in MODULES.items():
        source = part(name)
        for imported, line in imports(path):
            target = part(imported)
            if source and target and target != source and rank[target] <= rank[source]:
                offenders.append(f"{path.relative_to(REPO)}:{line} ({source}) imports "
                                 f"{imported} ({target})")
    assert offenders == []


def test_no_import_cycle_between_files():
    graph = {name: {imported for imported, _ in imports(path) if imported in MODULES
                    and imported != name} for name, path in MODULES.items()}
    cycles = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_qt_is_imported_only_in_app_ui_and_launched_lazily():
    offenders = sorted(
        f"{name} imports {imported}" for name, path in MODULES.items() if part(name) != "ui"
        for imported, _ in imports(path)
        if imported.split(".")[0] in QT or part(imported) == "ui")
    assert offenders == LAUNCHERS
    eager = [f"{name} imports {imported}" for name, path in MODULES.items()
             for imported, _ in imports(path, top_level_only=True)
             if part(name) != "ui" and (imported.split(".")[0] in QT or part(imported) == "ui")]
    assert eager == []


def test_the_top_level_of_app_stays_small():
    assert len(list(APP.glob("*.py"))) <= MAX_TOP_LEVEL_MODULES


def test_no_module_in_app_is_over_the_line_limit():
    too_long = {f"{path.relative_to(REPO)}: {lines} lines" for path in MODULES.values()
                if (lines := len(path.read_text(encoding="utf-8").splitlines()))
                > MAX_MODULE_LINES}
    assert too_long == set()


def test_no_folder_in_app_or_tests_holds_more_modules_than_the_limit():
    folders = [APP, *APP.rglob("*/"), REPO / "tests", *(REPO / "tests").rglob("*/")]
    crowded = {f"{folder.relative_to(REPO)}: {count} modules" for folder in folders
               if "__pycache__" not in folder.parts
               and (count := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_FOLDER}
    assert crowded == set()


def test_the_whole_core_imports_without_qt(app_home):
    core = [name for name in MODULES if part(name) != "ui" and not name.endswith("__main__")]
    code = (f"import sys\nfor m in {core!r}: __import__(m)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=cli_env(app_home), timeout=120)
    assert result.stderr == "" and result.stdout.strip() == "[]"


def test_version_and_help_need_no_display_and_import_nothing_heavy(app_home):
    code = ("import sys\nfrom app.cli.main import main\n"
            "for args in (['--help'], ['tasks', '--help']):\n"
            "    try: main(args)\n"
            "    except SystemExit: pass\n"
            f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=cli_env(app_home, DISPLAY="", QT_QPA_PLATFORM=""), timeout=60)
    assert "usage: task-assistant" in result.stdout
    assert result.stdout.strip().endswith("LOADED []")
    version = subprocess.run([*CLI, "--version"], capture_output=True, text=True,
                             env=cli_env(app_home, DISPLAY=""), timeout=60)
    from app import __version__

    assert (version.returncode, version.stdout) == (0, f"task-assistant {__version__}\n")
