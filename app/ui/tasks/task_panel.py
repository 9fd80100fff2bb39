"""The task panel: a sidebar of views (Today, Upcoming, All, Inbox and each list, Done, Trash,
with counts) beside the list, subtasks under their parents, and an add box (quick-add syntax).

Every write goes through the store; the panel never updates its rows itself. Every change
reaches it through LiveUpdates (its own, the agent's tools', the CLI's) and the panel re-reads
the current view: what is shown is always what is stored. Today opens on Overdue with
Reschedule, then Today; Upcoming is grouped by day (sections.py). A task the assistant (or
quick ask) adds is highlighted for a moment, and when it is not in the view shown while the
user is in the chat, the panel turns to the view that has it.
"""

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, QVariantAnimation
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.common import crash_log
from app.common.errors import UserError
from app.tasks import (
    INBOX,
    Origin,
    Step,
    Task,
    TaskFilter,
    TaskStore,
    quick_add,
    reschedule,
    validate,
)
from app.tasks.when.dates import friendly_due, local_today
from app.ui.live_updates import LiveUpdates
from app.ui.tasks import list_sentences, sections
from app.ui.tasks.empty_state import EmptyState
from app.ui.tasks.quick_add_box import QuickAddBox
from app.ui.tasks.reminder_bar import ReminderBar
from app.ui.tasks.status_line import StatusLine
from app.ui.tasks.task_menu import TaskMenu
from app.ui.tasks.task_model import TASK_ID_ROLE, TaskTreeModel
from app.ui.tasks.task_row import TaskRowDelegate
from app.ui.tasks.task_sidebar import TaskSidebar
from app.ui.theme.motion import motion_ms
from app.ui.theme.tokens import SPACE

if TYPE_CHECKING:  # each is imported where it is first made, after the window's first paint
    from app.ui.question_box import QuestionBox
    from app.ui.tasks.task_editor import TaskEditor

FIXED_VIEWS = ("Today", "Upcoming", "All", "Done", "Trash")  # Ctrl+1 … Ctrl+5
WINDOW = Origin("window")
# What Ctrl+Z takes back: the user's own newest step in this app, never a background sync (nor
# another program's change); those are undone from `tasks undo` or the history.
OWN_STEPS = ("window", "agent", "quick_ask")
HIGHLIGHT_MS = 2_500  # how long a row the assistant added stays highlighted
ASSISTANT = ("agent", "quick_ask")  # whose additions the panel points out
MIXED_VIEWS = ("Today", "Upcoming", "All", "Done", "Trash")  # rows say their list here


class TaskPanel(QWidget):
    view_names = FIXED_VIEWS

    def __init__(self, store: TaskStore, live: LiveUpdates | None = None, parent=None) -> None:
        """`live`: the window's LiveUpdates; a panel shown on its own watches its store itself."""
        super().__init__(parent)
        self._store = store
        self._owns_live = live is None
        self.live = live or LiveUpdates(store, parent=self)
        self.editor: TaskEditor | None = None  # the open editor, if any
        self.confirm_box: QuestionBox | None = None  # the open confirmation, if any
        self._select_next: int | None = None  # a task to select after the next refresh
        self._collapsed: set[int] = set()     # parents whose subtasks the user folded away
        self._refreshing = False
        self._shut_down = False
        self._completing: dict[int, QVariantAnimation] = {}  # rows fading out as they complete
        self.setAccessibleName("Tasks")
        self.setProperty("surface", "chrome")  # before any size query polishes it
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)

        # Every part is made in its place, its parent first: under the style sheet, a widget
        # that a size query has already polished is polished all over again (its whole subtree)
        # each time it moves to another parent.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # The sidebar folds away (drag the handle) in a narrow window; the list never does.
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.splitter)

        self.sidebar = TaskSidebar(self.splitter)
        self.sidebar.view_chosen.connect(lambda *_: self.refresh())
        self.sidebar.name_submitted.connect(self._save_list_name)
        self.sidebar.delete_requested.connect(self.ask_delete_list)
        self.sidebar.said.connect(self._say)
        # New list from a folded sidebar: unfold it, so the name field can be seen.
        self.sidebar.new_list_action.triggered.connect(self._unfold_sidebar)
        self.splitter.addWidget(self.sidebar)

        main = QWidget(self.splitter)
        main.setProperty("surface", "page")
        layout = QVBoxLayout(main)
        layout.setContentsMargins(SPACE["l"], SPACE["m"], SPACE["s"], SPACE["s"])
        layout.setSpacing(SPACE["s"])
        self.splitter.addWidget(main)

        self.title_label = QLabel(main)
        self.title_label.setAccessibleName("Current view")
        self.title_label.setProperty("role", "title")
        layout.addWidget(self.title_label)

        self.add_box = QuickAddBox(main)
        self.add_line = self.add_box.line
        self.add_box.submitted.connect(lambda _: self.add_from_line())
        layout.addWidget(self.add_box)

        self.reminder_bar = ReminderBar(main)
        self.reminder_bar.done_clicked.connect(self._reminder_done)
        self.reminder_bar.snooze_clicked.connect(self.snooze)
        layout.addWidget(self.reminder_bar)

        self.stack = QStackedWidget(main)
        layout.addWidget(self.stack, 1)
        self.model = TaskTreeModel(self)
        self.model.done_toggled.connect(self.set_done)
        self.view = QTreeView(self.stack)
        self.view.setProperty("surface", "page")
        self.view.setModel(self.model)
        self.delegate = TaskRowDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setAccessibleName("Task list")
        self.view.setHeaderHidden(True)
        # Not uniform: a long title wraps onto a second line rather than being cut. The view
        # scrolls per item, so it measures only the rows it shows.
        self.view.setIndentation(SPACE["l"] + SPACE["xxs"])
        self.view.header().setStretchLastSection(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows wrap
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows at once (Shift, Ctrl): marking them done or deleting them is one undo step.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setMouseTracking(True)
        # `activated` is Enter on a row and (on most platforms) a double-click.
        self.view.activated.connect(lambda index: self._activated(index.data(TASK_ID_ROLE)))
        self.view.collapsed.connect(lambda index: self._folded(index, True))
        self.view.expanded.connect(lambda index: self._folded(index, False))
        self.view.viewport().installEventFilter(self)  # a new width can change rows' heights
        self.stack.addWidget(self.view)

        self.empty_label = EmptyState(self.stack)
        self.empty_label.add_clicked.connect(self.add_line.setFocus)
        self.stack.addWidget(self.empty_label)

        self.empty_trash_button = QPushButton("Empty trash…", main)
        self.empty_trash_button.setToolTip("Delete the tasks in the trash for good")
        self.empty_trash_button.clicked.connect(self.ask_empty_trash)
        self.empty_trash_button.hide()
        layout.addWidget(self.empty_trash_button, 0, Qt.AlignmentFlag.AlignRight)

        self.status_label = StatusLine(main)
        self.status_label.undo_requested.connect(self._undo_step)
        layout.addWidget(self.status_label)

        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([self.sidebar.sizeHint().width(), 400])

        self._make_actions()

        # Several changes in one burst (an import, the agent's tool calls) become one refresh.
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        self.live.tasks_changed.connect(self._refresh_timer.start)
        self.live.tasks_changed.connect(self._maybe_added_elsewhere)
        self._highlight_timer = QTimer(self, singleShot=True, interval=HIGHLIGHT_MS)
        self._highlight_timer.timeout.connect(self._end_highlight)
        self.live.day_changed.connect(self._refresh_timer.start)  # Today, Upcoming move on
        self.live.stopped.connect(self._stopped_updating)
        self.refresh()

    # -- actions and keyboard --------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(text, shortcuts, slot, owner, context):
            made = QAction(text, self)
            made.setShortcuts([QKeySequence(shortcut) for shortcut in shortcuts])
            made.setShortcutContext(context)
            made.triggered.connect(slot)
            owner.addAction(made)
            return made

        row_only = Qt.ShortcutContext.WidgetShortcut  # row keys act only when the list has focus
        panel = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.edit_action = action("&Edit…", ["F2"], lambda: self.edit_task(), self.view, row_only)
        self.toggle_action = action("&Mark done", ["Space", "Ctrl+Return"],
                                    self._toggle_selected, self.view, row_only)
        self.delete_action = action("&Delete", [QKeySequence.StandardKey.Delete],
                                    lambda: self.delete_selected(), self.view, row_only)
        # From anywhere in the window (the chat's message box too). Not Ctrl+N: New
        # conversation has it, and a shortcut bound twice fires neither.
        self.new_action = action("&New task…", ["Ctrl+Shift+N"], self.new_task, self,
                                 Qt.ShortcutContext.WindowShortcut)
        # Panel-wide, but a focused text field keeps Ctrl+Z for its own text.
        self.undo_action = action("&Undo", [QKeySequence.StandardKey.Undo], self.undo, self,
                                  panel)
        self.redo_action = action("&Redo", ["Ctrl+Shift+Z"], self.redo, self, panel)
        for number, name in enumerate(FIXED_VIEWS, start=1):  # from the message box too
            action(name, [f"Ctrl+{number}"], lambda _=False, n=name: self.show_view(n), self,
                   Qt.ShortcutContext.WindowShortcut)

        # popup(), never exec(): exec() runs a nested event loop, and under qasync every
        # coroutine scheduled meanwhile (a streaming answer) would fail and never run again.
        self.context_menu = TaskMenu(
            [self.edit_action, self.toggle_action, self.delete_action],
            [self.undo_action, self.redo_action, self.new_action], lambda: self.sidebar.lists,
            lambda: [self.model.task(i) for i in self.selected_task_ids()], self._set_fields, self)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_menu.popup(self.view.viewport().mapToGlobal(pos)))

    # -- what is shown ---------------------------------------------------------------------

    @property
    def current_view(self) -> str:
        """"Today", "Upcoming", "All", "Done", "Trash", or "List" (see current_list)."""
        kind, name = self.sidebar.current
        return name if kind == "view" else "List"

    @property
    def current_list(self) -> str | None:
        kind, name = self.sidebar.current
        return name if kind == "list" else None

    def show_view(self, name: str) -> None:
        self.sidebar.choose("view", name)  # refreshes through view_chosen

    def show_list(self, name: str) -> None:
        self.sidebar.choose("list", name)

    def selected_task_ids(self) -> list[int]:
        """The selected rows' tasks, top to bottom."""
        order = {task_id: number for number, task_id in enumerate(self.visible_task_ids())}
        chosen = [index.data(TASK_ID_ROLE) for index in self.view.selectionModel().selectedRows()]
        return sorted(chosen, key=order.__getitem__)

    def visible_task_ids(self) -> list[int]:
        """Every task in the view, top to bottom (subtasks under their parents, folded or not)."""
        return [task.id for task in self.model.tasks]

    def selected_task_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
            return None
        return index.data(TASK_ID_ROLE)

    def select_task(self, task_id: int) -> bool:
        index = self.model.index_of(task_id)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():  # a folded parent opens to show it
            self.view.expand(parent)
            parent = parent.parent()
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        return True

    def _folded(self, index, folded: bool) -> None:
        if self._refreshing:
            return
        task_id = index.data(TASK_ID_ROLE)
        (self._collapsed.add if folded else self._collapsed.discard)(task_id)

    def _tasks_for(self, view: str) -> list[Task]:
        if view == "List":
            return self._store.list_tasks(TaskFilter(list=self.current_list))
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

    def _counts(self) -> tuple[list[str], dict[tuple[str, str], int]]:
        lists = self._store.lists()
        counts = {("list", item.name): item.open for item in lists}
        counts.update({
            ("view", "Today"): self._store.count_due_today(),
            ("view", "Upcoming"): self._store.count_matching(
                TaskFilter(due_after=local_today().isoformat())),
            ("view", "All"): sum(item.open for item in lists),
            ("view", "Done"): sum(item.done for item in lists),
            ("view", "Trash"): self._store.trash_count(),
        })
        return [item.name for item in lists], counts

    def refresh(self) -> None:
        """Re-read the counts and the current view, keeping the selected task selected if it is
        still there (and otherwise the row in its place, so keyboard users keep their spot)."""
        if self._shut_down:
            return
        counted = self._attempt(self._counts)
        if counted is None:
            return
        self.sidebar.set_lists(*counted)  # may move to Inbox if the shown list went away
        self.add_box.known_lists = set(counted[0])
        keep = self._select_next or self.selected_task_id()
        old_row = self.visible_task_ids().index(keep) if keep and self.model.task(keep) else -1
        self._select_next = None
        view = self.current_view
        tasks = self._attempt(lambda: self._tasks_for(view))
        if tasks is None:
            return
        trashed = {}
        if view == "Trash":
            trashed = {item.task.id: item.trashed_at for item in self._store.trash()}
        self._refreshing = True
        self.model.set_tasks(tasks, trashed, section=sections.for_view(view, tasks),
                             show_list=view in MIXED_VIEWS)
        # The fold arrows' column only where some task has subtasks: elsewhere it is the title's.
        self.view.setRootIsDecorated(bool(self.model.parents()))
        self.view.expandAll()
        for task_id in self._collapsed:
            if self.model.task(task_id):
                self.view.collapse(self.model.index_of(task_id))
        self._refreshing = False
        self._place_reschedule()
        self.delegate.show_checkbox = view != "Trash"
        self.title_label.setText(self.current_list or view)
        self.toggle_action.setText({"Done": "&Reopen", "Trash": "&Restore"}.get(view,
                                                                              "&Mark done"))
        self.edit_action.setEnabled(view != "Trash")
        self.delete_action.setEnabled(view != "Trash")
        self.empty_trash_button.setVisible(view == "Trash" and bool(tasks))
        self.empty_label.show_for(view, self.current_list, counts=counted[1])
        # Done and the Trash take no new task (as Things' Logbook), nor words typed elsewhere.
        self.add_box.setVisible(view not in ("Done", "Trash"))
        if view in ("Done", "Trash"):
            self.add_box.clear()
        self.stack.setCurrentWidget(self.view if tasks else self.empty_label)
        if keep is not None and not self.select_task(keep) and tasks and old_row >= 0:
            self.select_task(self.visible_task_ids()[min(old_row, len(tasks) - 1)])

    def _place_reschedule(self) -> None:
        """Reschedule sits at the end of the Overdue heading's row (a new one each refresh:
        the model's reset took the old one)."""
        heading = self.model.heading_index(sections.OVERDUE)
        self.reschedule_button = None
        if heading.isValid():
            from app.ui.tasks.reschedule_button import RescheduleButton

            button = self.reschedule_button = RescheduleButton()
            button.chosen.connect(self.reschedule_overdue)
            self.view.setIndexWidget(heading, button)

    def reschedule_overdue(self, to: str) -> None:
        """Every overdue task to the day `to` names, as one undo step."""
        step = Step(WINDOW)
        moved = self._attempt(lambda: reschedule.reschedule_overdue(self._store, to, by=step))
        if moved is not None:
            count, day = moved
            self._say(reschedule.sentence(count, day), step=step)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize \
                and event.size().width() != event.oldSize().width():
            self.view.scheduleDelayedItemsLayout()  # titles rewrap: rows change height
        return super().eventFilter(watched, event)

    # -- what the assistant added -----------------------------------------------------------

    def _maybe_added_elsewhere(self, change) -> None:
        """Tasks the assistant (in the chat or quick ask) added: highlighted once the refresh
        shows them. Its tool calls reach the panel as the store's changes, as every write
        does; the history says whose they were."""
        if change.kind != "added":
            return

        def by_assistant(task_id: int) -> bool:
            newest = self._store.history(task_id, limit=1)
            return bool(newest) and newest[0].origin.kind in ASSISTANT

        ids = self._attempt(lambda: [task_id for task_id in change.ids if by_assistant(task_id)],
                            say=lambda _: None)
        if ids:
            QTimer.singleShot(0, self, lambda: self.show_added(ids))  # after the refresh

    def show_added(self, task_ids: list[int]) -> None:
        """Highlight the rows of tasks just added; when none is in the view shown and the
        user is not working in this panel, turn to the view that holds the first."""
        shown = [task_id for task_id in task_ids if self.model.task(task_id)]
        focused = QApplication.focusWidget()
        working_here = focused is not None and self.isAncestorOf(focused)
        if not shown and not working_here:
            task = self._attempt(lambda: self._store.get(task_ids[0]), say=lambda _: None)
            if task is None:
                return
            home = sections.home_of(task)
            if home in FIXED_VIEWS:
                self.show_view(home)
            else:
                self.show_list(home)
            self.refresh()
            shown = [task_id for task_id in task_ids if self.model.task(task_id)]
        if not shown:
            return
        self.delegate.highlighted = set(shown)
        self.view.scrollTo(self.model.index_of(shown[0]))
        self.view.viewport().update()
        self._highlight_timer.start()

    def _end_highlight(self) -> None:
        self.delegate.highlighted = set()
        self.view.viewport().update()

    # -- changes, all through the store ----------------------------------------------------

    def add_from_line(self) -> None:
        """The add box's line, read as quick add, lands in the view it was added from: Today
        means due today, a list means that list, and Upcoming asks for a date."""
        text = self.add_box.text()
        parsed = self._attempt(lambda: quick_add.parse(text, keep=self.add_box.kept))
        if parsed is None:
            return  # the line keeps its text, so the user can fix it
        fields = {"due": parsed.due.iso if parsed.due else None,
                  "list": parsed.list or self.current_list}
        if self.current_view == "Today" and fields["due"] is None:
            fields["due"] = "today"
        if self.current_view == "Upcoming" and fields["due"] is None:
            self._open_editor(None, title=parsed.title, fields={
                **fields, "repeat": parsed.repeat, "tags": parsed.tags,
                "priority": parsed.priority})
            self.add_box.clear()
            return
        # a new list and its first task are one step: Ctrl+Z takes back both
        step = Step(WINDOW)
        added = self._attempt(lambda: quick_add.add(self._store, parsed, by=step, **fields))
        if added is None:
            return
        task = added.task
        self.add_box.clear()
        self._select_next = task.id
        made = f"Created list {added.new_list}. " if added.new_list else ""
        where = sections.where_it_is(task, self.current_view, self.current_list)
        self._say(f"{made}Added “{task.title}”.{where}", step=step)

    def set_done(self, task_id: int, done: bool) -> None:
        if not done:
            step = Step(WINDOW)
            task = self._attempt(lambda: self._store.reopen(task_id, by=step))
            if task is not None:
                self._say(f"Reopened “{task.title}”.", step=step)
            return
        below = self._attempt(lambda: self._store.open_subtasks(task_id))
        if below is None:
            return
        if below:
            self._ask_with_subtasks([task_id], len(below))
            return
        duration = motion_ms()
        if not duration or not self.model.task(task_id) or task_id in self._completing:
            self._complete(task_id)
            return
        # The ring fills and the row fades and is struck through, then it is written: the
        # refresh that follows the write takes the row away.
        fade = self._completing[task_id] = QVariantAnimation(self, duration=duration,
                                                             startValue=0.0, endValue=1.0)
        fade.valueChanged.connect(lambda value: self._fade_row(task_id, value))
        fade.finished.connect(lambda: self._complete(task_id))
        fade.start()

    def _fade_row(self, task_id: int, value: float) -> None:
        self.delegate.fading[task_id] = value
        index = self.model.index_of(task_id)
        if index.isValid():
            self.view.update(index)

    def _complete(self, task_id: int) -> None:
        self._completing.pop(task_id, None)
        self.delegate.fading.pop(task_id, None)
        step = Step(WINDOW)
        task = self._attempt(lambda: self._store.complete(task_id, by=step))
        if task is not None:  # a repeating task stays open, moved on: say where to
            moved_on = f" Next: {friendly_due(task.due)}." if task.status == "open" else ""
            self._say(f"Completed “{task.title}”.{moved_on}", step=step)
        self.view.viewport().update()

    def _ask_with_subtasks(self, ids: list[int], open_below: int) -> None:
        """Completing a parent with open subtasks: the store refuses, the window asks. A
        repeating parent moves to its next time and its subtasks open again with it, so the
        question says that rather than promising they will be done."""
        tasks = self._attempt(lambda: [self._store.get(task_id) for task_id in ids])
        if tasks is None:
            return
        subtasks = f"{open_below} subtask{'s' if open_below != 1 else ''}"
        if len(tasks) == 1 and tasks[0].repeat and tasks[0].due:
            self._confirm("Complete a repeating task",
                          f"“{tasks[0].title}” repeats; its {subtasks} will be open again for "
                          "the next time.", "Complete this time",
                          lambda yes: self._complete_with_subtasks(ids) if yes else None,
                          destructive=False)
            return
        what = f"“{tasks[0].title}”" if len(ids) == 1 else f"These {len(ids)} tasks"
        again = (" Those of repeating tasks will be open again for the next time."
                 if any(task.repeat and task.due for task in tasks) else "")
        self._confirm("Complete with subtasks",
                      f"{what} {'has' if len(ids) == 1 else 'have'} {open_below} open "
                      f"subtask{'s' if open_below != 1 else ''}. Complete "
                      f"{'it' if open_below == 1 else 'them'} too?{again}", "Complete all",
                      lambda yes: self._complete_with_subtasks(ids) if yes else None,
                      destructive=False)

    def _complete_with_subtasks(self, ids: list[int]) -> None:
        self._change_all(ids, lambda task_id, by: self._store.complete(
            task_id, by=by, with_subtasks=True), "Completed")

    def _toggle_selected(self) -> None:
        """Space or Ctrl+Enter: done (Reopen in Done, Restore in Trash) for every selected
        task, as one undo step."""
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
            below = self._attempt(lambda: sum(len(self._store.open_subtasks(task_id))
                                              for task_id in ids if task_id))
            if below:
                self._ask_with_subtasks(ids, below)
            elif below is not None:
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
                self._say(self.status_label.text() + " Ctrl+Z undoes the others.", step=step)
            return
        what = f"“{tasks[0].title}”" if len(tasks) == 1 else f"{len(tasks)} tasks"
        self._say(f"{verb} {what}.", step=step)  # Undo beside it (Ctrl+Z in its tooltip)

    def _set_fields(self, fields: dict, verb: str) -> None:
        """The menu's Date, Priority and Move to, for every selected task: one undo step."""
        self._change_all(self.selected_task_ids(),
                         lambda task_id, by: self._store.update(task_id, by=by, **fields), verb)

    def undo(self) -> None:
        self._said_undone(self._attempt(lambda: self._store.undo(by=WINDOW, origin=OWN_STEPS)))

    def _undo_step(self, step_id: int) -> None:
        """The status line's Undo: its sentence's own step, not the newest (the assistant's?)."""
        self._said_undone(self._attempt(lambda: self._store.undo_step(step_id, by=WINDOW)))

    def _said_undone(self, reverted) -> None:
        if reverted is not None:
            self._say(reverted.summary + " Ctrl+Shift+Z redoes it.")

    def redo(self) -> None:
        reverted = self._attempt(lambda: self._store.redo(by=WINDOW))
        if reverted is not None:
            self._say(reverted.summary)

    def ask_empty_trash(self) -> None:
        tasks = self.model.tasks if self.current_view == "Trash" else \
            [item.task for item in self._attempt(self._store.trash) or []]
        # Only the tasks the question counts: one the assistant deletes while it is open stays.
        shown = tuple(task.id for task in tasks)
        if count := len(shown):
            self._confirm("Empty trash", f"Delete {count} task{'s' if count != 1 else ''} in "
                          "the trash for good? This cannot be undone.", "Delete for good",
                          lambda empty: self._empty_confirmed(empty, shown))

    def _empty_confirmed(self, empty: bool, shown: tuple[int, ...]) -> None:
        if empty:
            count = self._attempt(lambda: self._store.empty_trash(only=shown))
            if count is not None:
                self._say(f"Deleted {count} task{'s' if count != 1 else ''} for good.")

    def _confirm(self, title: str, text: str, action: str, answered, *,
                 destructive: bool = True) -> None:
        """Ask before a change; `answered(bool)` gets the answer. Enter picks Cancel for a
        destructive change, else the action; either way the default is drawn so."""
        if self.confirm_box is not None:
            self.confirm_box.close()
        from app.ui.question_box import question

        box = self.confirm_box = question(self, title, text, action, destructive=destructive)
        box.finished.connect(
            lambda _: self._answered(box, answered, box.clickedButton() is box.confirm))
        box.open()  # no nested event loop: the answer arrives through `finished`

    def _answered(self, box: "QuestionBox", answered, yes: bool) -> None:
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

    def _open_editor(self, task: Task | None, *, title: str = "",
                     fields: dict | None = None) -> None:
        """A new task starts where the panel stands: due today in Today, in the list shown,
        and from Upcoming with the date field to fill in."""
        if self.editor is not None:
            self.editor.close()
        fields = dict(fields or {})
        if task is None:
            fields.setdefault("list", self.current_list)
            if self.current_view == "Today" and not fields.get("due"):
                fields["due"] = "today"
        from app.ui.tasks.task_editor import TaskEditor

        editor = self.editor = TaskEditor(self._store, task, self, title=title, **fields)
        if task is None and self.current_view == "Upcoming" and not fields.get("due"):
            editor.ask_for_date("Upcoming lists tasks with a date: when is it due?")
        editor.saved.connect(self._saved)
        editor.finished.connect(lambda _: self._editor_closed(editor))
        editor.show()  # non-modal: the list stays usable while the editor is open
        editor.activateWindow()

    def _saved(self, task: Task) -> None:
        self._select_next = task.id
        # No Undo here: the editor wrote it (or nothing, when nothing changed); Ctrl+Z stays.
        where = sections.where_it_is(task, self.current_view, self.current_list)
        self._say(f"Saved “{task.title}”.{where}")

    def _editor_closed(self, editor) -> None:
        if self.editor is editor:
            self.editor = None
        editor.deleteLater()

    def delete_selected(self) -> None:
        """Delete: to the trash at once (subtasks along), one undo step; nothing is lost,
        so nothing is asked."""
        ids = self.selected_task_ids()
        if ids and self.current_view != "Trash":
            self._change_all(ids, self._store.delete, "Moved to the trash:")
            self.view.setFocus()

    # -- lists ---------------------------------------------------------------------------

    def _save_list_name(self, old: str, new: str) -> None:
        """The sidebar's name field: a new list (`old` empty) or a rename. A name the store
        refuses (empty, taken, too long) gets its sentence beside the field; nothing changes."""
        step = Step(WINDOW)

        def save() -> str:
            if old:
                self._store.rename_list(old, new, by=step)
                return validate.list_name(new)
            return self._store.add_list(new, by=step).name

        refusal: list[str] = []
        name = self._attempt(save, say=refusal.append)
        if name is None:
            self.sidebar.name_refused(refusal[0])
            return
        self.sidebar.name_saved(name)
        self._say(f"Renamed the list “{old}” to “{name}”." if old else
                  f"Added the list “{name}”.", step=step)

    def ask_delete_list(self, name: str) -> None:
        """Delete asks first, saying what happens to the list's tasks: they move to Inbox
        (the store never deletes a task with its list), and Ctrl+Z brings the list back."""
        lists = self._attempt(self._store.lists)
        entry = next((item for item in lists or () if item.name == name), None)
        if entry is None:
            return
        self._confirm("Delete list", list_sentences.delete_question(entry), "&Delete list",
                      lambda yes: self._delete_list(name) if yes else self.sidebar.setFocus())

    def _delete_list(self, name: str) -> None:
        # Moving to Inbox even when the list looked empty: a task added to it meanwhile (by the
        # agent, the CLI) is moved too, never lost.
        step = Step(WINDOW)
        moved = self._attempt(lambda: self._store.remove_list(name, by=step, move_to=INBOX))
        if moved is None:
            return
        self.sidebar.list_removed(name)
        self.refresh()
        self._say(list_sentences.deleted_sentence(name, moved), step=step)

    def set_compact(self, compact: bool) -> None:
        """The shell's narrow layout: the sidebar folds to its icons (and back)."""
        self.sidebar.set_compact(compact)
        sizes = self.splitter.sizes()
        width = self.sidebar.sizeHint().width()
        self.splitter.setSizes([width, max(0, sum(sizes) - width)])

    def _unfold_sidebar(self) -> None:
        if self.sidebar.compact:
            self.set_compact(False)
        sizes = self.splitter.sizes()
        if sizes[0] == 0:
            self.splitter.setSizes([self.sidebar.sizeHint().width(),
                                    max(0, sizes[1] - self.sidebar.sizeHint().width())])

    # -- reminders -------------------------------------------------------------------------

    def show_reminder(self, task_id: int) -> None:
        """A clicked reminder: the task, selected where it lives, with Done and Snooze."""
        task = self._attempt(lambda: self._store.get(task_id))
        if task is None:
            return
        if self.model.task(task.id) is None:
            self.show_list(task.list)
        self.select_task(task.id)
        when = f"Due {friendly_due(task.due)}" if task.due else ""
        self.reminder_bar.show_for(task.id, task.title, when)

    def _reminder_done(self, task_id: int) -> None:
        self.reminder_bar.dismiss()
        self.set_done(task_id, True)

    def snooze(self, task_id: int, until: str) -> None:
        step = Step(WINDOW)
        task = self._attempt(lambda: self._store.snooze(task_id, until, by=step))
        if task is not None:
            self.reminder_bar.dismiss()
            self._say(f"Snoozed “{task.title}” until {friendly_due(task.remind_at)}.", step=step)

    # -- errors and shutdown ---------------------------------------------------------------

    def _attempt(self, action, say=None):
        """Run a store call; on failure say one sentence (in the panel, or through `say`) and
        return None."""
        say = say or self._say
        try:
            return action()
        except UserError as error:
            say(str(error))
        except Exception as error:  # a bug: the log gets the traceback, the user one sentence
            crash_log.record(error)
            say("Something went wrong with the task list; it was written to the log.")
        return None

    def _stopped_updating(self) -> None:
        self._say("The task list stopped updating; it was written to the log.")

    def _say(self, sentence: str, *, step: Step | None = None) -> None:
        self.status_label.say(sentence, step=step)

    def shutdown(self) -> None:
        """Stop listening; the main window calls this before closing the store."""
        if self._shut_down:
            return
        self._shut_down = True
        self._refresh_timer.stop()
        self._highlight_timer.stop()
        self.status_label.timer.stop()
        for fade in list(self._completing.values()):
            fade.stop()
        if self._owns_live:
            self.live.stop()
        for window in (self.editor, self.confirm_box):
            if window is not None:
                window.close()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
