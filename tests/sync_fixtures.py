"""Fixtures for the sync tests: a real Radicale, the app's account on it, and the phone."""

import pytest
from caldav_server import PASSWORD, USER, Radicale

from app.tasks.history import Origin

BY_USER = {"by": Origin("window")}  # a change made by hand in the window


@pytest.fixture
def radicale(tmp_path):
    with Radicale(tmp_path) as server:
        yield server


@pytest.fixture
def sync_service(radicale, app_home, memory_keyring):
    """The app's account on the server, its password in the (test) keyring."""
    from app.sync.service import SyncService

    service = SyncService(app_home)
    service.add(radicale.url, USER, PASSWORD)
    return service


@pytest.fixture
def phone_tasks(radicale, sync_service, store):
    """The phone's view of the Tasks calendar, once the first sync has made it."""
    sync_service.sync_now(store)
    return radicale.phone_calendars()["Inbox"]
