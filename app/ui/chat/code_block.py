"""A fenced code block of an answer: monospace on the sunken surface (radius m), its own horizontal
scroll (the answer around it never scrolls sideways), a language label, Pygments highlighting
once the block is complete (again after a theme switch), and a quiet Copy.

A block is coloured only once it has been on screen: a conversation shown again at start paints
its code plain in the window's first frame and coloured a moment later, rather than holding
that frame for Pygments (its import and a cold lexer, ~25 ms)."""

import math

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QToolButton, QVBoxLayout

from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.surface import Surface
from app.ui.theme.tokens import MONO_FAMILIES, SPACE, contrast, type_px

FLUSH_INTERVAL_MS = 33


class CodeBlock(Surface):
    def __init__(self, language: str = "") -> None:
        super().__init__("code")
        self.language = language
        self._text = ""
        self._finished = False
        self._painted = False
        self._colour_after_paint = QTimer(self, singleShot=True, interval=0)
        self._colour_after_paint.timeout.connect(self._colour)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["m"], SPACE["s"], SPACE["xs"], SPACE["xs"])
        layout.setSpacing(0)
        header = QHBoxLayout()
        self.label = QLabel(language or "code")
        self.label.setProperty("role", "caption")
        header.addWidget(self.label)
        header.addStretch()
        self.copy_button = QToolButton(autoRaise=True)
        self.copy_button.setProperty("role", "quiet")
        self.copy_button.setIcon(icon("copy"))
        self.copy_button.setText("Copy code")  # told apart from the message's own Copy below
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.copy_button.setToolTip("Copy this code")
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Tab in the transcript
        self.copy_button.clicked.connect(self.copy)
        header.addWidget(self.copy_button)
        layout.addLayout(header)
        self.code = QPlainTextEdit(readOnly=True)
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.code.setFrameShape(QFrame.Shape.NoFrame)
        self.code.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.code.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # The block's surface shows through. Only Base is set, so the text colour still follows
        # a palette switch (a style sheet would freeze the whole palette at the first polish).
        see_through = self.code.palette()
        see_through.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
        self.code.setPalette(see_through)
        self.code.viewport().setAutoFillBackground(False)
        self.code.setFont(monospace(self.code.font()))
        self.code.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # click to select; Tab skips it
        self.code.setAccessibleName(f"{language or 'Code'} code")
        layout.addWidget(self.code)
        self._timer = QTimer(self, singleShot=True, interval=FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)
        self._fit_height()

    @property
    def text(self) -> str:
        return self._text.removesuffix("\n")

    def append(self, text: str) -> None:
        self._text += text
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self.code.toPlainText() != self.text:
            self.code.setPlainText(self.text)
            self._fit_height()

    def finish(self) -> None:
        self.flush()
        self._finished = True
        if self._painted:
            self._colour()

    def _colour(self) -> None:
        highlight(self.code, self.language, self._text)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            if self._finished:  # a block shown again: coloured once this frame is out
                self._colour_after_paint.start()

    def changeEvent(self, event) -> None:
        """Token colours and the Copy icon were picked for the old palette: a light style's
        near-black would vanish on a dark or high-contrast page."""
        super().changeEvent(event)
        if event.type() != QEvent.Type.PaletteChange:
            return
        self.copy_button.setIcon(icon("copy"))
        if self._finished and self._painted:
            self.code.setPlainText(self.text)  # drops the old colours
            self._colour()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)

    def _fit_height(self) -> None:
        lines = max(1, self.code.document().blockCount())
        line = self.code.fontMetrics().lineSpacing()
        # Room for the horizontal scroll bar is always kept, so the last line is never under it.
        bar = self.code.horizontalScrollBar().sizeHint().height()
        margin = 2 * math.ceil(self.code.document().documentMargin())
        self.code.setFixedHeight(lines * line + margin + bar + 2)


# The languages answers most often fence, and both styles: their lexers are built (regexes
# compiled) ahead, so the first code block does not stall the window ~40 ms building one.
COMMON_LANGUAGES = ("python", "bash", "json", "javascript", "typescript", "sql", "yaml", "html")
STYLES = {"light": "default", "dark": "github-dark"}


def warm_highlighting() -> None:
    """Builds the common lexers and the styles, for a worker thread (Pygments has no Qt)."""
    try:
        from pygments.lexers import get_lexer_by_name
        from pygments.styles import get_style_by_name
        from pygments.util import ClassNotFound
    except ImportError:
        return
    for language in COMMON_LANGUAGES:
        try:
            get_lexer_by_name(language)
        except ClassNotFound:  # a trimmed Pygments: that language stays plain, as in highlight
            pass
    for style in STYLES.values():
        get_style_by_name(style)


def highlight(view: QPlainTextEdit, language: str, text: str) -> None:
    """Colour the tokens with Pygments (imported only when a code block is complete), in a
    style that suits the palette; unknown languages stay plain. Never fails the answer."""
    scheme = apply.current()
    if not language or scheme.name == "contrast":  # plain text has the most contrast
        return
    try:
        from pygments.lexers import get_lexer_by_name
        from pygments.styles import get_style_by_name
        from pygments.util import ClassNotFound
    except ImportError:
        return
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return
    style = get_style_by_name(STYLES["dark" if scheme.name == "dark" else "light"])
    background = scheme.sunken
    formats: dict = {}
    document = view.document()
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    position = 0
    limit = document.characterCount() - 1
    for token, value in lexer.get_tokens(text):
        if position >= limit:
            break
        end = min(position + len(value), limit)
        style_of = formats.get(token)
        if style_of is None:
            style_of = formats[token] = _format(style.style_for_token(token), background)
        if style_of is not None:
            cursor.setPosition(position)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(style_of)
        position = end
    cursor.endEditBlock()


# Below this contrast with the block's background a token keeps the text colour (Pygments'
# light style paints whitespace and some text #bbbbbb, unreadable on a light grey).
MIN_CONTRAST = 3.0


def _format(token_style: dict, background: str) -> QTextCharFormat | None:
    colour = QColor(f"#{token_style['color']}") if token_style.get("color") else None
    if colour is not None and contrast(colour.name(), background) < MIN_CONTRAST:
        colour = None
    if colour is None and not token_style.get("bold") and not token_style.get("italic"):
        return None
    result = QTextCharFormat()
    if colour is not None:
        result.setForeground(colour)
    if token_style.get("bold"):
        result.setFontWeight(QFont.Weight.Bold)
    if token_style.get("italic"):
        result.setFontItalic(True)
    return result


def monospace(base: QFont) -> QFont:
    """`base` in the tokens' monospace families, a step smaller than prose (as code reads)."""
    font = QFont(base)
    font.setFamilies(list(MONO_FAMILIES))
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    font.setPixelSize(type_px("small", apply.text_size()) + 1)
    return font
