"""What a view says when it has no tasks: a quiet icon, one kind line and one useful sentence,
centred where the rows would be; Today's offers the add box (its button puts the cursor
there). The words are in EMPTY; a list's own view says its name, and someone who has no task
anywhere yet is welcomed rather than told that nothing is *left*."""

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.theme import apply
from app.ui.theme.icons import pixmap
from app.ui.theme.tokens import SPACE

# view: (icon, line, sentence, whether it offers the add box)
EMPTY = {
    "Today": ("sun", "Nothing left for today.",
              "Enjoy the calm, or add something you want to get done.", True),
    "Upcoming": ("calendar-days", "Nothing coming up.",
                 "Tasks with a date after today show here, day by day.", False),
    "All": ("layers", "No open tasks.", "Add one above, or ask the assistant.", True),
    "Done": ("circle-check-big", "Nothing done yet.",
             "Tasks you complete are kept here, newest first. A repeating task moves "
             "to its next date instead.", False),
    "Trash": ("trash-2", "The trash is empty.",
              ("Deleted tasks stay here for 30 days, so you can restore them; "
               "then they are deleted for good."), False),
}
FIRST_TASK = ("No tasks yet.", "Add your first one above, or tell the assistant what is on your "
              "mind.")
ICON_SIZE = 32


def empty_words(view: str, list_name: str | None,
                counts: Mapping[tuple[str, str], int] | None = None) -> tuple[str, str, str, bool]:
    """`counts`, the sidebar's ("view", name) counts: none open, done or in the trash means
    no task was ever kept here."""
    if list_name is not None:
        return ("list", f"Nothing in {list_name}.", "Add a task above.", True)
    icon_name, line, sentence, offers_add = EMPTY[view]
    if offers_add and counts is not None and not any(
            counts.get(("view", name)) for name in ("All", "Done", "Trash")):
        line, sentence = FIRST_TASK
    return icon_name, line, sentence, offers_add


class EmptyState(QWidget):
    add_clicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("No tasks")
        self._icon_name = "sun"
        self._painted: tuple[str, str] | None = None  # the icon and ink on the picture now
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.line = QLabel()
        self.line.setProperty("role", "title")
        self.line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sentence = QLabel()
        self.sentence.setProperty("role", "muted")
        self.sentence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)
        self.add_button = QPushButton("Add a task")
        self.add_button.setProperty("role", "link")  # an action in the accent, as Reschedule…
        self.add_button.clicked.connect(self.add_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["xl"], SPACE["xl"], SPACE["xl"], SPACE["xl"])
        layout.setSpacing(SPACE["s"])
        layout.addStretch(2)
        layout.addWidget(self.picture)
        layout.addWidget(self.line)
        layout.addWidget(self.sentence)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def show_for(self, view: str, list_name: str | None,
                 counts: Mapping[tuple[str, str], int] | None = None) -> None:
        self._icon_name, line, sentence, offers_add = empty_words(view, list_name, counts)
        self.line.setText(line)
        self.sentence.setText(sentence)
        self.add_button.setVisible(offers_add)
        self.setAccessibleDescription(f"{line} {sentence}")
        self._paint_icon()

    def text(self) -> str:
        return f"{self.line.text()} {self.sentence.text()}"

    def _paint_icon(self) -> None:
        painted = (self._icon_name, apply.current().muted)
        if painted == self._painted:  # a style or palette notice that changed neither
            return
        self._painted = painted
        self.picture.setPixmap(pixmap(*painted, ICON_SIZE))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.StyleChange):
            self._paint_icon()  # the new scheme's ink
