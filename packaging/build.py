"""Builds Task Assistant's installers for the platform this runs on.

    python packaging/build.py [--dist DIR]

Linux: a .deb and a portable .tar.gz; Windows: an NSIS installer .exe; macOS: a .app in a .dmg.
All of them wrap one PyInstaller one-folder bundle (task-assistant.spec). The first run on a
machine without PyInstaller sets up build/venv with everything the build needs.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metadata  # noqa: E402

REPO = metadata.REPO
BUILD_VENV = REPO / "build" / "venv"


def _missing_build_tools() -> str | None:
    for module in ("PyInstaller", "PIL", "PySide6.QtSvg", "agents", "keyring", "qasync"):
        try:
            __import__(module)
        except ImportError:
            return module
    return None


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def ensure_build_environment(argv: list[str]) -> None:
    """Re-runs this script in build/venv (made on first use) unless this Python can build."""
    missing = _missing_build_tools()
    if missing is None:
        return
    python = _venv_python(BUILD_VENV)
    if Path(sys.prefix).resolve() == BUILD_VENV.resolve():  # (its python links to the base's)
        raise SystemExit(f"The build environment {BUILD_VENV} lacks {missing}: delete it and "
                         "run the build again.")
    print(f"{missing} is not installed here: setting up {BUILD_VENV} (first build only).")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BUILD_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"{REPO}[build]"], check=True)
    raise SystemExit(subprocess.run([str(python), __file__, *argv]).returncode)


def freeze(work: Path, dist: Path, icon: Path) -> Path:
    """The one-folder bundle, dist/task-assistant/."""
    if sys.platform.startswith("linux"):
        for tool, package in (("ldd", "libc-bin"), ("strip", "binutils"), ("objdump", "binutils")):
            if shutil.which(tool) is None:
                raise SystemExit(f"PyInstaller needs {tool} on Linux: install {package} "
                                 f"(sudo apt-get install {package}).")
    env = dict(os.environ, TASK_ASSISTANT_ICON=str(icon))
    if sys.platform == "win32":
        import windows_version

        env["TASK_ASSISTANT_VERSION_FILE"] = str(windows_version.write(work / "version-info.txt"))
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--distpath", str(dist),
                    "--workpath", str(work / "pyinstaller"),
                    str(REPO / "packaging" / "task-assistant.spec")], check=True, env=env)
    return dist / metadata.COMMAND


def linux_installers(bundle: Path, icons: dict[int, Path], work: Path, dist: Path) -> list[Path]:
    import linux_packages

    tree = linux_packages.stage_deb_tree(bundle, icons, work / "deb-root")
    return [linux_packages.build_deb(tree, dist), linux_packages.build_tarball(bundle, dist)]


def windows_installers(bundle: Path, icons: dict[int, Path], work: Path, dist: Path) -> list[Path]:
    import icons as icon_files
    import signing
    import windows_installer

    signing.sign_windows([bundle / metadata.WINDOWS_GUI_EXE, bundle / metadata.WINDOWS_CLI_EXE])
    ico = icon_files.windows_ico(icons, work / f"{metadata.COMMAND}.ico")
    return [windows_installer.build(bundle, ico, dist)]  # signs the installer and uninstaller


def macos_installers(bundle: Path, icons: dict[int, Path], work: Path, dist: Path) -> list[Path]:
    import macos_dmg

    return [macos_dmg.build(dist / f"{metadata.NAME}.app", dist)]


INSTALLERS = {"linux": linux_installers, "win32": windows_installers, "darwin": macos_installers}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Build Task Assistant's installers for this "
                                                 "platform.")
    parser.add_argument("--dist", type=Path, default=REPO / "dist",
                        help="where the bundle and installers go (default: dist/)")
    args = parser.parse_args(argv)
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    if platform not in INSTALLERS:
        raise SystemExit(f"Installers are built on Linux, Windows or macOS, not {sys.platform}.")
    ensure_build_environment(argv)
    import icons

    started = time.monotonic()
    dist = args.dist.resolve()
    work = REPO / "build"
    dist.mkdir(parents=True, exist_ok=True)
    pngs = icons.render_pngs(work / "icons")
    bundle = freeze(work, dist, pngs[max(pngs)])
    made = INSTALLERS[platform](bundle, pngs, work, dist)
    print(f"{metadata.NAME} {metadata.VERSION}, built in {time.monotonic() - started:.0f} s:")
    for path in [bundle, *made]:
        size = path.stat().st_size if path.is_file() else sum(
            p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        print(f"  {path}  ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
