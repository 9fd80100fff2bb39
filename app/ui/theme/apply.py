"""Puts the design system on the running app: the bundled font, a palette and the one style sheet,
all from the tokens, for the scheme the "theme" setting and the system ask for.

Fusion is only the base that draws what a style sheet leaves alone (identically on every OS);
every colour, size and radius it would show is overridden from `tokens`.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.common.paths import resource_path
from app.ui.theme.style_sheet import build_style_sheet
from app.ui.theme.tokens import FONT_FAMILY, LIGHT, SCHEMES, Scheme, type_px

FONT_FILES = ("Inter-Regular.otf", "Inter-Medium.otf", "Inter-SemiBold.otf")
_current: Scheme = LIGHT
_text_size = "normal"
_fonts_loaded: bool | None = None


def current() -> Scheme:
    """The scheme on screen now, for delegates that paint by hand."""
    return _current


def text_size() -> str:
    return _text_size


# The check in a ticked box and a combo box's arrow, as SVG in a scheme's inks: a style sheet
# takes an image only as a file, and these are the two marks it cannot draw with borders.
_MARKS = {
    "check": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
             'stroke="{on_accent}" stroke-width="3.5" stroke-linecap="round" '
             'stroke-linejoin="round"><path d="M20 6 9 17l-5-5"/></svg>',
    "chevron": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
               'stroke="{muted}" stroke-width="2.5" stroke-linecap="round" '
               'stroke-linejoin="round"><path d="m6 9 6 6 6-6"/></svg>',
}
_marks_dir: Path | None = None


def marks_for(scheme: Scheme) -> dict[str, str]:
    """The marks' files for `scheme`, written once per process into a private temporary
    folder (removed at exit)."""
    global _marks_dir
    if _marks_dir is None:
        _marks_dir = Path(tempfile.mkdtemp(prefix="task-assistant-marks-"))
        atexit.register(shutil.rmtree, _marks_dir, True)
    files = {}
    for name, svg in _MARKS.items():
        path = _marks_dir / f"{name}-{scheme.name}.svg"
        if not path.exists():
            path.write_text(svg.format(on_accent=scheme.on_accent, muted=scheme.muted))
        files[name] = path.as_posix()
    return files


def load_bundled_font() -> bool:
    """Registers Inter with Qt once; False when its files are missing (the system font is used)."""
    global _fonts_loaded
    if _fonts_loaded is None:
        loaded = [QFontDatabase.addApplicationFont(str(path)) for name in FONT_FILES
                  if (path := resource_path(f"fonts/{name}")) is not None]
        _fonts_loaded = bool(loaded) and all(font_id >= 0 for font_id in loaded)
    return _fonts_loaded


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def system_prefers_high_contrast() -> bool:
    hints = QGuiApplication.styleHints()
    accessibility = getattr(hints, "accessibility", None)  # Qt 6.10+
    return accessibility is not None and \
        accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast


def scheme_for(theme: str) -> Scheme:
    """"light" and "dark" are what they say; "system" follows the desktop, high contrast
    included."""
    if theme in SCHEMES:  # "light", "dark"; "contrast" only for the screenshots and tests
        return SCHEMES[theme]
    if system_prefers_high_contrast():
        return SCHEMES["contrast"]
    return SCHEMES["dark" if system_prefers_dark() else "light"]


def palette_for(scheme: Scheme) -> QPalette:
    """A QPalette from the tokens, so the widgets a style sheet does not reach (and the
    palette-derived tints in `design`) agree with it."""
    colours = QPalette()
    role = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for name, value in ((role.Window, scheme.chrome), (role.Base, scheme.page),
                            (role.AlternateBase, scheme.sunken), (role.Button, scheme.raised),
                            (role.WindowText, scheme.text), (role.Text, scheme.text),
                            (role.ButtonText, scheme.text), (role.BrightText, scheme.on_accent),
                            (role.Highlight, scheme.accent),
                            (role.HighlightedText, scheme.on_accent),
                            (role.ToolTipBase, scheme.raised), (role.ToolTipText, scheme.text),
                            (role.PlaceholderText, scheme.muted), (role.Link, scheme.accent),
                            (role.Mid, scheme.border), (role.Midlight, scheme.sunken),
                            (role.Dark, scheme.border), (role.Light, scheme.raised)):
            colours.setColor(group, name, QColor(value))
    for name in (role.WindowText, role.Text, role.ButtonText):
        colours.setColor(QPalette.ColorGroup.Disabled, name, QColor(scheme.muted))
    return colours


def apply_theme(app: QApplication, theme: str = "system", size: str = "normal",
                font: str = "inter") -> Scheme:
    """Puts `theme` at `size` on the whole app. Safe to call again when a setting or the
    system's scheme changes: every widget restyles itself from the new palette."""
    global _current, _text_size
    if app.property("themed") is None:  # once: setting a style again rebuilds every widget's
        app.setStyle("Fusion")            # (and a style sheet hides the base style's name)
        app.setProperty("themed", True)
    scheme, _text_size = scheme_for(theme), size
    _current = scheme
    family = FONT_FAMILY if font == "inter" and load_bundled_font() else \
        QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
    base = QFont(family)
    base.setPixelSize(type_px("body", size))
    app.setFont(base)
    app.setPalette(palette_for(scheme))
    app.setStyleSheet(build_style_sheet(scheme, size, marks_for(scheme)))
    return scheme


class ThemeFollower(QObject):
    """Re-applies the theme when the settings or the desktop's colour scheme change."""

    changed = Signal(str)  # the scheme's name

    def __init__(self, app: QApplication, settings) -> None:
        super().__init__(app)
        self._app, self._settings = app, settings
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: self.reapply())
        self._unsubscribe = settings.subscribe(self._setting_changed)
        self._relay.connect(self.reapply, Qt.ConnectionType.QueuedConnection)
        self.reapply()

    _relay = Signal()

    def _setting_changed(self, name: str) -> None:
        if name in ("theme", "text_size", "font"):
            self._relay.emit()  # subscribers may be called off the GUI thread

    def reapply(self) -> None:
        scheme = apply_theme(self._app, self._settings.get("theme"),
                             self._settings.get("text_size"), self._settings.get("font"))
        self.changed.emit(scheme.name)
