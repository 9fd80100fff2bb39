"""Code-signing hooks. Unsigned builds work but warn users (Windows SmartScreen, macOS
Gatekeeper); a release build sets these environment variables from the CI's secrets:

WINDOWS_SIGN_COMMAND   a command line that signs the file whose path is appended, for example
                       `"C:\\...\\signtool.exe" sign /sha1 <certificate thumbprint> /fd sha256
                       /tr http://timestamp.digicert.com /td sha256` (one line; the certificate
                       lives in the Windows certificate store or a cloud HSM, so no password ever
                       appears on a command line).
MACOS_SIGN_IDENTITY    a "Developer ID Application: ..." identity (or its SHA-1 hash) in the
                       keychain search list; the spec signs the .app with it (hardened runtime,
                       macos/entitlements.plist), and the .dmg is signed too.
MACOS_NOTARY_PROFILE   a notarytool keychain profile (`xcrun notarytool store-credentials`):
                       the .dmg is notarised and the ticket stapled to it.
MACOS_NOTARY_KEYCHAIN  the keychain that holds that profile, when it is not the login keychain
                       (the CI keeps it in a temporary keychain).
"""

import json
import os
import subprocess
from pathlib import Path


def _setting(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def windows_sign_command() -> str | None:
    return _setting("WINDOWS_SIGN_COMMAND")


def sign_windows(paths: list[Path]) -> bool:
    """Signs each file with WINDOWS_SIGN_COMMAND; False (nothing done) when it is not set."""
    command = windows_sign_command()
    if command is None:
        return False
    for path in paths:
        # A string, not a list: on Windows it is the command line itself, quoted as the user
        # wrote it, and only the file is quoted by us.
        subprocess.run(f'{command} "{path}"', check=True)
    return True


def macos_identity() -> str | None:
    return _setting("MACOS_SIGN_IDENTITY")


def sign_and_notarize_dmg(dmg: Path) -> list[str]:
    """Signs the disk image and has Apple notarise it, as far as the settings allow; returns
    what was done, for the build summary."""
    done = []
    identity = macos_identity()
    profile = _setting("MACOS_NOTARY_PROFILE")
    if profile and not identity:
        raise SystemExit("MACOS_NOTARY_PROFILE is set but MACOS_SIGN_IDENTITY is not: Apple "
                         "notarises only signed apps, so set both or neither.")
    if identity:
        subprocess.run(["codesign", "--force", "--timestamp", "--sign", identity, str(dmg)],
                       check=True)
        done.append("signed")
    if profile:
        notarize(dmg, profile)
        subprocess.run(["xcrun", "stapler", "staple", str(dmg)], check=True)
        subprocess.run(["xcrun", "stapler", "validate", str(dmg)], check=True)
        done.append("notarised")
    return done


def _notary_credentials(profile: str) -> list[str]:
    keychain = _setting("MACOS_NOTARY_KEYCHAIN")
    return ["--keychain-profile", profile, *(["--keychain", keychain] if keychain else [])]


def notarize(path: Path, profile: str) -> None:
    """Submits `path` to Apple's notary service and waits for the verdict.

    `notarytool submit --wait` exits 0 whenever it got a verdict, "Invalid" included, so the
    status in its JSON answer decides; on a refusal Apple's log (which names each problem) is
    printed before the build stops.
    """
    credentials = _notary_credentials(profile)
    print(f"Notarising {path.name} (this usually takes a few minutes)...", flush=True)
    result = subprocess.run(["xcrun", "notarytool", "submit", str(path), *credentials, "--wait",
                             "--output-format", "json"], stdout=subprocess.PIPE, text=True)
    print(result.stdout.strip(), flush=True)  # {"id": ..., "status": ..., "message": ...}
    answer = parse_notary_answer(result.stdout)
    status, submission = answer.get("status"), answer.get("id")
    if result.returncode == 0 and status == "Accepted":
        return
    if submission:
        subprocess.run(["xcrun", "notarytool", "log", submission, *credentials])
    if result.returncode != 0 and not status:
        raise SystemExit(f"notarytool could not submit {path.name} (exit code "
                         f"{result.returncode}; its output is above): check "
                         f"MACOS_NOTARY_PROFILE and the network.")
    raise SystemExit(f"Apple's notary service did not accept {path.name} (status: "
                     f"{status or 'unknown'}); its log above names each problem.")


def parse_notary_answer(output: str) -> dict:
    """The JSON object `notarytool --output-format json` printed ({} when there is none)."""
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            if isinstance(answer, dict):
                return answer
    try:
        answer = json.loads(output)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
