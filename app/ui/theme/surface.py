"""A frame that paints its own rounded background from the tokens at paint time, so it follows
a theme switch (light, dark, high contrast) without any restyling.

Kinds: "you" (your messages: accent_soft, radius l), "code" (sunken, radius m), "card" (an
approval: warning_soft, radius l, outlined); "" is transparent (the page shows through).
"""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame

from app.ui.theme import apply
from app.ui.theme.tokens import RADIUS

FILLS = {"you": ("accent_soft", "l"), "code": ("sunken", "m"), "card": ("warning_soft", "l")}


class Surface(QFrame):
    def __init__(self, kind: str = "", *, outlined: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.surface_kind = kind
        self.outlined = outlined

    def paintEvent(self, event) -> None:
        focused = self.hasFocus()  # reached with Tab: the outline shows where the keys are
        fill, radius = FILLS.get(self.surface_kind, ("", "m"))
        if not fill and not self.outlined and not focused:
            super().paintEvent(event)  # transparent: the page shows through
            return
        scheme = apply.current()
        outline = self.outlined or scheme.name == "contrast"  # no tint to tell it apart
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if focused:
            painter.setPen(QPen(QColor(scheme.accent), 2))
        elif outline:
            painter.setPen(QPen(QColor(scheme.border), 1))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        if fill:
            painter.setBrush(QColor(getattr(scheme, fill)))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1),
                                RADIUS[radius], RADIUS[radius])
        painter.end()
        super().paintEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()
