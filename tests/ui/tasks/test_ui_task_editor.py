"""The task editor of issue 14: typed dates resolved live before saving, the date picker, and
the repeat, reminder, list and parent fields."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PySide6.QtCore import QDate, QPoint, QRect, Qt

from app.tasks.history import Origin
from app.tasks.when.dates import Due, local_today
from app.tasks.when.natural_dates import read_due
from app.ui.tasks.task_editor import TaskEditor, due_words
from app.ui.theme.tokens import FORM_WIDTH

BY_CLI = Origin("cli")
BERLIN = "Europe/Berlin"
WEDNESDAY = datetime(2026, 12, 9, 10, 0, tzinfo=ZoneInfo(BERLIN))  # a Wednesday morning


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
    assert editor.due_edit.text() == due_words(read_due(f"{picked.isoformat()} 17:30").iso)
    assert editor.due_edit.text().endswith(f"{picked.year} 17:30")  # the words, with the time
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
    assert editor.parent_combo.itemText(0) == "Not a subtask"  # the empty choice, in words


@pytest.mark.parametrize(("typed", "shown"), [
    ("2026-12-11", "Fri 11 Dec 2026"),
    ("2026-12-11 17:00", "Fri 11 Dec 2026 17:00"),
    ("2027-03-05", "Fri 5 Mar 2027"),  # next year: the year still shows
    ("2025-06-30 08:15", "Mon 30 Jun 2025 08:15"),  # a past year
    ("2026-12-09 08:00", "Wed 9 Dec 2026 08:00"),  # earlier today: overdue, not tomorrow's
    # 02:30 happens twice that night: no words say which, so the stored text is shown
    ("2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+01:00"),
])
def test_a_stored_due_reads_in_words_and_saving_untouched_keeps_it(
        qtbot, store, open_editor, in_zone, typed, shown):
    in_zone(BERLIN)
    with time_machine.travel(WEDNESDAY, tick=False):
        task = store.add("Dentist", due=typed, by=BY_CLI)
        editor = open_editor(task)
        assert editor.due_edit.text() == shown
        assert read_due(shown).iso == task.due  # the words name exactly the stored due
        # Words need nothing said under them; the stored text is put in words there.
        assert editor.due_preview.isVisible() == (shown == typed)
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        assert store.get(task.id) == task  # nothing written

        editor = open_editor(task)
        editor.title_edit.setText("Dentist at 5")
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        assert (store.get(task.id).title, store.get(task.id).due) == ("Dentist at 5", task.due)


def test_the_editor_keeps_a_forms_width_over_a_wide_window_and_opens_centred(
        qtbot, window, workspace, make_panel):
    """Even when a long title would widen the "Subtask of" box."""
    parent = workspace.store.add("Renew the passport before the summer trip to Lisbon, Porto "
                                 "and the Algarve, with the visa papers", by=BY_CLI)
    task = workspace.store.add("Book the flights", parent_id=parent.id, by=BY_CLI)
    window.resize(1920, 1080)
    window.tasks.show_view("All")
    assert window.tasks.select_task(task.id)
    window.tasks.edit_action.trigger()
    editor = window.tasks.editor
    qtbot.waitExposed(editor)
    assert FORM_WIDTH[0] <= editor.width() <= FORM_WIDTH[1]
    assert editor.parent_combo.currentData() == parent.id
    editor.close()

    panel = make_panel(760, 720)  # a window that fits the test's screen, so none is clamped
    panel.move(10, 20)
    panel.new_action.trigger()
    editor = panel.editor
    qtbot.waitExposed(editor)
    offset = editor.frameGeometry().center() - panel.frameGeometry().center()
    assert abs(offset.x()) <= 2 and abs(offset.y()) <= 2


def _apart(editor, shown) -> bool:
    boxes = [QRect(widget.mapTo(editor, QPoint(0, 0)), widget.size()) for widget in shown]
    return all(above.bottom() < below.top() for above, below in itertools.pairwise(boxes)) \
        and editor.rect().contains(boxes[-1])


def test_a_refused_date_is_said_once_under_its_field_which_takes_the_focus(qtbot,
                                                                          open_editor):
    """Saved at once (no typing pause), the refusal is said under the field, not a second
    time at the bottom; the dialog grows for it instead of laying fields over one another."""
    editor = open_editor()
    editor.title_edit.setText("Call Ana")
    editor.due_edit.setText("someday maybe")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    assert editor.isVisible()
    assert editor.due_preview.isVisible() and "someday maybe" in editor.due_preview.text()
    assert not editor.error_label.isVisible()
    assert editor.focusWidget() is editor.due_edit
    assert editor.due_edit.selectedText() == "someday maybe"  # typing replaces it
    # A screen reader, arriving at the field with the focus, says why as well.
    assert editor.due_edit.accessibleDescription() == editor.due_preview.text()
    shown = (editor.title_edit, editor.notes_edit, editor.due_edit, editor.due_preview,
             editor.repeat_edit, editor.remind_edit, editor.list_combo, editor.parent_combo,
             editor.priority_combo, editor.tags_edit, editor.save_button)
    qtbot.waitUntil(lambda: _apart(editor, shown))


def test_a_refusal_of_no_single_field_is_said_above_the_buttons(qtbot, open_editor):
    editor = open_editor()
    editor.title_edit.setText("x" * 501)  # over the store's limit: no field line says it
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    assert editor.isVisible() and editor.error_label.isVisible()
    assert "500" in editor.error_label.text()
    shown = (editor.title_edit, editor.notes_edit, editor.due_edit, editor.repeat_edit,
             editor.remind_edit, editor.list_combo, editor.parent_combo, editor.priority_combo,
             editor.tags_edit, editor.error_label, editor.save_button)
    qtbot.waitUntil(lambda: _apart(editor, shown))
