"""Settings' quick-ask shortcut: a field that records the keys pressed in it, "Turn off", and
the sentence the running app gives about it (bound, taken by another app, not available)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config.shortcut_text import OFF


class ShortcutField(QWidget):
    def __init__(self, shortcut=None, parent: QWidget | None = None) -> None:
        """`shortcut`: the app's GlobalShortcut, whose status is shown (None: not running)."""
        super().__init__(parent)
        self.keys = QKeySequenceEdit()
        self.keys.setMaximumSequenceLength(1)  # one chord: a global shortcut is never a sequence
        self.keys.setClearButtonEnabled(False)  # "Turn off" says what clearing means
        self.keys.setAccessibleName("Quick-ask shortcut")
        self.keys.setToolTip("Click, then press the keys (for example Ctrl+Alt+Space)")
        self.off_button = QPushButton("Turn off")
        self.off_button.clicked.connect(self.keys.clear)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Quick-ask shortcut status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Quick-ask shortcut:"))
        row.addWidget(self.keys, 1)
        row.addWidget(self.off_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        if shortcut is not None:
            shortcut.status_changed.connect(self.show_status)
            self.show_status(shortcut.status)
        else:
            self.status.hide()

    def text(self) -> str:
        """Qt's portable text of the keys ("Ctrl+Alt+Space"), or "none"."""
        keys = self.keys.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        return keys or OFF

    def set_text(self, text: str) -> None:
        self.keys.setKeySequence(QKeySequence.fromString(
            "" if text == OFF else text, QKeySequence.SequenceFormat.PortableText))

    def show_status(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.status.setVisible(bool(sentence))
