"""Managing lists in the task panel's sidebar, as a user does it: New list (the + beside
"Lists", Ctrl+Shift+L), renaming in place (F2, a double-click, the context menu), deleting with
a question that says where the tasks go (and Ctrl+Z bringing the list back), Inbox kept as it
is, refused names, keyboard-only use, a readable heading in every palette, and lists changed by
the CLI or the agent showing up live."""

import subprocess
import threading

import pytest
from conftest import CLI, cli_env
from PySide6.QtCore import Qt

from app.tasks import TaskFilter
from app.tasks.history import Origin
from app.tasks.validate import MAX_LIST_NAME
from app.ui.tasks.task_panel import TaskPanel
from app.ui.tasks.task_sidebar import COUNT_ROLE, INBOX_IS_FIXED

BY_CLI = Origin("cli")


def list_names(panel: TaskPanel) -> list[str]:
    """The lists as the sidebar shows them."""
    return [item.text() for item in panel.sidebar._items() if item.data(
        Qt.ItemDataRole.UserRole)[0] == "list"]


def stored_lists(store) -> list[tuple[str, int, int]]:
    return [tuple(item) for item in store.lists()]


def focus_sidebar(qtbot, panel: TaskPanel) -> None:
    panel.activateWindow()
    panel.sidebar.setFocus()
    qtbot.waitUntil(panel.sidebar.hasFocus)


def type_name(qtbot, panel: TaskPanel, name: str) -> None:
    """Type over the name in the open field and press Enter."""
    field = panel.sidebar.name_field
    assert field is not None and field.isVisible()
    qtbot.waitUntil(field.line.hasFocus)
    field.line.selectAll()
    qtbot.keyClicks(field.line, name)
    qtbot.keyClick(field.line, Qt.Key.Key_Return)


def drawn_in(label):
    """The colour a label's text is drawn in."""
    return label.palette().color(label.foregroundRole())


def answer(qtbot, panel: TaskPanel, button_text: str) -> str:
    """Click a button of the open question; returns the question's text."""
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible())
    box = panel.confirm_box
    assert box is not None
    text = box.text()
    button = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is None)
    return text


def double_click(qtbot, sidebar, item) -> None:
    """What a mouse sends: a click, then the double-click."""
    place = sidebar.visualItemRect(item).center()
    qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=place)
    qtbot.mouseDClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=place)


@pytest.fixture
def work(store):
    """A list "Work" with two open tasks and one done, and an empty "Zeta" after it."""
    store.add_list("Work", by=BY_CLI)
    store.add_list("Zeta", by=BY_CLI)
    store.add("Report", list="Work", by=BY_CLI)
    store.add("Slides", list="Work", by=BY_CLI)
    store.complete(store.add("Old memo", list="Work", by=BY_CLI).id, by=BY_CLI)
    return store


# -- New list --------------------------------------------------------------------------------

def test_the_plus_beside_lists_names_a_new_list_in_place(qtbot, store, make_panel):
    panel = make_panel()
    heading = panel.sidebar.heading
    assert heading.label.text() == "Lists" and heading.add_button.isVisible()
    qtbot.mouseClick(heading.add_button, Qt.MouseButton.LeftButton)

    field = panel.sidebar.name_field
    assert field is not None and field.line.placeholderText() == "New list"
    # The field lies on a new row under the lists, above Done.
    assert field.geometry().top() > panel.sidebar.visualItemRect(
        panel.sidebar._items()[3]).top()  # Inbox
    type_name(qtbot, panel, "  Garden  ")

    assert stored_lists(store) == [("Inbox", 0, 0), ("Garden", 0, 0)]
    assert panel.sidebar.name_field is None
    assert list_names(panel) == ["Inbox", "Garden"]  # no unnamed row left behind
    assert panel.current_list == "Garden" and panel.title_label.text() == "Garden"
    assert panel.sidebar.hasFocus()
    assert panel.status_label.text() == "Added the list “Garden”."


def test_ctrl_shift_l_starts_a_new_list_from_anywhere_and_esc_gives_up(qtbot, store,
                                                                       make_panel):
    panel = make_panel()
    panel.activateWindow()
    panel.add_line.setFocus()
    qtbot.waitUntil(panel.add_line.hasFocus)
    qtbot.keyClick(panel.add_line, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    field = panel.sidebar.name_field
    assert field is not None
    qtbot.waitUntil(field.line.hasFocus)
    qtbot.keyClicks(field.line, "Half typed")
    qtbot.keyClick(field.line, Qt.Key.Key_Escape)

    assert panel.sidebar.name_field is None
    assert stored_lists(store) == [("Inbox", 0, 0)]
    assert list_names(panel) == ["Inbox"] and panel.sidebar.count() == 8  # no stray row
    assert panel.sidebar.hasFocus()


def test_new_list_is_on_the_shortcut_sheet():
    from app.ui.shortcut_sheet import SHORTCUTS

    keys = {keys: what for _, shortcuts in SHORTCUTS for keys, what in shortcuts}
    assert keys["Ctrl+Shift+L"] == "New list"
    assert "F2 (on a list)" in keys and "Delete (on a list)" in keys


def test_a_folded_sidebar_unfolds_for_a_new_list(qtbot, store, make_panel):
    panel = make_panel()
    panel.splitter.setSizes([0, 600])
    panel.sidebar.new_list_action.trigger()
    qtbot.waitUntil(lambda: panel.splitter.sizes()[0] > 0)
    field = panel.sidebar.name_field
    qtbot.waitUntil(lambda: field.geometry().right() == panel.sidebar.viewport().width() - 1
                    and field.width() > 0)


# -- bad names -------------------------------------------------------------------------------

@pytest.fixture
def light_theme(qapp):
    """The light scheme on the app, as the window puts it; the app left as other tests expect."""
    from app.ui.theme.apply import apply_theme

    palette, font = qapp.palette(), qapp.font()
    yield apply_theme(qapp, "light")
    qapp.setStyleSheet("")
    qapp.setPalette(palette)
    qapp.setFont(font)


@pytest.mark.parametrize("typed, sentence", [
    ("", "A list needs a name, like Work."),
    ("   ", "A list needs a name, like Work."),
    ("work", "There is already a list 'Work'."),
    ("x" * (MAX_LIST_NAME + 1), f"A list's name can be at most {MAX_LIST_NAME} characters."),
])
def test_a_bad_new_name_gets_the_stores_sentence_beside_the_field(qtbot, light_theme, work,
                                                                  make_panel, typed, sentence):
    from PySide6.QtGui import QColor

    before = stored_lists(work)
    panel = make_panel()
    panel.sidebar.begin_new_list()
    type_name(qtbot, panel, typed)

    field = panel.sidebar.name_field
    assert field is not None and field.line.hasFocus()  # still open, to fix the name
    assert field.problem.isVisible() and field.problem.text() == sentence
    assert field.line.accessibleDescription() == sentence
    # next to the field: right under the name, inside the field's frame, in the error ink
    assert field.problem.geometry().top() >= field.line.geometry().bottom()
    assert field.geometry().contains(field.problem.geometry().translated(field.pos()))
    assert drawn_in(field.problem) == QColor(light_theme.danger)
    # The rows below make room for it rather than being covered.
    done = next(i for i in panel.sidebar._items() if i.text() == "Done")
    assert panel.sidebar.visualItemRect(done).top() >= field.geometry().bottom()
    assert stored_lists(work) == before and list_names(panel) == ["Inbox", "Work", "Zeta"]

    type_name(qtbot, panel, "Garden")  # fixed: saved, and the sentence is gone with the field
    assert panel.sidebar.name_field is None and panel.current_list == "Garden"


def test_a_rename_to_a_taken_name_changes_nothing(qtbot, work, make_panel):
    before = stored_lists(work)
    panel = make_panel()
    panel.show_list("Zeta")
    focus_sidebar(qtbot, panel)
    qtbot.keyClick(panel.sidebar, Qt.Key.Key_F2)
    type_name(qtbot, panel, "Work")
    assert panel.sidebar.name_field.problem.text() == "There is already a list 'Work'."
    assert stored_lists(work) == before

    # Clicking elsewhere with a refused name: the field closes, the panel says why, and
    # nothing changed.
    panel.add_line.setFocus()
    qtbot.waitUntil(lambda: panel.sidebar.name_field is None)
    assert panel.status_label.text() == "There is already a list 'Work'."
    assert stored_lists(work) == before and panel.add_line.hasFocus()


# -- rename ----------------------------------------------------------------------------------

def test_f2_renames_in_place_and_the_tasks_stay_in_the_list(qtbot, work, make_panel):
    panel = make_panel()
    panel.show_list("Work")
    focus_sidebar(qtbot, panel)
    qtbot.keyClick(panel.sidebar, Qt.Key.Key_F2)
    field = panel.sidebar.name_field
    assert field.text == "Work" and field.line.selectedText() == "Work"  # ready to type over
    row = panel.sidebar.visualItemRect(panel.sidebar.currentItem())
    assert field.geometry().top() <= row.center().y() <= field.geometry().bottom()
    assert field.geometry().left() > panel.sidebar.iconSize().width()  # the icon stays shown
    panel.sidebar.begin_new_list()  # another field: the counts stay while a name is typed
    assert [item.data(COUNT_ROLE) for item in panel.sidebar._items()
            if item.text() in ("Inbox", "Work")] == [0, 2]
    panel.sidebar.begin_rename()
    type_name(qtbot, panel, "Job")

    assert stored_lists(work) == [("Inbox", 0, 0), ("Job", 2, 1), ("Zeta", 0, 0)]
    assert panel.current_list == "Job" and panel.title_label.text() == "Job"
    assert len(panel.visible_task_ids()) == 2
    assert panel.sidebar.hasFocus()
    assert panel.status_label.text() == "Renamed the list “Work” to “Job”."


def test_a_double_click_and_the_context_menu_rename_too(qtbot, work, make_panel):
    panel = make_panel()
    sidebar = panel.sidebar
    item = next(i for i in sidebar._items() if i.text() == "Zeta")
    double_click(qtbot, sidebar, item)
    assert sidebar.name_field is not None and sidebar.name_field.text == "Zeta"
    qtbot.keyClick(sidebar.name_field.line, Qt.Key.Key_Escape)
    assert sidebar.name_field is None and stored_lists(work)[2] == ("Zeta", 0, 0)

    menu_actions = [a.text() for a in sidebar.context_menu.actions() if not a.isSeparator()]
    assert menu_actions == ["&New list…", "&Rename…", "&Delete…"]
    sidebar.rename_action.trigger()  # what the menu's "Rename…" does
    type_name(qtbot, panel, "Someday")
    assert [name for name, *_ in stored_lists(work)] == ["Inbox", "Someday", "Work"]


def test_renaming_only_the_case_or_nothing_at_all(qtbot, work, make_panel):
    panel = make_panel()
    panel.show_list("Zeta")
    panel.sidebar.begin_rename()
    type_name(qtbot, panel, "Zeta")  # unchanged: closes, writes nothing
    assert panel.sidebar.name_field is None and panel.status_label.isHidden()
    panel.sidebar.begin_rename()
    type_name(qtbot, panel, "ZETA")
    assert [name for name, *_ in stored_lists(work)] == ["Inbox", "Work", "ZETA"]


# -- delete ----------------------------------------------------------------------------------

def test_delete_says_how_many_tasks_move_to_inbox_and_ctrl_z_brings_the_list_back(
        qtbot, work, make_panel):
    panel = make_panel()
    panel.show_list("Work")
    focus_sidebar(qtbot, panel)

    qtbot.keyClick(panel.sidebar, Qt.Key.Key_Delete)
    text = answer(qtbot, panel, "Cancel")
    assert text == ("Delete the list “Work”? Its 3 tasks (2 open, 1 done) move to Inbox; no "
                    "task is deleted. Ctrl+Z brings the list back with them.")
    assert [name for name, *_ in stored_lists(work)] == ["Inbox", "Work", "Zeta"]
    assert panel.sidebar.hasFocus() and panel.current_list == "Work"

    qtbot.keyClick(panel.sidebar, Qt.Key.Key_Delete)
    answer(qtbot, panel, "Delete list")
    assert stored_lists(work) == [("Inbox", 2, 1), ("Zeta", 0, 0)]
    assert sorted(t.title for t in work.list_tasks(TaskFilter(list="Inbox", status="all"))) \
        == ["Old memo", "Report", "Slides"]
    assert list_names(panel) == ["Inbox", "Zeta"]
    assert panel.current_list == "Zeta"  # the list in its place, as after deleting a task
    assert panel.sidebar.hasFocus()
    assert panel.status_label.text() == "Deleted the list “Work”; its 3 tasks are in Inbox now."
    assert panel.status_label.undo_button.isVisible()  # Ctrl+Z, or this, brings it back

    qtbot.keyClick(panel.sidebar, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: list_names(panel) == ["Inbox", "Work", "Zeta"])
    assert stored_lists(work) == [("Inbox", 0, 0), ("Work", 2, 1), ("Zeta", 0, 0)]


def test_deleting_an_empty_list_says_so(qtbot, work, make_panel):
    panel = make_panel()
    panel.show_list("Zeta")
    panel.sidebar.delete_action.trigger()  # the context menu's "Delete…"
    assert answer(qtbot, panel, "Delete list") == "Delete the list “Zeta”? It holds no tasks."
    assert [name for name, *_ in stored_lists(work)] == ["Inbox", "Work"]
    assert panel.current_list == "Work"  # the last list: the one before it
    assert panel.status_label.text() == "Deleted the list “Zeta”."


def test_delete_in_the_task_list_still_trashes_tasks_not_the_list(qtbot, work, make_panel):
    panel = make_panel()
    panel.show_list("Work")
    panel.select_task(panel.visible_task_ids()[0])
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert panel.confirm_box is None and work.trash_count() == 1
    assert "Work" in [name for name, *_ in stored_lists(work)]


# -- Inbox -----------------------------------------------------------------------------------

def test_inbox_cannot_be_renamed_or_deleted_and_says_why(qtbot, work, make_panel):
    panel = make_panel()
    panel.show_list("Inbox")
    focus_sidebar(qtbot, panel)
    sidebar = panel.sidebar
    for action in (sidebar.rename_action, sidebar.delete_action):
        assert not action.isEnabled() and action.toolTip() == INBOX_IS_FIXED
    inbox = sidebar.currentItem()
    assert inbox.toolTip() == INBOX_IS_FIXED

    for key in (Qt.Key.Key_F2, Qt.Key.Key_Delete):
        qtbot.keyClick(sidebar, key)
    double_click(qtbot, sidebar, inbox)
    assert sidebar.name_field is None and panel.confirm_box is None
    assert sidebar.context_menu.toolTipsVisible()  # the greyed-out items say why

    panel.show_view("Today")  # views are not lists either
    assert not sidebar.rename_action.isEnabled() and not sidebar.delete_action.isEnabled()
    panel.show_list("Work")
    assert sidebar.rename_action.isEnabled() and sidebar.delete_action.isEnabled()
    assert sidebar.delete_action.toolTip() == "Delete the list “Work”"


def test_the_context_menu_acts_on_the_row_under_the_mouse(qtbot, work, make_panel):
    from PySide6.QtGui import QContextMenuEvent

    panel = make_panel()
    panel.show_list("Work")
    focus_sidebar(qtbot, panel)
    sidebar = panel.sidebar
    menu = sidebar.context_menu

    def row(name: str):
        return next(i for i in sidebar._items() if i.text() == name)

    def right_click(item) -> None:
        place = sidebar.visualItemRect(item).center() if item else sidebar.visualItemRect(
            sidebar.item(3)).center()  # the "Lists" heading
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, place,
                                       sidebar.viewport().mapToGlobal(place))
        sidebar.contextMenuEvent(event)
        qtbot.waitUntil(menu.isVisible)

    def choose(action) -> None:
        """Click the menu's item, as the mouse does: Qt hides the menu, then triggers it."""
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton,
                         pos=menu.actionGeometry(action).center())
        panel.activateWindow()  # a window manager does it as the menu goes; offscreen does not

    right_click(None)  # the heading: New list only
    assert sidebar.new_list_action.isEnabled() and not sidebar.rename_action.isEnabled()
    menu.hide()
    qtbot.waitUntil(sidebar.rename_action.isEnabled)  # back to the current list, Work

    right_click(row("Zeta"))  # not the current list
    assert sidebar.current == ("list", "Work")
    choose(sidebar.rename_action)
    qtbot.waitUntil(lambda: sidebar.name_field is not None)
    assert sidebar.name_field.text == "Zeta"
    type_name(qtbot, panel, "Someday")
    assert [name for name, *_ in stored_lists(work)] == ["Inbox", "Someday", "Work"]

    panel.show_list("Work")
    right_click(row("Someday"))
    choose(sidebar.delete_action)
    assert "Someday" in answer(qtbot, panel, "Delete list")
    assert stored_lists(work) == [("Inbox", 0, 0), ("Work", 2, 1)]  # Work is untouched

    panel.show_list("Work")
    right_click(row("Inbox"))
    assert not sidebar.delete_action.isEnabled()
    assert sidebar.delete_action.toolTip() == INBOX_IS_FIXED
    choose(sidebar.delete_action)  # greyed out: not the current list's Delete either
    menu.hide()
    qtbot.waitUntil(sidebar.delete_action.isEnabled)
    assert panel.confirm_box is None and sidebar.name_field is None
    assert stored_lists(work) == [("Inbox", 0, 0), ("Work", 2, 1)]


# -- keyboard only, accessible names ------------------------------------------------------------

def test_keyboard_only_walk_rename_and_delete(qtbot, work, make_panel):
    panel = make_panel()
    focus_sidebar(qtbot, panel)
    sidebar = panel.sidebar
    walked = []
    for _ in range(5):  # Today → Upcoming, All, Inbox, Work, Zeta: the heading is skipped
        qtbot.keyClick(sidebar, Qt.Key.Key_Down)
        walked.append(sidebar.current[1])
    assert walked == ["Upcoming", "All", "Inbox", "Work", "Zeta"]

    qtbot.keyClick(sidebar, Qt.Key.Key_Up)
    qtbot.keyClick(sidebar, Qt.Key.Key_F2)
    type_name(qtbot, panel, "Office")
    assert sidebar.hasFocus() and sidebar.current == ("list", "Office")
    qtbot.keyClick(sidebar, Qt.Key.Key_Down)  # the arrows go on from the renamed list
    assert sidebar.current == ("list", "Zeta")

    qtbot.keyClick(sidebar, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible())
    assert panel.confirm_box.defaultButton().text() == "Cancel"  # Enter on a reflex is safe
    box = panel.confirm_box
    for _ in range(len(box.buttons())):  # Tab to "Delete list", Space presses it
        if box.focusWidget().text() == "&Delete list":
            break
        qtbot.keyClick(box.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(box.focusWidget(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.confirm_box is None)
    assert [name for name, *_ in stored_lists(work)] == ["Inbox", "Office"]
    qtbot.waitUntil(sidebar.hasFocus)
    assert sidebar.current == ("list", "Office")

    qtbot.keyClick(sidebar, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    type_name(qtbot, panel, "Errands")
    assert sidebar.hasFocus() and sidebar.current == ("list", "Errands")


def test_every_list_control_has_an_accessible_name(qtbot, work, make_panel):
    panel = make_panel()
    sidebar = panel.sidebar
    assert sidebar.accessibleName() == "Task views and lists"
    assert sidebar.heading.label.accessibleName() == "Lists"
    assert sidebar.item(3).data(Qt.ItemDataRole.AccessibleTextRole) == "Lists"
    assert sidebar.heading.add_button.accessibleName() == "New list"
    assert sidebar.heading.add_button.toolTip() == "New list (Ctrl+Shift+L)"
    work_item = next(i for i in sidebar._items() if i.text() == "Work")
    assert work_item.data(Qt.ItemDataRole.AccessibleTextRole) == "Work, 2"
    sidebar.begin_new_list()
    field = sidebar.name_field
    assert field.line.accessibleName() == "List name"
    assert field.problem.accessibleName() == "Problem with the list name"
    for action in sidebar.context_menu.actions():
        assert action.isSeparator() or action.text().replace("&", "")


# -- the heading in every palette ---------------------------------------------------------------

def test_the_lists_heading_is_readable_in_every_scheme(qtbot, qapp, store, make_panel):
    """The heading is in the heading role: the scheme's muted ink, which holds 4.5:1 on the
    sidebar's chrome, and it follows a theme switch while the panel is shown."""
    from PySide6.QtGui import QColor

    from app.ui.theme.apply import apply_theme
    from app.ui.theme.tokens import SCHEMES, contrast

    panel = make_panel()
    palette, font = qapp.palette(), qapp.font()
    try:
        for name in ("light", "dark"):
            scheme = apply_theme(qapp, name)
            assert scheme is SCHEMES[name]
            qtbot.waitUntil(lambda scheme=scheme:
                            drawn_in(panel.sidebar.heading.label) == QColor(scheme.muted))
            assert contrast(scheme.muted, scheme.chrome) >= 4.5
            assert panel.sidebar.heading.label.isEnabled()  # never a greyed-out disabled item
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(palette)
        qapp.setFont(font)


def test_a_long_list_name_is_cut_and_the_plus_stays_in_sight(qtbot, store, make_panel):
    store.add_list("A list with a rather long name for a narrow sidebar", by=BY_CLI)
    panel = make_panel()
    sidebar = panel.sidebar
    button = sidebar.heading.add_button
    shown = sidebar.viewport().rect()
    assert shown.contains(button.geometry().translated(sidebar.heading.pos()))
    assert all(sidebar.visualItemRect(item).right() <= shown.right()
               for item in sidebar._items())
    long_one = sidebar._items()[4]
    assert long_one.toolTip() == "A list with a rather long name for a narrow sidebar"


# -- changes made elsewhere ---------------------------------------------------------------------

def test_lists_changed_by_the_cli_in_another_process_show_up(qtbot, store, make_panel,
                                                             app_home):
    panel = make_panel()
    panel.live.poll_timer.setInterval(50)

    def cli(*args: str) -> None:
        subprocess.run([*CLI, "lists", *args], env=cli_env(app_home), check=True,
                       capture_output=True, timeout=60)

    cli("add", "Garden")
    qtbot.waitUntil(lambda: list_names(panel) == ["Inbox", "Garden"], timeout=5000)
    panel.show_list("Garden")
    cli("rename", "Garden", "Yard")
    qtbot.waitUntil(lambda: list_names(panel) == ["Inbox", "Yard"], timeout=5000)
    cli("rm", "Yard")
    qtbot.waitUntil(lambda: list_names(panel) == ["Inbox"], timeout=5000)
    assert panel.current_list == "Inbox"


def test_a_list_renamed_by_the_agent_while_its_name_is_typed_here(qtbot, work, make_panel):
    panel = make_panel()
    panel.show_list("Zeta")
    panel.sidebar.begin_rename()
    # The agent's tools run on a worker thread: its announcement is queued to the GUI thread.
    worker = threading.Thread(target=lambda: work.add_list("Garden", by=Origin("agent")))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "Garden" in list_names(panel))
    field = panel.sidebar.name_field
    assert field is not None and field.text == "Zeta"  # the field stays on its row
    row = panel.sidebar.visualItemRect(panel.sidebar.currentItem())
    assert field.geometry().top() <= row.center().y() <= field.geometry().bottom()

    worker = threading.Thread(target=lambda: work.rename_list("Zeta", "Later", by=Origin("agent")))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "Later" in list_names(panel))
    assert panel.sidebar.name_field is None  # its list is gone: nothing left to rename
    assert panel.current_list == "Inbox"
