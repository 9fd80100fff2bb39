"""The task list beside the chat: Today / Upcoming / All / Done, kept live with the store.

Every write goes through the store; the panel never updates its rows itself. Every change
reaches it through LiveUpdates (its own, the agent's tools', the CLI's) and the panel re-reads
the current view. One path for every change means what is shown is always what is stored.
"""

from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, QTimer, \
    Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QMenu,
                               QMessageBox, QPushButton, QStackedWidget, QTabBar, QTreeView,
                               QVBoxLayout, QWidget)

from app.common import crash_log
from app.common import clock
from app.common.errors import UserError
from app.tasks import Origin, Step, Task, TaskFilter, TaskStore
from app.tasks.dates import Due, friendly_due, local_today
from app.ui.live_updates import LiveUpdates
from app.ui.task_editor import TaskEditor

TASK_ID_ROLE = Qt.ItemDataRole.UserRole
EMPTY_TEXT = {
    "Today": "Nothing due today.",
    "Upcoming": "Nothing coming up.",
    "All": "No open tasks. Add one above.",
    "Done": "Nothing done yet.",
    "Trash": "The trash is empty. Deleted tasks stay here for 30 days.",
}
WINDOW = Origin("window")


def _is_overdue(task: Task, now: datetime) -> bool:
    return task.status == "open" and bool(task.due) and Due.stored(task.due).is_overdue(now)


class TaskTableModel(QAbstractTableModel):
    """The rows of one view. Cells are worked out only when the view asks for them, so a list of
    thousands costs one query and the few rows on screen."""

    COLUMNS = ("Task", "Due", "Priority", "Tags")
    done_toggled = Signal(int, bool)  # task id, whether the user wants it done

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tasks: list[Task] = []
        self.trashed_at: dict[int, str] = {}  # in the Trash view: when each was deleted
        self._rows: dict[int, int] = {}
        self._now = clock.now()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_tasks(self, tasks: list[Task], trashed_at: dict[int, str] | None = None) -> None:
        self.beginResetModel()
        self.tasks = tasks
        self.trashed_at = trashed_at or {}
        self._rows = {task.id: row for row, task in enumerate(tasks)}
        self._now = clock.now()
        self.endResetModel()

    def row_of(self, task_id: int) -> int | None:
        return self._rows.get(task_id)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.tasks)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "Deleted" if section == 1 and self.trashed_at else self.COLUMNS[section]
        return None

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and not self.trashed_at:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        task = self.tasks[index.row()]
        column = index.column()
        if role == TASK_ID_ROLE:
            return task.id
        if role == Qt.ItemDataRole.CheckStateRole and column == 0 and not self.trashed_at:
            return Qt.CheckState.Checked if task.status == "done" else Qt.CheckState.Unchecked
        overdue = _is_overdue(task, self._now)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return task.title
            if column == 1 and task.id in self.trashed_at:
                return "deleted " + friendly_due(self.trashed_at[task.id])
            if column == 1:
                # Said in words as well as in bold: readable in any theme and by a screen reader.
                return friendly_due(task.due) + (" · overdue" if overdue else "")
            if column == 2:
                return "" if task.priority == "none" else task.priority
            return ", ".join(task.tags)
        if role == Qt.ItemDataRole.FontRole and overdue and column in (0, 1):
            return self._bold  # the theme's own text colour, only heavier: safe in dark mode
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and task.notes:
            return task.notes[:500]
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        # The checkbox asks the store; the row changes when the store announces it did.
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0:
            return False
        done = Qt.CheckState(value) == Qt.CheckState.Checked
        self.done_toggled.emit(self.tasks[index.row()].id, done)
        return True


class TaskPanel(QWidget):
    view_names = ("Today", "Upcoming", "All", "Done", "Trash")

    def __init__(self, store: TaskStore, live: LiveUpdates | None = None, parent=None) -> None:
        """`live`: the window's LiveUpdates; a panel shown on its own watches its store itself."""
        super().__init__(parent)
        self._store = store
        self._owns_live = live is None
        self.live = live or LiveUpdates(store, parent=self)
        self.editor = None       # the open TaskEditor, if any
        self.confirm_box = None  # the open delete confirmation, if any
        self._select_next: int | None = None  # a task to select after the next refresh
        self._shut_down = False
        self.setAccessibleName("Tasks")

        self.add_line = QLineEdit()
        self.add_line.setPlaceholderText("Add a task…")
        self.add_line.setAccessibleName("Add a task")
        self.add_line.setClearButtonEnabled(True)
        self.add_line.returnPressed.connect(self.add_from_line)

        self.tabs = QTabBar()
        self.tabs.setAccessibleName("Task view")
        for name in self.view_names:
            self.tabs.addTab(name)
        self.tabs.currentChanged.connect(lambda _: self.refresh())

        self.model = TaskTableModel(self)
        self.model.done_toggled.connect(self.set_done)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Task list")
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)  # lets the view skip measuring thousands of rows
        self.view.setAllColumnsShowFocus(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows at once (Shift, Ctrl): marking them done or deleting them is one undo step.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(0)  # measure the rows on screen, not all thousands
        # `activated` is Enter on a row and (on most platforms) a double-click.
        self.view.activated.connect(lambda index: self._activated(index.data(TASK_ID_ROLE)))

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAccessibleName("No tasks")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # titles are never markup
        self.status_label.setAccessibleName("Task status")
        self.status_label.hide()

        self.empty_trash_button = QPushButton("Empty trash…")
        self.empty_trash_button.setToolTip("Delete the tasks in the trash for good")
        self.empty_trash_button.clicked.connect(self.ask_empty_trash)
        self.empty_trash_button.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.add_line)
        layout.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.empty_trash_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.status_label)

        self._make_actions()

        # Several changes in one burst (an import, the agent's tool calls) become one refresh.
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        self.live.tasks_changed.connect(self._refresh_timer.start)
        self.live.day_changed.connect(self._refresh_timer.start)  # Today, Upcoming move on
        self.live.stopped.connect(self._stopped_updating)
        self.refresh()

    # -- actions and keyboard --------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(text, shortcut, slot, owner, context):
            made = QAction(text, self)
            made.setShortcut(QKeySequence(shortcut))
            made.setShortcutContext(context)
            made.triggered.connect(slot)
            owner.addAction(made)
            return made

        row_only = Qt.ShortcutContext.WidgetShortcut  # row keys act only when the list has focus
        panel = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.edit_action = action("&Edit…", "F2", lambda: self.edit_task(), self.view, row_only)
        self.toggle_action = action("&Mark done", "Ctrl+Return", self._toggle_selected,
                                    self.view, row_only)
        self.delete_action = action("&Delete…", QKeySequence.StandardKey.Delete,
                                    lambda: self.ask_delete(), self.view, row_only)
        # Not Ctrl+N: New conversation has it, and a shortcut bound twice fires neither.
        self.new_action = action("&New task…", "Ctrl+Shift+N", self.new_task, self, panel)
        # Panel-wide, but a focused text field keeps Ctrl+Z for its own text.
        self.undo_action = action("&Undo", QKeySequence.StandardKey.Undo, self.undo, self, panel)
        self.redo_action = action("&Redo", "Ctrl+Shift+Z", self.redo, self, panel)
        for number, name in enumerate(self.view_names, start=1):
            action(name, f"Ctrl+{number}", lambda _=False, n=name: self.show_view(n), self, panel)

        # popup(), never exec(): exec() runs a nested event loop, and under qasync every
        # coroutine scheduled meanwhile (a streaming answer) would fail and never run again.
        self.context_menu = QMenu(self)
        self.context_menu.addActions([self.edit_action, self.toggle_action, self.delete_action])
        self.context_menu.addSeparator()
        self.context_menu.addActions([self.undo_action, self.redo_action, self.new_action])
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_menu.popup(self.view.viewport().mapToGlobal(pos)))

    # -- what is shown ---------------------------------------------------------------------

    @property
    def current_view(self) -> str:
        return self.view_names[self.tabs.currentIndex()]

    def show_view(self, name: str) -> None:
        self.tabs.setCurrentIndex(self.view_names.index(name))  # refreshes through currentChanged

    def selected_task_ids(self) -> list[int]:
        """The selected rows' tasks, top to bottom."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.model.tasks[row].id for row in rows]

    def visible_task_ids(self) -> list[int]:
        return [task.id for task in self.model.tasks]

    def selected_task_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
            return None
        return index.data(TASK_ID_ROLE)

    def select_task(self, task_id: int) -> bool:
        row = self.model.row_of(task_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)

    def _tasks_for(self, view: str) -> list[Task]:
        if view == "Today":  # today's tasks and every overdue one, overdue first
            return self._store.list_tasks(TaskFilter(due_today=True))
        if view == "Upcoming":
            return self._store.list_tasks(TaskFilter(due_after=local_today().isoformat()))
        if view == "All":
            return self._store.list_tasks(TaskFilter())
        if view == "Trash":
            return [item.task for item in self._store.trash()]
        done = self._store.list_tasks(TaskFilter(status="done"))
        return sorted(done, key=lambda task: (task.completed_at or "", task.id), reverse=True)

    def refresh(self) -> None:
        """Re-read the current view, keeping the selected task selected if it is still there
        (and otherwise the row in its place, so keyboard users do not lose their spot)."""
        if self._shut_down:
            return
        keep = self._select_next or self.selected_task_id()
        old_row = self.view.currentIndex().row() if keep is not None else -1
        self._select_next = None
        tasks = self._attempt(lambda: self._tasks_for(self.current_view))
        if tasks is None:
            return
        view = self.current_view
        trashed = {}
        if view == "Trash":
            trashed = {item.task.id: item.trashed_at for item in self._store.trash()}
        self.model.set_tasks(tasks, trashed)
        self.toggle_action.setText({"Done": "&Reopen", "Trash": "&Restore"}.get(view,
                                                                              "&Mark done"))
        self.edit_action.setEnabled(view != "Trash")
        self.delete_action.setEnabled(view != "Trash")
        self.empty_trash_button.setVisible(view == "Trash" and bool(tasks))
        self.empty_label.setText(EMPTY_TEXT[view])
        self.stack.setCurrentWidget(self.view if tasks else self.empty_label)
        if keep is not None and not self.select_task(keep) and tasks and old_row >= 0:
            self._select_row(min(old_row, len(tasks) - 1))

    # -- changes, all through the store ----------------------------------------------------

    def add_from_line(self) -> None:
        view = self.current_view
        # Added from Today, a task is due today: otherwise it would not be in the list the user
        # is looking at, and would seem to have vanished.
        due = "today" if view == "Today" else None
        task = self._attempt(lambda: self._store.add(self.add_line.text(), by=WINDOW, due=due))
        if task is None:
            return  # the line keeps its text, so the user can fix it
        self.add_line.clear()
        self._select_next = task.id
        where = "" if view in ("Today", "All") else " It is under All."
        self._say(f"Added “{task.title}”.{where}")

    def set_done(self, task_id: int, done: bool) -> None:
        change = self._store.complete if done else self._store.reopen
        task = self._attempt(lambda: change(task_id, by=WINDOW))
        if task is not None:
            self._say(f"{'Completed' if done else 'Reopened'} “{task.title}”.")

    def _toggle_selected(self) -> None:
        """Ctrl+Enter: done (Reopen in Done, Restore in Trash) for every selected task, as
        one undo step."""
        ids = self.selected_task_ids()
        if not ids:
            return
        if self.current_view == "Trash":
            self._change_all(ids, self._store.restore, "Restored")
        elif len(ids) == 1:
            self.set_done(ids[0], self.current_view != "Done")
        elif self.current_view == "Done":
            self._change_all(ids, self._store.reopen, "Reopened")
        else:
            self._change_all(ids, self._store.complete, "Completed")

    def _activated(self, task_id: int) -> None:
        if self.current_view == "Trash":
            self._change_all([task_id], self._store.restore, "Restored")
        else:
            self.edit_task(task_id)

    def _change_all(self, ids: list[int], change, verb: str) -> None:
        """One change to several tasks: one undo step, one sentence."""
        step = Step(WINDOW)

        def run() -> list[Task]:
            return [change(task_id, by=step) for task_id in ids]

        tasks = self._attempt(run)
        if tasks is None:
            if step.id is not None:  # some were changed before one failed: still one step
                self._say(self.status_label.text() + " Ctrl+Z undoes the others.")
            return
        what = f"“{tasks[0].title}”" if len(tasks) == 1 else f"{len(tasks)} tasks"
        self._say(f"{verb} {what}. Ctrl+Z undoes it.")

    def undo(self) -> None:
        reverted = self._attempt(lambda: self._store.undo(by=WINDOW))
        if reverted is not None:
            self._say(reverted.summary + " Ctrl+Shift+Z redoes it.")

    def redo(self) -> None:
        reverted = self._attempt(lambda: self._store.redo(by=WINDOW))
        if reverted is not None:
            self._say(reverted.summary)

    def ask_empty_trash(self) -> None:
        count = len(self.model.tasks) if self.current_view == "Trash" else \
            len(self._attempt(self._store.trash) or [])
        if count:
            self._confirm("Empty trash", f"Delete {count} task{'s' if count != 1 else ''} in "
                          "the trash for good? This cannot be undone.", "Delete for good",
                          self._empty_confirmed)

    def _empty_confirmed(self, empty: bool) -> None:
        if empty:
            count = self._attempt(self._store.empty_trash)
            if count is not None:
                self._say(f"Deleted {count} task{'s' if count != 1 else ''} for good.")

    def _confirm(self, title: str, text: str, action: str, answered) -> None:
        """Ask before a change; Cancel is the default. `answered(bool)` gets the answer."""
        if self.confirm_box is not None:
            self.confirm_box.close()
        box = self.confirm_box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)  # titles are never markup
        box.setText(text)
        confirm = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # Enter on a reflex keeps things as they are
        box.setEscapeButton(cancel)
        box.finished.connect(
            lambda _: self._answered(box, answered, box.clickedButton() is confirm))
        box.open()  # no nested event loop: the answer arrives through `finished`

    def _answered(self, box: QMessageBox, answered, yes: bool) -> None:
        if self.confirm_box is box:
            self.confirm_box = None
        box.deleteLater()
        answered(yes)

    def new_task(self) -> None:
        self._open_editor(None)

    def edit_task(self, task_id: int | None = None) -> None:
        task_id = task_id if task_id is not None else self.selected_task_id()
        if task_id is None:
            return
        task = self._attempt(lambda: self._store.get(task_id))
        if task is not None:
            self._open_editor(task)

    def _open_editor(self, task: Task | None) -> None:
        if self.editor is not None:
            self.editor.close()
        editor = self.editor = TaskEditor(self._store, task, self)
        if task is None and self.current_view == "Today":
            editor.due_edit.setText("today")  # as the add line does, so it lands in this list
        editor.saved.connect(self._saved)
        editor.finished.connect(lambda _: self._editor_closed(editor))
        editor.show()  # non-modal: the list stays usable while the editor is open
        editor.activateWindow()

    def _saved(self, task: Task) -> None:
        self._select_next = task.id
        self._say(f"Saved “{task.title}”.")

    def _editor_closed(self, editor) -> None:
        if self.editor is editor:
            self.editor = None
        editor.deleteLater()

    def ask_delete(self, task_id: int | None = None) -> None:
        ids = [task_id] if task_id is not None else self.selected_task_ids()
        if not ids or self.current_view == "Trash":
            return
        task = self._attempt(lambda: self._store.get(ids[0]))
        if task is None:
            return
        what = f"“{task.title}”" if len(ids) == 1 else f"{len(ids)} tasks"
        self._confirm("Delete task", f"Move {what} to the trash? It stays there 30 days; "
                      f"Ctrl+Z brings {'it' if len(ids) == 1 else 'them'} back.", "Delete",
                      lambda delete: self._confirmed(ids, delete))

    def _confirmed(self, ids: list[int], delete: bool) -> None:
        if delete:
            self._change_all(ids, self._store.delete, "Moved to the trash:")
        self.view.setFocus()

    # -- errors and shutdown ---------------------------------------------------------------

    def _attempt(self, action):
        """Run a store call; on failure say one sentence in the panel and return None."""
        try:
            return action()
        except UserError as error:
            self._say(str(error))
        except Exception as error:  # a bug: the log gets the traceback, the user one sentence
            crash_log.record(error)
            self._say("Something went wrong with the task list; it was written to the log.")
        return None

    def _stopped_updating(self) -> None:
        self._say("The task list stopped updating; it was written to the log.")

    def _say(self, sentence: str) -> None:
        self.status_label.setText(sentence)
        self.status_label.show()

    def shutdown(self) -> None:
        """Stop listening; the main window calls this before closing the store."""
        if self._shut_down:
            return
        self._shut_down = True
        self._refresh_timer.stop()
        if self._owns_live:
            self.live.stop()
        for window in (self.editor, self.confirm_box):
            if window is not None:
                window.close()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
