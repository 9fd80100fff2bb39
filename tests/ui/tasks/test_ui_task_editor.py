"""The task editor of issue 14: typed dates resolved live before saving, the date picker, and
the repeat, reminder, list and parent fields."""

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, Qt

from app.tasks.history import Origin
from app.tasks.when.dates import Due, local_today
from app.ui.tasks.task_editor import TaskEditor

BY_CLI = Origin("cli")


@pytest.fixture
def open_editor(qtbot, store):
    def make(task=None, **start) -> TaskEditor:
        editor = TaskEditor(store, task, **start)
        qtbot.addWidget(editor)
        editor.show()
        qtbot.waitExposed(editor)
        return editor
    return make


def test_the_resolved_date_shows_under_the_field_before_saving(qtbot, store, open_editor):
    editor = open_editor()
    editor.due_edit.setText("in 3 days")
    in_three = Due.on(local_today() + timedelta(days=3)).friendly()
    qtbot.waitUntil(lambda: editor.due_preview.text() == "→ " + in_three)
    editor.due_edit.setText("someday maybe")
    qtbot.waitUntil(lambda: "someday maybe" in editor.due_preview.text())
    assert store.count() == 0  # shown, never saved
    editor.remind_edit.setText("1 day before")
    editor.due_edit.setText("in 3 days")
    qtbot.waitUntil(lambda: editor.remind_preview.text().startswith(
        "→ " + Due.on(local_today() + timedelta(days=2)).friendly()))
    editor.repeat_edit.setText("every monday and thursday")
    qtbot.waitUntil(lambda: editor.repeat_preview.text() == "→ every Mon, Thu")


def test_the_date_picker_sets_the_day_and_keeps_a_typed_time(qtbot, store, open_editor):
    editor = open_editor()
    editor.due_edit.setText("tomorrow 17:30")
    editor.date_button.click()
    assert editor.date_menu.isVisible()
    picked = local_today() + timedelta(days=10)
    editor.calendar.clicked.emit(QDate(picked.year, picked.month, picked.day))
    assert editor.due_edit.text() == f"{picked.isoformat()} 17:30"
    assert not editor.date_menu.isVisible()
    editor.title_edit.setText("Dentist")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    [task] = store.list_tasks()
    assert task.due.startswith(picked.isoformat() + "T17:30")


def test_repeat_reminder_list_and_parent_are_saved_and_edited(qtbot, store, open_editor):
    store.add_list("Home", by=BY_CLI)
    move = store.add("Move house", list="Home", by=BY_CLI)
    editor = open_editor()
    editor.title_edit.setText("Water the plants")
    editor.due_edit.setText("tomorrow")
    editor.repeat_edit.setText("every sunday")
    editor.remind_edit.setText("30m before")
    editor.list_combo.setCurrentText("Home")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    [plants] = [task for task in store.list_tasks() if task.title == "Water the plants"]
    assert (plants.list, plants.remind_before) == ("Home", 30) and "BYDAY=SU" in plants.repeat

    editor = open_editor(plants)
    assert editor.repeat_edit.text() == "every Sun" or "BYDAY=SU" in editor.repeat_edit.text()
    assert editor.remind_edit.text() == "30 min before"
    editor.parent_combo.setCurrentIndex(editor.parent_combo.findData(move.id))
    assert not editor.list_combo.isEnabled()  # a subtask is in its parent's list
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    saved = store.get(plants.id)
    assert (saved.parent_id, saved.repeat, saved.remind_before) == \
        (move.id, plants.repeat, 30)  # untouched fields stay as they were

    editor = open_editor(saved)
    editor.repeat_edit.clear()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert store.get(plants.id).repeat is None


def test_the_move_house_task_is_not_offered_as_its_own_parent(store, open_editor):
    move = store.add("Move house", by=BY_CLI)
    pack = store.add("Pack", parent_id=move.id, by=BY_CLI)
    editor = open_editor(move)
    offered = [editor.parent_combo.itemData(n) for n in range(editor.parent_combo.count())]
    assert move.id not in offered and pack.id not in offered and offered[0] is None
