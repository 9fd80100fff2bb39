"""Settings → Routines: every routine with its schedule and next run, on/off, add, edit, run
now and remove. The two built-in ones are listed (off) until turned on: that is their offer.

The page only presents RoutineStore: a mistake in a field is the store's one sentence, shown
under the form, and nothing is written.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.common import clock
from app.common.errors import UserError
from app.routines.schedule import next_run
from app.routines.store import RoutineStore
from app.routines.when import in_words

COLUMNS = ("On", "Name", "When", "Next run")


class RoutinesPage(QWidget):
    run_requested = Signal(str)  # "Run now": the app's RoutineTimer runs it
    changed = Signal()           # something was written: the timer looks again

    def __init__(self, routines: RoutineStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.routines = routines
        self._editing: str | None = None  # the name being edited; None while adding
        self._filling = False
        self.setAccessibleName("Routines")

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Routines")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._switched)

        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.run_button = QPushButton("Run now")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self.start_adding)
        self.edit_button.clicked.connect(self.start_editing)
        self.run_button.clicked.connect(self._run_selected)
        self.remove_button.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.run_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.form = QWidget()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Routine name")
        self.when_edit = QLineEdit()
        self.when_edit.setPlaceholderText("every weekday at 8:00")
        self.when_edit.setAccessibleName("When it runs")
        self.prompt_edit = QPlainTextEdit()
        self.prompt_edit.setAccessibleName("Prompt")
        self.prompt_edit.setPlaceholderText("What should the assistant do?")
        self.save_button = QPushButton("Save")
        self.cancel_button = QPushButton("Cancel")
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self._close_form)
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", self.name_edit)
        form.addRow("When", self.when_edit)
        form.addRow("Prompt", self.prompt_edit)
        form_buttons = QHBoxLayout()
        form_buttons.addStretch(1)
        form_buttons.addWidget(self.cancel_button)
        form_buttons.addWidget(self.save_button)
        form.addRow(form_buttons)
        self.form.hide()

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName("Routines message")
        self.message.hide()

        layout = QVBoxLayout(self)
        hint = QLabel("Routines ask the assistant something on a schedule while the app runs "
                      "(window or tray). With nobody there, they never delete or change many "
                      "tasks at once; each run is a conversation and can be undone.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.form)
        layout.addWidget(self.message)
        self.reload()

    # -- the list ---------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            routines = self.routines.all()
        except UserError as error:
            self._say(str(error))
            return
        now = clock.now()
        self._filling = True
        self.table.setRowCount(len(routines))
        for row, routine in enumerate(routines):
            switch = QTableWidgetItem()
            switch.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled |
                            Qt.ItemFlag.ItemIsSelectable)
            switch.setCheckState(Qt.CheckState.Checked if routine.enabled
                                 else Qt.CheckState.Unchecked)
            switch.setData(Qt.ItemDataRole.UserRole, routine.name)
            upcoming = next_run(routine.rule, now) if routine.enabled else None
            shown = f"{upcoming:%a} {upcoming.day} {upcoming:%b %H:%M}" if upcoming else "off"
            self.table.setItem(row, 0, switch)
            for column, value in ((1, routine.name), (2, in_words(routine.rule)), (3, shown)):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self._filling = False

    def row_of(self, name: str) -> int:
        return next((row for row in range(self.table.rowCount())
                     if (item := self.table.item(row, 1)) is not None
                     and item.text() == name), -1)

    def _selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self._say("Select a routine first.")
            return None
        item = self.table.item(rows[0].row(), 1)
        return item.text() if item is not None else None

    def _switched(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        self._write(lambda: self.routines.set_enabled(
            name, item.checkState() == Qt.CheckState.Checked))

    def _run_selected(self) -> None:
        name = self._selected()
        if name:
            self.run_requested.emit(name)
            self._say(f"Running '{name}': its conversation appears in the list.")

    def _remove_selected(self) -> None:
        name = self._selected()
        if name:
            self._write(lambda: self.routines.remove(name))

    # -- the form ---------------------------------------------------------------------------

    def start_adding(self) -> None:
        self._editing = None
        self.name_edit.setReadOnly(False)
        for field in (self.name_edit, self.when_edit):
            field.clear()
        self.prompt_edit.clear()
        self.form.show()
        self.name_edit.setFocus()

    def start_editing(self) -> None:
        name = self._selected()
        if not name:
            return
        try:
            routine = self.routines.get(name)
        except UserError as error:  # removed from the command line meanwhile
            self._say(str(error))
            self.reload()
            return
        self._editing = routine.name
        self.name_edit.setText(routine.name)
        self.name_edit.setReadOnly(True)
        self.when_edit.setText(in_words(routine.rule))
        self.prompt_edit.setPlainText(routine.prompt)
        self.form.show()
        self.when_edit.setFocus()

    def save(self) -> None:
        when, prompt = self.when_edit.text(), self.prompt_edit.toPlainText()
        if self._editing is None:
            written = self._write(lambda: self.routines.add(self.name_edit.text(), when,
                                                            prompt))
        else:
            name = self._editing
            written = self._write(lambda: self.routines.edit(name, when=when, prompt=prompt))
        if written:
            self._close_form()

    def _close_form(self) -> None:
        self.form.hide()

    # -- writing ----------------------------------------------------------------------------

    def _write(self, write) -> bool:
        try:
            write()
        except UserError as error:
            self._say(str(error))
            self.reload()  # a refused switch flips back
            return False
        self.message.hide()
        self.reload()
        self.changed.emit()
        return True

    def _say(self, sentence: str) -> None:
        self.message.setText(sentence)
        self.message.show()
