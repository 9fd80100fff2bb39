"""How pairing reads calendar names and addresses, as plain functions (no server)."""

from app.sync.pairing import _clean, _path_of
from app.tasks.validate import MAX_LIST_NAME


def test_a_calendar_name_from_another_client_becomes_a_safe_one_line_list_name():
    assert _clean("  Work\u202e\n  stuff\x07 ") == "Work stuff"
    assert len(_clean("x" * 500)) == MAX_LIST_NAME
    assert _clean("\u200f\u202a") == ""  # nothing left: the caller picks a name
    assert _clean(None) == ""


def test_one_calendar_reached_by_other_spellings_of_its_address_is_the_same_calendar():
    ours = _path_of("https://dav.example/cal/ana%40example.org/tasks/")
    assert ours == _path_of("http://127.0.0.1:5232/cal/ana@example.org//tasks")
    assert ours == "/cal/ana@example.org/tasks"
    assert ours != _path_of("https://dav.example/cal/ana%40example.org/tasks-2/")
