"""The window's quiet sync line, in the status bar: "Synced 14:05", "Offline since 14:05;
sync will retry", "Sync needs attention". Details (a conflict and how it was resolved, the
server's sentence) are in its tooltip; a click opens Settings → Sync. Nothing here pops up."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from app.sync.background import SyncStatus
from app.ui.background_sync import BackgroundSync

MARKS = {"ok": "✓", "syncing": "⟳", "offline": "○", "refused": "!", "error": "!"}


class SyncStatusLabel(QLabel):
    clicked = Signal()

    def __init__(self, sync: BackgroundSync, parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Sync status")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        sync.status_changed.connect(self.show_status)
        self.show_status(sync.status)

    def show_status(self, status: SyncStatus) -> None:
        self.setVisible(status.state != "off")
        self.setText(f"{MARKS.get(status.state, '')} {status.text}".strip())
        self.setToolTip(status.detail or status.text)
        font = self.font()
        font.setBold(status.state in ("refused", "error") or "conflict" in status.text)
        self.setFont(font)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)
