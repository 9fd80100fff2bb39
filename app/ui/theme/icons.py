"""Icons from the bundled Lucide set (resources/icons, ISC licence beside them), drawn in a
token colour so they suit light, dark and high-contrast schemes alike."""

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QDialogButtonBox

from app.common.paths import resource_path
from app.ui.theme import apply

SIZE = 16


@lru_cache(maxsize=64)
def _svg(name: str) -> bytes | None:
    path = resource_path(f"icons/{name}.svg")
    return path.read_bytes() if path is not None else None


def icon(name: str, colour: str | None = None) -> QIcon:
    """The icon `name` ("copy", "refresh-cw"…) in `colour` (default: the muted text colour);
    an empty icon when the file is missing, so a button still shows its text."""
    return _tinted(name, colour or apply.current().muted)


def initial(name: str, colour: str, scale: float = 2.0) -> QIcon:
    """`name`'s first letter in a rounded square, an icon's size: a list's own mark where its
    name does not fit (the folded sidebar), so Home and Work are told apart at a glance."""
    result = QPixmap(QSize(SIZE, SIZE) * scale)
    result.fill(Qt.GlobalColor.transparent)
    result.setDevicePixelRatio(scale)
    painter = QPainter(result)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(colour))
    pen.setWidthF(1.25)  # Lucide's stroke at this size
    painter.setPen(pen)
    painter.drawRoundedRect(QRectF(1, 1, SIZE - 2, SIZE - 2), 4, 4)
    font = QFont()
    font.setPixelSize(round(SIZE * 0.6))
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, SIZE, SIZE), Qt.AlignmentFlag.AlignCenter, name[:1].upper())
    painter.end()
    return QIcon(result)


def words_only(buttons: QDialogButtonBox) -> None:
    """A dialog's standard buttons in words: not the desktop theme's floppy disk, red X or
    black cross, which no other button of the app has."""
    for button in buttons.buttons():
        button.setIcon(QIcon())


def pixmap(name: str, colour: str, size: int, scale: float = 2.0) -> QPixmap:
    """The icon drawn at `size` logical pixels (sharp at `scale`), for pictures larger than
    a button's icon (an empty view's)."""
    result = QPixmap(QSize(size, size) * scale)
    result.fill(Qt.GlobalColor.transparent)
    svg = _svg(name)
    if svg is not None:
        painter = QPainter(result)
        QSvgRenderer(QByteArray(svg.replace(b"currentColor", colour.encode()))).render(painter)
        painter.end()
    result.setDevicePixelRatio(scale)
    return result


@lru_cache(maxsize=128)
def _tinted(name: str, colour: str) -> QIcon:
    svg = _svg(name)
    if svg is None:
        return QIcon()
    renderer = QSvgRenderer(QByteArray(svg.replace(b"currentColor", colour.encode())))
    result = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(QSize(SIZE, SIZE) * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        result.addPixmap(pixmap)
    return result
