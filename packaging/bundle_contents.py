"""What the frozen bundle keeps of everything PyInstaller's analysis found.

PySide6's hooks collect every plugin of every Qt module the app imports: the GTK 3 theme (which
drags in GTK, GDK, cairo and pango), embedded-Linux platforms, TLS backends for QtNetwork
(used here only for a local socket), and 7 MB of translations for an English-only app. Dropping
those keeps the .deb well under its 80 MB budget.

On Linux the libraries that belong to the user's desktop (X11, xcb, Wayland, OpenGL, fontconfig,
GLib, D-Bus, libstdc++) come from the system, through the .deb's Depends: copies from the build
host clash with the drivers and input methods the system loads into the same process (the
classic "GLIBCXX_3.4.30 not found" from Mesa).
"""

import fnmatch
import os

# Qt plugin folders and files the app never loads (paths relative to the plugins folder).
DROPPED_QT_PLUGINS = [
    "egldeviceintegrations/*", "generic/*", "networkinformation/*", "tls/*", "sqldrivers/*",
    "platforms/*eglfs*", "platforms/*linuxfb*", "platforms/*minimalegl*", "platforms/*vnc*",
    "platforms/*vkkhrdisplay*", "platforms/*direct2d*",
    "platformthemes/*gtk3*",
    "imageformats/*gif*", "imageformats/*jpeg*", "imageformats/*tga*", "imageformats/*tiff*",
    "imageformats/*wbmp*", "imageformats/*webp*", "imageformats/*pdf*",
]

# Shared libraries taken from the user's Linux system (see DEB_DEPENDS in metadata.py).
SYSTEM_LIBRARIES = [
    "libX11*", "libX11-xcb*", "libXau*", "libXdmcp*", "libXext*", "libXrender*", "libXi.*",
    "libXfixes*", "libXcursor*", "libXrandr*", "libXinerama*", "libXcomposite*", "libXdamage*",
    "libxcb*", "libxkbcommon*", "libwayland-*", "libGL*", "libEGL*", "libOpenGL*", "libGLX*",
    "libGLdispatch*", "libdrm*", "libfontconfig*", "libfreetype*", "libpng16*", "libexpat*",
    "libglib-2.0*", "libgobject-2.0*", "libgio-2.0*", "libgmodule-2.0*", "libgthread-2.0*",
    "libpcre2-8*", "libdbus-1*", "libsystemd*", "libcap.*", "libgcrypt*",
    "libgpg-error*", "liblz4*", "libselinux*", "libmount*", "libblkid*", "libstdc++*",
    "libgcc_s*", "libgssapi_krb5*", "libkrb5*", "libk5crypto*", "libcom_err*", "libkeyutils*",
    "libresolv*", "libbsd*", "libmd.*",
]


def _matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def _is_dropped_plugin(dest: str) -> bool:
    parts = dest.replace("\\", "/").split("/Qt/plugins/", 1)
    return len(parts) == 2 and _matches(parts[1], DROPPED_QT_PLUGINS)


def _is_translation(dest: str) -> bool:
    return "/Qt/translations/" in dest.replace("\\", "/")


def keep(binaries, datas, linux: bool, imports_of) -> tuple[list, list]:
    """The binaries and data files to bundle. `imports_of(path)` names the libraries a binary
    links (PyInstaller's own dependency reader): on Linux, libraries that nothing kept links
    any more (GTK, once its theme plugin is gone) are dropped too."""
    binaries = [entry for entry in binaries if not _is_dropped_plugin(entry[0])]
    datas = [entry for entry in datas if not _is_translation(entry[0])]
    if linux:
        binaries = [entry for entry in binaries
                    if not _matches(os.path.basename(entry[0]), SYSTEM_LIBRARIES)]
        binaries = _reachable(binaries, imports_of)
    return binaries, _without_dangling_links(datas, binaries)


def _without_dangling_links(datas, binaries) -> list:
    """PyInstaller lists links to libraries (libQt6Gui.so.6 -> PySide6/Qt/lib/...) among the data
    files; a link to a library that was dropped would dangle."""
    kept = {os.path.normpath(entry[0]) for entry in binaries + datas if entry[2] != "SYMLINK"}

    def target(entry) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(entry[0]), entry[1]))

    return [entry for entry in datas if entry[2] != "SYMLINK" or target(entry) in kept]


def _reachable(binaries, imports_of) -> list:
    """Python extensions, Qt plugins and libpython, plus every library they link, transitively."""
    by_name: dict[str, list] = {}
    for entry in binaries:
        by_name.setdefault(os.path.basename(entry[0]), []).append(entry)

    def is_root(entry) -> bool:
        dest = entry[0].replace("\\", "/")
        return (entry[2] == "EXTENSION" or "/Qt/plugins/" in dest
                or os.path.basename(dest).startswith("libpython"))

    kept: dict[str, tuple] = {}
    pending = [entry for entry in binaries if is_root(entry)]
    while pending:
        entry = pending.pop()
        if entry[0] in kept:
            continue
        kept[entry[0]] = entry
        for name in imports_of(entry[1]):
            pending.extend(by_name.get(name, []))
    return [entry for entry in binaries if entry[0] in kept]
