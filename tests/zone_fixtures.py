"""A test in a chosen time zone: DST changes happen on known days there."""

import time

import pytest


@pytest.fixture
def in_zone(monkeypatch):
    """Call in_zone("Europe/Berlin"): the process's local zone until the test ends."""
    def move(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield move
    monkeypatch.undo()
    time.tzset()
