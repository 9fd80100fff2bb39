"""The task panel of issue 14 as a user meets it: the sidebar of views and lists with counts,
where a new task lands, quick add with chips, subtasks (indented, folded, completed with a
question), the rows' marks, and a clicked reminder's Done and Snooze."""

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from ui_helpers import assert_default_is_shown

from app.tasks.history import Origin
from app.tasks.when.dates import Due, local_today
from app.ui.tasks.task_panel import TaskPanel
from app.ui.tasks.task_row import LOOK_ROLE

BY_CLI = Origin("cli")
TODAY = local_today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def make_panel(make_panel):
    """The shared fixture, at this file's roomier default size."""
    return lambda width=800, height=500: make_panel(width, height)


def sidebar_entries(panel: TaskPanel) -> list[tuple[str, int]]:
    return [(item.text(), panel.sidebar.count_of(*item.data(Qt.ItemDataRole.UserRole)))
            for item in panel.sidebar._items()]


def add_line(qtbot, panel: TaskPanel, text: str) -> None:
    panel.add_line.setText(text)
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Return)


# -- the sidebar ---------------------------------------------------------------------------

def test_the_sidebar_lists_views_and_lists_with_their_counts(qtbot, store, make_panel):
    store.add_list("Work", by=BY_CLI)
    store.add("Pay rent", due=day(-1), by=BY_CLI)
    store.add("Water plants", due=day(0), by=BY_CLI)
    store.add("Dentist", due=day(3), list="Work", by=BY_CLI)
    store.add("Read a book", by=BY_CLI)
    store.complete(store.add("Old chore", by=BY_CLI).id, by=BY_CLI)
    store.delete(store.add("Gone", by=BY_CLI).id, by=BY_CLI)
    panel = make_panel()
    assert sidebar_entries(panel) == [("Today", 2), ("Upcoming", 1), ("All", 4), ("Inbox", 3),
                                      ("Work", 1), ("Done", 1), ("Trash", 1)]

    panel.sidebar.choose("list", "Work")
    assert panel.current_view == "List" and panel.current_list == "Work"
    assert panel.title_label.text() == "Work"
    assert [panel.model.task(i).title for i in panel.visible_task_ids()] == ["Dentist"]

    store.add_list("Garden", by=BY_CLI)  # from the CLI or the agent: the sidebar follows
    qtbot.waitUntil(lambda: ("Garden", 0) in sidebar_entries(panel))
    store.remove_list("Work", move_to="Inbox", by=BY_CLI)  # the list shown goes away
    qtbot.waitUntil(lambda: panel.current_list == "Inbox")
    assert ("Inbox", 4) in sidebar_entries(panel)


def test_arrow_keys_move_through_the_sidebar_skipping_headings(qtbot, store, make_panel):
    panel = make_panel()
    panel.sidebar.setFocus()
    for key, expected in ((Qt.Key.Key_Down, "Upcoming"), (Qt.Key.Key_Down, "All"),
                          (Qt.Key.Key_Down, "Inbox")):
        qtbot.keyClick(panel.sidebar, key)
        assert panel.sidebar.current[1] == expected


# -- where a new task lands ----------------------------------------------------------------

def test_a_task_added_in_a_list_lands_in_that_list(qtbot, store, make_panel):
    store.add_list("Work", by=BY_CLI)
    panel = make_panel()
    panel.show_list("Work")
    add_line(qtbot, panel, "Write the report")
    [task] = store.list_tasks()
    assert (task.list, task.due) == ("Work", None)
    qtbot.waitUntil(lambda: panel.visible_task_ids() == [task.id])
    assert panel.status_label.text() == "Added “Write the report”."


def test_a_task_added_in_upcoming_asks_for_a_date(qtbot, store, make_panel):
    panel = make_panel()
    panel.show_view("Upcoming")
    add_line(qtbot, panel, "Renew passport #admin")
    assert store.count() == 0  # nothing yet: Upcoming needs a date
    editor = panel.editor
    assert editor is not None and editor.isVisible()
    assert editor.title_edit.text() == "Renew passport" and editor.tags_edit.text() == "admin"
    assert "when is it due?" in editor.hint_label.text()
    editor.due_edit.setText("in 3 days")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    [task] = store.list_tasks()
    assert task.due == day(3) and task.tags == ("admin",)
    qtbot.waitUntil(lambda: panel.visible_task_ids() == [task.id])


def test_a_task_added_with_a_date_elsewhere_says_where_it_is(qtbot, store, make_panel):
    panel = make_panel()  # Today
    add_line(qtbot, panel, "Dentist in 3 days")
    [task] = store.list_tasks()
    assert task.due == day(3)
    assert panel.status_label.text() == "Added “Dentist”. It is under Upcoming."


# -- quick add -----------------------------------------------------------------------------

def test_the_add_box_shows_chips_before_enter_and_adds_every_field(qtbot, store, make_panel):
    store.add_list("Work", by=BY_CLI)
    panel = make_panel()
    panel.show_view("All")
    panel.add_line.setText("Pay rent every month on the 1st #home !high ^Work")
    qtbot.waitUntil(lambda: panel.add_box.chips.isVisible())
    chips = panel.add_box.chip_texts()  # left to right: what a misreading costs, most first
    assert chips == [Due.parse(store_first_of_next_month()).friendly(), "Work", "high",
                     "every month on the 1st", "#home"]
    assert panel.add_box.saved_title() == "Pay rent"
    assert store.count() == 0  # chips only show; Enter adds

    qtbot.keyClick(panel.add_line, Qt.Key.Key_Return)
    [task] = store.list_tasks()
    assert (task.title, task.list, task.tags, task.priority) == \
        ("Pay rent", "Work", ("home",), "high")
    assert "BYMONTHDAY=1" in task.repeat and task.due == store_first_of_next_month()
    assert panel.add_line.text() == "" and not panel.add_box.chips.isVisible()
    qtbot.waitUntil(lambda: panel.visible_task_ids() == [task.id])
    look = panel.model.index_of(task.id).data(LOOK_ROLE)
    assert look.repeats and look.priority == "high" and look.tags == ("home",)


def store_first_of_next_month() -> str:
    """The next 1st of a month, after today (a rule's first date)."""
    first = TODAY.replace(day=1)
    return (first.replace(year=first.year + 1, month=1) if first.month == 12
            else first.replace(month=first.month + 1)).isoformat()


def test_todoist_priorities_and_a_new_list_from_the_add_box(qtbot, store, make_panel):
    panel = make_panel()
    panel.show_view("All")
    panel.add_line.setText("Buy oat milk tomorrow 5pm #errands p1 ^Shopping")
    panel.add_box.update_chips()
    assert "Shopping (new list)" in panel.add_box.chip_texts()
    assert "high" in panel.add_box.chip_texts()
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Return)
    [task] = store.list_tasks()
    assert (task.title, task.priority, task.list, task.tags) == \
        ("Buy oat milk", "high", "Shopping", ("errands",))
    moment = datetime.fromisoformat(task.due)
    assert (moment.date(), moment.hour) == (TODAY + timedelta(days=1), 17)
    qtbot.waitUntil(lambda: ("list", "Shopping") in panel.sidebar._counts)


def chips_for(qtbot, panel: TaskPanel, text: str) -> None:
    panel.add_line.setText(text)
    qtbot.waitUntil(lambda: panel.add_box.chips.isVisible() and bool(panel.add_box.saved_title()))


def test_the_chips_show_the_title_that_will_be_saved(qtbot, store, make_panel):
    panel = make_panel()
    panel.show_view("All")
    chips_for(qtbot, panel, "Weekly shop tomorrow")
    assert panel.add_box.title_chip.text() == "“Weekly shop”"
    assert panel.add_box.chip_texts() == [Due.parse(day(1)).friendly()]  # no repeat read
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Return)
    [task] = store.list_tasks()
    assert (task.title, task.due, task.repeat) == ("Weekly shop", day(1), None)


def test_clicking_a_chip_keeps_its_words_in_the_title(qtbot, store, make_panel):
    panel = make_panel()
    panel.show_view("All")
    chips_for(qtbot, panel, "Buy milk tomorrow #errands")
    due_chip = panel.add_box.reading_chips()[0]
    qtbot.mouseClick(due_chip, Qt.MouseButton.LeftButton)
    assert panel.add_box.chip_texts() == ["#errands"]
    assert panel.add_box.saved_title() == "Buy milk tomorrow"
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Return)
    [task] = store.list_tasks()
    assert (task.title, task.due, task.tags) == ("Buy milk tomorrow", None, ("errands",))


def test_tab_reaches_the_chips_and_backspace_takes_each_back(qtbot, store, make_panel):
    panel = make_panel()
    panel.show_view("All")
    panel.activateWindow()
    chips_for(qtbot, panel, "Weekly report every friday p1")
    panel.add_line.setFocus()
    qtbot.waitUntil(panel.add_line.hasFocus)
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Tab)
    first = panel.add_box.reading_chips()[0]
    qtbot.waitUntil(first.hasFocus)
    assert panel.add_box.chip_texts() == [Due.parse(next_friday()).friendly(), "high",
                                          "every Fri"]
    qtbot.keyClick(first, Qt.Key.Key_Backspace)  # the due and the repeat came from one phrase
    assert panel.add_box.chip_texts() == ["high"]
    assert panel.add_box.saved_title() == "Weekly report every friday"
    left = panel.add_box.reading_chips()[0]
    assert left.hasFocus()  # the keyboard stays on the chips
    qtbot.keyClick(left, Qt.Key.Key_Backspace)
    assert panel.add_box.chip_texts() == [] and panel.add_line.hasFocus()
    assert panel.add_box.saved_title() == "Weekly report every friday p1"
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Return)
    [task] = store.list_tasks()
    assert (task.title, task.due, task.repeat, task.priority) == \
        ("Weekly report every friday p1", None, None, "none")


def next_friday() -> str:
    return (TODAY + timedelta(days=(4 - TODAY.weekday()) % 7 or 7)).isoformat()


def test_a_new_list_from_the_add_box_is_said_in_the_status_line(qtbot, store, make_panel):
    panel = make_panel()
    panel.show_view("All")
    add_line(qtbot, panel, "Plan the offsite ^Work")
    assert panel.status_label.text() == "Created list Work. Added “Plan the offsite”."
    assert store.list_tasks()[0].list == "Work"


def test_a_line_that_is_only_marks_is_refused_and_kept(qtbot, store, make_panel):
    panel = make_panel()
    add_line(qtbot, panel, "#home !high")
    assert store.count() == 0 and panel.add_line.text() == "#home !high"
    assert panel.status_label.text().startswith("Give the task a title")


# -- subtasks ------------------------------------------------------------------------------

def test_subtasks_are_indented_under_their_parent_and_fold(qtbot, store, make_panel):
    move = store.add("Move house", by=BY_CLI)
    pack = store.add("Pack", parent_id=move.id, by=BY_CLI)
    tape = store.add("Buy tape", parent_id=pack.id, by=BY_CLI)
    other = store.add("Read a book", by=BY_CLI)
    panel = make_panel()
    panel.show_view("All")
    assert panel.visible_task_ids() == [move.id, pack.id, tape.id, other.id]
    parent_index = panel.model.index_of(move.id)
    assert panel.model.index_of(pack.id).parent() == parent_index
    assert panel.view.visualRect(panel.model.index_of(pack.id)).left() > \
        panel.view.visualRect(parent_index).left()  # indented
    assert panel.view.isExpanded(parent_index)

    panel.select_task(move.id)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Left)  # folds, as in every tree
    assert not panel.view.isExpanded(panel.model.index_of(move.id))
    store.add("Something else", by=BY_CLI)  # a refresh keeps it folded
    qtbot.waitUntil(lambda: len(panel.visible_task_ids()) == 5)
    assert not panel.view.isExpanded(panel.model.index_of(move.id))
    assert panel.view.isExpanded(panel.model.index_of(pack.id))


def test_completing_a_parent_with_open_subtasks_asks_first(qtbot, store, make_panel):
    move = store.add("Move house", by=BY_CLI)
    pack = store.add("Pack", parent_id=move.id, by=BY_CLI)
    panel = make_panel()
    panel.show_view("All")
    panel.select_task(move.id)
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_Space)
    box = panel.confirm_box
    assert box is not None and "1 open subtask" in box.text() and "Move house" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert store.get(move.id).status == "open" and store.get(pack.id).status == "open"

    qtbot.keyClick(panel.view, Qt.Key.Key_Space)
    [button for button in panel.confirm_box.buttons() if button.text() == "Complete all"][0] \
        .click()
    assert store.get(move.id).status == "done" and store.get(pack.id).status == "done"
    assert panel.status_label.text() == "Completed “Move house”."


def test_completing_a_repeating_parent_says_its_subtasks_open_again(qtbot, store, make_panel):
    plants = store.add("Water plants", due=day(0), repeat="every week", by=BY_CLI)
    ferns = store.add("Ferns", parent_id=plants.id, by=BY_CLI)
    panel = make_panel()
    panel.show_view("All")
    panel.select_task(plants.id)
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_Space)
    box = panel.confirm_box
    assert box.text() == ("“Water plants” repeats; its 1 subtask will be open again for the "
                          "next time.")
    assert box.defaultButton().text() == "Complete this time"
    assert_default_is_shown(box)
    qtbot.keyClick(box.focusWidget(), Qt.Key.Key_Return)  # Enter does what the bold button says
    qtbot.waitUntil(lambda: panel.confirm_box is None)
    assert store.get(plants.id).due == day(7) and store.get(plants.id).status == "open"
    assert store.get(ferns.id).status == "open"  # as the question said


def test_a_destructive_question_shows_cancel_as_what_enter_does(qtbot, store, make_panel):
    gone = store.add("Forget me", by=BY_CLI)
    store.delete(gone.id, by=BY_CLI)
    panel = make_panel()
    panel.show_view("Trash")
    qtbot.waitUntil(lambda: panel.visible_task_ids() == [gone.id])
    panel.empty_trash_button.click()
    box = panel.confirm_box
    assert box.defaultButton().text() == "Cancel"
    assert_default_is_shown(box)
    qtbot.keyClick(box.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.confirm_box is None)
    assert [item.task.id for item in store.trash()] == [gone.id]


# -- rows ----------------------------------------------------------------------------------

def test_rows_show_friendly_dues_and_the_marks(qtbot, store, make_panel):
    long_title = "Stretch your back and shoulders for five minutes before lunch " * 3
    task = store.add(long_title.strip(), due=day(1), repeat="every day", remind="30m before",
                     priority="medium", tags=["health"], by=BY_CLI)
    late = store.add("Pay rent", due=day(-1), by=BY_CLI)
    panel = make_panel(width=520)
    panel.show_view("All")
    look = panel.model.index_of(task.id).data(LOOK_ROLE)
    assert (look.when, look.repeats, look.reminds, look.priority, look.tags, look.overdue) == \
        ("Tomorrow", True, True, "medium", ("health",), False)
    late_look = panel.model.index_of(late.id).data(LOOK_ROLE)
    assert (late_look.when, late_look.overdue) == ("Yesterday", True)
    assert "Yesterday, overdue" in panel.model.index_of(late.id).data(
        Qt.ItemDataRole.AccessibleTextRole)
    tip = panel.model.index_of(task.id).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(long_title.strip()) and "Repeats every day" in tip
    # The title takes the row's width: one column, as wide as the list.
    assert panel.model.columnCount() == 1
    assert panel.view.visualRect(panel.model.index_of(task.id)).width() >= \
        panel.view.viewport().width() - panel.view.indentation() - 2  # (the fold arrow's room)


# -- a clicked reminder --------------------------------------------------------------------

def test_a_clicked_reminder_offers_done_and_snooze(qtbot, store, make_panel):
    task = store.add("Call the bank", due=day(2), remind="in 1 minute", by=BY_CLI)
    panel = make_panel()
    panel.show_reminder(task.id)
    bar = panel.reminder_bar
    assert bar.isVisible() and "Call the bank" in bar.label.text()
    assert panel.selected_task_id() == task.id  # shown where it lives (Upcoming is not shown)
    before = datetime.now().astimezone()
    bar.snooze_buttons["1 h"].click()
    snoozed = datetime.fromisoformat(store.get(task.id).remind_at)
    assert timedelta(minutes=59) <= snoozed - before <= timedelta(minutes=61)
    assert not bar.isVisible() and panel.status_label.text().startswith("Snoozed “Call")

    panel.show_reminder(task.id)
    bar.snooze_buttons["Tomorrow 09:00"].click()
    tomorrow = datetime.fromisoformat(store.get(task.id).remind_at).astimezone()
    assert (tomorrow.date(), tomorrow.hour, tomorrow.minute) == \
        (local_today() + timedelta(days=1), 9, 0)

    panel.show_reminder(task.id)
    bar.done_button.click()
    assert store.get(task.id).status == "done"
