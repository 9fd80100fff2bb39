"""The window's side of sync: Settings → Sync, background runs, the quiet status line."""

import asyncio

import pytest
from caldav.elements import dav
from PySide6.QtCore import Qt

from app.config.keystore import SERVICE, SYNC_PASSWORD
from app.sync.state import SyncState
from app.sync.service import SyncService
from app.ui.background_sync import BackgroundSync
from app.ui.live_updates import LiveUpdates
from caldav_server import PASSWORD, USER
from sync_fixtures import BY_USER
from test_ui_settings import RecordingRunner


@pytest.fixture
def background(qtbot, qloop, store, app_home):
    runner = RecordingRunner()
    live = LiveUpdates(store)
    sync = BackgroundSync(SyncService(app_home), store, live, runner)
    yield sync
    sync.stop()
    live.stop()
    done = asyncio.ensure_future(runner.stop(timeout=20))
    qtbot.waitUntil(done.done, timeout=25_000)
    assert runner.failures() == []


@pytest.fixture
def page(qtbot, background):
    from app.config.settings import Settings
    from app.config.keystore import KeyStore
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), KeyStore(), background._runner, sync=background)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.pages.setCurrentWidget(dialog.sync_page)
    yield dialog.sync_page
    dialog.close()


def _fill(qtbot, page, url: str, password: str) -> None:
    page.url_field.setText(url)
    page.user_field.setText(USER)
    qtbot.keyClicks(page.password_field, password)


def test_connecting_saves_the_account_and_syncs(qtbot, page, background, radicale, store,
                                                memory_keyring):
    store.add("Already here", **BY_USER)
    _fill(qtbot, page, radicale.url, PASSWORD)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: background.status.state == "ok", timeout=20_000)
    assert page.message.text().startswith("Connected.")
    assert page.password_field.text() == ""
    assert memory_keyring.passwords[(SERVICE, SYNC_PASSWORD.username)] == PASSWORD
    qtbot.waitUntil(lambda: "Saved in the system keyring" in page.password_field.placeholderText())
    assert page.status_label.text().count("↑ 1 sent, ↓ 0 received") == 1  # said once
    phone = radicale.phone_calendars()["Inbox"].get_todos()
    assert [str(todo.icalendar_component["summary"]) for todo in phone] == ["Already here"]
    assert PASSWORD not in page.message.text() + page.status_label.text()


def test_a_wrong_password_is_one_sentence_and_nothing_is_saved(qtbot, page, background,
                                                                 radicale):
    _fill(qtbot, page, radicale.url, "not the password")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "refused" in page.message.text(), timeout=20_000)
    assert page.message.text() == ("127.0.0.1 refused the user name or password: check them "
                                   "(Nextcloud and Fastmail want an app password).")
    assert background.service.account() is None


def test_a_local_change_is_synced_soon_after_and_offline_is_a_quiet_state(
        qtbot, background, sync_service, store, radicale):
    background.after_change.setInterval(50)  # ten seconds in the app
    background.start()
    qtbot.waitUntil(lambda: background.status.state == "ok", timeout=20_000)

    store.add("Made in the window", **BY_USER)
    calendar = radicale.phone_calendars()["Inbox"]
    qtbot.waitUntil(lambda: len(calendar.get_todos()) == 1, timeout=20_000)

    radicale.stop()
    store.add("Made offline", **BY_USER)
    qtbot.waitUntil(lambda: background.status.state == "offline", timeout=20_000)
    assert background.status.text.startswith("Offline since")
    radicale.start()
    asyncio.ensure_future(background.sync_now())  # the five-minute timer's run
    qtbot.waitUntil(lambda: background.status.state == "ok", timeout=20_000)
    assert len(radicale.phone_calendars()["Inbox"].get_todos()) == 2


def test_the_phones_change_reaches_the_task_panel(qtbot, background, sync_service, store,
                                                  radicale):
    from app.ui.task_panel import TaskPanel

    panel = TaskPanel(store, background._live)
    qtbot.addWidget(panel)
    panel.show_view("All")
    background.start()
    qtbot.waitUntil(lambda: background.status.state == "ok", timeout=20_000)
    radicale.phone_calendars()["Inbox"].add_todo(summary="From the phone")
    asyncio.ensure_future(background.sync_now())
    qtbot.waitUntil(lambda: len(panel.visible_task_ids()) == 1, timeout=20_000)
    assert store.get(panel.visible_task_ids()[0]).title == "From the phone"


def test_the_status_line_shows_a_resolved_conflict(qtbot, background):
    from app.ui.background_sync import SyncStatus
    from app.ui.sync_status import SyncStatusLabel

    label = SyncStatusLabel(background)
    qtbot.addWidget(label)
    assert label.isHidden()  # no account: nothing to say
    background.status_changed.emit(SyncStatus(
        "ok", "Synced 14:05 · ↑ 0 sent, ↓ 1 received, 1 conflict merged",
        "Conflict on 'Buy gift': both sides changed the title; kept the server's newer "
        "'Buy gift for Alex' and replaced 'Buy gift for Sam'."))
    assert label.text() == "✓ Synced 14:05 · ↑ 0 sent, ↓ 1 received, 1 conflict merged"
    assert "kept the server's newer 'Buy gift for Alex'" in label.toolTip()
    assert label.font().bold()


def test_a_password_from_the_environment_is_said_to_come_from_there(
        qtbot, page, background, radicale, store, memory_keyring, monkeypatch):
    monkeypatch.setenv(SYNC_PASSWORD.env_var, PASSWORD)
    page.refresh()
    qtbot.waitUntil(lambda: page.password_field.placeholderText() ==
                    "From TASK_ASSISTANT_SYNC_PASSWORD")
    assert not page.password_field.isEnabled()  # the variable wins over anything typed

    page.url_field.setText(radicale.url)
    page.user_field.setText(USER)
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: background.status.state == "ok", timeout=20_000)

    assert page.message.text().startswith("Connected.")
    assert page.password_field.placeholderText() == "From TASK_ASSISTANT_SYNC_PASSWORD"
    assert "Saved" not in page.password_field.placeholderText()
    assert memory_keyring.passwords == {}  # never copied into the keyring
    assert PASSWORD not in page.message.text() + page.status_label.text() + \
        page.password_field.toolTip()


def test_what_a_sync_did_to_calendars_is_on_the_page_once(qtbot, page, background,
                                                           sync_service, store, radicale,
                                                           phone_tasks):
    store.add_list("Groceries", **BY_USER)
    store.add("Apples", list="Groceries", **BY_USER)
    sync_service.sync_now(store)
    with SyncState(sync_service.state_path) as state:
        url = next(pair.url for pair in state.calendars() if pair.list_key == "Groceries")
    calendar = next(each for each in radicale.phone().principal().calendars()
                    if str(each.url) == url)
    calendar.set_properties([dav.DisplayName("Shopping")])

    asyncio.ensure_future(background.sync_now())
    note = "List 'Groceries' renamed 'Shopping', as its calendar was renamed on the server."
    qtbot.waitUntil(lambda: note in page.status_label.text(), timeout=20_000)
    assert page.status_label.text().count(note) == 1
    assert page.status_label.text().startswith("Synced ")
    assert [each.name for each in store.lists()] == ["Inbox", "Shopping"]
