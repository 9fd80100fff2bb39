"""Reschedule, beside the Overdue heading in Today: move every overdue task to today,
tomorrow or a picked day. It only asks; the panel moves them, as one undo step, through
app/tasks/reschedule.py (the same operation the assistant's tool uses)."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget, QWidgetAction

from app.ui.tasks.date_picker import DatePicker
from app.ui.tasks.task_row import HEADING_BAND, PAD_X


class RescheduleButton(QWidget):
    """Laid over the Overdue heading's row: the heading's text is the row's, this is its
    right-hand end."""

    chosen = Signal(str)  # "today", "tomorrow" or an ISO day

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.button = QToolButton(self)
        self.button.setText("Reschedule…")
        self.button.setProperty("role", "link")
        self.button.setAccessibleName("Reschedule overdue tasks")
        self.button.setToolTip("Move every overdue task to another day (one undo step)")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.menu = QMenu(self.button)
        self.menu.addAction("Today", lambda: self.chosen.emit("today"))
        self.menu.addAction("Tomorrow", lambda: self.chosen.emit("tomorrow"))
        self.pick_menu = self.menu.addMenu("Pick a date")
        self.picker = DatePicker(allow_no_date=False)
        self.picker.picked.connect(self._picked)
        holder = QWidgetAction(self.pick_menu)
        holder.setDefaultWidget(self.picker)
        self.pick_menu.addAction(holder)
        self.pick_menu.aboutToShow.connect(lambda: self.picker.show_day(None))
        self.button.setMenu(self.menu)

    def resizeEvent(self, event) -> None:
        """Level with the heading's text: centred in the same band at the row's bottom."""
        super().resizeEvent(event)
        size = self.button.sizeHint()
        self.button.setGeometry(self.width() - size.width() - PAD_X,
                                self.height() - HEADING_BAND + (HEADING_BAND - size.height()) // 2,
                                size.width(), size.height())

    def _picked(self, day: str) -> None:
        self.menu.close()
        self.chosen.emit(day)
