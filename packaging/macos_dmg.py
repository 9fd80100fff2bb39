"""The macOS installer: a compressed disk image holding Task Assistant.app and a link to
/Applications, so installing is one drag. Signed and notarised when signing.py's settings are
there (MACOS_SIGN_IDENTITY, MACOS_NOTARY_PROFILE).

hdiutil and ditto are part of macOS, so nothing else needs installing; the .app itself comes
from PyInstaller (task-assistant.spec, signed with the same identity and macos/entitlements.plist).
"""

import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import metadata
import signing

# `hdiutil create` fails now and then with "Resource busy" on CI machines (a race with the
# system's disk arbitration and malware scans, actions/runner-images#7522): try again.
HDIUTIL_ATTEMPTS = 4


def dmg_name() -> str:
    """task-assistant-0.1.0-macos-arm64.dmg: each architecture gets its own image."""
    return f"{metadata.COMMAND}-{metadata.VERSION}-macos-{platform.machine()}.dmg"


def volume_name() -> str:
    return f"{metadata.NAME} {metadata.VERSION}"


def build(app: Path, out_dir: Path) -> Path:
    """The .dmg of `app` in `out_dir`, signed and notarised as far as the settings allow."""
    if shutil.which("hdiutil") is None or shutil.which("ditto") is None:
        raise SystemExit("hdiutil was not found: the .dmg can only be made on macOS, where "
                         "hdiutil and ditto come with the system.")
    if not (app / "Contents" / "Info.plist").is_file():
        raise SystemExit(f"{app} was not built: PyInstaller makes it on macOS only, so run "
                         f"python packaging/build.py on a Mac.")
    if signing.macos_identity():
        # Fails here, naming the file, rather than as a vague notarisation refusal later.
        subprocess.run(["codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app)],
                       check=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    dmg = out_dir / dmg_name()
    with tempfile.TemporaryDirectory(prefix="task-assistant-dmg-") as temp:
        staging = Path(temp) / volume_name()
        staging.mkdir()
        # ditto keeps the bundle's symlinks, extended attributes and code signature as they are.
        subprocess.run(["ditto", str(app), str(staging / app.name)], check=True)
        (staging / "Applications").symlink_to("/Applications")
        _hdiutil_create(staging, dmg)
    done = signing.sign_and_notarize_dmg(dmg)
    print(f"{dmg.name}: {', '.join(done) if done else 'not signed (no MACOS_SIGN_IDENTITY)'}.")
    return dmg


def _hdiutil_create(staging: Path, dmg: Path) -> None:
    command = ["hdiutil", "create", "-volname", volume_name(), "-srcfolder", str(staging),
               "-fs", "HFS+", "-format", "UDZO", "-ov", str(dmg)]
    for attempt in range(1, HDIUTIL_ATTEMPTS + 1):
        result = subprocess.run(command)
        if result.returncode == 0:
            return
        dmg.unlink(missing_ok=True)
        if attempt < HDIUTIL_ATTEMPTS:
            print(f"hdiutil failed (exit code {result.returncode}); trying again "
                  f"({attempt + 1} of {HDIUTIL_ATTEMPTS})...", flush=True)
            time.sleep(5 * attempt)
    raise SystemExit(f"hdiutil could not create {dmg.name} in {HDIUTIL_ATTEMPTS} attempts "
                     f"(its messages are above).")
