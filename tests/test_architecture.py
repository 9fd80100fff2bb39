"""The Qt-free core and the light start-up path, checked rather than promised."""

import ast
import subprocess
import sys

from conftest import CLI, REPO, cli_env

UI_ONLY = ("PySide6", "qasync", "app.ui")
# The entry point starts the window when no command is given, and the self-test builds one to
# check it paints; each imports the UI only then (the subprocess test below checks that
# importing the core loads no Qt).
LAUNCHERS = ["app/cli/main.py imports app.ui.desktop",
             "app/diagnostics/self_test.py imports app.ui.window_check"]
HEAVY = ("PySide6", "qasync", "agents", "openai", "keyring", "httpx", "sqlite3")


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_module_outside_app_ui_imports_qt():
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in (REPO / "app").rglob("*.py") if "ui" not in path.relative_to(REPO / "app").parts
        for module in imported_modules(path)
        if module.split(".")[0] in UI_ONLY or module.startswith("app.ui")
    ]
    assert sorted(offenders) == LAUNCHERS


def test_the_whole_core_imports_without_qt(app_home):
    core = [".".join(p.relative_to(REPO).with_suffix("").parts)
            for p in (REPO / "app").rglob("*.py")
            if "ui" not in p.relative_to(REPO / "app").parts and p.name != "__main__.py"]
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
