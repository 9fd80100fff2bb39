"""An answer's body as it streams in: prose as rendered markdown, each fenced code block as a
CodeBlock of its own, in the order they arrive."""

from typing import cast

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.chat.code_block import CodeBlock
from app.ui.chat.markdown_blocks import FenceSplitter
from app.ui.chat.markdown_view import MarkdownView
from app.ui.theme.tokens import SPACE


class AnswerBody(QWidget):
    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(SPACE["m"])
        self._reset()
        if text:
            self.set_markdown(text)

    def _reset(self) -> None:
        self._splitter = FenceSplitter()
        self._prose: MarkdownView | None = None
        self._code: CodeBlock | None = None

    @property
    def markdown(self) -> str:
        """The answer as written (what Copy puts on the clipboard)."""
        return self._splitter.text

    def segments(self) -> list[MarkdownView | CodeBlock]:
        # The layout holds only the segments this class puts there.
        items = (self._layout.itemAt(i) for i in range(self._layout.count()))
        return [cast(MarkdownView | CodeBlock, item.widget()) for item in items if item is not None]

    def prose(self) -> list[MarkdownView]:
        return [s for s in self.segments() if isinstance(s, MarkdownView)]

    def code_blocks(self) -> list[CodeBlock]:
        return [s for s in self.segments() if isinstance(s, CodeBlock)]

    def toPlainText(self) -> str:
        return "\n".join(s.toPlainText() if isinstance(s, MarkdownView) else s.text
                         for s in self.segments())

    def set_markdown(self, text: str) -> None:
        """Show a finished answer at once (history, another version)."""
        for segment in self.segments():
            self._layout.removeWidget(segment)
            segment.deleteLater()
        self._reset()
        self.append(text)
        self.finish()

    def append(self, delta: str) -> None:
        for event in self._splitter.feed(delta):
            self._handle(*event)

    def flush(self) -> None:
        for segment in (self._prose, self._code):
            if segment is not None:
                segment.flush()

    def finish(self) -> None:
        for event in self._splitter.end():
            self._handle(*event)
        if self._prose is not None:
            self._prose.finish()

    def _handle(self, kind: str, text: str) -> None:
        if kind == "prose":
            if self._prose is None:
                if not text.strip():
                    return  # blank lines between blocks need no view of their own
                self._prose = MarkdownView()
                self._layout.addWidget(self._prose)
            self._prose.append(text)
        elif kind == "code_start":
            if self._prose is not None:
                self._prose.finish()
                self._prose = None
            self._code = CodeBlock(text)
            self._layout.addWidget(self._code)
        elif kind == "code" and self._code is not None:
            self._code.append(text)
        elif kind == "code_end" and self._code is not None:
            self._code.finish()
            self._code = None
