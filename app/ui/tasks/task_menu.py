"""The task list's right-click menu: Edit, Mark done and Delete, then what people change most
without opening the editor, as Todoist's menu has it: the date (Today, Tomorrow, This weekend,
Next week, No date), the priority, and the list. A choice changes every selected task as one
undo step; the panel writes it (`apply`) and says what happened."""

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app.common import clock
from app.tasks import PRIORITIES

DUE_CHOICES = ("Today", "Tomorrow", "This weekend", "Next week", "No date")

Apply = Callable[[dict, str], None]  # (the fields to set, the sentence's verb)


class TaskMenu(QMenu):
    def __init__(self, first: Sequence[QAction], last: Sequence[QAction],
                 lists: Callable[[], list[str]], apply: Apply, parent=None) -> None:
        """`first`, the row's own actions (Edit, Mark done, Delete); `last`, those after a
        line (Undo, Redo, New task); `lists()`, the list names now."""
        super().__init__(parent)
        self._first, self._lists, self._apply = first, lists, apply
        self.addActions(list(first))
        self.due_menu = self.addMenu("D&ate")
        self.priority_menu = self.addMenu("&Priority")
        self.move_menu = self.addMenu("Mo&ve to")
        self.addSeparator()
        self.addActions(list(last))
        self.aboutToShow.connect(self._fill)

    def _fill(self) -> None:
        """Made afresh each time: the lists change, and so does today."""
        # Imported on the first right-click, not at start-up: the picker module is the
        # month view's (a calendar widget's classes cost the first paint).
        from app.ui.tasks.date_picker import shortcut_day

        editable = self._first[0].isEnabled()  # as Edit is: not in the Trash
        for menu in (self.due_menu, self.priority_menu, self.move_menu):
            menu.clear()
            menu.menuAction().setEnabled(editable)
        today = clock.today()
        for name in DUE_CHOICES:
            day = shortcut_day(name, today)
            self._choice(self.due_menu, name, {"due": day.isoformat() if day else None},
                         "Took the date off" if day is None else f"Moved to {name.lower()}:")
        for level in PRIORITIES:
            self._choice(self.priority_menu, level.capitalize(), {"priority": level},
                         f"Priority {level}:")
        for name in self._lists():
            self._choice(self.move_menu, name, {"list": name}, f"Moved to {name}:")

    def _choice(self, menu: QMenu, text: str, fields: dict, verb: str) -> None:
        menu.addAction(text).triggered.connect(lambda _=False: self._apply(fields, verb))
