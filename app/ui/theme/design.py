"""The window's small design system: spacing, a type scale and colours derived from the palette.

Every colour is computed from the current QPalette (mixed, never hard-coded), so the light, dark
and high-contrast palettes, and a switch between them, all just work. Widgets call these
helpers when they are built and again on QEvent.PaletteChange.
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

# Spacing, in pixels: every margin and gap in the chat is one of these.
XS, S, M, L = 2, 4, 8, 16
RADIUS = 6

# The type scale, relative to the system font: small print (author, notes), body, code.
SMALL = 0.9


def palette() -> QPalette:
    return QGuiApplication.palette()


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """`amount` of b over a (0: a, 1: b)."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * amount,
                           a.greenF() + (b.greenF() - a.greenF()) * amount,
                           a.blueF() + (b.blueF() - a.blueF()) * amount)


def is_dark(colours: QPalette | None = None) -> bool:
    colours = colours or palette()
    return colours.color(QPalette.ColorRole.Window).lightness() < 128


def high_contrast(colours: QPalette | None = None) -> bool:
    """A high-contrast palette (pure black on white, or white on black): tints would only blur
    its edges, so surfaces keep the palette's own colours and borders get stronger."""
    if colours is None:
        hints = QGuiApplication.styleHints()
        accessibility = getattr(hints, "accessibility", None)  # Qt 6.10+
        if accessibility is not None and accessibility().contrastPreference() \
                == Qt.ContrastPreference.HighContrast:
            return True
        colours = palette()
    text = colours.color(QPalette.ColorRole.Text).lightness()
    # Extreme text on an extreme page *and* window (an ordinary light theme has a grey window).
    return all(abs(text - colours.color(role).lightness()) > 245
               for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window))


def role(name: QPalette.ColorRole, colours: QPalette | None = None) -> QColor:
    return (colours or palette()).color(name)


def surface(kind: str, colours: QPalette | None = None) -> QColor:
    """Backgrounds: "you" (your messages), "code", "card" (approvals), "error"."""
    colours = colours or palette()
    base = role(QPalette.ColorRole.Base, colours)
    if high_contrast(colours):
        return base
    accent = role(QPalette.ColorRole.Highlight, colours)
    text = role(QPalette.ColorRole.Text, colours)
    if kind == "you":
        return mix(base, accent, 0.14 if is_dark(colours) else 0.09)
    if kind == "code":
        return mix(base, text, 0.07 if is_dark(colours) else 0.045)
    if kind == "card":
        return mix(base, QColor("#d99a00"), 0.16 if is_dark(colours) else 0.12)
    if kind == "error":
        return mix(base, QColor("#d0312d"), 0.14 if is_dark(colours) else 0.08)
    return base


def ink(kind: str, colours: QPalette | None = None) -> QColor:
    """Text colours: "muted" (notes, author), "tool" (what the agent did), "failed", "accent"."""
    colours = colours or palette()
    text = role(QPalette.ColorRole.Text, colours)
    base = role(QPalette.ColorRole.Base, colours)
    if kind == "muted":
        return text if high_contrast(colours) else mix(text, base, 0.38)
    if kind == "tool":  # readable on both palettes: the accent pulled towards the text colour
        return text if high_contrast(colours) else mix(
            role(QPalette.ColorRole.Highlight, colours), text, 0.45 if is_dark(colours) else 0.3)
    if kind == "failed":
        return text if high_contrast(colours) else mix(QColor("#d0312d"), text,
                                                       0.35 if is_dark(colours) else 0.15)
    if kind == "accent":
        return role(QPalette.ColorRole.Highlight, colours)
    return text


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def border(colours: QPalette | None = None) -> QColor:
    colours = colours or palette()
    text = role(QPalette.ColorRole.Text, colours)
    return text if high_contrast(colours) else mix(role(QPalette.ColorRole.Base, colours), text,
                                                   0.18)


def small_font(widget: QWidget) -> QFont:
    font = QFont(widget.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * SMALL)
    return font


def rgb(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)

