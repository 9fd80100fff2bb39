"""A frame that paints its own rounded background from the design system at paint time, so it
follows a palette switch (light, dark, high contrast) without any restyling."""

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QFrame

from app.ui.theme import design


class Surface(QFrame):
    def __init__(self, kind: str = "", *, outlined: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.surface_kind = kind
        self.outlined = outlined

    def paintEvent(self, event) -> None:
        focused = self.hasFocus()  # reached with Tab: the outline shows where the keys are
        if not self.surface_kind and not self.outlined and not focused:
            super().paintEvent(event)  # transparent: the page shows through
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colours = self.palette()
        outline = self.outlined or design.high_contrast(colours)
        painter.setPen(QPen(design.border(colours), 1) if outline else QPen(0))
        if focused:
            painter.setPen(QPen(colours.color(colours.ColorRole.Highlight), 2))
        elif not outline:
            painter.setPen(design.surface(self.surface_kind, colours))
        if self.surface_kind or self.outlined:
            painter.setBrush(design.surface(self.surface_kind, colours))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5),
                                design.RADIUS, design.RADIUS)
        painter.end()
        super().paintEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()
