"""The window's side of sync: Settings → Sync, background runs, the quiet status line."""

import asyncio
import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from caldav.elements import dav
from caldav_server import PASSWORD, USER
from PySide6.QtCore import Qt
from sync_fixtures import BY_USER
from test_ui_settings import RecordingRunner

from app.config.keystore import SERVICE, SYNC_PASSWORD
from app.sync.service import SyncService
from app.sync.state import SyncState
from app.ui.background_sync import BackgroundSync
from app.ui.live_updates import LiveUpdates


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
    from app.config.keystore import KeyStore
    from app.config.settings import Settings
    from app.ui.settings.settings_dialog import SettingsDialog

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
    from app.ui.tasks.task_panel import TaskPanel

    panel = TaskPanel(store, background._live)
    qtbot.addWidget(panel)
    panel.show_view("All")
    background.start()
    qtbot.waitUntil(lambda: background.status.state == "ok", timeout=20_000)
    radicale.phone_calendars()["Inbox"].add_todo(summary="From the phone")
    asyncio.ensure_future(background.sync_now())
    qtbot.waitUntil(lambda: len(panel.visible_task_ids()) == 1, timeout=20_000)
    assert store.get(panel.visible_task_ids()[0]).title == "From the phone"


def test_ctrl_z_undoes_the_users_own_change_not_the_sync_after_it(qtbot, sync_service, store,
                                                                   phone_tasks, make_panel):
    from app.tasks import TaskFilter

    task = store.add("Water plants", **BY_USER)
    store.complete(task.id, **BY_USER)
    phone_tasks.add_todo(summary="From the phone")
    sync_service.sync_now(store)  # as the background sync does, after the user's change
    panel = make_panel()
    panel.show_view("All")
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)

    qtbot.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.get(task.id).status == "open"
    assert panel.status_label.text().startswith(
        "Undid your change in the window: “Water plants” is open again")
    assert "From the phone" in [each.title for each in store.list_tasks(TaskFilter())]


def test_the_status_line_shows_a_resolved_conflict(qtbot, background):
    from app.sync.background import SyncStatus
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


class _RecordingServer:
    """Another host on this machine: it asks for Basic auth and records every Authorization
    header it is sent, so a test can see which password reached it."""

    def __init__(self) -> None:
        self.authorizations: list[str] = []
        recorded = self.authorizations

        class Handler(BaseHTTPRequestHandler):
            def _challenge(self) -> None:
                recorded.append(self.headers.get("Authorization") or "")
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="other"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_PROPFIND = do_OPTIONS = do_REPORT = _challenge

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dav/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def passwords(self) -> list[str]:
        return [base64.b64decode(header.split(" ", 1)[1]).decode().split(":", 1)[1]
                for header in self.authorizations if header.startswith("Basic ")]

    def __enter__(self) -> "_RecordingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("button", ["test_button", "connect_button"])
def test_the_saved_password_never_goes_to_another_address(qtbot, page, background,
                                                           sync_service, store, button):
    page.refresh()
    qtbot.waitUntil(lambda: "Saved in the system keyring" in page.password_field.placeholderText())
    with _RecordingServer() as other:
        page.url_field.setText(other.url)  # another address, the password left blank
        qtbot.mouseClick(getattr(page, button), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.message.text() not in ("", "Testing…", "Connecting…"),
                        timeout=20_000)  # the attempt ended
        assert PASSWORD not in other.passwords()
        assert other.authorizations == []  # not even asked
        assert page.message.text() == "Type the password for this account."

        # another user on the saved address is refused the same way
        page.refresh()
        qtbot.waitUntil(lambda: page.url_field.text() == sync_service.account().url)
        page.user_field.setText("bob")
        page.message.clear()
        qtbot.mouseClick(getattr(page, button), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.message.text() == "Type the password for this account.",
                        timeout=20_000)
    assert sync_service.account().username == USER  # the saved account is as it was


def test_the_saved_password_still_tests_the_saved_account(qtbot, page, background,
                                                          sync_service, radicale):
    page.refresh()
    qtbot.waitUntil(lambda: page.url_field.text() == radicale.url)
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.text() == f"Connected to 127.0.0.1 as {USER}.",
                    timeout=20_000)


def test_a_successful_test_keeps_the_password_so_connect_needs_no_retyping(
        qtbot, page, background, radicale, memory_keyring):
    _fill(qtbot, page, radicale.url, PASSWORD)
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.text() == f"Connected to 127.0.0.1 as {USER}.",
                    timeout=20_000)
    qtbot.waitUntil(page.connect_button.isEnabled)
    assert page.password_field.text() == PASSWORD  # Test saved nothing: what was typed stays
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.text().startswith("Connected. Task calendars"),
                    timeout=20_000)
    assert memory_keyring.passwords[(SERVICE, SYNC_PASSWORD.username)] == PASSWORD


def test_test_with_blank_fields_asks_for_the_first_missing_one(qtbot, page, background,
                                                              memory_keyring):
    expected = [("", "", "Give the CalDAV server's address, like https://cloud.example.com."),
                ("https://cloud.example.com", "", "Give the account's user name."),
                ("https://cloud.example.com", USER, "Type the password for this account.")]
    for url, user, sentence in expected:
        page.url_field.setText(url)
        page.user_field.setText(user)
        page.message.clear()
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda sentence=sentence: page.message.text() == sentence,
                        timeout=20_000)
    assert memory_keyring.passwords == {}


def test_a_sync_a_terminal_holds_leaves_the_last_status_not_syncing(qtbot, background,
                                                                   sync_service, store,
                                                                   app_home):
    """`sync now` in a terminal holds the sync: the window's run steps aside and its status
    line goes back to what it said, instead of "Syncing…" until the next run."""
    from app.sync.lock import SyncLock

    background.start()
    qtbot.waitUntil(lambda: background.status.state == "ok", timeout=20_000)
    said = background.status
    with SyncLock(app_home / "sync.lock"):  # as the terminal's run holds it
        done = asyncio.ensure_future(background.sync_now())
        qtbot.waitUntil(done.done, timeout=20_000)
    assert background.status == said


def test_a_damaged_sync_file_is_a_status_not_a_crash(qtbot, background, app_home):
    (app_home / "sync.sqlite3").write_bytes(b"this is no database" * 100)
    done = asyncio.ensure_future(background.sync_now())
    qtbot.waitUntil(done.done, timeout=20_000)
    assert background.status.state == "error"
    assert "sync.sqlite3" in background.status.detail
