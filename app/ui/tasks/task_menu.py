"""The task list's right-click menu: Edit, Mark done and Delete, then what people change most
without opening the editor, as Todoist's menu has it: the date (Today, Tomorrow, This weekend,
Next week, each with the day it means, and No date), the priority, and the list, the current
ones ticked. A choice changes every selected task as one undo step; the panel writes it
(`apply`) and says what happened."""

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app.common import clock
from app.tasks import PRIORITIES, Task
from app.tasks.when.dates import Due

KEEPS_ITS_DATE = "A repeating task keeps a date: take its repeat off in the editor first."

Apply = Callable[[dict, str], None]  # (the fields to set, the sentence's verb)


class TaskMenu(QMenu):
    def __init__(self, first: Sequence[QAction], last: Sequence[QAction],
                 lists: Callable[[], Sequence[str]], selected: Callable[[], list[Task | None]],
                 apply: Apply, parent=None) -> None:
        """`first`, the row's own actions (Edit, Mark done, Delete); `last`, those after a
        line (Undo, Redo, New task); `lists()`, the list names now; `selected()`, the tasks
        the menu is for."""
        super().__init__(parent)
        self._first, self._lists, self._selected, self._apply = first, lists, selected, apply
        self.addActions(list(first))
        self.due_menu = self.addMenu("D&ate")
        self.priority_menu = self.addMenu("&Priority")
        self.move_menu = self.addMenu("Mo&ve to")
        self.due_menu.setToolTipsVisible(True)  # why No date is greyed out
        self.addSeparator()
        self.addActions(list(last))
        self.aboutToShow.connect(self._fill)

    def _fill(self) -> None:
        """Made afresh each time: the lists change, and so do today and the selection."""
        # Imported on the first right-click, not at start-up: the picker module is the
        # month view's (a calendar widget's classes cost the first paint).
        from app.ui.tasks.date_picker import SHORTCUTS, shortcut_day

        tasks = [task for task in self._selected() if task is not None]
        editable = self._first[0].isEnabled()  # as Edit is: not in the Trash
        for menu in (self.due_menu, self.priority_menu, self.move_menu):
            menu.clear()
            menu.menuAction().setEnabled(editable)
        today = clock.today()
        for name in SHORTCUTS:  # the date picker's own, so the two offer the same days
            day = shortcut_day(name, today)
            if day is None:
                choice = self._choice(self.due_menu, name, {"due": None}, "Took the date off")
                if any(task.repeat for task in tasks):
                    choice.setEnabled(False)
                    choice.setToolTip(KEEPS_ITS_DATE)
                continue
            # The day it stands for where a shortcut's key would be, as Todoist shows it.
            self._choice(self.due_menu, f"{name}\t{Due.parse(day.isoformat()).friendly()}",
                         {"due": day.isoformat()}, f"Moved to {name.lower()}:")
        for level in PRIORITIES:
            self._choice(self.priority_menu, level.capitalize(), {"priority": level},
                         f"Priority {level}:", current=_shared(tasks, "priority") == level)
        for name in self._lists():
            self._choice(self.move_menu, name, {"list": name}, f"Moved to {name}:",
                         current=_shared(tasks, "list") == name)

    def _choice(self, menu: QMenu, text: str, fields: dict, verb: str, *,
                current: bool = False) -> QAction:
        choice = menu.addAction(text)
        if current:  # ticked where every task the menu is for has it already
            choice.setCheckable(True)
            choice.setChecked(True)
        choice.triggered.connect(lambda _=False: self._apply(fields, verb))
        return choice


def _shared(tasks: list[Task], field: str) -> object:
    """The value every task has for `field`, or None when they differ (or there are none)."""
    values = {getattr(task, field) for task in tasks}
    return values.pop() if len(values) == 1 else None
