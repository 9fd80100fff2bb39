"""The Linux installers as users get them: `python packaging/build.py` builds the .deb and the
portable .tar.gz, dpkg-deb unpacks the .deb, and the frozen program inside runs its self-test,
one `ask` turn with a tool call against the fake Gemini, and its window on a real X display.

The build takes about 100 s, once for the whole module.
"""

import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, TEST_KEY
from fake_gemini import text, tool_calls
from test_ui_real_display import (  # noqa: F401 (the `display` fixture)
    App,
    a_typed_request_becomes_a_task,
    display_fixture,
)

from app import __version__
from app.tasks import TaskStore
from app.tasks.when.dates import friendly_due

COMMAND = "task-assistant"
INSTALL_DIR = Path("opt") / COMMAND
MAX_DEB_BYTES = 80 * 1000 * 1000
RUN = 120  # seconds for one run of the frozen program (~2-5 s here)

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.timeout(900),  # the first test also waits for the build
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds the Linux packages"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None,
                       reason="needs dpkg-deb to unpack the .deb"),
]


@dataclass
class Built:
    deb: Path
    tarball: Path
    root: Path  # the .deb unpacked: what `apt install` would put under /

    @property
    def command(self) -> Path:
        return self.root / "usr" / "bin" / COMMAND

    @property
    def bundle(self) -> Path:
        return self.root / INSTALL_DIR


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "packaging/build.py", "--dist", str(dist)], cwd=REPO,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    [deb] = dist.glob("*.deb")
    [tarball] = dist.glob("*.tar.gz")
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return Built(deb, tarball, root)


def frozen_env(app_home: Path, **extra: str) -> dict[str, str]:
    """What a user's session gives the installed program: no PYTHONPATH into this checkout, no
    key unless a test passes one."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "GEMINI_API_KEY", "VIRTUAL_ENV")}
    env.update(TASK_ASSISTANT_HOME=str(app_home), **extra)
    return env


def run(command, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(command), *argv], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=RUN)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def control_fields(deb: Path) -> dict[str, str]:
    control = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    return dict(re.findall(r"^(\S+): (.*)$", control, re.MULTILINE))


# -- the package -----------------------------------------------------------------------------------

def test_the_deb_installs_a_command_a_menu_entry_and_icons(built):
    assert built.deb.stat().st_size < MAX_DEB_BYTES, f"{built.deb.stat().st_size / 1e6:.1f} MB"
    fields = control_fields(built.deb)
    assert (fields["Package"], fields["Version"]) == (COMMAND, __version__)
    listing = subprocess.run(["dpkg-deb", "--contents", str(built.deb)], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    assert all(" root/root " in line for line in listing), [
        line for line in listing if " root/root " not in line][:3]

    assert built.command.is_symlink()
    assert built.command.resolve() == (built.bundle / COMMAND).resolve()
    assert os.access(built.bundle / COMMAND, os.X_OK)

    entry = built.root / "usr/share/applications" / f"{COMMAND}.desktop"
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True,
                                 text=True)
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    lines = entry.read_text().splitlines()
    assert f"Exec={COMMAND}" in lines and f"Icon={COMMAND}" in lines
    hicolor = built.root / "usr/share/icons/hicolor"
    for size in (16, 48, 256):
        assert (hicolor / f"{size}x{size}/apps/{COMMAND}.png").stat().st_size > 100
    assert (hicolor / f"scalable/apps/{COMMAND}.svg").exists()
    assert (built.root / f"usr/share/doc/{COMMAND}/copyright").read_text().count("MIT") >= 1


def _needed_libraries(path: Path) -> list[str]:
    dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)


def _is_elf(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(4) == b"\x7fELF"


def _owning_package(library: str) -> str | None:
    owner = subprocess.run(["dpkg", "-S", f"*/{library}"], capture_output=True, text=True)
    return owner.stdout.split(":", 1)[0] if owner.returncode == 0 else None


@pytest.mark.skipif(shutil.which("readelf") is None, reason="needs readelf (binutils)")
def test_depends_names_every_library_the_bundle_takes_from_the_system(built):
    """Each library a bundled binary links but the bundle does not ship must come from a package
    in Depends; otherwise the app fails to start on a system without it."""
    files = [path for path in built.bundle.rglob("*") if path.is_file()]
    shipped = {path.name for path in built.bundle.rglob("*")}
    from_system = {library for path in files if not path.is_symlink() and _is_elf(path)
                   for library in _needed_libraries(path)} - shipped
    assert from_system, "no system libraries at all: the scan found nothing"
    depends = {re.split(r"[ (]", part.strip())[0]
               for part in control_fields(built.deb)["Depends"].replace("|", ",").split(",")}
    owners = {library: _owning_package(library) for library in sorted(from_system)}
    assert None not in owners.values(), f"no installed package has {owners}"
    missing = {library: package for library, package in owners.items() if package not in depends}
    assert missing == {}, f"add these packages to DEB_DEPENDS in packaging/metadata.py: {missing}"


# -- the frozen program ----------------------------------------------------------------------------

@pytest.fixture
def secret_service():
    """The private Secret Service scripts/test starts: the frozen app must find it on its own."""
    from test_keystore_secret_service import _private_secret_service_problem

    problem = _private_secret_service_problem()
    if problem:
        pytest.skip(problem)


@pytest.mark.secret_service
def test_the_frozen_self_test_passes(built, app_home, secret_service):
    result = run(built.command, frozen_env(app_home), "--self-test")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED" not in result.stdout
    for check in ("imports", "keyring: SecretService", "TLS", "store", "window"):
        assert check in result.stdout, result.stdout
    assert not app_home.exists() or not any(app_home.iterdir())  # touched nothing of the user's


@pytest.mark.secret_service
def test_the_frozen_self_test_says_what_is_missing(built, app_home, tmp_path, secret_service):
    broken = tmp_path / "broken"
    shutil.copytree(built.bundle, broken, symlinks=True)
    plugins = broken / "_internal/PySide6/Qt/plugins"
    for plugin in ("imageformats/libqsvg.so", "iconengines/libqsvgicon.so"):
        (plugins / plugin).unlink()

    result = run(broken / COMMAND, frozen_env(app_home), "--self-test")

    assert result.returncode == 1, result.stdout
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "SVG" in failed[0], result.stdout


def test_a_frozen_ask_turn_adds_a_task_with_a_tool_call(built, app_home, gemini):
    gemini.enqueue(tool_calls(("add_task", {"title": "Renew passport", "due": "2026-12-04"})),
                   text("Added it: ", "*Renew passport*, due Friday 4 December."))
    env = frozen_env(app_home, GEMINI_API_KEY=TEST_KEY, TASK_ASSISTANT_BASE_URL=gemini.base_url)

    result = run(built.command, env, "ask", "remind me to renew my passport on December 4th")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Added it: *Renew passport*, due Friday 4 December.\n"
    assert result.stderr == f"• Added 'Renew passport', due {friendly_due('2026-12-04')}\n"
    assert TEST_KEY not in result.stdout + result.stderr
    assert gemini.pending == 0
    with TaskStore(app_home / "tasks.sqlite3") as store:
        assert [(t.title, t.due) for t in store.list_tasks()] == [("Renew passport", "2026-12-04")]


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("xdotool") is None,
                    reason="needs Xvfb and xdotool")
def test_the_frozen_window_takes_a_typed_request_on_a_real_display(
        built, app_home, gemini, display, tmp_path):
    frozen = App(app_home, display, gemini, tmp_path, command=[str(built.command)])
    try:
        a_typed_request_becomes_a_task(frozen, display, app_home, gemini, tmp_path)
    finally:
        frozen.stop()


def test_the_portable_archive_runs_from_any_folder(built, app_home, tmp_path):
    folder = tmp_path / "unpacked here"  # a space in the path, as in many home folders
    with tarfile.open(built.tarball) as archive:
        archive.extractall(folder, filter="tar")
    program = folder / COMMAND / COMMAND
    assert (folder / COMMAND / f"{COMMAND}.desktop").exists()

    assert run(program, frozen_env(app_home), "--version").stdout == f"{COMMAND} {__version__}\n"
    added = run(program, frozen_env(app_home), "tasks", "add", "Buy milk", "--due", "2026-12-01")
    assert added.returncode == 0, added.stderr
    listed = run(program, frozen_env(app_home), "tasks", "list")
    assert "Buy milk" in listed.stdout
