"""The three-way merge and what counts as a pending change, as plain functions (no server)."""

from app.sync.merge import changed, merge, pending
from app.sync.state import Item
from app.sync.vtodo import NAMES

BASE: dict[str, object] = {
    "title": "Buy gift", "notes": "", "due": "2026-12-20", "priority": "none", "status": "open",
    "tags": [], "repeat": "", "parent": "", "remind_at": None}


def test_different_fields_changed_on_each_side_both_survive():
    local = {**BASE, "title": "Buy gift for Sam"}
    remote = {**BASE, "due": "2026-12-22"}
    merged = merge(BASE, local, remote, NAMES, local_is_newer=False)
    assert merged.fields["title"] == "Buy gift for Sam" and merged.fields["due"] == "2026-12-22"
    assert merged.conflicts == []


def test_one_field_changed_on_both_sides_keeps_the_newer_and_reports_the_other():
    local = {**BASE, "title": "Buy gift for Sam"}
    remote = {**BASE, "title": "Buy gift for Alex"}
    server_newer = merge(BASE, local, remote, NAMES, local_is_newer=False)
    assert server_newer.fields["title"] == "Buy gift for Alex"
    [conflict] = server_newer.conflicts
    assert (conflict.field, conflict.kept, conflict.lost, conflict.winner) == \
        ("title", "Buy gift for Alex", "Buy gift for Sam", "server")
    here_newer = merge(BASE, local, remote, NAMES, local_is_newer=True)
    assert here_newer.fields["title"] == "Buy gift for Sam"
    assert here_newer.conflicts[0].winner == "local"


def test_the_same_change_on_both_sides_is_no_conflict():
    done = {**BASE, "status": "done"}
    assert merge(BASE, done, dict(done), NAMES, local_is_newer=True) == (done, [])


def test_without_a_base_every_difference_is_a_conflict_and_equal_fields_are_not():
    local = {**BASE, "title": "Here"}
    remote = {**BASE, "title": "There", "notes": ""}
    merged = merge(None, local, remote, NAMES, local_is_newer=False)
    assert [conflict.field for conflict in merged.conflicts] == ["title"]
    assert merged.fields["title"] == "There"


def test_fields_outside_the_names_are_local_and_untouched():
    local = {**BASE, "completed_at": "2026-12-01T10:00:00+00:00", "list": "Errands"}
    remote = {**BASE, "completed_at": "2026-12-02T10:00:00+00:00"}
    merged = merge(BASE, local, remote, NAMES, local_is_newer=False)
    assert merged.fields["completed_at"] == "2026-12-01T10:00:00+00:00"
    assert merged.fields["list"] == "Errands"


def test_changed_names_the_fields_that_differ_or_all_without_an_old_version():
    assert changed(BASE, {**BASE, "tags": ["home"], "priority": "high"}, NAMES) == \
        ["priority", "tags"]
    assert changed(None, BASE, NAMES) == list(NAMES)


def _item(etag="etag-1", base=BASE) -> Item:
    return Item(7, "https://dav/tasks/", "https://dav/tasks/7.ics", "uid-7", etag, None, base)


def test_a_change_is_pending_until_the_server_has_the_task_as_it_is_here():
    assert not pending(_item(), dict(BASE), NAMES)
    assert pending(_item(), {**BASE, "notes": "wrap it"}, NAMES)
    assert pending(None, BASE, NAMES)  # never synced
    assert pending(_item(etag=None), BASE, NAMES)  # uploaded, never acknowledged
    assert pending(_item(), None, NAMES)  # deleted here: the server still has it
