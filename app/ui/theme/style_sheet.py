"""The one application style sheet, built from the tokens.

Widgets opt into a look with two dynamic properties instead of style sheets of their own:
- `surface`: "chrome" (the sidebars), "page" (content), "raised" (cards, the composer);
- `role`: on a label, a step of the type scale or an ink ("title", "display", "caption",
  "muted", "heading"); on a line edit, "title" (the task editor's title field); on a button,
  "primary", "quiet" (a flat text button) or "icon".
Hand-painted delegates (the task rows, the chat's items) read the same tokens through
`apply.current()`. Plain string work: no Qt here, so building it costs well under a millisecond.
"""

from app.ui.theme.tokens import (
    MONO_FAMILIES,
    RADIUS,
    SPACE,
    WEIGHTS,
    Scheme,
    type_px,
)


def build_style_sheet(scheme: Scheme, text_size: str = "normal",
                      marks: dict[str, str] | None = None) -> str:
    """The sheet for `scheme` at `text_size`. The family and the body size are the application
    font's (`apply`), not a `*` rule here: a `*` font would override every widget's own font,
    the code blocks' monospace and the headings' weight among them."""
    marks = marks or {}  # "check", "chevron": image files in this scheme's inks (apply.py)
    c, px, r, sp = scheme, (lambda step: type_px(step, text_size)), RADIUS, SPACE
    mono = ", ".join(f'"{name}"' for name in MONO_FAMILIES)
    strong = 2 if c.name == "contrast" else 1  # high contrast: edges a low-vision reader can see
    return f"""
QMainWindow, QDialog, QWidget#Page {{ background: {c.page}; color: {c.text}; }}
QWidget[surface="chrome"] {{ background: {c.chrome}; }}
QWidget[surface="page"] {{ background: {c.page}; }}
QWidget[surface="raised"] {{ background: {c.raised}; border: {strong}px solid {c.border};
    border-radius: {r["l"]}px; }}
QFrame#ConversationDrawer {{ border: none; border-right: {strong}px solid {c.border}; }}
QToolTip {{ background: {c.raised}; color: {c.text}; border: 1px solid {c.border};
    border-radius: {r["s"]}px; padding: {sp["xs"]}px {sp["s"]}px; }}

QLabel {{ color: {c.text}; background: transparent; }}
QLabel[role="display"] {{ font-size: {px("display")}px; font-weight: {WEIGHTS["semibold"]}; }}
QLabel[role="title"] {{ font-size: {px("title")}px; font-weight: {WEIGHTS["semibold"]}; }}
QLabel[role="heading"] {{ font-size: {px("small")}px; font-weight: {WEIGHTS["semibold"]};
    color: {c.muted}; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QLabel[role="caption"] {{ font-size: {px("caption")}px; color: {c.muted}; }}
QLabel[role="error"] {{ color: {c.danger}; }}

QPushButton, QToolButton {{ color: {c.text}; background: {c.raised};
    border: {strong}px solid {c.border}; border-radius: {r["m"]}px;
    padding: {sp["xs"] + 2}px {sp["m"]}px; }}
QPushButton:hover, QToolButton:hover {{ background: {c.sunken}; }}
QPushButton:pressed, QToolButton:pressed {{ background: {c.border}; }}
QPushButton:disabled, QToolButton:disabled {{ color: {c.muted}; }}
QPushButton:focus, QToolButton:focus {{ border: 2px solid {c.accent}; }}
QPushButton:default, QPushButton[role="primary"] {{ background: {c.accent}; color: {c.on_accent};
    border-color: {c.accent}; font-weight: {WEIGHTS["medium"]}; }}
QPushButton[role="quiet"], QToolButton[role="quiet"], QToolButton[role="icon"] {{
    background: transparent; border: {strong}px solid transparent; color: {c.muted};
    padding: {sp["xxs"]}px {sp["s"]}px; }}
QPushButton[role="quiet"]:hover, QToolButton[role="quiet"]:hover,
QToolButton[role="icon"]:hover {{ background: {c.sunken}; color: {c.text}; }}
QPushButton[role="quiet"]:focus, QToolButton[role="quiet"]:focus,
QToolButton[role="icon"]:focus {{ border: 2px solid {c.accent}; color: {c.text}; }}
QToolButton[role="icon"] {{ padding: {sp["xs"]}px; border-radius: {r["m"]}px; }}

QTextEdit[readOnly="true"], QPlainTextEdit[readOnly="true"], QTextBrowser {{
    background: transparent; border: none; }}
QLineEdit, QPlainTextEdit[readOnly="false"], QTextEdit[readOnly="false"], QSpinBox, QDateEdit,
QDateTimeEdit, QComboBox {{
    background: {c.page}; color: {c.text}; border: {strong}px solid {c.border};
    border-radius: {r["m"]}px; padding: {sp["xs"] + 2}px {sp["s"]}px;
    selection-background-color: {c.accent}; selection-color: {c.on_accent}; }}
QLineEdit:focus, QPlainTextEdit[readOnly="false"]:focus, QTextEdit[readOnly="false"]:focus,
QSpinBox:focus, QDateEdit:focus, QDateTimeEdit:focus, QComboBox:focus {{
    border: 2px solid {c.accent}; }}
QLineEdit[role="title"] {{ font-size: {px("title")}px; font-weight: {WEIGHTS["semibold"]}; }}
QComboBox QLineEdit {{ border: none; padding: 0; background: transparent; }}
QComboBox::drop-down {{ border: none; width: {sp["l"] + sp["xs"]}px; }}
QComboBox::down-arrow {{ image: url("{marks.get("chevron", "")}"); width: 12px; height: 12px; }}
QComboBox QAbstractItemView {{ background: {c.raised}; border: 1px solid {c.border};
    selection-background-color: {c.accent_soft}; selection-color: {c.text}; }}
QCheckBox, QRadioButton {{ color: {c.text}; spacing: {sp["s"]}px; background: transparent; }}
QCheckBox::indicator {{ width: 16px; height: 16px; border: {strong + 1}px solid {c.muted};
    border-radius: {r["s"]}px; background: {c.page}; }}
QCheckBox::indicator:hover {{ border-color: {c.accent}; }}
QCheckBox::indicator:checked {{ background: {c.accent}; border-color: {c.accent};
    image: url("{marks.get("check", "")}"); }}
QCheckBox::indicator:disabled {{ background: {c.sunken}; border-color: {c.border}; }}
QRadioButton::indicator {{ width: 16px; height: 16px; border: {strong + 1}px solid {c.muted};
    border-radius: 9px; background: {c.page}; }}
QRadioButton::indicator:checked {{ border: 5px solid {c.accent}; }}

QListView, QTreeView, QListWidget, QTreeWidget, QTableView, QTableWidget {{
    background: transparent; border: none; outline: 0; color: {c.text};
    selection-background-color: {c.accent_soft}; selection-color: {c.text}; }}
QListView::item, QTreeView::item, QListWidget::item {{ border-radius: {r["m"]}px;
    padding: {sp["xs"] + 2}px {sp["s"]}px; margin: 1px {sp["xs"]}px; }}
QListView::item:hover, QTreeView::item:hover, QListWidget::item:hover {{
    background: {c.sunken}; }}
QListView::item:selected, QTreeView::item:selected, QListWidget::item:selected {{
    background: {c.accent_soft}; color: {c.text}; }}
QHeaderView::section {{ background: transparent; color: {c.muted}; border: none;
    border-bottom: 1px solid {c.border}; padding: {sp["xs"]}px {sp["s"]}px;
    font-size: {px("small")}px; }}
QTableView {{ gridline-color: {c.border}; }}

QScrollArea {{ background: transparent; border: none; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle {{ background: {c.border}; border-radius: 3px; min-height: 32px;
    min-width: 32px; }}
QScrollBar::handle:hover {{ background: {c.muted}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}

QSplitter::handle {{ background: {c.border}; }}
QSplitter::handle:horizontal {{ width: 1px; }}
QSplitter::handle:vertical {{ height: 1px; }}
QMenuBar {{ background: {c.chrome}; color: {c.text}; border-bottom: 1px solid {c.border}; }}
QMenuBar::item {{ padding: {sp["xs"]}px {sp["s"] + 2}px; background: transparent;
    border-radius: {r["s"]}px; }}
QMenuBar::item:selected {{ background: {c.sunken}; }}
QMenu {{ background: {c.raised}; color: {c.text}; border: 1px solid {c.border};
    border-radius: {r["m"]}px; padding: {sp["xs"]}px; }}
QMenu::item {{ padding: {sp["xs"] + 2}px {sp["xl"]}px {sp["xs"] + 2}px {sp["m"]}px;
    border-radius: {r["s"]}px; }}
QMenu::item:selected {{ background: {c.accent_soft}; }}
QMenu::separator {{ height: 1px; background: {c.border}; margin: {sp["xs"]}px {sp["s"]}px; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ background: transparent; color: {c.muted}; padding: {sp["s"]}px {sp["m"]}px;
    border: none; border-bottom: 2px solid transparent; }}
QTabBar::tab:selected {{ color: {c.text}; border-bottom: 2px solid {c.accent}; }}
QStatusBar {{ background: {c.chrome}; color: {c.muted}; font-size: {px("small")}px; }}
QProgressBar {{ background: {c.sunken}; border: none; border-radius: 3px; height: 6px;
    color: transparent; }}
QProgressBar::chunk {{ background: {c.accent}; border-radius: 3px; }}

QCalendarWidget QWidget {{ alternate-background-color: {c.page}; }}
QCalendarWidget QAbstractItemView {{ background: {c.page}; color: {c.text};
    selection-background-color: {c.accent}; selection-color: {c.on_accent};
    border: none; outline: 0; }}
QCalendarWidget QAbstractItemView:disabled {{ color: {c.muted}; }}
QCalendarWidget QToolButton {{ background: transparent; border: none; color: {c.text};
    font-weight: {WEIGHTS["semibold"]}; }}
QCalendarWidget QWidget#qt_calendar_navigationbar {{ background: {c.page}; }}
QCalendarWidget QToolButton::menu-indicator {{ image: none; width: 0; }}

QToolButton[role="link"], QPushButton[role="link"] {{ background: transparent; border: none;
    color: {c.accent}; font-size: {px("small")}px; font-weight: {WEIGHTS["medium"]};
    padding: {sp["xxs"]}px {sp["xs"]}px; }}
QToolButton[role="link"]:hover, QPushButton[role="link"]:hover {{ text-decoration: underline; }}
QToolButton[role="link"]:focus, QPushButton[role="link"]:focus {{
    border: 1px solid {c.accent}; border-radius: {r["s"]}px; }}
QToolButton[role="link"]::menu-indicator {{ image: none; width: 0; }}
QPushButton[role="chip"] {{ background: {c.accent_soft}; color: {c.text}; border: 1px solid
    transparent; border-radius: {r["s"]}px; padding: {sp["xxs"]}px {sp["s"]}px;
    font-size: {px("caption")}px; text-align: left; font-weight: {WEIGHTS["regular"]}; }}
QPushButton[role="chip"]:hover {{ text-decoration: line-through; }}
QPushButton[role="chip"]:focus {{ border: 1px solid {c.accent}; }}
QListWidget[surface="chrome"] {{ background: {c.chrome}; }}
QListWidget[surface="chrome"]::item {{ padding: {sp["xs"] + 2}px {sp["s"]}px;
    margin: 1px {sp["s"]}px; }}

QPlainTextEdit[role="code"], QTextEdit[role="code"], QLabel[role="code"] {{
    font-family: {mono}; font-size: {px("small")}px; }}

/* The chat: the composer is one rounded field with its buttons inside; examples and recent
   requests are quiet rounded chips; a tool line is small and muted. */
QFrame#Composer {{ background: {c.raised}; border: {strong}px solid {c.border};
    border-radius: {r["l"]}px; }}
QFrame#Composer[focused="true"] {{ border: 2px solid {c.accent}; }}
QPlainTextEdit#ComposerText {{ background: transparent; border: none; padding: 0;
    selection-background-color: {c.accent}; selection-color: {c.on_accent}; }}
QToolButton[role="send"] {{ background: {c.accent}; border: none; border-radius: {r["m"]}px;
    padding: {sp["xs"] + 2}px; }}
QToolButton[role="send"]:hover {{ background: {c.accent}; }}
QToolButton[role="send"]:disabled {{ background: {c.sunken}; }}
QToolButton[role="send"]:focus {{ border: 2px solid {c.text}; }}
QPushButton[role="suggestion"] {{ background: {c.raised}; color: {c.text}; text-align: left;
    border: {strong}px solid {c.border}; border-radius: {r["l"]}px;
    padding: {sp["s"] + 2}px {sp["m"] + 2}px; }}
QPushButton[role="suggestion"]:hover {{ background: {c.sunken}; }}
QPushButton[role="suggestion"]:focus {{ border: 2px solid {c.accent}; }}
QLabel[role="tool"] {{ font-size: {px("small")}px; color: {c.muted}; }}
QLabel[role="tool-failed"] {{ font-size: {px("small")}px; color: {c.danger}; }}
QLabel[role="date"] {{ font-size: {px("caption")}px; color: {c.muted}; }}
QWidget#QuickAskFrame {{ background: {c.page}; border: {strong}px solid {c.border};
    border-radius: {r["l"]}px; }}
QWidget#QuickAskFrame QFrame#Composer, QWidget#QuickAskFrame QFrame#Composer[focused="true"] {{
    background: transparent; border: none; }}
QPushButton[role="recent"] {{ background: transparent; color: {c.text}; text-align: left;
    border: none; border-radius: {r["m"]}px; padding: {sp["s"]}px {sp["m"]}px; }}
QPushButton[role="recent"]:hover, QPushButton[role="recent"]:focus {{
    background: {c.accent_soft}; }}
QLineEdit[role="search"] {{ background: {c.page}; border-radius: {r["l"]}px;
    padding: {sp["xs"] + 2}px {sp["m"]}px; }}
"""
