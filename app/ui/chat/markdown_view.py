"""A message's text as rendered markdown that grows as the answer streams in.

Re-rendering the whole message per delta grows quadratically (measured: 14-22 s of UI-thread
time for a 1,880-token answer, against 0.4 s this way). So deltas are buffered and flushed at
most 30 times a second; each flush renders only newly finished blocks (parsed in a separate
document, inserted as a fragment: inserting markdown directly merges its first block into the
previous one) and shows the unfinished tail as plain text until its block completes. The view
sizes itself to its text, so a chat can stack messages in one scroll area.

Qt renders markdown with no space between paragraphs, lists glued to the text around them and
a 40 px indent per list level; the view spaces its blocks as the rest of the app is spaced.
"""

import math

from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QCursor,
    QDesktopServices,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFormat,
)
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QToolTip

from app.ui.chat.markdown_blocks import FinishedBlocks
from app.ui.theme.tokens import SPACE

FLUSH_INTERVAL_MS = 33  # ~30 Hz: smooth to the eye, few enough layouts to stay cheap
PARAGRAPH_GAP = SPACE["s"]     # below a paragraph, a heading, and a list's last item
LIST_ITEM_GAP = SPACE["xxs"]   # between the items of one list
LIST_INDENT = SPACE["l"] + SPACE["xs"]  # a list level's indent


def _is_code(block) -> bool:
    """A line of code Qt kept in the prose: indented code, or a fence inside a list item (only
    fences at the margin become code blocks of their own)."""
    return block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeLanguage)


def _space_blocks(document: QTextDocument, start: int) -> None:
    """The gap below each block, from the block before `start` (whose follower may have
    changed) to the end. The last block has none: the message's frame gives the room."""
    block = document.findBlock(start)
    if block.previous().isValid():
        block = block.previous()
    while block.isValid():
        following = block.next()
        if QTextCursor(block).currentTable() is not None:
            block = following  # a cell: the table's own padding spaces it
            continue
        if not following.isValid() or _is_code(block) and _is_code(following):
            gap = 0  # the lines of one piece of code stay together
        elif block.textList() is not None and following.textList() is not None:
            gap = LIST_ITEM_GAP
        else:
            gap = PARAGRAPH_GAP
        if block.blockFormat().bottomMargin() != gap:
            spaced = QTextBlockFormat()
            spaced.setBottomMargin(gap)
            QTextCursor(block).mergeBlockFormat(spaced)
        block = following


def _start_block(cursor: QTextCursor, block_format: QTextBlockFormat,
                 char_format: QTextCharFormat) -> None:
    """Begin a new block at the end with these formats; an empty last block is reused (a
    table always leaves one after it, and a new document starts with one)."""
    if cursor.block().length() > 1:
        cursor.insertBlock(block_format, char_format)
    else:
        cursor.setBlockFormat(block_format)
        cursor.setBlockCharFormat(char_format)


SAFE_SCHEMES = ("http", "https", "mailto")


def open_link(url: QUrl) -> bool:
    """Opens `url` in the browser or mail program if its scheme is safe; says so otherwise."""
    if url.scheme().lower() in SAFE_SCHEMES:
        return QDesktopServices.openUrl(url)
    QToolTip.showText(QCursor.pos(), f"Only web and mail links open from an answer; this one "
                                     f"is {url.scheme() or 'a relative link'}:")
    return False


class MarkdownView(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # Links open in the browser, never inside the chat, and only web and mail links: an
        # answer's file:, javascript: or custom-scheme link could start a program.
        self.setOpenLinks(False)
        self.anchorClicked.connect(open_link)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Prose wraps; only code blocks (their own widgets) scroll sideways, so nothing of the
        # answer slides away and no line hides under a scroll bar.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the transcript is one tab stop, not each
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)  # the message's frame shows through
        self.document().setDocumentMargin(2)
        self.document().setIndentWidth(LIST_INDENT)
        self.document().setUndoRedoEnabled(False)  # read only: nothing to undo, nothing to keep
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._blocks = FinishedBlocks()
        self._rendered = 0     # text[:_rendered] is in the document as markdown
        self._tail_start = -1  # where the plain-text tail begins in the document, -1 if none
        self._shown = 0        # text[:_shown] is in the document in some form
        self._flush_timer = QTimer(self, singleShot=True, interval=FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self.flush)

    @property
    def markdown(self) -> str:
        """The message as written (what Copy puts on the clipboard)."""
        return self._blocks.text

    def set_markdown(self, text: str) -> None:
        """Show a finished message at once (history, a completed answer)."""
        self._blocks = FinishedBlocks()
        self._blocks.append(text)
        self.setMarkdown(text)
        _space_blocks(self.document(), 0)
        self._rendered = self._shown = len(text)
        self._tail_start = -1

    def append(self, delta: str) -> None:
        """Add streamed text; it reaches the screen on the next flush."""
        self._blocks.append(delta)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Render what arrived since the last flush (newly finished blocks, then the tail)."""
        self._flush_timer.stop()
        self._render_up_to(self._blocks.finished)

    def finish(self) -> None:
        """The stream ended: render everything as markdown, the last block included."""
        self._flush_timer.stop()
        self._render_up_to(len(self._blocks.text))

    def _render_up_to(self, finished: int) -> None:
        text = self._blocks.text
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        changed = cursor.position()
        if finished > self._rendered:
            if self._tail_start >= 0:  # the tail is now part of finished blocks: replace it
                cursor.setPosition(self._tail_start, QTextCursor.MoveMode.KeepAnchor)
                cursor.removeSelectedText()
                if self._rendered:  # drop the empty block the tail lived in
                    cursor.deletePreviousChar()
                self._tail_start = -1
            changed = min(changed, cursor.position())
            block = text[self._rendered:finished]
            if block.strip():
                parsed = QTextDocument()
                parsed.setMarkdown(block)
                # The fragment's first block merges into the block at the cursor and takes its
                # format, so that block gets the first parsed block's format (a code fence).
                first = parsed.firstBlock()
                _start_block(cursor, first.blockFormat(), first.charFormat())
                cursor.insertFragment(QTextDocumentFragment(parsed))
            self._rendered = self._shown = finished
        if len(text) > self._shown:
            if self._tail_start < 0:
                _start_block(cursor, QTextBlockFormat(), QTextCharFormat())
                self._tail_start = cursor.position()
            cursor.insertText(text[self._shown:], QTextCharFormat())
            self._shown = len(text)
        _space_blocks(self.document(), changed)

    def _fit_height(self, size) -> None:
        margins = self.contentsMargins()
        scroll = self.horizontalScrollBar()
        extra = scroll.sizeHint().height() if scroll.isVisible() else 0
        self.setFixedHeight(math.ceil(size.height()) + margins.top() + margins.bottom() + extra)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())
