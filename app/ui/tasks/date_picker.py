"""The date picker: shortcuts (Today, Tomorrow, This weekend, Next week, No date), a field that
reads dates as people type them ("next friday", "dec 24"), and a calm month view: no week
numbers, weekends in the ordinary ink (a red Saturday says "holiday", which it is not), and
today in the accent, bold, as every month view people know marks it.

It only picks: `picked` carries the day ("2026-12-09"), or "" for No date; the task editor and
Reschedule decide what to do with it. Shortcut days are counted from the app's clock.
"""

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.common import clock
from app.common.errors import UserError
from app.tasks.when.dates import Due
from app.tasks.when.natural_dates import read_due
from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE

SHORTCUTS = ("Today", "Tomorrow", "This weekend", "Next week", "No date")


def shortcut_day(name: str, today: date) -> date | None:
    """The day a shortcut stands for: "This weekend" is the coming Saturday (today on a
    weekend), "Next week" next Monday; None for "No date"."""
    if name == "Today":
        return today
    if name == "Tomorrow":
        return today + timedelta(days=1)
    if name == "This weekend":
        return today if today.weekday() >= 5 else today + timedelta(days=5 - today.weekday())
    if name == "Next week":
        return today + timedelta(days=7 - today.weekday())
    return None


class DatePicker(QWidget):
    picked = Signal(str)  # an ISO day, or "" for no date

    def __init__(self, *, allow_no_date: bool = True, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Pick a date")
        self.setProperty("surface", "raised")
        self.buttons: dict[str, QPushButton] = {}
        shortcuts = QHBoxLayout()
        shortcuts.setSpacing(SPACE["xs"])
        for name in SHORTCUTS:
            if name == "No date" and not allow_no_date:
                continue
            button = self.buttons[name] = QPushButton(name)
            button.setProperty("role", "quiet")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, n=name: self.choose_shortcut(n))
            shortcuts.addWidget(button)
        shortcuts.addStretch(1)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Type a date: next friday, in 3 days, dec 24")
        self.field.setAccessibleName("Type a date")
        self.field.textChanged.connect(lambda _: self._read_field())
        self.field.returnPressed.connect(self.choose_typed)
        self.preview = QLabel()
        self.preview.setProperty("role", "caption")
        self.preview.setAccessibleName("Date as read")
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(
            QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setHorizontalHeaderFormat(
            QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        plain = QTextCharFormat()  # the weekend as any other day
        for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.calendar.setWeekdayTextFormat(day, plain)
        self._today: QDate | None = None  # the day marked as today
        self.calendar.clicked.connect(lambda day: self.picked.emit(day.toString("yyyy-MM-dd")))
        self.calendar.activated.connect(lambda day: self.picked.emit(day.toString("yyyy-MM-dd")))
        self._paint_arrows()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["m"], SPACE["m"], SPACE["m"], SPACE["m"])
        layout.setSpacing(SPACE["s"])
        layout.addLayout(shortcuts)
        layout.addWidget(self.field)
        layout.addWidget(self.preview)
        layout.addWidget(self.calendar)
        self._read_field()

    def _paint_arrows(self) -> None:
        """The month's arrows as the icon set's chevrons, not the style's black triangles."""
        for name, picture in (("qt_calendar_prevmonth", "chevron-left"),
                              ("qt_calendar_nextmonth", "chevron-right")):
            arrow = self.calendar.findChild(QToolButton, name)
            if arrow is not None:
                arrow.setIcon(icon(picture, apply.current().text))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.StyleChange):
            self._paint_arrows()
            self._mark_today()

    def _mark_today(self) -> None:
        """Today by the app's clock (the calendar's own today need not be it), marked afresh
        each time the picker opens: an app left open overnight moves the mark."""
        if self._today is not None:
            self.calendar.setDateTextFormat(self._today, QTextCharFormat())
        today = clock.today()
        self._today = QDate(today.year, today.month, today.day)
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setForeground(QColor(apply.current().accent))
        self.calendar.setDateTextFormat(self._today, marked)

    def show_day(self, day: date | None) -> None:
        """Open on `day` (the month of today when None) with the field empty."""
        self._mark_today()
        day = day or clock.today()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.field.clear()

    def choose_shortcut(self, name: str) -> None:
        day = shortcut_day(name, clock.today())
        self.picked.emit(day.isoformat() if day else "")

    def typed_day(self) -> date | None:
        """The day the field reads as, None while it reads as none."""
        text = self.field.text().strip()
        if not text:
            return None
        try:
            return read_due(text).day
        except UserError:
            return None

    def choose_typed(self) -> None:
        day = self.typed_day()
        if day is not None:
            self.picked.emit(day.isoformat())

    def _read_field(self) -> None:
        text = self.field.text().strip()
        if not text:
            self.preview.setText("Enter picks the day typed")
            self.preview.setProperty("role", "caption")
        else:
            try:
                self.preview.setText("→ " + Due.on(read_due(text).day).friendly())
                self.preview.setProperty("role", "caption")
            except UserError as error:
                self.preview.setText(str(error))
                self.preview.setProperty("role", "error")
        self.preview.style().unpolish(self.preview)  # the role changed: restyle
        self.preview.style().polish(self.preview)
