"""Settings → Routines and the running app's routine timer: real widgets under pytest-qt, the
real store, the real scheduler (its run is the test's: the agent's runs are tested in
test_routine_runs.py)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PySide6.QtCore import Qt
from test_ui_tray import clock, shell_fixture, with_tray_fixture  # noqa: F401 (fixtures)

from app.routines.scheduler import RoutineScheduler
from app.routines.store import RoutineStore
from app.routines.unattended import RunOutcome
from app.ui.routine_timer import MAX_WAIT_MS, RoutineTimer
from app.ui.settings.routines_page import RoutinesPage
from app.ui.task_runner import TaskRunner

BERLIN = ZoneInfo("Europe/Berlin")
SUNDAY_NOON = datetime(2026, 12, 6, 12, 0, tzinfo=BERLIN)


@pytest.fixture
def routines(app_home, in_zone):
    in_zone("Europe/Berlin")
    return RoutineStore(app_home / "tasks.sqlite3")


@pytest.fixture
def page(qtbot, routines):
    with time_machine.travel(SUNDAY_NOON, tick=False):
        shown = RoutinesPage(routines)
        qtbot.addWidget(shown)
        shown.show()
        yield shown


def cells(page, row: int) -> list[str]:
    return [page.table.item(row, column).text() for column in range(1, 4)]


def test_the_built_in_routines_are_offered_off(page):
    assert [cells(page, row) for row in range(page.table.rowCount())] == [
        ["Plan my day", "every weekday at 08:00", "off"],
        ["Weekly review", "every Fri at 17:00", "off"]]
    assert page.table.item(0, 0).checkState() == Qt.CheckState.Unchecked


def test_turning_one_on_stores_it_and_shows_its_next_run(page, routines):
    page.table.item(0, 0).setCheckState(Qt.CheckState.Checked)

    assert routines.get("Plan my day").enabled
    assert cells(page, page.row_of("Plan my day"))[2] == "Mon 7 Dec 08:00"


def test_adding_a_routine_from_the_form(qtbot, page, routines):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    page.name_edit.setText("Inbox zero")
    page.when_edit.setText("every day at 18:30")
    page.prompt_edit.setPlainText("What came into the Inbox today?")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert page.form.isHidden() and page.message.isHidden()
    assert cells(page, page.row_of("Inbox zero")) == ["Inbox zero", "every day at 18:30",
                                                      "Sun 6 Dec 18:30"]
    assert routines.get("inbox zero").prompt == "What came into the Inbox today?"


@pytest.mark.parametrize("name, when, sentence", [
    ("Late", "every day at 24:30", "24:30 is not a time of day; use 0:00 to 23:59"),
    ("Plan my day", "every day at 9:00", "There is already a routine called 'Plan my day'"),
])
def test_a_mistake_in_the_form_is_one_sentence_and_nothing_is_written(qtbot, page, routines,
                                                                      name, when, sentence):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    page.name_edit.setText(name)
    page.when_edit.setText(when)
    page.prompt_edit.setPlainText("Anything?")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert page.message.isVisible() and page.message.text().startswith(sentence)
    assert page.form.isVisible()  # the fields stay, to be fixed
    assert routines.stored() == []


def test_editing_and_run_now(qtbot, page, routines):
    page.table.selectRow(page.row_of("Weekly review"))
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert page.when_edit.text() == "every Fri at 17:00" and page.name_edit.isReadOnly()
    page.when_edit.setText("every friday at 16:00")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert routines.get("Weekly review").rule == "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0"

    page.table.selectRow(page.row_of("Weekly review"))
    with qtbot.waitSignal(page.run_requested) as asked:
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert asked.args == ["Weekly review"]


def test_the_timer_is_armed_for_the_next_run_and_runs_a_missed_one_at_start(
        qtbot, qloop, routines):
    with time_machine.travel(SUNDAY_NOON - timedelta(days=3), tick=False):
        routines.add("Noon", "every day at 11:00", "Anything?")
    ran = []

    async def run(routine, when, conversation_id):
        ran.append((routine.name, when))
        return RunOutcome(routine.name, "c1", f"{routine.name} · Sun 6 Dec", answer="Hi")

    runner = TaskRunner()
    with time_machine.travel(SUNDAY_NOON, tick=False):
        timer = RoutineTimer(RoutineScheduler(routines, run), runner)
        with qtbot.waitSignal(timer.ran) as told:
            timer.start()
        qtbot.waitUntil(lambda: timer.timer.isActive())

    assert ran == [("Noon", datetime(2026, 12, 6, 11, 0, tzinfo=BERLIN))]  # once, not 4 times
    assert told.args[0].first_lines() == "Hi"
    assert timer.timer.isSingleShot()
    assert timer.timer.interval() == MAX_WAIT_MS + 50  # 23 h away: looked at again sooner
    timer.stop()


def test_the_network_is_watched_only_once_a_run_waits_to_be_tried_again(qtbot, qloop,
                                                                          routines):
    """The reachability backend (GIO and a Qt plugin, ~2.5 MB) loads only when it has a
    failed run to report on."""
    with time_machine.travel(SUNDAY_NOON - timedelta(days=3), tick=False):
        routines.add("Noon", "every day at 11:00", "Anything?")

    async def offline(routine, when, conversation_id):
        return RunOutcome(routine.name, "c1", "Noon · Sun 6 Dec", failure="Offline.",
                          retry_later=True)

    with time_machine.travel(SUNDAY_NOON, tick=False):
        timer = RoutineTimer(RoutineScheduler(routines, offline), TaskRunner())
        timer.rearm()
        assert not timer._watching  # nothing has failed: nothing to wait for
        with qtbot.waitSignal(timer.ran):
            timer.start()
        qtbot.waitUntil(lambda: timer.timer.isActive())

    assert timer.scheduler.has_retries
    assert timer._watching
    timer.stop()


# -- in the running app ----------------------------------------------------------------------


def test_the_built_in_routines_are_offered_once_at_first_run(shell):
    from app.ui.shell import ROUTINES_OFFER

    assert shell.window.statusBar().currentMessage() == ROUTINES_OFFER
    shell.window.statusBar().clearMessage()
    shell._offer_routines()  # the next start
    assert shell.window.statusBar().currentMessage() == ""


def test_a_run_is_a_notification_whose_click_opens_its_conversation(shell, with_tray, workspace):
    conversation = workspace.conversations.create("Plan my day · Mon 7 Dec")
    shell.tray.show()

    shell.routines.ran.emit(RunOutcome("Plan my day", conversation.id, conversation.title,
                                       answer="Two tasks are overdue.\nStart with the passport."
                                              "\nThen the rest."))
    shell.tray.icon.messageClicked.emit()

    assert shell.tray.last_notification == ("Plan my day · Mon 7 Dec",
                                            "Two tasks are overdue.\nStart with the passport.")
    assert shell.window.chat.conversation_id == conversation.id and shell.window.isVisible()


def test_without_a_tray_the_status_line_says_it(shell, workspace):
    shell.routines.ran.emit(RunOutcome("Weekly review", "c1", "Weekly review · Fri 11 Dec",
                                       failure="Could not reach the model."))

    assert shell.window.statusBar().currentMessage() == \
        "Weekly review · Fri 11 Dec: Could not reach the model."
