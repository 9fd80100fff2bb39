"""One meaning of "today" everywhere: the tasks due today and the overdue ones, overdue first.

The store, `tasks list --today`, the agent's `due_today` and the tray's count agree (the Today
tab is checked in test_ui_task_panel.py). Every date is relative to the app's own clock.
"""

import asyncio
import json
from datetime import timedelta

from fake_gemini import text, tool_calls

from app.assistant.events import ToolFinished
from app.cli.main import main
from app.common import clock
from app.tasks import TaskFilter
from app.tasks.history import Origin
from app.tasks.when.dates import Due, friendly_due

CLI = Origin("cli")  # who the test's own writes are recorded as


def day(offset: int) -> str:
    return (clock.today() + timedelta(days=offset)).isoformat()


def add_week(store) -> None:
    store.add("Tomorrow", due=day(1), by=CLI)
    store.add("Today", due=day(0), by=CLI)
    store.add("Last week", due=day(-7), by=CLI)
    store.add("Yesterday", due=day(-1), priority="high", by=CLI)
    store.add("Someday", by=CLI)
    store.complete(store.add("Done yesterday", due=day(-1), by=CLI).id, by=CLI)


TODAY_LIST = ["Last week", "Yesterday", "Today"]


def test_a_day_is_overdue_once_it_is_over_and_a_time_once_it_has_passed():
    now = clock.now()
    assert not Due.parse(day(0)).is_overdue(now) and Due.parse(day(-1)).is_overdue(now)
    assert Due.parse((now - timedelta(minutes=1)).isoformat()).is_overdue(now)
    assert not Due.parse((now + timedelta(minutes=1)).isoformat()).is_overdue(now)
    assert Due.parse(day(-1)).is_for_today(now) and Due.parse(day(0)).is_for_today(now)
    assert not Due.parse(day(1)).is_for_today(now)


def test_the_friendly_form_names_the_weekday_and_the_local_time():
    due = Due.parse(day(0))
    weekday = clock.today().strftime("%a")
    assert due.friendly() == friendly_due(day(0)) and due.friendly().startswith(weekday)
    assert friendly_due(f"{day(0)}T17:05").endswith("17:05")
    assert friendly_due(None) == "" and friendly_due("someday") == "someday"


def test_the_store_lists_today_with_the_overdue_tasks_first_and_counts_the_same(store):
    add_week(store)
    assert [t.title for t in store.list_tasks(TaskFilter(due_today=True))] == TODAY_LIST
    assert store.count_due_today() == len(TODAY_LIST)


def test_tasks_list_today_includes_overdue_tasks_first(store, capsys):
    add_week(store)
    assert main(["tasks", "list", "--today", "--json"]) == 0
    assert [task["title"] for task in json.loads(capsys.readouterr().out)] == TODAY_LIST


def test_the_agents_due_today_includes_overdue_tasks_first(gemini, assistant_for, store,
                                                          chat_for):
    add_week(store)
    gemini.enqueue(tool_calls(("list_tasks", {"due_today": True})), text("Three today."))
    assistant = assistant_for(gemini)

    async def run():
        chat = chat_for(assistant)
        try:
            return [event async for event in chat.send("what's on today?")]
        finally:
            await assistant.close()

    [listed] = [event for event in asyncio.run(run()) if isinstance(event, ToolFinished)]
    assert [task["title"] for task in listed.result["tasks"]] == TODAY_LIST
