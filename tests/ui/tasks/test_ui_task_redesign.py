"""The task panel's redesign (issue 23) as a user meets it: titles before metadata, the ring in
the priority's colour, Today's Overdue section and its Reschedule, Upcoming by day, the date
picker, empty states, an add box that never moves anything, the sidebar folded to icons, a
completion that fades (unless motion is reduced), and the rows the assistant just added."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from PySide6.QtCore import QDate, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QCalendarWidget, QDialogButtonBox, QLineEdit

from app.tasks.history import Origin
from app.tasks.when.dates import local_today
from app.ui.tasks.date_picker import shortcut_day
from app.ui.tasks.sections import day_heading
from app.ui.tasks.task_editor import TaskEditor, due_words
from app.ui.tasks.task_row import LOOK_ROLE, PAD_X, checkbox_rect
from app.ui.tasks.task_sidebar import COMPACT
from app.ui.theme import apply
from app.ui.theme.apply import apply_theme
from app.ui.theme.tokens import SCHEMES

BY_CLI = Origin("cli")
TODAY = local_today()
FIFTY = "Renew the passport before the summer trip to Porto"  # 50 characters


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def shown_day(offset: int) -> str:
    """The day as the editor's Due field shows a picked one: in words."""
    return due_words(day(offset))


@pytest.fixture
def themed(qapp):
    """A scheme put on the app as the window does; the app left as the other tests expect."""
    palette, font = qapp.palette(), qapp.font()
    yield lambda name, font="inter": apply_theme(qapp, name, font=font)
    qapp.setStyleSheet("")
    qapp.setPalette(palette)
    qapp.setFont(font)


def shown_title(panel, task_id: int) -> str:
    index = panel.model.index_of(task_id)
    lines = panel.delegate.shown_title(index.data(LOOK_ROLE), panel.view.visualRect(index))
    return " ".join(lines)


def has_colour(image, rect: QRect, colour: str, tolerance: int = 40) -> bool:
    """Whether some pixel in `rect` of `image` is close to `colour` (antialiased strokes)."""
    want = QColor(colour)
    scale = image.devicePixelRatio()
    for x in range(int(rect.left() * scale), int((rect.right() + 1) * scale)):
        for y in range(int(rect.top() * scale), int((rect.bottom() + 1) * scale)):
            got = image.pixelColor(x, y)
            if abs(got.red() - want.red()) + abs(got.green() - want.green()) \
                    + abs(got.blue() - want.blue()) <= tolerance:
                return True
    return False


# -- rows: the title first ------------------------------------------------------------------

@pytest.mark.parametrize("font", ["inter", "system"])
def test_a_50_character_title_reads_whole_in_the_window_at_1280(qtbot, themed, window, workspace,
                                                               font):
    """With the bundled font and with the system's (wider here: DejaVu Sans)."""
    assert len(FIFTY) == 50
    themed("light", font)
    window.resize(1280, 800)
    task = workspace.store.add(FIFTY, due=day(0), tags=["admin", "travel"], priority="high",
                               repeat="every year", by=BY_CLI)
    panel = window.tasks
    panel.show_view("Today")
    qtbot.waitUntil(lambda: task.id in panel.visible_task_ids())
    qtbot.waitUntil(lambda: panel.view.visualRect(panel.model.index_of(task.id)).width() > 0)
    assert "…" not in shown_title(panel, task.id) and shown_title(panel, task.id) == FIFTY
    # the metadata has its own, second line: the row is taller than the title's lines
    index = panel.model.index_of(task.id)
    lines = len(panel.delegate.shown_title(index.data(LOOK_ROLE), panel.view.visualRect(index)))
    line = panel.view.fontMetrics().height()
    assert panel.view.visualRect(index).height() > lines * line + line // 2


def test_a_title_wraps_before_it_is_cut_and_the_tooltip_has_it_whole(qtbot, store, make_panel):
    long_title = "Write the long letter to the council about the bins " * 4
    task = store.add(long_title.strip(), by=BY_CLI)
    panel = make_panel(360, 400)
    panel.show_view("All")
    shown = panel.delegate.shown_title(panel.model.look(task.id),
                                       panel.view.visualRect(panel.model.index_of(task.id)))
    assert len(shown) == 2 and shown[1].endswith("…")  # two lines, only then cut
    assert panel.model.index_of(task.id).data(Qt.ItemDataRole.ToolTipRole).startswith(
        long_title.strip())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_ring_is_the_prioritys_colour_and_stays_visible_when_selected(
        qtbot, store, make_panel, themed, scheme):
    colours = SCHEMES[scheme]
    themed(scheme)
    late = store.add("Pay rent", due=day(-1), priority="high", by=BY_CLI)
    plain = store.add("Read", due=day(0), by=BY_CLI)
    panel = make_panel(600, 400)
    panel.show_view("Today")
    qtbot.waitUntil(lambda: late.id in panel.visible_task_ids())
    for selected in (False, True):
        if selected:
            panel.select_task(late.id)
        image = panel.view.viewport().grab().toImage()
        ring = checkbox_rect(panel.view.visualRect(panel.model.index_of(late.id)))
        assert has_colour(image, ring, colours.priority[0])  # high: the p1 colour
        other = checkbox_rect(panel.view.visualRect(panel.model.index_of(plain.id)))
        assert has_colour(image, other, colours.muted)  # no priority: muted
        # the overdue date, in the overdue colour, on the metadata line under the title
        row = panel.view.visualRect(panel.model.index_of(late.id))
        meta = QRect(row.left(), row.center().y(), row.width(), row.height() // 2)
        assert has_colour(image, meta, colours.overdue)


# -- Today and Upcoming ---------------------------------------------------------------------

def test_today_has_overdue_then_today_and_reschedule_is_one_undo_step(qtbot, store,
                                                                       make_panel):
    rent = store.add("Pay rent", due=day(-3), by=BY_CLI)
    bins = store.add("Take out the bins", due=day(-1), by=BY_CLI)
    plants = store.add("Water the plants", due=day(0), by=BY_CLI)
    panel = make_panel(600, 500)
    panel.show_view("Today")
    assert panel.model.heading_texts() == ["Overdue", "Today"]
    assert panel.visible_task_ids() == [rent.id, bins.id, plants.id]
    button = panel.reschedule_button
    assert button is not None and button.isVisible()
    tomorrow = next(action for action in button.menu.actions() if action.text() == "Tomorrow")
    tomorrow.trigger()  # as chosen from Reschedule's menu
    assert [store.get(i).due for i in (rent.id, bins.id)] == [day(1), day(1)]
    assert store.get(plants.id).due == day(0)
    qtbot.waitUntil(lambda: panel.visible_task_ids() == [plants.id])
    assert panel.model.heading_texts() == []  # nothing overdue: a plain list, no headings
    assert panel.status_label.text().startswith("Moved 2 overdue tasks to ")
    panel.view.setFocus()
    panel.undo()  # Ctrl+Z: both come back, in one step
    assert [store.get(i).due for i in (rent.id, bins.id)] == [day(-3), day(-1)]
    qtbot.waitUntil(lambda: panel.model.heading_texts() == ["Overdue", "Today"])


def test_reschedule_sits_on_the_overdue_headings_line_and_ends_where_its_rule_ends(
        qtbot, store, make_panel, themed):
    themed("light")
    store.add("Pay rent", due=day(-3), by=BY_CLI)
    panel = make_panel(700, 400)
    panel.show_view("Today")
    qtbot.waitUntil(lambda: panel.reschedule_button is not None
                    and panel.reschedule_button.isVisible())
    image = panel.view.viewport().grab().toImage()
    row = panel.view.visualRect(panel.model.heading_index("Overdue"))
    colours = SCHEMES["light"]

    def lowest_ink(colour: str, left: int, right: int) -> int:
        return max(y for y in range(row.top(), row.bottom() + 1)
                   if has_colour(image, QRect(left, y, right - left, 1), colour))

    middle = row.center().x()
    # No descender in either word: their lowest ink is their baseline.
    assert abs(lowest_ink(colours.muted, row.left(), middle)
               - lowest_ink(colours.accent, middle, row.right())) <= 1
    button = panel.reschedule_button.button
    right = button.mapTo(panel.view.viewport(), button.rect().topRight()).x()
    assert right == row.right() - PAD_X  # where the heading's rule ends


def test_reschedule_to_a_picked_date_and_a_past_day_is_refused(qtbot, store, make_panel):
    rent = store.add("Pay rent", due=day(-3), by=BY_CLI)
    panel = make_panel(600, 500)
    panel.show_view("Today")
    picker = panel.reschedule_button.picker
    picker.field.setText(day(5))
    qtbot.keyClick(picker.field, Qt.Key.Key_Return)  # the typed day, picked with Enter
    assert store.get(rent.id).due == day(5)
    store.update(rent.id, due=day(-3), by=BY_CLI)
    qtbot.waitUntil(lambda: panel.reschedule_button is not None)
    yesterday = TODAY - timedelta(days=1)
    panel.reschedule_button.picker.calendar.clicked.emit(
        QDate(yesterday.year, yesterday.month, yesterday.day))  # a day already past
    assert store.get(rent.id).due == day(-3)  # nothing moved; one sentence says why
    assert "is in the past" in panel.status_label.text()


def test_upcoming_is_grouped_by_day_under_headings(qtbot, store, make_panel):
    dentist = store.add("Dentist", due=day(1), by=BY_CLI)
    flights = store.add("Book flights", due=day(3), by=BY_CLI)
    garden = store.add("Plan the garden", due=day(60), by=BY_CLI)
    panel = make_panel(600, 500)
    panel.show_view("Upcoming")
    headings = panel.model.heading_texts()
    assert headings[:2] == ["Tomorrow", day_heading(TODAY + timedelta(days=3), TODAY)]
    assert len(headings) == 3 and panel.visible_task_ids() == [dentist.id, flights.id, garden.id]
    # headings are no stops for the arrow keys: Down from the first task reaches the second
    panel.select_task(dentist.id)
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert panel.selected_task_id() == flights.id


def test_day_headings_read_as_people_say_them():
    wednesday = date(2026, 12, 9)
    assert day_heading(date(2026, 12, 10), wednesday) == "Tomorrow"
    assert day_heading(date(2026, 12, 12), wednesday) == "Saturday 12 Dec"
    assert day_heading(date(2026, 12, 15), wednesday) == "Tuesday 15 Dec"
    assert day_heading(date(2026, 12, 17), wednesday) == "Next week"
    assert day_heading(date(2026, 12, 28), wednesday) == "December"
    assert day_heading(date(2027, 1, 5), wednesday) == "January 2027"


# -- the date picker ------------------------------------------------------------------------

def test_the_date_pickers_shortcuts_and_typed_date(qtbot, store):
    editor = TaskEditor(store)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    picker = editor.date_picker
    for name, expected in (("Today", shown_day(0)), ("Tomorrow", shown_day(1)),
                           ("Next week", due_words(shortcut_day("Next week", TODAY).isoformat()))):
        editor.open_date_picker()
        qtbot.mouseClick(picker.buttons[name], Qt.MouseButton.LeftButton)
        assert editor.due_edit.text() == expected and not editor.date_menu.isVisible()
    editor.open_date_picker()
    qtbot.mouseClick(picker.buttons["No date"], Qt.MouseButton.LeftButton)
    assert editor.due_edit.text() == ""
    editor.open_date_picker()
    picker.field.setText("in 3 days")
    qtbot.waitUntil(lambda: picker.preview.text().startswith("→ "))
    qtbot.keyClick(picker.field, Qt.Key.Key_Return)
    assert editor.due_edit.text() == shown_day(3)
    picker.field.setText("someday maybe")
    assert "someday maybe" in picker.preview.text()  # one sentence, nothing picked
    # a calm month: no week numbers, weekends in the ordinary ink
    calendar = picker.calendar
    assert calendar.verticalHeaderFormat() == QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader
    weekend = calendar.weekdayTextFormat(Qt.DayOfWeek.Saturday).foreground().color()
    weekday = calendar.weekdayTextFormat(Qt.DayOfWeek.Monday).foreground().color()
    assert weekend == weekday


def test_the_date_picker_marks_the_apps_today_and_moves_the_mark_the_next_day(qtbot, store):
    """Today by the app's clock, which the calendar's own (the system's) need not be: here
    a day years away from the real one, then the day after it, as an app left open overnight."""
    def bold(day: date) -> bool:
        shown = picker.calendar.dateTextFormat(QDate(day.year, day.month, day.day))
        return shown.fontWeight() == QFont.Weight.Bold

    first, second = date(2031, 3, 5), date(2031, 3, 6)
    editor = TaskEditor(store)
    qtbot.addWidget(editor)
    picker = editor.date_picker
    with time_machine.travel(datetime(2031, 3, 5, 23, 0).astimezone(), tick=False):
        editor.open_date_picker()
        marked = picker.calendar.dateTextFormat(QDate(2031, 3, 5))
        assert bold(first) and not bold(second)
        assert marked.foreground().color() == QColor(apply.current().accent)
    with time_machine.travel(datetime(2031, 3, 6, 9, 0).astimezone(), tick=False):
        editor.open_date_picker()  # opened again the next morning
        assert bold(second) and not bold(first)


def test_this_weekend_and_next_week_count_from_today():
    wednesday, saturday, sunday = date(2026, 12, 9), date(2026, 12, 12), date(2026, 12, 13)
    assert shortcut_day("This weekend", wednesday) == saturday
    assert shortcut_day("This weekend", saturday) == saturday
    assert shortcut_day("This weekend", sunday) == sunday
    assert shortcut_day("Next week", wednesday) == date(2026, 12, 14)
    assert shortcut_day("Next week", sunday) == date(2026, 12, 14)
    assert shortcut_day("No date", wednesday) is None


def test_the_editor_says_due_without_an_ampersand_and_its_buttons_have_no_stock_icons(
        qtbot, store):
    editor = TaskEditor(store)
    qtbot.addWidget(editor)
    labels = [label for label in editor.findChildren(type(editor.hint_label))
              if label.text().replace("&", "") == "Due"]
    assert len(labels) == 1 and labels[0].buddy() is editor.due_edit  # "&" is a mnemonic
    for button in editor.findChild(QDialogButtonBox).buttons():
        assert button.icon().isNull()  # no floppy disk, no red cross


# -- the add box ----------------------------------------------------------------------------

def test_typing_in_the_add_box_never_resizes_anything(qtbot, store, make_panel):
    panel = make_panel(420, 400)
    window = panel.window()
    before = (window.geometry(), panel.geometry(), panel.view.geometry(),
              panel.add_box.geometry())
    panel.add_line.setText("Pay the rent every month on the 1st #home #money #admin "
                           "!high ^A-list-with-a-long-name tomorrow 5pm")
    qtbot.waitUntil(lambda: panel.add_box.chips.isVisible() and len(panel.add_box.chip_texts()) > 4)
    qtbot.wait(50)  # a layout pass, were one pending (no signal marks its absence)
    assert (window.geometry(), panel.geometry(), panel.view.geometry(),
            panel.add_box.geometry()) == before
    panel.add_line.clear()
    qtbot.waitUntil(lambda: not panel.add_box.chips.isVisible())
    assert panel.view.geometry() == before[2]


def test_a_narrow_panel_keeps_each_chip_whole_and_tab_brings_a_hidden_one_into_view(
        qtbot, store, make_panel):
    panel = make_panel(320, 400)
    panel.add_line.setText("Call mom monday 5pm #family !high ^Work")
    qtbot.waitUntil(lambda: len(panel.add_box.chip_texts()) == 4)
    chips = panel.add_box.reading_chips()
    qtbot.waitUntil(lambda: all(chip.width() >= chip.sizeHint().width() for chip in chips))
    last = chips[-1]
    frame = panel.add_box.chip_frame.viewport()
    assert last.mapTo(frame, last.rect().topRight()).x() > frame.width()  # cut at the edge
    panel.activateWindow()
    chips[-2].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(chips[-2].hasFocus)
    qtbot.keyClick(chips[-2], Qt.Key.Key_Tab)
    qtbot.waitUntil(last.hasFocus)
    qtbot.waitUntil(lambda: last.mapTo(frame, last.rect().topRight()).x() <= frame.width())


def test_the_chips_sit_on_the_page_not_on_a_grey_band(qtbot, store, make_panel, themed):
    themed("light")
    panel = make_panel(700, 300)
    box = panel.add_box
    box.line.setText("Call mom #family")
    qtbot.waitUntil(lambda: box.chip_texts() == ["#family"])
    frame = box.chip_frame.viewport()
    chip = box.reading_chips()[0]
    after_chips = chip.mapTo(frame, chip.rect().topRight()).x() + 8
    image = panel.grab().toImage()  # as it is on screen: the viewport over what is behind it
    free = QRect(frame.mapTo(panel, QPoint(after_chips, 0)),
                 QSize(frame.width() - after_chips, frame.height()))
    assert has_colour(image, free, SCHEMES["light"].page, tolerance=0)
    assert not has_colour(image, free, SCHEMES["light"].chrome, tolerance=0)


def test_chips_cut_at_the_edge_are_counted_at_its_end_and_named_in_its_tooltip(
        qtbot, store, make_panel):
    panel = make_panel(530, 400)
    box = panel.add_box
    box.line.setText("Call mom #family")
    qtbot.waitUntil(lambda: box.chip_texts() == ["#family"])
    qtbot.wait(50)  # a layout pass, were one pending (no signal marks its absence)
    assert not box.more.isVisible()  # all of it fits
    box.line.setText("Call mom monday 5pm #family #phone #weekly !high ^Personal")
    qtbot.waitUntil(lambda: len(box.chip_texts()) == 6)
    qtbot.waitUntil(box.more.isVisible)
    viewport = box.chip_frame.viewport()
    cut = [chip.text() for chip in box.reading_chips()
           if chip.mapTo(viewport, chip.rect().topRight()).x() >= viewport.width()]
    assert cut and cut[-1] == "#weekly"  # what matters least is what is cut
    assert box.more.text() == f"+{len(cut)}" and box.more.toolTip().endswith(", ".join(cut))
    box.line.clear()
    qtbot.waitUntil(lambda: not box.more.isVisible())


def test_a_narrow_panel_shows_a_new_list_before_the_tags_that_would_hide_it(
        qtbot, store, make_panel):
    panel = make_panel(530, 400)  # the task panel of a 1280 px window
    panel.add_line.setText("Call mom #family #phone #weekly !high ^Personal")
    qtbot.waitUntil(lambda: len(panel.add_box.chip_texts()) == 5)
    chips = panel.add_box.reading_chips()
    qtbot.waitUntil(lambda: all(chip.width() >= chip.sizeHint().width() for chip in chips))
    new_list = chips[0]
    assert new_list.text() == "Personal (new list)"  # what Enter would make, read whole
    frame = panel.add_box.chip_frame.viewport()
    assert new_list.mapTo(frame, new_list.rect().topRight()).x() <= frame.width()
    assert chips[-1].text() == "#weekly"  # a tag is what gives way at the edge


def test_esc_clears_the_add_box(qtbot, make_panel):
    panel = make_panel()
    panel.activateWindow()
    panel.add_line.setFocus()
    qtbot.waitUntil(panel.add_line.hasFocus)
    qtbot.keyClicks(panel.add_line, "Buy milk tomorrow")
    qtbot.waitUntil(lambda: panel.add_box.chips.isVisible())
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Escape)
    assert panel.add_line.text() == "" and not panel.add_box.chips.isVisible()
    assert panel.add_line.hasFocus()


@pytest.mark.parametrize("view", ["Done", "Trash"])
def test_done_and_the_trash_offer_no_add_box_nor_keep_text_typed_elsewhere(
        qtbot, store, make_panel, view):
    panel = make_panel()
    panel.add_line.setText("Half a thought")
    panel.show_view(view)
    assert panel.add_line.text() == "" and not panel.add_box.isVisible()
    panel.show_view("Today")
    assert panel.add_box.isVisible() and panel.add_line.text() == ""
    assert store.count() == 0


# -- the sidebar ----------------------------------------------------------------------------

def test_the_sidebar_folds_to_icons_and_back(qtbot, store, make_panel):
    store.add_list("Work", by=BY_CLI)
    store.add_list("Home", by=BY_CLI)
    panel = make_panel(600, 500)
    sidebar = panel.sidebar

    def list_icons() -> list[bytes]:
        pictures = [item.icon().pixmap(16).toImage() for item in sidebar._items()
                    if item.toolTip() in ("Home", "Work")]
        return [bytes(picture.constBits()) for picture in pictures]

    wide = sidebar.width()
    assert len(set(list_icons())) == 1  # unfolded, the names tell the lists apart
    panel.set_compact(True)
    qtbot.waitUntil(lambda: sidebar.width() <= COMPACT)
    assert not sidebar.heading.isVisible()  # "Lists" and its +: folded away
    names = [item.toolTip() for item in sidebar._items()]
    assert names[:3] == ["Today", "Upcoming", "All"] and "Work" in names  # said on hover
    assert len(set(list_icons())) == 2  # folded, each list's initial does
    assert panel.view.width() > 0
    # the keys still reach every view
    panel.activateWindow()
    panel.add_line.setFocus()
    qtbot.waitUntil(panel.add_line.hasFocus)
    qtbot.keyClick(panel.add_line, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert panel.current_view == "Upcoming"
    panel.set_compact(False)
    qtbot.waitUntil(lambda: sidebar.width() >= wide - 1)
    assert sidebar.heading.isVisible()


# -- completing -----------------------------------------------------------------------------

def test_completing_fades_the_row_first_and_reduced_motion_completes_at_once(
        qtbot, store, make_panel, monkeypatch):
    first = store.add("Water the plants", due=day(0), by=BY_CLI)
    second = store.add("Call mum", due=day(0), by=BY_CLI)
    panel = make_panel()
    panel.show_view("Today")

    def click(task_id):
        box = checkbox_rect(panel.view.visualRect(panel.model.index_of(task_id)))
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())

    monkeypatch.setenv("TASK_ASSISTANT_REDUCE_MOTION", "0")
    click(first.id)
    assert store.get(first.id).status == "open"  # not yet: the row fades first
    qtbot.waitUntil(lambda: first.id in panel.delegate.fading)
    qtbot.waitUntil(lambda: store.get(first.id).status == "done")
    qtbot.waitUntil(lambda: first.id not in panel.visible_task_ids())
    assert panel.delegate.fading == {}

    monkeypatch.setenv("TASK_ASSISTANT_REDUCE_MOTION", "1")
    click(second.id)
    assert store.get(second.id).status == "done"  # no fade: it simply happens


# -- what the assistant added ---------------------------------------------------------------

def test_a_task_the_assistant_adds_is_shown_where_it_went(qtbot, store, make_panel):
    panel = make_panel(600, 500)
    panel.show_view("Done")
    chat = QLineEdit()  # the user is elsewhere, typing in the chat, say
    qtbot.addWidget(chat)
    chat.show()
    chat.activateWindow()
    chat.setFocus()
    qtbot.waitUntil(chat.hasFocus)
    store.add("Not the assistant's", by=BY_CLI)
    qtbot.waitUntil(lambda: panel.sidebar.count_of("view", "All") == 1)
    assert panel.current_view == "Done"  # another program's add moves nothing
    added = store.add("Book the dentist", due=day(2), by=Origin("agent", "conversation-1"))
    qtbot.waitUntil(lambda: panel.current_view == "Upcoming")
    qtbot.waitUntil(lambda: panel.delegate.highlighted == {added.id})
    qtbot.waitUntil(lambda: panel.delegate.highlighted == set(), timeout=10_000)  # briefly
    # in the view shown, it is only highlighted
    again = store.add("Pack", due=day(2), by=Origin("quick_ask"))
    qtbot.waitUntil(lambda: panel.delegate.highlighted == {again.id})
    assert panel.current_view == "Upcoming"
