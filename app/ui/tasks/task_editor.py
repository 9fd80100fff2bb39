"""A non-modal editor for every field of one task (or a new one).

Shown with `show()`, never `exec()`: under qasync a nested event loop makes every other
coroutine scheduled meanwhile fail ("Cannot enter into task … while another task … is being
executed") and never run again. The store does all validation; a UserError stays in the dialog
as one sentence and nothing is saved, so the user can fix the field and try again.

Typed dates, repeats and reminders are read as the user types, and what they resolve to is
shown under the field before anything is saved ("next friday" → "Fri 11 Dec"); the due field
has a date picker beside it (date_picker.py: shortcuts, a typed field and a calm month view).
A stored due is shown in words ("Fri 11 Dec 2026 17:00") that read back as exactly that due.
Save and Cancel are words, without the style's floppy disk and red cross.

The fields are grouped as Things groups them, by whitespace: the title (in the title type) and
its notes; when (due, repeat, reminder); where (list, parent); then priority and tags. The
dialog keeps a form's width (FORM_WIDTH) however wide the window it opens over.
"""

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from app.common import crash_log
from app.common.errors import UserError
from app.tasks import PRIORITIES, Origin, Task, TaskFilter, TaskStore
from app.tasks.model import MAX_DEPTH
from app.tasks.when import repeat as repeats
from app.tasks.when.dates import Due
from app.tasks.when.natural_dates import read_due
from app.tasks.when.reminder_time import describe_before, read_remind
from app.ui.tasks.date_picker import DatePicker
from app.ui.theme import apply
from app.ui.theme.icons import icon, words_only
from app.ui.theme.tokens import FORM_WIDTH, SPACE

PREVIEW_DELAY_MS = 150
NO_PARENT = "Not a subtask"
MOST_PARENTS = 2_000  # the "Subtask of" menu lists this many open tasks at most
NOTES_LINES = 4  # room to read a few lines; longer notes scroll, and the dialog stays compact
COMBO_CHARACTERS = 16  # a combo is sized by this, not by its longest task title


def due_words(iso: str | None) -> str:
    """A stored due as the Due field shows it ("Fri 11 Dec 2026 17:00", always with the year so
    that it names one date whenever it is read), when those words read back as exactly the
    stored value; else the stored text (a time stored at another offset or with seconds)."""
    if not iso:
        return ""
    try:
        words = Due.parse(iso).friendly(year=True)
        return words if read_due(words).iso == iso else iso
    except UserError:
        return iso


def _repeat_text(task: Task | None) -> str:
    """The task's rule in words when the words read back as the same rule, else the RRULE."""
    if task is None or not task.repeat:
        return ""
    words = repeats.describe(repeats.Repeat(task.repeat, task.repeat_after_done))
    try:
        again = repeats.phrase(words)
    except UserError:
        again = None
    return words if again and again[0].rule == task.repeat else task.repeat


def _remind_text(task: Task | None) -> str:
    if task is None or not task.remind_at:
        return ""
    return describe_before(task.remind_before) if task.remind_before is not None \
        else task.remind_at


class TaskEditor(QDialog):
    saved = Signal(object)  # the Task as stored

    def __init__(self, store: TaskStore, task: Task | None = None, parent=None, *,
                 title: str = "", due: str | None = None, list: str | None = None,
                 repeat=None, tags=(), priority: str | None = None) -> None:
        """`title` … `priority`: a new task's starting values (the view it is added from,
        or what the add box read)."""
        super().__init__(parent)
        self._store = store
        self.task = task
        self.setModal(False)
        self.setWindowTitle("Edit task" if task else "New task")
        self.setAccessibleName(self.windowTitle())
        if isinstance(repeat, repeats.Repeat):
            repeat = repeat.rule

        self.title_edit = QLineEdit(task.title if task else title)
        self.title_edit.setProperty("role", "title")  # the title type: what the task is, first
        self.notes_edit = QPlainTextEdit(task.notes if task else "")
        self.notes_edit.setTabChangesFocus(True)  # Tab moves on, so the form stays keyboard-only
        self.due_edit = QLineEdit(due_words(task.due) if task else (due or ""))
        self.due_edit.setPlaceholderText("tomorrow 5pm, next friday, in 3 days, dec 24")
        self.date_button = QToolButton()
        self.date_button.setProperty("role", "icon")
        self.date_button.setIcon(icon("calendar", apply.current().muted))
        self.date_button.setToolTip("Pick a date")
        self.date_button.setAccessibleName("Pick a date")
        self.date_button.clicked.connect(self.open_date_picker)
        self.date_picker = DatePicker()
        self.date_picker.picked.connect(self._date_picked)
        self.calendar = self.date_picker.calendar
        self.date_menu = QMenu(self)
        picker = QWidgetAction(self.date_menu)
        picker.setDefaultWidget(self.date_picker)
        self.date_menu.addAction(picker)
        self.due_preview = self._preview_label("Due date as read")
        self.repeat_edit = QLineEdit(_repeat_text(task) if task else (repeat or ""))
        self.repeat_edit.setPlaceholderText("every monday, every 2 weeks")  # fits the field
        self.repeat_preview = self._preview_label("Repeat as read")
        self.remind_edit = QLineEdit(_remind_text(task))
        self.remind_edit.setPlaceholderText("30m before, 1 day before, tomorrow 9am")
        self.remind_preview = self._preview_label("Reminder as read")
        # Each preview says what its field's words were read as, or why they were refused.
        self._field_of = {self.due_preview: self.due_edit, self.repeat_preview: self.repeat_edit,
                          self.remind_preview: self.remind_edit}
        self.list_combo = QComboBox()
        self.parent_combo = QComboBox()
        for combo in (self.list_combo, self.parent_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARACTERS)
        self._fill_places(task, list)
        self.priority_combo = QComboBox()
        for level in PRIORITIES:  # in words, as the other fields read; the stored name as data
            self.priority_combo.addItem(level.capitalize(), level)
        self.priority_combo.setCurrentIndex(
            PRIORITIES.index(task.priority if task else (priority or "none")))
        self.tags_edit = QLineEdit(", ".join(task.tags if task else tags))
        self.tags_edit.setPlaceholderText("work, home")
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.hint_label.setAccessibleName("Hint")
        self.hint_label.hide()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Error")
        self.error_label.setProperty("role", "error")
        self.error_label.hide()
        self._initial = self._values()

        self.notes_edit.setFixedHeight(self._lines_high(self.notes_edit, NOTES_LINES))

        due_box = QWidget()  # the field and its picker button, in the field column
        due_row = QHBoxLayout(due_box)
        due_row.setContentsMargins(0, 0, 0, 0)
        due_row.setSpacing(SPACE["s"])
        due_row.addWidget(self.due_edit, 1)
        due_row.addWidget(self.date_button)
        groups = ((("&Title", self.title_edit, "Title"),
                   ("&Notes", self.notes_edit, "Notes")),
                  (("&Due", self.due_edit, "Due date"), ("", self.due_preview, ""),
                   ("&Repeat", self.repeat_edit, "Repeat"), ("", self.repeat_preview, ""),
                   ("Re&mind", self.remind_edit, "Reminder"), ("", self.remind_preview, "")),
                  (("&List", self.list_combo, "List"),
                   ("&Subtask of", self.parent_combo, "Subtask of")),
                  (("&Priority", self.priority_combo, "Priority"),
                   ("T&ags", self.tags_edit, "Tags, separated by commas")))
        form = QFormLayout()
        form.setHorizontalSpacing(SPACE["l"])
        form.setVerticalSpacing(SPACE["s"])
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for number, group in enumerate(groups):
            if number:
                form.addRow(self._gap())
            for text, field, name in group:
                if not text:  # a preview line, under its field (named when it was made)
                    form.addRow("", field)
                    continue
                field.setAccessibleName(name)
                placed = due_box if field is self.due_edit else field
                # The notes' name sits level with their first line, as beside a line edit.
                line = self.tags_edit if field is self.notes_edit else placed
                form.addRow(self._label(text, field, line), placed)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)  # Enter in a line edit saves
        words_only(buttons)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(*(SPACE["xl"],) * 4)
        layout.setSpacing(SPACE["m"])
        layout.addWidget(self.hint_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)  # a taller dialog (a preview came and went) keeps the form together
        layout.addSpacing(SPACE["s"])
        layout.addWidget(buttons)
        # Shown, Qt sizes it to its contents within these, and centres it over the window.
        self.setMinimumWidth(FORM_WIDTH[0])
        self.setMaximumWidth(FORM_WIDTH[1])

        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_previews)
        for field in (self.due_edit, self.repeat_edit, self.remind_edit):
            field.textChanged.connect(lambda _: self._preview_timer.start())
        self.parent_combo.currentIndexChanged.connect(lambda _: self._parent_changed())
        self._parent_changed()
        self.update_previews()
        self.title_edit.setFocus()

    # -- building --------------------------------------------------------------------------

    @staticmethod
    def _label(text: str, buddy: QWidget, line: QWidget) -> QLabel:
        """A field's name, quiet beside what the user writes; its "&" letter focuses the field.
        As tall as `line` (its field, or a one-line field), so the form centres the name on
        the field's text: a form makes a label only as tall as its own text otherwise, and
        top-aligns it."""
        label = QLabel(text)
        label.setBuddy(buddy)
        label.setProperty("role", "muted")
        line.ensurePolished()  # the style sheet's padding and type
        label.setFixedHeight(line.sizeHint().height())
        return label

    @staticmethod
    def _gap() -> QWidget:
        """The whitespace between two groups of fields."""
        gap = QWidget()
        gap.setFixedHeight(SPACE["s"])
        return gap

    @staticmethod
    def _lines_high(edit: QPlainTextEdit, lines: int) -> int:
        """The height that shows `lines` lines of text: the lines, the document's margin and
        the field's padding and border (the style sheet's)."""
        margin = 2 * (int(edit.document().documentMargin()) + SPACE["xs"] + 2 + 1)
        return edit.fontMetrics().lineSpacing() * lines + margin

    def _preview_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setAccessibleName(name)
        label.setProperty("role", "caption")
        label.setWordWrap(True)
        return label

    def _fill_places(self, task: Task | None, list_name: str | None) -> None:
        """The lists, and the open tasks this one could be a subtask of (not itself, nor its
        own subtasks, nor tasks already at the deepest level)."""
        names = [item.name for item in self._store.lists()]
        self.list_combo.addItems(names)
        self.list_combo.setCurrentText(task.list if task else (list_name or "Inbox"))
        self.parent_combo.addItem(NO_PARENT, None)
        below = set(self._store.open_subtasks(task.id)) if task else set()
        candidates = self._store.list_tasks(TaskFilter(limit=MOST_PARENTS))
        by_id = {candidate.id: candidate for candidate in candidates}

        def depth(candidate: Task) -> int:
            level = 1
            while candidate.parent_id in by_id and level <= MAX_DEPTH:
                candidate, level = by_id[candidate.parent_id], level + 1
            return level

        for candidate in candidates:
            if task and (candidate.id == task.id or candidate.id in below):
                continue
            if depth(candidate) >= MAX_DEPTH:
                continue
            self.parent_combo.addItem(f"{candidate.title}  ·  {candidate.list}", candidate.id)
        if task and task.parent_id is not None:
            found = self.parent_combo.findData(task.parent_id)
            if found < 0:  # done, or beyond the first MOST_PARENTS: still its parent
                self.parent_combo.addItem(f"task {task.parent_id}", task.parent_id)
                found = self.parent_combo.count() - 1
            self.parent_combo.setCurrentIndex(found)

    def _parent_changed(self) -> None:
        """A subtask is in its parent's list: the list follows the parent."""
        parent_id = self.parent_combo.currentData()
        self.list_combo.setEnabled(parent_id is None)
        if parent_id is not None:
            try:
                self.list_combo.setCurrentText(self._store.get(parent_id).list)
            except UserError:
                pass

    # -- the date picker and the live previews ---------------------------------------------

    def open_date_picker(self) -> None:
        due = self._read(lambda: read_due(self.due_edit.text()), None)
        self.date_picker.show_day(due.day if due is not None else None)
        self.date_menu.popup(self.date_button.mapToGlobal(self.date_button.rect().bottomLeft()))
        self.date_picker.field.setFocus()

    def _date_picked(self, day: str) -> None:
        """The picked day ("" for No date), keeping a time already typed; in the same words a
        stored due opens in, so a picked date reads as a reopened one does."""
        due = self._read(lambda: read_due(self.due_edit.text()), None)
        if day and due is not None and due.has_time:
            day += " " + datetime.fromisoformat(due.iso).astimezone().strftime("%H:%M")
        picked = self._read(lambda: read_due(day), None) if day else None
        self.due_edit.setText(due_words(picked.iso) if picked is not None else day)
        self.date_menu.close()
        self.update_previews()

    def ask_for_date(self, sentence: str) -> None:
        self.hint_label.setText(sentence)
        self.hint_label.show()
        self._grow_to_fit()
        self.due_edit.setFocus()

    @staticmethod
    def _read(reader, fallback):
        try:
            return reader()
        except UserError:
            return fallback

    def update_previews(self) -> None:
        """What the typed due, repeat and reminder resolve to, said under each field."""
        self._preview_timer.stop()
        due = None
        text = self.due_edit.text().strip()
        if not text or text.lower() == "none":
            self._preview(self.due_preview, "No due date", ok=True)
        else:
            try:
                due = read_due(text)
                # Words already as the app writes them need no echo under themselves.
                said = "" if text == due.friendly(year=True) else "→ " + due.friendly()
                self._preview(self.due_preview, said, ok=True)
            except UserError as error:
                self._preview(self.due_preview, str(error), ok=False)
        text = self.repeat_edit.text().strip()
        if text and text != self._initial["repeat"]:
            try:
                rule, _ = repeats.read_repeat(text)
                self._preview(self.repeat_preview,
                              "→ " + repeats.describe(rule) if rule else "Does not repeat",
                              ok=True)
            except UserError as error:
                self._preview(self.repeat_preview, str(error), ok=False)
        else:
            self._preview(self.repeat_preview, "", ok=True)
        text = self.remind_edit.text().strip()
        if text and text.lower() != "none":
            try:
                at, _ = read_remind(text, due)
                self._preview(self.remind_preview, "→ " + at.friendly(), ok=True)
            except UserError as error:
                self._preview(self.remind_preview, str(error), ok=False)
        else:
            self._preview(self.remind_preview, "", ok=True)
        self._grow_to_fit()

    def _preview(self, label: QLabel, text: str, *, ok: bool) -> None:
        label.setText(text)
        # A screen reader says the field's description with it: what the typed words were
        # read as, or why they were refused when a save moves the focus back there.
        self._field_of[label].setAccessibleDescription(text)
        if label.property("role") != ("caption" if ok else "error"):
            label.setProperty("role", "caption" if ok else "error")
            label.style().unpolish(label)  # the sheet's rule for the new role
            label.style().polish(label)
        label.setVisible(bool(text))

    def _grow_to_fit(self) -> None:
        """Room for a preview or a sentence that just appeared: a window's minimum height
        ignores how tall wrapped labels get at its width, so the form would squeeze its rows
        over one another. Before the first show Qt sizes the dialog to all of it anyway."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        needed = max(layout.totalHeightForWidth(self.width()), layout.totalMinimumSize().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    # -- saving ----------------------------------------------------------------------------

    def _values(self) -> dict:
        return {
            "title": self.title_edit.text(),
            "notes": self.notes_edit.toPlainText(),
            "due": self.due_edit.text().strip() or None,
            "priority": self.priority_combo.currentData(),
            "tags": [tag for tag in self.tags_edit.text().split(",") if tag.strip()],
            "repeat": self.repeat_edit.text().strip(),
            "remind": self.remind_edit.text().strip(),
            "list": self.list_combo.currentText(),
            "parent_id": self.parent_combo.currentData(),
        }

    def _fields(self) -> dict:
        """The typed values; for a task being edited only those that changed (a no-op save
        writes nothing)."""
        values = self._values()
        if values["parent_id"] is not None:
            values.pop("list")  # a subtask is in its parent's list
        if self.task is None:
            values["repeat"] = values["repeat"] or None
            values["remind"] = values["remind"] or None
            return values
        # The due as shown (words for the stored value): untouched, it is never written back.
        current = {"title": self.task.title, "notes": self.task.notes,
                   "due": self._initial["due"],
                   "priority": self.task.priority, "tags": list(self.task.tags),
                   "list": self.task.list, "parent_id": self.task.parent_id}
        changed = {}
        for name, value in values.items():
            if name in ("repeat", "remind"):  # words for a stored rule: compare with the words
                if value != self._initial[name]:
                    changed[name] = value or "none"
            elif name == "tags":
                if [t.strip().lstrip("#").strip() for t in value] != current["tags"]:
                    changed[name] = value
            elif value != current[name]:
                changed[name] = value
        return changed

    def save(self) -> None:
        try:
            fields = self._fields()
            if self.task is None:
                task = self._store.add(by=Origin("window"), **fields)
            else:
                task = self._store.update(self.task.id, by=Origin("window"), **fields)
        except UserError as error:
            self._show_error(str(error))
            return
        except Exception as error:  # a bug, not the user's doing: log it, say one sentence
            crash_log.record(error)
            self._show_error("Something went wrong saving the task; it was written to the log.")
            return
        self.task = task
        self.saved.emit(task)
        self.accept()

    def _show_error(self, sentence: str) -> None:
        # A refused date, repeat or reminder is already said under its own field: the focus
        # goes there, rather than the same sentence appearing a second time at the bottom.
        self.update_previews()  # Enter may come before the previews' typing pause ends
        for preview, field in self._field_of.items():
            if preview.property("role") == "error" and preview.text() == sentence:
                self.error_label.hide()
                field.setFocus()
                field.selectAll()
                self._grow_to_fit()
                return
        self.error_label.setText(sentence)
        self.error_label.show()
        self._grow_to_fit()
