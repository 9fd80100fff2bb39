"""The Windows installer: windows/installer.nsi compiled by NSIS's makensis around the bundle.

makensis runs on Windows and on Linux (Debian's `nsis` package), so the script is checked on
both; the bundle itself can only be frozen on Windows.
"""

import os
import shutil
import subprocess
from pathlib import Path

import metadata
import signing

SCRIPT = Path(__file__).resolve().parent / "windows" / "installer.nsi"
# The bundle's top level as the script installs (and uninstalls) it, entry by entry.
BUNDLE_ENTRIES = {metadata.WINDOWS_GUI_EXE, metadata.WINDOWS_CLI_EXE, "_internal"}
# Names the app itself uses on Windows, which the uninstaller must know:
# app/desktop/autostart.py names its Run value APP_NAME, and app/common/paths.py keeps the data in
# platformdirs' user_data_dir(COMMAND), %LOCALAPPDATA%\task-assistant.
# tests/packaging/test_windows_installer.py checks both still agree.
AUTOSTART_VALUE = metadata.NAME
DATA_FOLDER = metadata.COMMAND


def installer_name() -> str:
    return f"{metadata.COMMAND}-{metadata.VERSION}-windows-setup.exe"


def find_makensis() -> str | None:
    found = shutil.which("makensis")
    if found:
        return found
    # The NSIS installer does not put itself on PATH.
    for variable in ("ProgramFiles(x86)", "ProgramFiles"):
        folder = os.environ.get(variable)
        if folder and (Path(folder) / "NSIS" / "makensis.exe").is_file():
            return str(Path(folder) / "NSIS" / "makensis.exe")
    return None


def defines(bundle: Path, icon: Path, outfile: Path,
            compressor: str | None = None) -> dict[str, str]:
    """Everything installer.nsi takes from outside; it spells nothing about the app itself."""
    values = {
        "NAME": metadata.NAME,
        "VERSION": metadata.VERSION,
        "VERSION4": ".".join(str(number) for number in metadata.version_tuple()),
        "PUBLISHER": metadata.PUBLISHER,
        "HOMEPAGE": metadata.HOMEPAGE,
        "COPYRIGHT": metadata.COPYRIGHT,
        "GUI_EXE": metadata.WINDOWS_GUI_EXE,
        "CLI_EXE": metadata.WINDOWS_CLI_EXE,
        "UNINSTALL_KEY": metadata.WINDOWS_UNINSTALL_KEY,
        "AUTOSTART_VALUE": AUTOSTART_VALUE,
        "DATA_FOLDER": DATA_FOLDER,
        "BUNDLE_DIR": str(bundle.resolve()),
        "ICON": str(icon.resolve()),
        "OUTFILE": str(outfile.resolve()),
    }
    if compressor:
        values["COMPRESSOR"] = compressor
    sign_command = signing.windows_sign_command()
    if sign_command:
        values["SIGN_COMMAND"] = sign_command
    return values


def _check_bundle(bundle: Path) -> None:
    if not bundle.is_dir():
        raise SystemExit(f"There is no bundle at {bundle}: freeze it first "
                         "(python packaging/build.py).")
    found = {entry.name for entry in bundle.iterdir()}
    if missing := sorted(BUNDLE_ENTRIES - found):
        raise SystemExit(f"{bundle} is not a Windows bundle: it lacks {', '.join(missing)}.")
    if extra := sorted(found - BUNDLE_ENTRIES):
        raise SystemExit(f"{bundle} holds {', '.join(extra)}, which installer.nsi neither installs "
                         "nor uninstalls: add it there and to BUNDLE_ENTRIES.")


def build(bundle: Path, icon: Path, out_dir: Path, *, compressor: str | None = None,
          script: Path = SCRIPT) -> Path:
    """dist/task-assistant-<version>-windows-setup.exe, signed with its uninstaller when
    WINDOWS_SIGN_COMMAND is set. `compressor` (zlib, bzip2, lzma) overrides the script's lzma."""
    _check_bundle(bundle)
    makensis = find_makensis()
    if makensis is None:
        raise SystemExit("makensis (NSIS 3.08 or later) is needed for the Windows installer: "
                         "install it with `choco install nsis` on Windows or "
                         "`apt-get install nsis` on Debian and Ubuntu.")
    out_dir.mkdir(parents=True, exist_ok=True)
    outfile = out_dir / installer_name()
    # `-` switches work on every platform (`/` only on Windows); -WX fails the build on any
    # warning, and -V2 prints only warnings and errors.
    command = [makensis, "-WX", "-V2", "-INPUTCHARSET", "UTF8"]
    values = defines(bundle, icon, outfile, compressor)
    command += [f"-D{name}={value}" for name, value in values.items()]
    command.append(str(script))
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise SystemExit(f"{output}\nmakensis could not build the installer from {script} "
                         f"(exit code {result.returncode}; its messages are above).")
    return outfile
