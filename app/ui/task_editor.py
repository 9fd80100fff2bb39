"""A non-modal editor for every field of one task (or a new one).

Shown with `show()`, never `exec()`: under qasync a nested event loop makes every other
coroutine scheduled meanwhile fail ("Cannot enter into task … while another task … is being
executed") and never run again. The store does all validation; a UserError stays in the dialog as one sentence and
nothing is saved, so the user can fix the field and try again.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QVBoxLayout)

from app.common import crash_log
from app.common.errors import UserError
from app.tasks import PRIORITIES, Origin, Task, TaskStore


class TaskEditor(QDialog):
    saved = Signal(object)  # the Task as stored

    def __init__(self, store: TaskStore, task: Task | None = None, parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self.task = task
        self.setModal(False)
        self.setWindowTitle("Edit task" if task else "New task")
        self.setAccessibleName(self.windowTitle())

        self.title_edit = QLineEdit(task.title if task else "")
        self.notes_edit = QPlainTextEdit(task.notes if task else "")
        self.notes_edit.setTabChangesFocus(True)  # Tab moves on, so the form stays keyboard-only
        self.due_edit = QLineEdit((task.due or "") if task else "")
        # What Due.parse understands; empty clears the date.
        self.due_edit.setPlaceholderText("today, tomorrow, 2026-12-01 or 2026-12-01 14:00")
        self.priority_combo = QComboBox()
        self.priority_combo.addItems(PRIORITIES)
        self.priority_combo.setCurrentText(task.priority if task else "none")
        self.tags_edit = QLineEdit(", ".join(task.tags) if task else "")
        self.tags_edit.setPlaceholderText("work, home")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Error")
        self.error_label.hide()

        form = QFormLayout()
        for label, field, name in (("&Title", self.title_edit, "Title"),
                                   ("&Notes", self.notes_edit, "Notes"),
                                   ("&Due", self.due_edit, "Due date"),
                                   ("&Priority", self.priority_combo, "Priority"),
                                   ("T&ags", self.tags_edit, "Tags, separated by commas")):
            field.setAccessibleName(name)
            form.addRow(label, field)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)  # Enter in a line edit saves
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.title_edit.setFocus()

    def _fields(self) -> dict:
        """The typed values, only those that differ from the task (a no-op save writes nothing)."""
        values = {
            "title": self.title_edit.text(),
            "notes": self.notes_edit.toPlainText(),
            "due": self.due_edit.text().strip() or None,
            "priority": self.priority_combo.currentText(),
            "tags": [tag for tag in self.tags_edit.text().split(",") if tag.strip()],
        }
        if self.task is None:
            return values
        current = {"title": self.task.title, "notes": self.task.notes, "due": self.task.due,
                   "priority": self.task.priority, "tags": list(self.task.tags)}
        tags_same = [t.strip().lstrip("#").strip() for t in values["tags"]] == current["tags"]
        return {name: value for name, value in values.items()
                if value != current[name] and not (name == "tags" and tags_same)}

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
        self.error_label.setText(sentence)
        self.error_label.show()
