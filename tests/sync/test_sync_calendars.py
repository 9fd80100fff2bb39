"""Lists ↔ calendars through renames and deletions made on either side, against a real Radicale,
with the caldav library playing another device on the same account."""

import sqlite3

from caldav.elements import dav
from sync_fixtures import BY_USER

from app.sync.state import SyncState
from app.tasks.filters import TaskFilter
from app.tasks.history import Origin


def _calendars(radicale) -> dict:
    """The account's calendars as the other device sees them: display name by URL."""
    return {str(calendar.url): calendar.get_display_name()
            for calendar in radicale.phone().principal().calendars()}


def _calendar_named(radicale, name: str):
    found = [calendar for calendar in radicale.phone().principal().calendars()
             if calendar.get_display_name() == name]
    assert len(found) == 1, [each.get_display_name() for each in found]
    return found[0]


def _titles(calendar) -> list[str]:
    return sorted(str(todo.icalendar_component["summary"])
                  for todo in calendar.get_todos(include_completed=True))


def _items(sync_service) -> dict:
    with SyncState(sync_service.state_path) as state:
        return {item.task_id: (item.calendar_url, item.href, item.etag) for item in state.items()}


def _lists(store) -> list[str]:
    return [each.name for each in store.lists()]


def _quiet(sync_service, store) -> None:
    summary = sync_service.sync_now(store)
    assert (summary.line(), summary.notes) == ("↑ 0 sent, ↓ 0 received", ())


def _groceries(sync_service, store, phone_tasks):
    """A list "Groceries" with two tasks, synced to its own calendar."""
    store.add_list("Groceries", by=Origin("cli"))
    tasks = [store.add(title, list="Groceries", **BY_USER) for title in ("Apples", "Bread")]
    sync_service.sync_now(store)
    return tasks


# -- renames ------------------------------------------------------------------------------------

def test_a_list_renamed_here_renames_its_calendar_and_uploads_nothing(
        sync_service, store, radicale, phone_tasks):
    tasks = _groceries(sync_service, store, phone_tasks)
    calendars, items = _calendars(radicale), _items(sync_service)

    store.rename_list("Groceries", "Shopping", by=Origin("cli"))
    summary = sync_service.sync_now(store)

    assert summary.line() == "↑ 0 sent, ↓ 0 received"
    assert summary.notes == ("Renamed calendar 'Groceries' to 'Shopping' on the server, as its "
                             "list was renamed here.",)
    renamed = {url: "Shopping" if name == "Groceries" else name for url, name in calendars.items()}
    assert _calendars(radicale) == renamed  # the same calendar, no second one
    assert _items(sync_service) == items  # every task's object as it was: nothing re-uploaded
    assert _titles(_calendar_named(radicale, "Shopping")) == ["Apples", "Bread"]
    assert [store.get(task.id).list for task in tasks] == ["Shopping", "Shopping"]
    pairs = sorted((pair.list_key, pair.name) for pair in sync_service.status(store).calendars)
    assert pairs == [("Inbox", "Inbox"), ("Shopping", "Shopping")]
    assert sync_service.status(store).pending == 0
    _quiet(sync_service, store)

    # a task added to the renamed list goes to the same calendar
    store.add("Cheese", list="Shopping", **BY_USER)
    assert sync_service.sync_now(store).line() == "↑ 1 sent, ↓ 0 received"
    assert _titles(_calendar_named(radicale, "Shopping")) == ["Apples", "Bread", "Cheese"]


def test_a_calendar_renamed_on_another_device_renames_its_list(sync_service, store, radicale,
                                                               phone_tasks):
    tasks = _groceries(sync_service, store, phone_tasks)
    calendars, items = _calendars(radicale), _items(sync_service)

    _calendar_named(radicale, "Groceries").set_properties([dav.DisplayName("Shopping")])
    summary = sync_service.sync_now(store)

    assert summary.line() == "↑ 0 sent, ↓ 0 received"
    assert summary.notes == ("List 'Groceries' renamed 'Shopping', as its calendar was renamed "
                             "on the server.",)
    assert _lists(store) == ["Inbox", "Shopping"]
    assert [store.get(task.id).list for task in tasks] == ["Shopping", "Shopping"]
    assert sorted(_calendars(radicale).values()) == ["Inbox", "Shopping"]
    assert set(_calendars(radicale)) == set(calendars)
    assert _items(sync_service) == items
    _quiet(sync_service, store)


def test_a_calendar_renamed_to_the_name_of_another_list_keeps_both_names(
        sync_service, store, radicale, phone_tasks):
    tasks = _groceries(sync_service, store, phone_tasks)
    store.add_list("Errands", by=Origin("cli"))
    sync_service.sync_now(store)

    _calendar_named(radicale, "Groceries").set_properties([dav.DisplayName("Errands")])
    summary = sync_service.sync_now(store)

    assert summary.notes == ("Calendar 'Groceries' was renamed 'Errands' on the server, but a "
                             "list 'Errands' is here already: list 'Groceries' keeps its name.",)
    assert _lists(store) == ["Inbox", "Errands", "Groceries"]
    assert [store.get(task.id).list for task in tasks] == ["Groceries", "Groceries"]
    assert sorted(_calendars(radicale).values()) == ["Errands", "Errands", "Inbox"]
    _quiet(sync_service, store)  # said once, not at every sync

    # the pairing stays: a task added to Groceries reaches the renamed calendar
    added = store.add("Cheese", list="Groceries", **BY_USER)
    sync_service.sync_now(store)
    url = _items(sync_service)[added.id][0]
    assert _items(sync_service)[tasks[0].id][0] == url
    assert _calendars(radicale)[url] == "Errands"


def test_a_list_renamed_on_both_sides_keeps_this_sides_name(sync_service, store, radicale,
                                                            phone_tasks):
    _groceries(sync_service, store, phone_tasks)
    _calendar_named(radicale, "Groceries").set_properties([dav.DisplayName("Food")])
    store.rename_list("Groceries", "Shopping", by=Origin("cli"))

    summary = sync_service.sync_now(store)

    assert summary.notes == ("List 'Groceries' was renamed 'Shopping' here and 'Food' on the "
                             "server: kept 'Shopping' on both.",)
    assert _lists(store) == ["Inbox", "Shopping"]
    assert sorted(_calendars(radicale).values()) == ["Inbox", "Shopping"]
    _quiet(sync_service, store)


def test_a_pair_made_before_list_ids_were_kept_still_follows_a_rename(
        sync_service, store, radicale, phone_tasks):
    _groceries(sync_service, store, phone_tasks)
    with sqlite3.connect(sync_service.state_path) as conn:  # as an older version left it
        conn.execute("UPDATE calendars SET list_id = NULL")
    _quiet(sync_service, store)  # learns each list's id from its name

    store.rename_list("Groceries", "Shopping", by=Origin("cli"))
    sync_service.sync_now(store)
    assert sorted(_calendars(radicale).values()) == ["Inbox", "Shopping"]


# -- a calendar deleted on another device -------------------------------------------------------

def test_a_calendar_deleted_on_another_device_sends_its_tasks_to_the_trash(
        sync_service, store, radicale, phone_tasks):
    store.add_list("Work", by=Origin("cli"))
    report = store.add("Write report", list="Work", **BY_USER)
    store.add("Outline", parent_id=report.id, **BY_USER)
    slides = store.add("Slides", list="Work", **BY_USER)
    sync_service.sync_now(store)
    added = store.add("Book room", list="Work", **BY_USER)  # never synced
    late_subtask = store.add("Proofread", parent_id=report.id, **BY_USER)  # never synced
    store.update(slides.id, notes="Ten at most", **BY_USER)  # changed since the last sync

    _calendar_named(radicale, "Work").delete()
    summary = sync_service.sync_now(store)

    assert summary.notes == ("Calendar 'Work' was deleted on the server: its 2 tasks are in the "
                             "trash; 3 tasks added or changed here since the last sync are kept "
                             "in Inbox.",)
    assert sorted(_calendars(radicale).values()) == ["Inbox"]  # not made again
    assert _lists(store) == ["Inbox"]
    assert sorted(each.task.title for each in store.trash()) == ["Outline", "Write report"]
    kept = {task.title: task for task in store.list_tasks(TaskFilter(status="all"))}
    assert sorted(kept) == ["Book room", "Proofread", "Slides"]
    assert {task.list for task in kept.values()} == {"Inbox"}
    assert kept["Proofread"].parent_id is None  # its parent is in the trash
    assert kept["Slides"].notes == "Ten at most"
    assert _titles(phone_tasks) == ["Book room", "Proofread", "Slides"]  # synced from Inbox now
    trashed = store.history(report.id)[0]
    assert (trashed.action, trashed.origin.kind) == ("deleted", "sync")
    _quiet(sync_service, store)

    # one undo brings the list and its tasks back as they were; the next sync gives the list a
    # calendar again, since the user asked for it
    store.undo(by=Origin("window"))
    assert _lists(store) == ["Inbox", "Work"]
    back = {task.title: task for task in store.list_tasks(TaskFilter(status="all"))}
    assert {task.list for task in back.values()} == {"Work"}
    assert back["Proofread"].parent_id == report.id and back["Outline"].parent_id == report.id
    assert store.get(added.id).list == "Work" and store.get(late_subtask.id).list == "Work"
    sync_service.sync_now(store)
    assert _titles(_calendar_named(radicale, "Work")) == sorted(back)
    assert _titles(phone_tasks) == []
    _quiet(sync_service, store)


def test_a_deleted_empty_calendar_removes_its_list(sync_service, store, radicale, phone_tasks):
    store.add_list("Someday", by=Origin("cli"))
    sync_service.sync_now(store)
    _calendar_named(radicale, "Someday").delete()

    summary = sync_service.sync_now(store)

    assert summary.notes == ("Calendar 'Someday' was deleted on the server: it had no synced "
                             "tasks.",)
    assert _lists(store) == ["Inbox"]
    assert sorted(_calendars(radicale).values()) == ["Inbox"]


def test_a_deleted_inbox_calendar_trashes_its_synced_tasks_and_inbox_gets_a_new_one(
        sync_service, store, radicale, phone_tasks):
    # another calendar stays: not every calendar vanished at once
    store.add_list("Someday", by=Origin("cli"))
    store.add("Synced", **BY_USER)
    sync_service.sync_now(store)
    store.add("Not synced yet", **BY_USER)
    phone_tasks.delete()

    summary = sync_service.sync_now(store)

    assert summary.notes == ("Calendar 'Inbox' was deleted on the server: its 1 task is in the "
                             "trash; 1 task added or changed here since the last sync is kept in "
                             "Inbox; Inbox gets a new calendar.",)
    assert [each.task.title for each in store.trash()] == ["Synced"]
    assert _titles(_calendar_named(radicale, "Inbox")) == ["Not synced yet"]
    _quiet(sync_service, store)


# -- a calendar missing from the server's listing -----------------------------------------------

def _store_calendar_url(sync_service, old: str, new: str) -> None:
    """The pair's URL as another form of the same address would have left it."""
    with sqlite3.connect(sync_service.state_path) as conn:
        conn.execute("UPDATE calendars SET url = ? WHERE url = ?", (new, old))
        conn.execute("UPDATE items SET calendar_url = ?, href = replace(href, ?, ?) "
                     "WHERE calendar_url = ?", (new, old, new, old))


def _pair_url(sync_service, list_name: str) -> str:
    with SyncState(sync_service.state_path) as state:
        return next(pair.url for pair in state.calendars() if pair.list_key == list_name)


def test_a_calendar_listed_under_another_form_of_its_url_is_the_same_calendar(
        sync_service, store, radicale, phone_tasks):
    tasks = _groceries(sync_service, store, phone_tasks)
    url = _pair_url(sync_service, "Groceries")
    # as if listed with the path percent-encoded, and through a proxy that adds a "/"
    other_form = url.replace("-", "%2D").replace("/alice/", "//alice/")
    _store_calendar_url(sync_service, url, other_form)

    summary = sync_service.sync_now(store)

    assert summary.notes == ()
    assert store.trash() == []
    assert [store.get(task.id).list for task in tasks] == ["Groceries", "Groceries"]
    assert sorted(_calendars(radicale).values()) == ["Groceries", "Inbox"]  # no second one
    store.add("Cheese", list="Groceries", **BY_USER)
    assert sync_service.sync_now(store).line() == "↑ 1 sent, ↓ 0 received"
    assert _titles(_calendar_named(radicale, "Groceries")) == ["Apples", "Bread", "Cheese"]


def test_when_every_calendar_vanishes_at_once_nothing_goes_to_the_trash(
        sync_service, store, radicale, phone_tasks):
    tasks = _groceries(sync_service, store, phone_tasks)
    inbox_task = store.add("Call mum", **BY_USER)
    sync_service.sync_now(store)
    for calendar in radicale.phone().principal().calendars():
        calendar.delete()

    summary = sync_service.sync_now(store)

    assert summary.notes == ("None of the 2 calendars synced with this app are on the server "
                             "any more, so nothing was moved to the trash: if the server was "
                             "replaced or its calendars deleted on purpose, remove the sync "
                             "account and add it again to upload your lists anew.",)
    assert store.trash() == []
    assert _lists(store) == ["Inbox", "Groceries"]
    assert {store.get(task.id).list for task in tasks} == {"Groceries"}
    assert store.get(inbox_task.id).list == "Inbox"
    assert _calendars(radicale) == {}  # nothing made again behind the user's back
    assert [step.action for step in store.history(inbox_task.id)] == ["added"]


# -- a calendar new on the server meeting a list of (nearly) its name ---------------------------

def test_a_new_calendar_pairs_with_the_list_of_its_name_whatever_its_ascii_case(
        radicale, app_home, memory_keyring, store):
    from caldav_server import PASSWORD, USER

    from app.sync.service import SyncService

    store.add_list("work", by=Origin("cli"))
    report = store.add("Write report", list="work", **BY_USER)
    store.add_list("büro", by=Origin("cli"))
    principal = radicale.phone().principal()
    principal.make_calendar(name="Work", supported_calendar_component_set=["VTODO"]).add_todo(
        summary="Budget")
    principal.make_calendar(name="BÜRO", supported_calendar_component_set=["VTODO"]).add_todo(
        summary="Stamps")
    service = SyncService(app_home)
    service.add(radicale.url, USER, PASSWORD)

    summary = service.sync_now(store)

    assert summary.notes == ()
    # "Work" is "work", as the store has it; "BÜRO" is not "büro" to the store, so it is a list
    # of its own rather than one the import would make behind the pairing's back
    assert _lists(store) == ["Inbox", "BÜRO", "büro", "work"]
    assert store.get(report.id).list == "work"
    assert [change.action for change in store.history(report.id)] == ["added"]  # never "moved"
    assert {task.title: task.list for task in store.list_tasks(TaskFilter(status="all"))} == {
        "Write report": "work", "Budget": "work", "Stamps": "BÜRO"}
    assert _titles(_calendar_named(radicale, "Work")) == ["Budget", "Write report"]
    assert _titles(_calendar_named(radicale, "BÜRO")) == ["Stamps"]
    assert _titles(_calendar_named(radicale, "büro")) == []
    _quiet(service, store)


def test_a_task_added_meanwhile_to_a_list_being_removed_goes_to_inbox(
        sync_service, store, radicale, phone_tasks, monkeypatch):
    from app.tasks import TaskStore

    store.add_list("Someday", by=Origin("cli"))
    store.add("Learn Welsh", list="Someday", **BY_USER)
    store.add_list("Keep", by=Origin("cli"))  # so that not every calendar vanishes
    sync_service.sync_now(store)
    _calendar_named(radicale, "Someday").delete()
    remove_list = store.remove_list

    def another_process_adds_first(name, **kwargs):
        with TaskStore(store.path) as other:  # the CLI, say, between sync's read and its removal
            other.add("Learn Gaelic", list=name, **BY_USER)
        return remove_list(name, **kwargs)

    monkeypatch.setattr(store, "remove_list", another_process_adds_first)
    summary = sync_service.sync_now(store)

    assert summary.notes == ("Calendar 'Someday' was deleted on the server: its 1 task is in the "
                             "trash.",)
    assert _lists(store) == ["Inbox", "Keep"]
    assert [each.task.title for each in store.trash()] == ["Learn Welsh"]
    assert {task.title: task.list for task in store.list_tasks(TaskFilter(status="all"))} == {
        "Learn Gaelic": "Inbox"}
