"""The design tokens: every size, radius, weight and colour the window draws with, in one place.

Plain data, no Qt: the style sheet (`style_sheet.py`), the palette (`apply.py`) and the few
hand-painted delegates all read these, so a change here changes the whole app. docs/DESIGN.md
shows each one. Colours come in three schemes: light, dark and high contrast; every text colour
is checked against the surfaces it is drawn on at WCAG AA (4.5:1) by tests/ui/test_theme.py.
"""

from dataclasses import dataclass

# The type scale, in pixels at the default text size ("normal"); the "text_size" setting scales
# all of them together, so the hierarchy stays the same at any size.
TYPE_SCALE = {
    "caption": 11,   # counts, chips, the metadata line under a task
    "small": 12,     # notes, tool lines, the sidebar's section headings
    "body": 14,      # messages, task titles, controls
    "title": 17,     # a view's heading ("Today"), a dialog's title
    "display": 24,   # the welcome's greeting
}
TEXT_SIZES = {"small": 0.9, "normal": 1.0, "large": 1.15, "larger": 1.3}
WEIGHTS = {"regular": 400, "medium": 500, "semibold": 600}
FONT_FAMILY = "Inter"
MONO_FAMILIES = ("JetBrains Mono", "DejaVu Sans Mono", "Menlo", "Consolas", "monospace")

# Spacing on a 4 px grid: every margin and gap is one of these.
SPACE = {"xxs": 2, "xs": 4, "s": 8, "m": 12, "l": 16, "xl": 24, "xxl": 32}
RADIUS = {"s": 4, "m": 8, "l": 12, "pill": 999}
READABLE_WIDTH = 720  # px: the chat column's width on a wide window, as Claude desktop keeps it
FORM_WIDTH = (440, 560)  # px: a form dialog's (the task editor's) narrowest and widest
ROW_HEIGHT = 44       # px: a task row with its metadata line
MOTION_MS = 160       # a completed row's fade; 0 when the system asks for reduced motion


@dataclass(frozen=True)
class Scheme:
    """One colour scheme. `page` is where content sits (the chat, the task list), `chrome` the
    calmer sidebars around it, `raised` cards and the composer above the page."""
    name: str
    page: str
    chrome: str
    raised: str
    sunken: str      # the code block, a hovered row
    border: str
    text: str
    muted: str       # metadata, placeholders, captions
    accent: str      # the one colour of action: selection, send, focus ring
    on_accent: str   # text on the accent
    accent_soft: str  # your own messages, a selected row
    overdue: str
    success: str
    warning_soft: str  # an approval card's background
    danger: str
    priority: tuple[str, str, str]  # p1 (high), p2 (medium), p3 (low)


LIGHT = Scheme(
    name="light",
    page="#ffffff", chrome="#f5f5f3", raised="#ffffff", sunken="#f0f0ee", border="#e2e2de",
    text="#1d1d1f", muted="#5f6166",
    accent="#3a5bd9", on_accent="#ffffff", accent_soft="#eaeefc",
    overdue="#c0392b", success="#1a7046", warning_soft="#fff4dc", danger="#b3261e",
    priority=("#c0392b", "#9a4f00", "#2f62c8"),
)
DARK = Scheme(
    name="dark",
    page="#1e1f22", chrome="#18191b", raised="#26272b", sunken="#2b2d31", border="#35373c",
    text="#e9e9eb", muted="#a2a5ab",
    accent="#7d97f5", on_accent="#0f1221", accent_soft="#2a3150",
    overdue="#ff8a7a", success="#6fcf97", warning_soft="#3a3120", danger="#ff8a7a",
    priority=("#ff8a7a", "#f0a857", "#8fa8ff"),
)
HIGH_CONTRAST = Scheme(
    name="contrast",
    page="#000000", chrome="#000000", raised="#000000", sunken="#000000", border="#ffffff",
    text="#ffffff", muted="#ffffff",
    accent="#ffd400", on_accent="#000000", accent_soft="#333300",
    overdue="#ff9e9e", success="#8dffb0", warning_soft="#000000", danger="#ff9e9e",
    priority=("#ff9e9e", "#ffc870", "#9ec3ff"),
)
SCHEMES = {scheme.name: scheme for scheme in (LIGHT, DARK, HIGH_CONTRAST)}
THEMES = ("system", "light", "dark")  # what the "theme" setting takes


def text_pairs(scheme: Scheme) -> list[tuple[str, str, str]]:
    """(what, text colour, background) for every text the window draws on a surface: the
    pairs tests hold to 4.5:1."""
    pairs = []
    for surface in ("page", "chrome", "raised", "sunken"):
        background = getattr(scheme, surface)
        for ink in ("text", "muted", "overdue", "success", "danger"):
            pairs.append((f"{ink} on {surface}", getattr(scheme, ink), background))
        for level, colour in enumerate(scheme.priority, start=1):
            pairs.append((f"priority {level} on {surface}", colour, background))
    pairs += [("text on accent_soft", scheme.text, scheme.accent_soft),
              ("on_accent on accent", scheme.on_accent, scheme.accent),
              ("text on warning_soft", scheme.text, scheme.warning_soft),
              ("accent on page", scheme.accent, scheme.page)]
    return pairs


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def type_px(name: str, text_size: str = "normal") -> int:
    """A step of the type scale, in pixels, at the user's text size."""
    return round(TYPE_SCALE[name] * TEXT_SIZES.get(text_size, 1.0))
