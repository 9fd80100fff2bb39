"""The app icon in every size and format the installers want, drawn from resources/*.svg."""

import os
from pathlib import Path

from metadata import COMMAND, REPO

SVG = REPO / "resources" / f"{COMMAND}.svg"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # Linux menus, docks and the hicolor theme
WINDOWS_ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_pngs(out: Path, sizes=HICOLOR_SIZES) -> dict[int, Path]:
    """PNG files, one per size, drawn by Qt's SVG renderer (the same one the app uses)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"The icon {SVG} is not a valid SVG file.")
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        files[size] = out / f"{COMMAND}-{size}.png"
        if not image.save(str(files[size])):
            raise SystemExit(f"Could not write {files[size]}.")
    return files


def windows_ico(pngs: dict[int, Path], out: Path) -> Path:
    """A multi-size .ico for the installer (the executables get theirs from PyInstaller)."""
    from PIL import Image

    largest = Image.open(pngs[max(pngs)])
    largest.save(out, sizes=[(size, size) for size in WINDOWS_ICO_SIZES])
    return out
