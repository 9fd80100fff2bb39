"""Two-way sync against a real Radicale, with the caldav library playing the user's phone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from caldav_server import PASSWORD, USER
from sync_fixtures import BY_USER

from app.common import clock
from app.sync.connection import SyncError
from app.sync.service import SyncService
from app.tasks.history import Origin


def _day(offset: int) -> date:
    return clock.today() + timedelta(days=offset)


def _only(calendar):
    todos = calendar.get_todos(include_completed=True)
    assert len(todos) == 1, [todo.icalendar_component.get("summary") for todo in todos]
    return todos[0]


def _phone_edit(calendar, change) -> None:
    """The phone loads the task, changes its component and saves it (If-Match, as DAVx5 does)."""
    todo = _only(calendar)
    change(todo.icalendar_component)
    todo.save(increase_seqno=False)


def _by_title(store):
    return {task.title: task for task in store.list_tasks(_all())}


def _all():
    from app.tasks.filters import TaskFilter

    return TaskFilter(status="all")


# -- both directions, every field --------------------------------------------------------------

def test_a_local_task_reaches_the_phone_with_every_field(sync_service, store, phone_tasks):
    due = _day(3)
    store.add("Renew passport", notes="Bring the old one\nand photos", due=due.isoformat(),
              priority="high", tags=["errands", "papers"], **BY_USER)
    meeting = datetime.combine(_day(5), datetime.min.time()).replace(hour=17, tzinfo=UTC)
    done = store.add("Book dentist", due=meeting.isoformat(), priority="low", **BY_USER)
    store.complete(done.id, **BY_USER)

    assert sync_service.sync_now(store).line() == "↑ 2 sent, ↓ 0 received"

    todos = {str(todo.icalendar_component["summary"]): todo.icalendar_component
             for todo in phone_tasks.get_todos(include_completed=True)}
    passport = todos["Renew passport"]
    assert passport["description"] == "Bring the old one\nand photos"
    assert passport["due"].dt == due and not isinstance(passport["due"].dt, datetime)
    assert "VALUE=DATE" in passport.to_ical().decode()
    assert int(passport["priority"]) == 1
    assert sorted(passport.categories) == ["errands", "papers"]
    assert str(passport["status"]) == "NEEDS-ACTION"
    dentist = todos["Book dentist"]
    assert dentist["due"].dt == meeting
    assert int(dentist["priority"]) == 9
    assert str(dentist["status"]) == "COMPLETED" and "completed" in dentist
    assert int(dentist["percent-complete"]) == 100


def test_a_phone_task_arrives_with_every_field(sync_service, store, phone_tasks):
    berlin = datetime.combine(_day(2), datetime.min.time()).replace(hour=9,
                                                                    tzinfo=ZoneInfo("Europe/Berlin"))
    phone_tasks.add_todo(summary="Call the plumber", description="About the sink",
                         due=berlin, priority=5, categories=["home", "calls"])
    phone_tasks.add_todo(summary="Old chore", due=_day(-1), status="COMPLETED",
                         completed=clock.now().astimezone(UTC))

    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 2 received"

    tasks = _by_title(store)
    plumber = tasks["Call the plumber"]
    assert plumber.notes == "About the sink"
    assert datetime.fromisoformat(plumber.due) == berlin
    assert plumber.priority == "medium"
    assert sorted(plumber.tags) == ["calls", "home"]
    assert plumber.status == "open"
    chore = tasks["Old chore"]
    assert chore.due == _day(-1).isoformat() and chore.status == "done"


@pytest.mark.parametrize(("number", "priority"), [(1, "high"), (4, "high"), (5, "medium"),
                                                   (6, "low"), (9, "low"), (0, "none")])
def test_priorities_read_as_rfc_5545_ranks_them(sync_service, store, phone_tasks,
                                                 number, priority):
    phone_tasks.add_todo(summary="Ranked", priority=number)
    sync_service.sync_now(store)
    assert _by_title(store)["Ranked"].priority == priority


def test_edits_travel_both_ways_and_a_second_sync_is_quiet(sync_service, store, phone_tasks):
    task = store.add("Water plants", due=_day(1).isoformat(), **BY_USER)
    sync_service.sync_now(store)

    store.update(task.id, title="Water the plants", tags=["home"], **BY_USER)
    assert sync_service.sync_now(store).line() == "↑ 1 sent, ↓ 0 received"
    component = _only(phone_tasks).icalendar_component
    assert str(component["summary"]) == "Water the plants"
    assert component.categories == ["home"]

    _phone_edit(phone_tasks, lambda todo: todo.update({"summary": "Water the ferns"}))
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 1 received"
    assert store.get(task.id).title == "Water the ferns"
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"


def test_completing_and_reopening_travel_both_ways(sync_service, store, phone_tasks):
    task = store.add("Pay rent", **BY_USER)
    sync_service.sync_now(store)
    store.complete(task.id, **BY_USER)
    sync_service.sync_now(store)
    assert str(_only(phone_tasks).icalendar_component["status"]) == "COMPLETED"

    todo = _only(phone_tasks)
    todo.uncomplete()
    sync_service.sync_now(store)
    assert store.get(task.id).status == "open"


# -- what the app does not own survives --------------------------------------------------------

def test_other_clients_properties_survive_a_local_edit(sync_service, store, phone_tasks):
    parent = phone_tasks.add_todo(summary="Move house")
    child = phone_tasks.add_todo(summary="Pack books", due=_day(4),
                                 rrule={"FREQ": "WEEKLY", "BYDAY": ["MO"]})
    component = child.icalendar_component
    component.add("x-tasks-org-color", "#ff0000")
    component.add("related-to", str(parent.icalendar_component["uid"]),
                  parameters={"RELTYPE": "PARENT"})
    component.add("location", "Basement")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Phone's own alarm")
    alarm.add("trigger", timedelta(minutes=-15))
    component.add_component(alarm)
    child.save(increase_seqno=False)
    sync_service.sync_now(store)

    task = _by_title(store)["Pack books"]
    store.update(task.id, title="Pack all books", priority="high", **BY_USER)
    sync_service.sync_now(store)

    after = [todo for todo in phone_tasks.get_todos(include_completed=True)
             if str(todo.icalendar_component["uid"]) == str(component["uid"])][0]
    kept = after.icalendar_component
    assert str(kept["summary"]) == "Pack all books" and int(kept["priority"]) == 1
    assert str(kept["x-tasks-org-color"]) == "#ff0000"
    assert str(kept["location"]) == "Basement"
    assert str(kept["related-to"]) == str(parent.icalendar_component["uid"])
    assert kept["related-to"].params["RELTYPE"] == "PARENT"
    assert kept["rrule"].to_ical().decode() == "FREQ=WEEKLY;BYDAY=MO"
    assert kept["due"].dt == _day(4)
    assert [str(each["description"]) for each in kept.walk("VALARM")] == ["Phone's own alarm"]


def test_a_due_time_keeps_the_servers_time_zone(sync_service, store, phone_tasks):
    zone = ZoneInfo("America/New_York")
    phone_tasks.add_todo(summary="Standup",
                         due=datetime.combine(_day(2), datetime.min.time()).replace(
                             hour=9, tzinfo=zone))
    sync_service.sync_now(store)
    task = _by_title(store)["Standup"]
    later = datetime.combine(_day(3), datetime.min.time()).replace(hour=10, tzinfo=zone)
    store.update(task.id, due=later.astimezone(UTC).isoformat(), **BY_USER)
    sync_service.sync_now(store)
    due = _only(phone_tasks).icalendar_component["due"]
    assert due.params["TZID"] == "America/New_York" and due.dt == later


def test_completing_a_repeating_task_moves_its_day_and_keeps_it_a_day(sync_service, store,
                                                                        phone_tasks):
    first = _day(-2)
    phone_tasks.add_todo(summary="Take out bins", due=first, rrule={"FREQ": "DAILY",
                                                                   "INTERVAL": 7})
    sync_service.sync_now(store)
    task = _by_title(store)["Take out bins"]
    store.complete(task.id, **BY_USER)
    sync_service.sync_now(store)

    expected = first + timedelta(days=7)
    component = _only(phone_tasks).icalendar_component
    assert component["due"].dt == expected and not isinstance(component["due"].dt, datetime)
    assert str(component["status"]) == "NEEDS-ACTION" and "completed" not in component
    assert component["rrule"].to_ical().decode() == "FREQ=DAILY;INTERVAL=7"
    local = store.get(task.id)
    assert local.status == "open" and local.due == expected.isoformat()


# -- merges and conflicts ----------------------------------------------------------------------

def test_different_fields_changed_on_each_side_both_survive(sync_service, store, phone_tasks):
    task = store.add("Plan trip", due=_day(10).isoformat(), **BY_USER)
    sync_service.sync_now(store)
    store.update(task.id, title="Plan the trip to Lisbon", **BY_USER)
    _phone_edit(phone_tasks, lambda todo: (todo.pop("due"), todo.add("due", _day(12))))

    summary = sync_service.sync_now(store)

    assert summary.conflicts == 0
    assert store.get(task.id).title == "Plan the trip to Lisbon"
    assert store.get(task.id).due == _day(12).isoformat()
    component = _only(phone_tasks).icalendar_component
    assert str(component["summary"]) == "Plan the trip to Lisbon"
    assert component["due"].dt == _day(12)


def test_the_same_field_changed_on_both_sides_keeps_the_newer_and_reports_it(
        sync_service, store, phone_tasks):
    task = store.add("Buy gift", **BY_USER)
    sync_service.sync_now(store)
    store.update(task.id, title="Buy gift for Sam", **BY_USER)

    def later_title(todo):  # the phone's edit comes five minutes after this one
        todo["summary"] = "Buy gift for Alex"
        todo.pop("last-modified", None)
        todo.add("last-modified", clock.now().astimezone(UTC) + timedelta(minutes=5))

    _phone_edit(phone_tasks, later_title)

    summary = sync_service.sync_now(store)

    assert summary.line() == "↑ 0 sent, ↓ 1 received, 1 conflict merged"
    assert store.get(task.id).title == "Buy gift for Alex"
    conflict = sync_service.status(store).conflicts[0]
    assert (conflict.field, conflict.kept, conflict.lost, conflict.winner) == \
        ("title", "Buy gift for Alex", "Buy gift for Sam", "server")
    assert str(_only(phone_tasks).icalendar_component["summary"]) == "Buy gift for Alex"


def test_a_412_race_is_fetched_merged_and_retried(sync_service, store, phone_tasks,
                                                  monkeypatch):
    """The phone saves between this sync's fetch and its upload: the server answers 412."""
    from app.sync import engine

    task = store.add("Fix bike", **BY_USER)
    sync_service.sync_now(store)
    store.update(task.id, notes="Rear brake", **BY_USER)
    pull = engine.Sync._pull

    def pull_then_phone_saves(self, pair, calendar):
        pull(self, pair, calendar)
        _phone_edit(phone_tasks, lambda todo: todo.add("priority", 1))

    monkeypatch.setattr(engine.Sync, "_pull", pull_then_phone_saves)
    sync_service.sync_now(store)
    monkeypatch.setattr(engine.Sync, "_pull", pull)

    component = _only(phone_tasks).icalendar_component
    assert str(component["description"]) == "Rear brake" and int(component["priority"]) == 1
    assert store.get(task.id).priority == "high"
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"


# -- deletions, with tombstones ----------------------------------------------------------------

def test_deletions_travel_both_ways(sync_service, store, phone_tasks):
    mine = store.add("Delete me here", **BY_USER)
    store.add("Delete me on the phone", **BY_USER)
    sync_service.sync_now(store)

    store.delete(mine.id, **BY_USER)
    for todo in phone_tasks.get_todos(include_completed=True):
        if str(todo.icalendar_component["summary"]) == "Delete me on the phone":
            todo.delete()
    summary = sync_service.sync_now(store)

    assert (summary.sent, summary.received) == (1, 1)
    assert store.count() == 0
    assert phone_tasks.get_todos(include_completed=True) == []


def test_a_task_deleted_on_the_phone_but_edited_here_is_kept(sync_service, store, phone_tasks):
    task = store.add("Keep me", **BY_USER)
    sync_service.sync_now(store)
    _only(phone_tasks).delete()
    store.update(task.id, notes="edited meanwhile", **BY_USER)

    sync_service.sync_now(store)

    assert store.get(task.id).notes == "edited meanwhile"
    assert str(_only(phone_tasks).icalendar_component["description"]) == "edited meanwhile"


def test_a_task_deleted_here_but_edited_on_the_phone_comes_back(sync_service, store,
                                                                 phone_tasks):
    task = store.add("Bring me back", **BY_USER)
    sync_service.sync_now(store)
    store.delete(task.id, **BY_USER)
    _phone_edit(phone_tasks, lambda todo: todo.update({"summary": "Bring me back, edited"}))

    sync_service.sync_now(store)

    assert [each.title for each in store.list_tasks(_all())] == ["Bring me back, edited"]
    assert len(phone_tasks.get_todos(include_completed=True)) == 1


# -- first sync, no duplicates -----------------------------------------------------------------

def test_a_first_sync_of_an_existing_store_with_an_existing_server_merges(radicale, store,
                                                                          app_home):
    calendar = radicale.phone().principal().make_calendar(
        name="Tasks", supported_calendar_component_set=["VTODO"])
    calendar.add_todo(summary="Buy milk", due=_day(1))
    calendar.add_todo(summary="Only on the phone")
    store.add("Buy milk", due=_day(1).isoformat(), **BY_USER)
    store.add("Only here", **BY_USER)
    service = SyncService(app_home)
    service.add(radicale.url, USER, PASSWORD)

    service.sync_now(store)
    service.sync_now(store)

    titles = sorted(task.title for task in store.list_tasks(_all()))
    assert titles == ["Buy milk", "Only here", "Only on the phone"]
    assert sorted(str(todo.icalendar_component["summary"])
                  for todo in calendar.get_todos(include_completed=True)) == titles


def test_a_first_sync_links_each_same_task_once_and_keeps_true_twins_apart(radicale, store,
                                                                           app_home):
    """Pairing by title and due, indexed once per run: each local task links to at most one
    server object, and one with a different due or title is a task of its own."""
    calendar = radicale.phone().principal().make_calendar(
        name="Tasks", supported_calendar_component_set=["VTODO"])
    for summary, due in [("Twin", _day(1)), ("Twin", _day(1)), ("Twin", _day(2)),
                         ("Solo", None)]:
        calendar.add_todo(summary=summary, **({"due": due} if due else {}))
    for title, due in [("Twin", _day(1)), ("Twin", _day(1)), ("Twin", _day(3)), ("Solo", None)]:
        store.add(title, due=due.isoformat() if due else None, **BY_USER)
    service = SyncService(app_home)
    service.add(radicale.url, USER, PASSWORD)

    # 3 linked and 1 new arrive; the local one with its own due goes up
    assert service.sync_now(store).line() == "↑ 1 sent, ↓ 4 received"

    def pairs(tasks):
        return sorted((title, due) for title, due in tasks)

    expected = pairs([("Twin", _day(1).isoformat())] * 2 + [("Twin", _day(2).isoformat()),
                                                            ("Twin", _day(3).isoformat()),
                                                            ("Solo", None)])
    assert pairs((task.title, task.due) for task in store.list_tasks(_all())) == expected
    on_phone = [todo.icalendar_component for todo in calendar.get_todos(include_completed=True)]
    assert pairs((str(each["summary"]), each["due"].dt.isoformat() if "due" in each else None)
                 for each in on_phone) == expected
    assert service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"


def test_every_task_calendar_is_synced_and_events_are_left_alone(sync_service, store, radicale):
    principal = radicale.phone().principal()
    work = principal.make_calendar(name="Work", supported_calendar_component_set=["VTODO"])
    work.add_todo(summary="Write report")
    events = principal.make_calendar(name="Events", supported_calendar_component_set=["VEVENT"])
    events.add_event(summary="Dinner", dtstart=datetime.combine(_day(1), datetime.min.time()),
                     dtend=datetime.combine(_day(1), datetime.min.time()) + timedelta(hours=2))

    sync_service.sync_now(store)

    assert [(task.title, task.list) for task in store.list_tasks(_all())] == \
        [("Write report", "Work")]
    pairs = sorted((pair.list_key, pair.name) for pair in sync_service.status(store).calendars)
    assert pairs == [("Inbox", "Inbox"), ("Work", "Work")]


# -- failures are states, said in one sentence -------------------------------------------------

def test_a_wrong_password_is_refused_in_one_sentence_and_nothing_is_saved(radicale, app_home):
    service = SyncService(app_home)
    with pytest.raises(SyncError) as refused:
        service.add(radicale.url, USER, "wrong password")
    assert refused.value.kind == "refused"
    assert "refused the user name or password" in str(refused.value)
    assert "wrong password" not in str(refused.value)
    assert service.account() is None


def test_the_server_down_and_back(sync_service, store, radicale, phone_tasks):
    radicale.stop()
    task = store.add("Written offline", **BY_USER)
    with pytest.raises(SyncError) as offline:
        sync_service.sync_now(store)
    assert offline.value.kind == "offline"
    assert str(offline.value) == ("Can't reach 127.0.0.1: it may be offline, "
                                  "or the address is wrong.")
    assert sync_service.status(store).pending == 1
    assert not sync_service.status(store).last_run.ok

    radicale.start()
    assert sync_service.sync_now(store).sent == 1
    assert str(_only(radicale.phone_calendars()["Inbox"]).icalendar_component["summary"]) == \
        task.title
    assert sync_service.status(store).pending == 0


def test_a_no_change_sync_makes_a_constant_number_of_requests(sync_service, store, phone_tasks):
    for number in range(30):
        store.add(f"Task {number}", **BY_USER)
    sync_service.sync_now(store)
    sync_service.sync_now(store)
    quiet = sync_service.sync_now(store)
    for number in range(30, 60):
        store.add(f"Task {number}", **BY_USER)
    sync_service.sync_now(store)
    sync_service.sync_now(store)
    assert sync_service.sync_now(store).requests == quiet.requests <= 4


# -- lists, subtasks, repeat rules and reminders (issue 14's fields) ---------------------------

def test_each_list_gets_a_calendar_and_a_move_between_lists_moves_calendars(
        sync_service, store, radicale, phone_tasks):
    store.add_list("Groceries", **BY_USER)
    task = store.add("Buy apples", list="Groceries", **BY_USER)
    sync_service.sync_now(store)
    calendars = radicale.phone_calendars()
    assert [str(todo.icalendar_component["summary"])
            for todo in calendars["Groceries"].get_todos()] == ["Buy apples"]

    store.update(task.id, list="Inbox", **BY_USER)
    sync_service.sync_now(store)
    calendars = radicale.phone_calendars()
    assert calendars["Groceries"].get_todos() == []
    assert [str(todo.icalendar_component["summary"])
            for todo in calendars["Inbox"].get_todos()] == ["Buy apples"]
    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 0 received"


def test_subtasks_travel_both_ways(sync_service, store, phone_tasks):
    parent = store.add("Move house", **BY_USER)
    store.add("Pack books", parent_id=parent.id, **BY_USER)
    sync_service.sync_now(store)
    todos = {str(todo.icalendar_component["summary"]): todo.icalendar_component
             for todo in phone_tasks.get_todos()}
    assert str(todos["Pack books"]["related-to"]) == str(todos["Move house"]["uid"])

    # the phone makes a subtask (listed before its parent's arrival is no problem)
    child = phone_tasks.add_todo(summary="Label boxes")
    child.icalendar_component.add("related-to", str(todos["Move house"]["uid"]),
                                  parameters={"RELTYPE": "PARENT"})
    child.save(increase_seqno=False)
    sync_service.sync_now(store)
    labels = _by_title(store)["Label boxes"]
    assert labels.parent_id == parent.id


def test_a_subtask_whose_parent_comes_later_keeps_its_link_through_an_edit_here(
        sync_service, store, phone_tasks):
    """A task made here from the server's copy has nothing of its own to merge: the link the
    store cannot take yet (its parent is not here) is neither lost nor uploaded as removed,
    whatever the phone's clock says (an old LAST-MODIFIED made the fresh copy look newer)."""
    parent_uid = "move-house@phone"
    child = phone_tasks.add_todo(summary="Pack books")
    component = child.icalendar_component
    component.add("related-to", parent_uid, parameters={"RELTYPE": "PARENT"})
    component.add("last-modified", clock.now() - timedelta(hours=1))
    child.save(increase_seqno=False)
    sync_service.sync_now(store)
    task = _by_title(store)["Pack books"]
    store.update(task.id, title="Pack all books", **BY_USER)
    sync_service.sync_now(store)
    kept = _only(phone_tasks).icalendar_component
    assert str(kept["summary"]) == "Pack all books"
    assert str(kept["related-to"]) == parent_uid  # the phone's link is still there

    phone_tasks.add_todo(summary="Move house", uid=parent_uid)  # the parent arrives
    sync_service.sync_now(store)
    assert store.get(task.id).parent_id == _by_title(store)["Move house"].id


def test_restoring_an_older_backup_deletes_nothing_on_the_server(sync_service, store,
                                                                 phone_tasks):
    """Tasks synced after the backup are not "deleted here": the restored file has no trace of
    them. They come back from the server instead of being deleted on every device."""
    from app.tasks import backups

    store.add("Before the backup", **BY_USER)
    sync_service.sync_now(store)
    backups.take(store.path)
    store.add("After the backup", **BY_USER)
    sync_service.sync_now(store)
    backups.restore(store.path)
    sync_service.sync_now(store)
    on_phone = sorted(str(todo.icalendar_component["summary"])
                      for todo in phone_tasks.get_todos(include_completed=True))
    assert on_phone == ["After the backup", "Before the backup"]
    assert sorted(_by_title(store)) == ["After the backup", "Before the backup"]
    sync_service.sync_now(store)  # and it stays one task on each side
    assert len(phone_tasks.get_todos(include_completed=True)) == len(_by_title(store)) == 2


def test_a_parent_with_a_folded_long_uid_is_adopted_when_it_arrives(sync_service, store,
                                                                     phone_tasks):
    parent_uid = "move-house-" + "x" * 90 + "@phone.example.com"  # folded past 75 octets
    child = phone_tasks.add_todo(summary="Pack books")
    child.icalendar_component.add("related-to", parent_uid, parameters={"RELTYPE": "PARENT"})
    child.save(increase_seqno=False)
    assert "\n " in child.data.replace("\r\n", "\n")  # the server keeps it folded
    sync_service.sync_now(store)

    phone_tasks.add_todo(summary="Move house", uid=parent_uid)
    sync_service.sync_now(store)

    tasks = _by_title(store)
    assert tasks["Pack books"].parent_id == tasks["Move house"].id


def test_a_parent_chosen_here_is_not_replaced_by_one_arriving_later(sync_service, store,
                                                                    phone_tasks):
    parent_uid = "move-house@phone"
    child = phone_tasks.add_todo(summary="Pack books")
    child.icalendar_component.add("related-to", parent_uid, parameters={"RELTYPE": "PARENT"})
    child.save(increase_seqno=False)
    chosen = store.add("Clear the shelves", **BY_USER)
    sync_service.sync_now(store)
    task = _by_title(store)["Pack books"]
    store.update(task.id, parent_id=chosen.id, **BY_USER)  # the user's choice, not synced yet

    phone_tasks.add_todo(summary="Move house", uid=parent_uid)  # the phone's parent arrives
    sync_service.sync_now(store)

    assert store.get(task.id).parent_id == chosen.id
    uploaded = next(todo.icalendar_component for todo in phone_tasks.get_todos()
                    if str(todo.icalendar_component["summary"]) == "Pack books")
    assert str(uploaded["related-to"]) == store.get(chosen.id).uid


def test_a_repeat_rule_and_a_reminder_travel_both_ways(sync_service, store, phone_tasks):
    remind = datetime.combine(_day(3), datetime.min.time()).replace(hour=8, tzinfo=UTC)
    task = store.add("Water plants", due=_day(3).isoformat(), repeat="FREQ=WEEKLY;BYDAY=SA",
                     remind=remind.isoformat(), **BY_USER)
    sync_service.sync_now(store)
    component = _only(phone_tasks).icalendar_component
    assert component["rrule"].to_ical().decode() == "FREQ=WEEKLY;BYDAY=SA"
    alarms = list(component.walk("VALARM"))
    assert [alarm["trigger"].dt for alarm in alarms] == [remind]

    _phone_edit(phone_tasks, lambda todo: (todo.pop("rrule"), todo.add("rrule", {"FREQ": "DAILY"})))
    sync_service.sync_now(store)
    assert store.get(task.id).repeat == "FREQ=DAILY"


def test_a_repeating_task_completed_on_the_phone_moves_on_here_and_there(sync_service, store,
                                                                           phone_tasks):
    first = _day(-1)
    phone_tasks.add_todo(summary="Stretch", due=first, rrule={"FREQ": "DAILY"})
    sync_service.sync_now(store)
    _phone_edit(phone_tasks, lambda todo: (todo.pop("status"), todo.add("status", "COMPLETED"),
                                           todo.add("completed", clock.now())))
    sync_service.sync_now(store)

    task = _by_title(store)["Stretch"]
    assert task.status == "open" and task.due > first.isoformat()
    component = _only(phone_tasks).icalendar_component
    assert str(component["status"]) == "NEEDS-ACTION"
    assert component["due"].dt.isoformat() == task.due
    assert component["rrule"].to_ical().decode() == "FREQ=DAILY"


def test_sync_changes_are_in_the_history_with_origin_sync(sync_service, store, phone_tasks):
    phone_tasks.add_todo(summary="From the phone")
    sync_service.sync_now(store)
    task = _by_title(store)["From the phone"]
    assert [change.origin.kind for change in store.history(task.id)] == ["sync"]


def test_one_sync_is_one_undo_step_and_the_next_sync_sends_the_undo_back(
        sync_service, store, phone_tasks):
    rename = store.add("Buy gift", **BY_USER)
    finish = store.add("Pay rent", **BY_USER)
    sync_service.sync_now(store)
    for todo in phone_tasks.get_todos(include_completed=True):
        component = todo.icalendar_component
        if str(component["summary"]) == "Buy gift":
            component["summary"] = "Buy gift for Alex"
        else:
            component.pop("status")
            component.add("status", "COMPLETED")
            component.add("completed", clock.now().astimezone(UTC))
        todo.save(increase_seqno=False)
    phone_tasks.add_todo(summary="From the phone")

    assert sync_service.sync_now(store).line() == "↑ 0 sent, ↓ 3 received"
    arrived = _by_title(store)["From the phone"]
    synced = [change for change in store.history() if change.origin.kind == "sync"]
    assert len({change.step for change in synced}) == 1

    reverted = store.undo(by=Origin("cli"))
    assert reverted.summary.startswith("Undid sync's 3 changes")
    assert sorted(_by_title(store)) == ["Buy gift", "Pay rent"]
    assert store.get(finish.id).status == "open" and store.get(rename.id).title == "Buy gift"
    assert arrived.id not in {task.id for task in store.list_tasks(_all())}

    assert sync_service.sync_now(store).sent == 3
    phone = {str(todo.icalendar_component["summary"]): str(todo.icalendar_component["status"])
             for todo in phone_tasks.get_todos(include_completed=True)}
    assert phone == {"Buy gift": "NEEDS-ACTION", "Pay rent": "NEEDS-ACTION"}


def test_a_task_exported_and_the_same_task_synced_carry_the_same_properties(
        sync_service, store, phone_tasks):
    import io

    from app.tasks.files.ical import write_ics

    task = store.add("Renew passport", notes="Bring photos", due=_day(3).isoformat(),
                     priority="medium", tags=["errands", "papers"], repeat="FREQ=YEARLY",
                     **BY_USER)
    store.complete(store.add("Old chore", priority="low", **BY_USER).id, **BY_USER)
    sync_service.sync_now(store)
    out = io.StringIO()
    write_ics(store.list_tasks(_all()), out)
    exported = {str(todo["uid"]): todo
                for todo in icalendar.Calendar.from_ical(out.getvalue()).walk("VTODO")}
    synced = {str(todo.icalendar_component["uid"]): todo.icalendar_component
              for todo in phone_tasks.get_todos(include_completed=True)}
    assert sorted(exported) == sorted(synced) and store.get(task.id).uid in synced
    for uid, server in synced.items():
        for name in ("summary", "description", "priority", "status", "due"):
            assert (server.get(name) and server[name].to_ical()) == \
                (exported[uid].get(name) and exported[uid][name].to_ical()), (uid, name)
        assert sorted(map(str, server.categories)) == sorted(map(str, exported[uid].categories))
        assert server.get("rrule") == exported[uid].get("rrule")


def test_when_this_side_wins_a_conflict_the_servers_value_stays_in_the_history(
        sync_service, store, phone_tasks):
    task = store.add("Buy gift", **BY_USER)
    sync_service.sync_now(store)

    def earlier_title(todo):  # the phone's edit is an hour older than the one made here
        todo["summary"] = "Buy gift for Alex"
        todo.pop("last-modified", None)
        todo.add("last-modified", clock.now().astimezone(UTC) - timedelta(hours=1))

    _phone_edit(phone_tasks, earlier_title)
    store.update(task.id, title="Buy gift for Sam", **BY_USER)

    assert sync_service.sync_now(store).conflicts == 1
    assert store.get(task.id).title == "Buy gift for Sam"
    titles = [change.after["title"] for change in store.history(task.id)]
    assert "Buy gift for Alex" in titles
    assert str(_only(phone_tasks).icalendar_component["summary"]) == "Buy gift for Sam"
