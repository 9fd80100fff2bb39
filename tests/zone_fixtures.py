"""A test in a chosen time zone: DST changes happen on known days there."""

import time

import pytest
import tzlocal


@pytest.fixture
def in_zone(monkeypatch):
    """Call in_zone("Europe/Berlin"): the process's local zone until the test ends."""
    def move(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        tzlocal.reload_localzone()  # it caches the zone it first saw, as a process would

    yield move
    monkeypatch.undo()
    time.tzset()
    tzlocal.reload_localzone()  # or the next test would see this one's zone as its own
