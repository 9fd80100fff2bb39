"""The rows of one task view as a tree: each subtask under its parent, collapsible, and the
top-level tasks optionally in sections under headings ("Overdue", "Tomorrow").

Cells are worked out only when the view asks for them, so a list of thousands costs one query
and the few rows on screen. One column: the row delegate draws the ring, the title (which
takes the width) and the due, repeat, reminder, list and tags under it. A heading is a row
with no flags, so it can be neither selected nor reached with the arrow keys.
"""

from collections.abc import Callable
from typing import overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.common import clock
from app.tasks import Task
from app.tasks.tree import in_tree_order
from app.tasks.when import repeat as repeats
from app.tasks.when.dates import Due, friendly_due, local_today, relative_due
from app.ui.tasks.task_row import HEADING_ROLE, LOOK_ROLE, RowLook

TASK_ID_ROLE = Qt.ItemDataRole.UserRole
HEADING_IDS = 1 << 40  # a heading's internal id: above every task id
# Qt's invalid index, the "top level" default below: a value nothing can change, so one is shared.
NO_INDEX = QModelIndex()


def row_look(task: Task, now, trashed_at: str | None = None, show_list: bool = False) -> RowLook:
    """What one row shows, worked out without Qt's painting (the tests read it too)."""
    due = Due.stored(task.due)
    overdue = task.status == "open" and due is not None and due.is_overdue(now)
    if trashed_at is not None:
        when = "deleted " + friendly_due(trashed_at)
    else:
        when = relative_due(task.due, local_today(now))
    return RowLook(task.title, when, overdue, bool(task.repeat),
                   bool(task.remind_at) and task.status == "open", task.tags, task.priority,
                   task.status == "done", task.list if show_list else "")


def tooltip(task: Task) -> str:
    """The whole title (the row may elide it) and what the small marks stand for."""
    lines = [task.title]
    if task.due:
        lines.append("Due " + friendly_due(task.due))
    if task.repeat:
        lines.append("Repeats " + repeats.describe(repeats.Repeat(task.repeat,
                                                                  task.repeat_after_done)))
    if task.remind_at:
        lines.append("Reminder " + friendly_due(task.remind_at))
    if task.priority != "none":
        lines.append(f"Priority {task.priority}")
    if task.tags:
        lines.append("Tags " + ", ".join("#" + tag for tag in task.tags))
    lines.append(f"In {task.list}")
    if task.notes:
        lines += ["", task.notes[:500]]
    return "\n".join(lines)


class TaskTreeModel(QAbstractItemModel):
    done_toggled = Signal(int, bool)  # task id, whether the user wants it done

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tasks: list[Task] = []   # in the order shown, subtasks under their parents
        self.trashed_at: dict[int, str] = {}  # in the Trash view: when each was deleted
        self._by_id: dict[int, Task] = {}
        self._children: dict[int | None, list[int]] = {None: []}
        self._parent: dict[int, int | None] = {}
        self._row: dict[int, int] = {}
        self.headings: dict[int, str] = {}  # a heading row's id: its text
        self.show_list = False  # views that mix lists say each task's list
        self._now = clock.now()

    def set_tasks(self, tasks: list[Task], trashed_at: dict[int, str] | None = None, *,
                  section: Callable[[Task], str] | None = None, show_list: bool = False) -> None:
        """`section` names a top-level task's section; the sections come in the order they
        first appear, each under its heading, and each task's subtasks stay under it."""
        self.beginResetModel()
        self.trashed_at = trashed_at or {}
        self.show_list = show_list
        self._now = clock.now()
        self._children = {None: []}
        self._parent, self._row, self._by_id, self.headings = {}, {}, {}, {}
        ordered = in_tree_order(tasks)
        blocks: dict[str, list] = {}
        for task, depth in ordered:  # a top-level task and everything under it
            if not depth:
                current = blocks.setdefault(section(task) if section else "", [])
            current.append((task, depth))
        self.tasks = []
        for name, block in blocks.items():
            if name:
                heading = HEADING_IDS + len(self.headings)
                self.headings[heading] = name
                self._row[heading] = len(self._children[None])
                self._children[None].append(heading)
                self._parent[heading] = None
            for task, depth in block:
                parent = task.parent_id if depth else None
                siblings = self._children.setdefault(parent, [])
                self._row[task.id] = len(siblings)
                siblings.append(task.id)
                self._parent[task.id] = parent
                self._by_id[task.id] = task
                self.tasks.append(task)
        self.endResetModel()

    def heading_index(self, text: str) -> QModelIndex:
        """The heading row called `text` (invalid when the view has none)."""
        found = next((heading for heading, name in self.headings.items() if name == text), None)
        return QModelIndex() if found is None else self.createIndex(self._row[found], 0, found)

    def heading_texts(self) -> list[str]:
        return list(self.headings.values())

    def parents(self) -> list[int]:
        """Tasks shown with subtasks under them."""
        return [task_id for task_id in self._children if task_id is not None]

    def task(self, task_id: int) -> Task | None:
        return self._by_id.get(task_id)

    def index_of(self, task_id: int) -> QModelIndex:
        if task_id not in self._row:
            return QModelIndex()
        return self.createIndex(self._row[task_id], 0, task_id)

    def look(self, task_id: int) -> RowLook:
        return row_look(self._by_id[task_id], self._now, self.trashed_at.get(task_id),
                        self.show_list)

    # -- QAbstractItemModel ----------------------------------------------------------------

    def _id(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        return index.internalId() if index.isValid() else None

    def index(self, row: int, column: int,
              parent: QModelIndex | QPersistentModelIndex = NO_INDEX) -> QModelIndex:
        siblings = self._children.get(self._id(parent), ())
        if column != 0 or not 0 <= row < len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row])

    # Qt names two things "parent": the model's owner (no argument) and a row's parent row.
    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, index: QModelIndex | QPersistentModelIndex, /) -> QModelIndex: ...

    def parent(self, index: QModelIndex | QPersistentModelIndex | None = None,
               ) -> QObject | QModelIndex | None:
        if index is None:
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        above = self._parent.get(index.internalId())
        return QModelIndex() if above is None else self.index_of(above)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_INDEX) -> int:
        if parent.column() > 0:
            return 0
        return len(self._children.get(self._id(parent), ()))

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = NO_INDEX) -> int:
        return 1

    def flags(self, index):
        if index.isValid() and index.internalId() in self.headings:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.trashed_at:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        heading = self.headings.get(index.internalId())
        if heading is not None:
            return heading if role in (HEADING_ROLE, Qt.ItemDataRole.DisplayRole,
                                       Qt.ItemDataRole.AccessibleTextRole) else None
        task = self._by_id[index.internalId()]
        if role == TASK_ID_ROLE:
            return task.id
        if role == LOOK_ROLE:
            return self.look(task.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return task.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.look(task.id).spoken()
        if role == Qt.ItemDataRole.CheckStateRole and not self.trashed_at:
            return Qt.CheckState.Checked if task.status == "done" else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(task)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        # The checkbox asks the store; the row changes when the store announces it did.
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() \
                or index.internalId() in self.headings:
            return False
        done = Qt.CheckState(value) == Qt.CheckState.Checked
        self.done_toggled.emit(index.internalId(), done)
        return True
