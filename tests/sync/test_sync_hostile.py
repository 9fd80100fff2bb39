"""One odd object on the server never stops a sync: what this app cannot store as it is is stored
safely (a cut title, extra categories in the notes), what it cannot store at all is skipped,
named, and left untouched on the server. Against a real Radicale, with raw PUTs playing a less
careful client on the same account."""

import uuid

import pytest
from sync_fixtures import BY_USER

from app.sync.state import SyncState
from app.tasks.filters import TaskFilter
from app.tasks.history import Origin


def _vtodo(uid: str, *lines: str) -> str:
    body = "\r\n".join(("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Another client//EN",
                        "BEGIN:VTODO", f"UID:{uid}", "DTSTAMP:20260101T000000Z", *lines,
                        "END:VTODO", "END:VCALENDAR"))
    return body + "\r\n"


def _put(calendar, text: str, name: str | None = None) -> str:
    """A raw PUT, as another client would make it; returns the object's URL."""
    url = str(calendar.url).rstrip("/") + f"/{name or uuid.uuid4()}.ics"
    response = calendar.client.put(url, text, {"Content-Type": "text/calendar; charset=utf-8"})
    assert response.status in (201, 204), response.status
    return url


def _server_copy(calendar, url: str) -> str:
    return calendar.client.request(url).raw


def _tasks(store) -> dict:
    return {task.uid: task for task in store.list_tasks(TaskFilter(status="all"))}


def _all(store) -> list:
    return store.list_tasks(TaskFilter(status="all"))


def _fold(line: str) -> str:
    """RFC 5545 3.1: long lines folded at 75 octets (these tests use ASCII only)."""
    parts = [line[:75]] + [line[index:index + 74] for index in range(75, len(line), 74)]
    return "\r\n ".join(parts)


# -- stored safely, and the sync goes on --------------------------------------------------------

def test_a_title_over_the_limit_is_cut_and_kept_whole_in_the_notes(sync_service, store,
                                                                   phone_tasks):
    title = "Plan the trip " + "very " * 120 + "carefully"
    url = _put(phone_tasks, _vtodo("long-title", _fold(f"SUMMARY:{title}"),
                                   "DESCRIPTION:Book early"))
    before = _server_copy(phone_tasks, url)
    pending = store.add("Written here", **BY_USER)

    summary = sync_service.sync_now(store)

    assert summary.line() == "↑ 1 sent, ↓ 1 received"
    task = _tasks(store)["long-title"]
    assert len(task.title) <= 500 and title.startswith(task.title.rstrip("…"))
    assert title in task.notes and "Book early" in task.notes
    assert any("title was cut" in note for note in summary.notes)
    assert _server_copy(phone_tasks, url) == before  # never overwritten by us
    assert sync_service.status(store).pending == 0
    assert store.get(pending.id).title == "Written here"
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"


def test_notes_over_the_limit_are_cut_and_the_server_keeps_them_whole(sync_service, store,
                                                                      phone_tasks):
    url = _put(phone_tasks, _vtodo("long-notes", "SUMMARY:Read the manual",
                                   _fold("DESCRIPTION:" + "x" * 120_000)))
    before = _server_copy(phone_tasks, url)

    summary = sync_service.sync_now(store)

    task = _tasks(store)["long-notes"]
    assert task.title == "Read the manual" and len(task.notes) <= 100_000
    assert any("notes were cut" in note for note in summary.notes)
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"
    assert _server_copy(phone_tasks, url) == before


def test_extra_and_overlong_categories_go_to_the_notes(sync_service, store, phone_tasks):
    many = [f"tag{number:02}" for number in range(25)]
    huge = "c" * 70
    url = _put(phone_tasks, _vtodo("many-tags", "SUMMARY:Tagged", "DESCRIPTION:Mine",
                                   _fold("CATEGORIES:" + ",".join([*many, huge]))))
    before = _server_copy(phone_tasks, url)

    summary = sync_service.sync_now(store)

    task = _tasks(store)["many-tags"]
    assert len(task.tags) == 20 and set(task.tags) <= set(many)
    left_out = [tag for tag in [*many, huge] if tag not in task.tags]
    assert task.notes.startswith("Mine")
    assert all(tag in task.notes for tag in left_out)
    assert any("categories" in note for note in summary.notes)
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"
    assert _server_copy(phone_tasks, url) == before

    store.update(task.id, title="Tagged and edited", **BY_USER)  # an edit here sends the title
    assert sync_service.sync_now(store).line() == "↑ 1 sent, ↓ 0 received"
    component = phone_tasks.get_todo_by_uid("many-tags").icalendar_component
    assert str(component["summary"]) == "Tagged and edited"
    assert str(component["description"]) == "Mine"  # their categories are still theirs
    assert len(component.categories) == 26


def test_a_repeat_rule_the_store_refuses_leaves_the_task_without_it(sync_service, store,
                                                                    phone_tasks):
    url = _put(phone_tasks, _vtodo("no-due-rule", "SUMMARY:Stretch", "RRULE:FREQ=DAILY"))
    before = _server_copy(phone_tasks, url)

    summary = sync_service.sync_now(store)

    assert summary.line() == "↑ 0 sent, ↓ 1 received"
    assert _tasks(store)["no-due-rule"].repeat is None
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"
    assert _server_copy(phone_tasks, url) == before


# -- skipped, named, and left on the server ------------------------------------------------------

@pytest.mark.parametrize("lines", [
    ("SUMMARY:Priority in words", "PRIORITY:high"),
    ("SUMMARY:Priority out of range", "PRIORITY:99999999999999999999999"),
], ids=["words", "range"])
def test_an_object_that_cannot_be_read_is_skipped_named_and_left_alone(sync_service, store,
                                                                       phone_tasks, lines):
    url = _put(phone_tasks, _vtodo("unreadable", *lines), name="odd-one")
    before = _server_copy(phone_tasks, url)
    _put(phone_tasks, _vtodo("fine", "SUMMARY:Fine"))
    pending = store.add("Written here", **BY_USER)

    summary = sync_service.sync_now(store)

    assert summary.line() == "↑ 1 sent, ↓ 1 received, 1 skipped"
    assert any("odd-one.ics" in note and "left as it is on the server" in note
               for note in summary.notes), summary.notes
    assert "unreadable" not in _tasks(store) and "fine" in _tasks(store)
    assert sync_service.status(store).pending == 0
    again = sync_service.sync_now(store)  # still named, still untouched
    assert again.line() == "↑ 0 sent, ↓ 0 received, 1 skipped"
    assert _server_copy(phone_tasks, url) == before
    assert store.get(pending.id).title == "Written here"


def test_an_object_over_a_megabyte_is_skipped_without_being_parsed(sync_service, store,
                                                                   phone_tasks):
    url = _put(phone_tasks, _vtodo("huge", "SUMMARY:Huge",
                                   *(_fold(f"X-FILLER-{n}:" + "y" * 4000) for n in range(300))),
               name="huge")
    before = _server_copy(phone_tasks, url)

    summary = sync_service.sync_now(store)

    assert summary.line() == "↑ 0 sent, ↓ 0 received, 1 skipped"
    assert any("huge.ics" in note and "1 MB" in note for note in summary.notes), summary.notes
    assert _all(store) == []
    assert _server_copy(phone_tasks, url) == before


def test_a_related_to_cycle_from_the_server_stores_no_cycle(sync_service, store, phone_tasks):
    _put(phone_tasks, _vtodo("a", "SUMMARY:A", "RELATED-TO;RELTYPE=PARENT:b"))
    _put(phone_tasks, _vtodo("b", "SUMMARY:B", "RELATED-TO;RELTYPE=PARENT:a"))
    _put(phone_tasks, _vtodo("self", "SUMMARY:Self", "RELATED-TO;RELTYPE=PARENT:self"))
    pending = store.add("Written here", **BY_USER)

    summary = sync_service.sync_now(store)

    assert summary.sent == 1 and summary.received == 3
    tasks = _tasks(store)
    parents = {task.id: task.parent_id for task in tasks.values()}
    for task in tasks.values():  # every chain of parents ends
        seen, current = set(), task.id
        while current is not None:
            assert current not in seen
            seen.add(current)
            current = parents[current]
    assert tasks["self"].parent_id is None
    assert store.get(pending.id).title == "Written here"
    assert len(store.list_tasks(TaskFilter(status="all"))) == 4  # every task is listed


# -- calendar and list names -------------------------------------------------------------------

def test_calendar_names_with_bidi_characters_or_too_long_become_clean_lists(
        sync_service, store, radicale, phone_tasks):
    principal = radicale.phone().principal()
    principal.make_calendar(name="\u202eShop\u2066ping\u2069",
                            supported_calendar_component_set=["VTODO"])
    principal.make_calendar(name="Long " * 40, supported_calendar_component_set=["VTODO"])

    sync_service.sync_now(store)

    names = [each.name for each in store.lists()]
    assert "Shopping" in names, names
    assert ("Long " * 40)[:100].strip() in names, names
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"
    assert [each.name for each in store.lists()] == names


def test_a_list_named_with_a_control_character_still_syncs(sync_service, store, radicale,
                                                           phone_tasks):
    store.add_list("Wo\x1brk", by=Origin("cli"))
    name = store.lists()[-1].name
    store.add("In the odd list", list=name, **BY_USER)

    summary = sync_service.sync_now(store)

    assert summary.sent == 1
    assert "Work" in radicale.phone_calendars()
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"


# -- failed runs ---------------------------------------------------------------------------------

def test_a_failed_run_is_what_status_shows(sync_service, store, phone_tasks, memory_keyring):
    assert sync_service.status(store).last_run.ok
    sync_service.keys.clear()

    with pytest.raises(Exception) as failed:
        sync_service.sync_now(store)

    last = sync_service.status(store).last_run
    assert not last.ok and last.summary == str(failed.value)
    assert "password" in last.summary


# -- duplicate UIDs ------------------------------------------------------------------------------

def test_the_same_uid_in_two_calendars_stays_two_tasks_and_is_said(sync_service, store,
                                                                   radicale, phone_tasks):
    work = radicale.phone().principal().make_calendar(
        name="Work", supported_calendar_component_set=["VTODO"])
    home_url = _put(phone_tasks, _vtodo("twice", "SUMMARY:In Inbox"))
    work_url = _put(work, _vtodo("twice", "SUMMARY:In Work"))
    copies = _server_copy(phone_tasks, home_url), _server_copy(work, work_url)

    summary = sync_service.sync_now(store)

    titles = {task.title: task.list for task in _all(store)}
    assert titles == {"In Inbox": "Inbox", "In Work": "Work"}
    assert any("twice" in note and "two tasks" in note for note in summary.notes), summary.notes
    for _ in range(2):
        assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"
    assert {task.title: task.list for task in _all(store)} == titles
    assert (_server_copy(phone_tasks, home_url), _server_copy(work, work_url)) == copies

    with SyncState(sync_service.state_path) as state:
        assert sorted(item.href for item in state.items()) == sorted([home_url, work_url])


# -- the run's time ------------------------------------------------------------------------------

def test_a_run_past_its_time_stops_keeps_what_it_did_and_the_next_goes_on(
        sync_service, store, phone_tasks, monkeypatch):
    """A server trickling objects cannot hold the sync lock for ever."""
    from app.sync import engine

    for number in range(3):
        _put(phone_tasks, _vtodo(f"slow-{number}", f"SUMMARY:From the phone {number}"))
    store.add("Written here", **BY_USER)
    limit = engine.RUN_SECONDS
    monkeypatch.setattr(engine, "RUN_SECONDS", -1)

    with pytest.raises(Exception) as stopped:
        sync_service.sync_now(store)

    assert "stopped after" in str(stopped.value)
    last = sync_service.status(store).last_run
    assert not last.ok and last.summary == str(stopped.value)
    monkeypatch.setattr(engine, "RUN_SECONDS", limit)
    assert sync_service.sync_now(store).line() == "↑ 1 sent, ↓ 3 received"
    assert sorted(task.title for task in _all(store)) == [
        "From the phone 0", "From the phone 1", "From the phone 2", "Written here"]
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"
