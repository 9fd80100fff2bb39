"""The conversation as a scrolling column of items that follows new text while at the bottom."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

FOLLOW_SLACK = 8  # pixels from the bottom that still count as "at the bottom"


class ChatView(QScrollArea):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        self._layout = QVBoxLayout(content)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)  # items sit at the bottom of a short conversation
        self.setWidget(content)
        self._following = True
        bar = self.verticalScrollBar()
        # Scrolling up to read stops the view from jumping; scrolling back down resumes it.
        bar.valueChanged.connect(self._note_position)
        bar.rangeChanged.connect(self._keep_following)

    def add(self, item: QWidget) -> QWidget:
        self._layout.insertWidget(self._layout.count() - 1, item)
        self._following = True  # a new item (the user just sent something) is worth seeing
        return item

    def remove(self, item: QWidget) -> None:
        self._layout.removeWidget(item)
        item.deleteLater()

    def items(self) -> list[QWidget]:
        return [self._layout.itemAt(i).widget() for i in range(self._layout.count() - 1)]

    def clear(self) -> None:
        for item in self.items():
            self.remove(item)

    def _note_position(self, value: int) -> None:
        self._following = value >= self.verticalScrollBar().maximum() - FOLLOW_SLACK

    def _keep_following(self, _minimum: int, maximum: int) -> None:
        if self._following:
            self.verticalScrollBar().setValue(maximum)
