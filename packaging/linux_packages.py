"""The Linux installers: a .deb that installs the bundle under /opt with a menu entry, icons and
a `task-assistant` command, and a portable .tar.gz of the same bundle.

The .deb is written here in Python (an ar archive of two tarballs) rather than by dpkg-deb, so
the release build can run on an old-glibc base that has no dpkg at all (see the workflow).
"""

import hashlib
import io
import os
import platform
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import metadata
from icons import SVG

INSTALL_DIR = f"opt/{metadata.COMMAND}"
DESKTOP_ENTRY = metadata.REPO / "resources" / f"{metadata.COMMAND}.desktop"
DEB_ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf"}


def architecture() -> str:
    machine = platform.machine()
    return DEB_ARCHITECTURES.get(machine, machine)


def build_time() -> int:
    """File times in the archives: SOURCE_DATE_EPOCH when set, so rebuilds are identical."""
    return int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())


def stage_deb_tree(bundle: Path, icons: dict[int, Path], root: Path) -> Path:
    """The file system the .deb installs, laid out under `root`."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(bundle, root / INSTALL_DIR, symlinks=True)
    command = root / "usr" / "bin" / metadata.COMMAND
    command.parent.mkdir(parents=True)
    # Relative, so the unpacked tree works anywhere; the bootloader follows it to _internal/.
    command.symlink_to(f"../../{INSTALL_DIR}/{metadata.COMMAND}")
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(DESKTOP_ENTRY, share / "applications")
    hicolor = share / "icons" / "hicolor"
    for size, png in icons.items():
        (hicolor / f"{size}x{size}" / "apps").mkdir(parents=True)
        shutil.copy2(png, hicolor / f"{size}x{size}" / "apps" / f"{metadata.COMMAND}.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(SVG, hicolor / "scalable" / "apps")
    doc = share / "doc" / metadata.COMMAND
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {metadata.NAME}\nSource: {metadata.HOMEPAGE}\n\n"
        f"Files: *\nCopyright: {metadata.COPYRIGHT.removeprefix('Copyright (c) ')}\n"
        f"License: {metadata.LICENSE}\n"
        + "".join(f" {line}\n" if line else " .\n"
                  for line in (metadata.REPO / "LICENSE").read_text().splitlines()),
        encoding="utf-8")
    return root


def glibc_needed(tree: Path) -> str:
    """The newest glibc symbol version any bundled binary asks for: the bundle's real floor."""
    newest = (2, 17)
    pattern = re.compile(rb"GLIBC_(2\.\d+)(?:\.\d+)?\x00")
    for path in tree.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as file:
                if file.read(4) != b"\x7fELF":
                    continue
                file.seek(0)
                for found in pattern.findall(file.read()):
                    newest = max(newest, tuple(int(n) for n in found.split(b".")))
    return ".".join(map(str, newest))


def control_file(tree: Path) -> str:
    installed_kb = sum(p.lstat().st_size for p in tree.rglob("*")) // 1024
    depends = [f"libc6 (>= {glibc_needed(tree / INSTALL_DIR)})", *metadata.DEB_DEPENDS]
    summary, *details = metadata.DESCRIPTION_LONG.strip().split("\n")
    return (f"Package: {metadata.COMMAND}\n"
            f"Version: {metadata.VERSION}\n"
            f"Architecture: {architecture()}\n"
            f"Maintainer: {metadata.MAINTAINER}\n"
            f"Installed-Size: {installed_kb}\n"
            f"Depends: {', '.join(depends)}\n"
            f"Suggests: {', '.join(metadata.DEB_SUGGESTS)}\n"
            f"Section: {metadata.DEB_SECTION}\n"
            "Priority: optional\n"
            f"Homepage: {metadata.HOMEPAGE}\n"
            f"Description: {summary}\n"
            + "".join(f" {line}\n" if line.strip() else " .\n" for line in details))


def _owned_by_root(mtime: int):
    def fix(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = mtime
        if info.isdir() or info.mode & 0o111:
            info.mode = 0o755
        elif not info.issym():
            info.mode = 0o644
        return info
    return fix


def _tar(tree: Path, members: list[str], mtime: int) -> bytes:
    """An uncompressed tar of `members` (paths relative to `tree`), owned by root, sorted."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        fix = _owned_by_root(mtime)
        for name in members:
            tar.add(tree / name, arcname=f"./{name}" if name != "." else ".",
                    recursive=False, filter=fix)
    return buffer.getvalue()


def _xz(data: bytes) -> bytes:
    """xz on every core when the xz tool is there (4x faster here), else Python's lzma."""
    if shutil.which("xz"):
        return subprocess.run(["xz", "-T0", "-6", "-c"], input=data, check=True,
                               stdout=subprocess.PIPE).stdout
    import lzma

    return lzma.compress(data, preset=6)


def _all_paths(tree: Path) -> list[str]:
    paths = ["."]
    for directory, dirnames, filenames in os.walk(tree):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            paths.append(str((Path(directory) / name).relative_to(tree)))
    return paths


def _ar_member(name: str, data: bytes, mtime: int) -> bytes:
    header = (f"{name:<16}{mtime:<12}{0:<6}{0:<6}{0o100644:<8o}{len(data):<10}`\n").encode()
    return header + data + (b"\n" if len(data) % 2 else b"")


def build_deb(tree: Path, out_dir: Path) -> Path:
    """The .deb of a staged tree (see stage_deb_tree)."""
    mtime = build_time()
    control_dir = tree.parent / f"{tree.name}-control"
    if control_dir.exists():
        shutil.rmtree(control_dir)
    control_dir.mkdir()
    (control_dir / "control").write_text(control_file(tree), encoding="utf-8")
    paths = _all_paths(tree)
    sums = []
    for name in paths[1:]:
        path = tree / name
        if path.is_file() and not path.is_symlink():
            sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {name}\n")
    (control_dir / "md5sums").write_text("".join(sums), encoding="utf-8")

    control = _xz(_tar(control_dir, [".", "control", "md5sums"], mtime))
    data = _xz(_tar(tree, paths, mtime))
    deb = out_dir / f"{metadata.COMMAND}_{metadata.VERSION}_{architecture()}.deb"
    with open(deb, "wb") as file:
        file.write(b"!<arch>\n")
        file.write(_ar_member("debian-binary", b"2.0\n", mtime))
        file.write(_ar_member("control.tar.xz", control, mtime))
        file.write(_ar_member("data.tar.xz", data, mtime))
    shutil.rmtree(control_dir)
    return deb


def build_tarball(bundle: Path, out_dir: Path) -> Path:
    """The portable archive: unpack anywhere and run task-assistant/task-assistant."""
    mtime = build_time()
    name = f"{metadata.COMMAND}-{metadata.VERSION}-linux-{platform.machine()}"
    archive = out_dir / f"{name}.tar.gz"
    fix = _owned_by_root(mtime)
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        for relative in _all_paths(bundle):
            arcname = metadata.COMMAND if relative == "." else f"{metadata.COMMAND}/{relative}"
            tar.add(bundle / relative, arcname=arcname, recursive=False, filter=fix)
        for extra in (DESKTOP_ENTRY, SVG):
            tar.add(extra, arcname=f"{metadata.COMMAND}/{extra.name}", filter=fix)
    return archive
