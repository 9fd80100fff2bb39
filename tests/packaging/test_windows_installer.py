"""The Windows installer, compiled here with Linux's makensis (Debian's `nsis`) around a stand-in
bundle, and looked into with 7-Zip (`p7zip-full`). Nothing here runs it: that needs Windows."""

import importlib
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import REPO

PACKAGING = REPO / "packaging"


@pytest.fixture(scope="module")
def packaging_modules():
    """packaging/ as build.py sees it: a folder of top-level modules, never a package."""
    sys.path.insert(0, str(PACKAGING))
    try:
        yield types.SimpleNamespace(**{name: importlib.import_module(name) for name in
                                       ("metadata", "windows_installer", "windows_version")})
    finally:
        sys.path.remove(str(PACKAGING))


@pytest.fixture(scope="module")
def makensis(packaging_modules):
    found = packaging_modules.windows_installer.find_makensis()
    if found is None:
        pytest.skip("makensis is not installed (apt-get install nsis), so the installer script "
                    "cannot be compiled here")
    return found


def seven_zip() -> str:
    found = shutil.which("7z")
    if found is None:
        pytest.skip("7z is not installed (apt-get install p7zip-full), so the installer cannot be "
                    "looked into")
    return found


def make_bundle(folder: Path, metadata) -> Path:
    """Placeholder files laid out like PyInstaller's Windows one-folder bundle."""
    (folder / "_internal" / "PySide6").mkdir(parents=True)
    (folder / metadata.WINDOWS_GUI_EXE).write_bytes(b"MZ stand-in for the windowed program")
    (folder / metadata.WINDOWS_CLI_EXE).write_bytes(b"MZ stand-in for the console program")
    (folder / "_internal" / "python3.dll").write_bytes(b"stand-in")
    (folder / "_internal" / "PySide6" / "Qt6Core.dll").write_bytes(b"stand-in")
    return folder


def make_icon(path: Path) -> Path:
    # The smallest valid .ico: one 1x1 32-bit image (header, directory entry, bitmap, masks).
    bitmap = (b"\x28\0\0\0" + b"\x01\0\0\0" + b"\x02\0\0\0" + b"\x01\0\x20\0" + b"\0" * 24
              + b"\0\0\xff\xff" + b"\0\0\0\0")
    entry = (b"\x01\x01\0\0\x01\0\x20\0" + len(bitmap).to_bytes(4, "little")
             + (22).to_bytes(4, "little"))
    path.write_bytes(b"\0\0\x01\0\x01\0" + entry + bitmap)
    return path


@pytest.fixture(scope="module")
def built(packaging_modules, makensis, tmp_path_factory):
    """One installer for the tests that only look at it (zlib: compiles in about a second)."""
    work = tmp_path_factory.mktemp("windows-installer")
    bundle = make_bundle(work / "task-assistant", packaging_modules.metadata)
    return packaging_modules.windows_installer.build(
        bundle, make_icon(work / "icon.ico"), work / "dist", compressor="zlib")


def test_installer_is_a_windows_program_named_for_the_release(built, packaging_modules):
    metadata = packaging_modules.metadata
    assert built.name == f"task-assistant-{metadata.VERSION}-windows-setup.exe"
    assert built.read_bytes()[:2] == b"MZ"


def test_installer_holds_the_bundle_and_writes_an_uninstaller(built, packaging_modules):
    metadata = packaging_modules.metadata
    listing = subprocess.run([seven_zip(), "l", "-ba", "-slt", str(built)], capture_output=True,
                             text=True, check=True).stdout
    paths = set(re.findall(r"^Path = (.*)$", listing, re.MULTILINE))
    assert {metadata.WINDOWS_GUI_EXE, metadata.WINDOWS_CLI_EXE, "_internal/python3.dll",
            "_internal/PySide6/Qt6Core.dll"} <= paths
    # 7-Zip lists the uninstaller under the name WriteUninstaller gives it (it has no size:
    # makensis generates it from the installer's own stub).
    assert f"Uninstall {metadata.NAME}.exe" in paths


def test_installer_version_resource_carries_the_metadata(built, packaging_modules):
    metadata = packaging_modules.metadata
    # 7-Zip's PE reader shows the VERSIONINFO resource as UTF-16 text.
    raw = subprocess.run([seven_zip(), "e", "-so", "-tPE", str(built), ".rsrc/version.txt"],
                         capture_output=True, check=True).stdout
    text = raw.decode("utf-16-le")
    values = dict(re.findall(r'VALUE "(\w+)",\s*"([^"]*)"', text))
    assert values["ProductName"] == metadata.NAME
    assert values["ProductVersion"] == metadata.VERSION
    assert values["CompanyName"] == metadata.PUBLISHER
    assert values["LegalCopyright"] == metadata.COPYRIGHT
    file_version = ",".join(str(number) for number in metadata.version_tuple())
    assert re.search(rf"^FILEVERSION\s+{file_version}\s", text, re.MULTILINE)


def test_sign_command_signs_the_installer_and_the_uninstaller(packaging_modules, makensis,
                                                              tmp_path, monkeypatch):
    signer = tmp_path / "fake signer.py"
    log = tmp_path / "signed.txt"
    signer.write_text("import sys\nwith open(sys.argv[1], 'a') as log:\n"
                      "    log.write(sys.argv[2] + '\\n')\n")
    monkeypatch.setenv("WINDOWS_SIGN_COMMAND", f'"{sys.executable}" "{signer}" "{log}"')
    installer = packaging_modules.windows_installer.build(
        make_bundle(tmp_path / "bundle", packaging_modules.metadata),
        make_icon(tmp_path / "icon.ico"), tmp_path / "dist", compressor="zlib")
    signed = log.read_text().splitlines()
    # The uninstaller first (a temporary file, before it is packed), then the installer.
    assert len(signed) == 2
    assert signed[1] == str(installer)


def test_failed_signing_fails_the_build(packaging_modules, makensis, tmp_path, monkeypatch):
    monkeypatch.setenv("WINDOWS_SIGN_COMMAND", f'"{sys.executable}" -c "raise SystemExit(1)"')
    with pytest.raises(SystemExit, match="makensis could not build the installer"):
        packaging_modules.windows_installer.build(
            make_bundle(tmp_path / "bundle", packaging_modules.metadata),
            make_icon(tmp_path / "icon.ico"), tmp_path / "dist", compressor="zlib")


def test_a_warning_in_the_script_fails_the_build(packaging_modules, makensis, tmp_path):
    script = tmp_path / "installer.nsi"
    script.write_text(packaging_modules.windows_installer.SCRIPT.read_text(encoding="utf-8")
                      + '\n!warning "a deliberate warning"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as failure:
        packaging_modules.windows_installer.build(
            make_bundle(tmp_path / "bundle", packaging_modules.metadata),
            make_icon(tmp_path / "icon.ico"), tmp_path / "dist", compressor="zlib", script=script)
    message = str(failure.value)
    assert "a deliberate warning" in message
    assert message.endswith("(exit code 1; its messages are above).")


def test_a_bundle_the_script_does_not_know_is_refused(packaging_modules, tmp_path):
    bundle = make_bundle(tmp_path / "bundle", packaging_modules.metadata)
    (bundle / "README.txt").write_text("not installed by installer.nsi")
    with pytest.raises(SystemExit, match="README.txt, which installer.nsi neither installs"):
        packaging_modules.windows_installer.build(bundle, tmp_path / "icon.ico", tmp_path)
    shutil.rmtree(bundle / "_internal")
    with pytest.raises(SystemExit, match="is not a Windows bundle: it lacks _internal"):
        packaging_modules.windows_installer.build(bundle, tmp_path / "icon.ico", tmp_path)


def test_missing_makensis_says_how_to_get_it(packaging_modules, tmp_path, monkeypatch):
    monkeypatch.setattr(packaging_modules.windows_installer, "find_makensis", lambda: None)
    with pytest.raises(SystemExit, match=r"choco install nsis.*apt-get install nsis"):
        packaging_modules.windows_installer.build(
            make_bundle(tmp_path / "bundle", packaging_modules.metadata), tmp_path / "icon.ico",
            tmp_path)


def test_uninstaller_uses_the_names_the_app_uses(packaging_modules, monkeypatch, tmp_path):
    from app.common import paths
    from app.desktop import autostart

    windows_installer = packaging_modules.windows_installer
    # The start-on-login value it deletes is the one app/desktop/autostart.py writes.
    assert windows_installer.AUTOSTART_VALUE == autostart.APP_NAME
    # The data folder its confirm page names is the one app/common/paths.py asks platformdirs for.
    asked = []
    monkeypatch.delenv(paths.HOME_ENV)
    monkeypatch.setattr("platformdirs.user_data_dir",
                        lambda name, **kwargs: asked.append(name) or str(tmp_path))
    paths.data_dir()
    assert asked == [windows_installer.DATA_FOLDER]


@pytest.fixture
def pyinstaller_versioninfo(monkeypatch):
    """PyInstaller's reader of version files. Off Windows its module lacks pefile and pywin32,
    which it needs only to write executables, so stand-ins take their place."""
    pytest.importorskip("PyInstaller")
    import PyInstaller.compat

    try:
        import pefile  # noqa: F401
    except ImportError:
        monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
        monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    name = "PyInstaller.utils.win32.versioninfo"
    loaded_before = name in sys.modules
    yield importlib.import_module(name)
    if not loaded_before:  # never leave the stand-in-built module for others
        sys.modules.pop(name, None)


def test_version_file_parses_and_carries_the_metadata(packaging_modules, pyinstaller_versioninfo,
                                                      tmp_path):
    metadata = packaging_modules.metadata
    path = packaging_modules.windows_version.write(tmp_path / "version-info.txt")
    info = pyinstaller_versioninfo.load_version_info_from_text_file(str(path))
    major, minor, patch, build = metadata.version_tuple()
    assert (info.ffi.fileVersionMS, info.ffi.fileVersionLS) == (major << 16 | minor,
                                                                patch << 16 | build)
    assert info.ffi.productVersionMS == info.ffi.fileVersionMS
    strings = {entry.name: entry.val for entry in info.kids[0].kids[0].kids}
    assert strings["FileVersion"] == strings["ProductVersion"] == metadata.VERSION
    assert strings["ProductName"] == strings["FileDescription"] == metadata.NAME
    assert strings["CompanyName"] == metadata.PUBLISHER
    assert strings["LegalCopyright"] == metadata.COPYRIGHT
    assert strings["OriginalFilename"] == metadata.WINDOWS_GUI_EXE
    assert info.toRaw()  # and PyInstaller can turn it into the binary resource
