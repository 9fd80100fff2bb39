"""The agent makes, renames and deletes lists (fake Gemini, real SDK, real store): deleting asks
first on a card naming the list and how many tasks move to Inbox, and "undo that" takes a list
change back with its task moves."""

import pytest
from fake_gemini import text, tool_calls
from test_chat_session import of, turn_fixture  # noqa: F401 (the `turn` fixture)

from app.assistant.events import ToolFinished
from app.tasks import INBOX, Origin

CLI = Origin("cli")


def names(store):
    return [item.name for item in store.lists()]


def test_the_agent_adds_and_renames_lists_without_asking(gemini, assistant_for, store, turn):
    gemini.enqueue(tool_calls(("add_list", {"name": "  Garden "})), text("Added."),
                   tool_calls(("rename_list", {"name": "garden", "new_name": "Yard"})),
                   text("Renamed."))
    assistant = assistant_for(gemini)
    never = lambda request: pytest.fail("asked")  # noqa: E731
    events, conversation = turn(assistant, "make a Garden list", decide=never)
    [added] = of(ToolFinished, events)
    assert added.ok and added.summary == "Added the list 'Garden'"
    assert added.result["added_list"] == "Garden" and isinstance(added.result["change"], int)
    events, _ = turn(assistant, "call it Yard", conversation=conversation, decide=never)
    [renamed] = of(ToolFinished, events)
    assert renamed.summary == "Renamed the list 'Garden' to 'Yard'"
    assert names(store) == [INBOX, "Yard"]
    assert {change.origin for change in store.history()} == {Origin("agent", conversation)}


def test_the_stores_sentences_reach_the_model_and_nothing_changes(gemini, assistant_for, store,
                                                                   turn):
    store.add_list("Work", by=CLI)
    gemini.enqueue(tool_calls(("add_list", {"name": "work"}),
                              ("rename_list", {"name": "Inbox", "new_name": "Main"}),
                              ("rename_list", {"name": "Nope", "new_name": "Other"}),
                              ("add_list", {"name": "   "}), ("add_list", {})),
                   text("Sorry."))
    events, _ = turn(assistant_for(gemini), "lists please")
    assert [finished.result["error"] for finished in of(ToolFinished, events)] == [
        "There is already a list 'Work'.",
        "Inbox is where tasks go by default; it cannot be renamed.",
        "There is no list 'Nope' (lists: Inbox, Work); add it first with "
        "`task-assistant lists add \"Nope\"`.",
        "A list needs a name, like Work.",
        "Missing required argument 'name'."]
    assert names(store) == [INBOX, "Work"] and len(store.history()) == 1


@pytest.mark.parametrize("allowed", [True, False])
def test_deleting_a_list_asks_on_a_card_saying_how_many_tasks_move_to_inbox(
        gemini, assistant_for, store, allowed, turn):
    store.add_list("Errands", by=CLI)
    ids = [store.add(title, list="Errands", by=CLI).id for title in ("Stamps", "Bread")]
    store.complete(ids[1], by=CLI)
    gemini.enqueue(tool_calls(("delete_list", {"name": "errands"})),
                   text("Deleted." if allowed else "Kept it."))
    asked = []
    events, _ = turn(assistant_for(gemini), "delete my errands list",
                     decide=lambda request: asked.append(request) or allowed)
    [card] = asked
    assert card.summary == ("Delete the list 'Errands': its 2 tasks move to Inbox (no task is "
                            "deleted)")
    [finished] = of(ToolFinished, events)
    if allowed:
        assert finished.summary == "Deleted the list 'Errands'; 2 tasks moved to Inbox"
        assert finished.result["moved_to_inbox"] == 2
        assert names(store) == [INBOX] and {store.get(i).list for i in ids} == {INBOX}
    else:
        assert finished.summary == "Nothing changed: you said no to deleting the list"
        assert names(store) == [INBOX, "Errands"] and {store.get(i).list for i in ids} == \
            {"Errands"}


def test_the_card_for_an_empty_unknown_or_inbox_list_says_so(gemini, assistant_for, store,
                                                             turn):
    store.add_list("Someday", by=CLI)
    store.add("Call Ana", by=CLI)  # in Inbox
    gemini.enqueue(tool_calls(("delete_list", {"name": "Someday"})), text("Gone."),
                   tool_calls(("delete_list", {"name": "Never"})), text("No such list."),
                   tool_calls(("delete_list", {"name": "Inbox"})), text("Inbox stays."))
    asked = []
    assistant = assistant_for(gemini)
    for question in ("delete someday", "delete never", "delete inbox"):
        events, _ = turn(assistant, question, decide=lambda r: asked.append(r) or True)
    assert [request.summary for request in asked] == [
        "Delete the list 'Someday' (it holds no tasks)",
        "Delete the list 'Never' (there is no such list)",
        "Delete the list 'Inbox' (it cannot be deleted; nothing will change)"]
    assert of(ToolFinished, events)[0].result["error"] == \
        "Inbox is where tasks go by default; it cannot be removed."
    assert names(store) == [INBOX]


def test_undo_that_brings_a_deleted_list_back_with_its_tasks(gemini, assistant_for, store,
                                                             turn):
    store.add_list("Errands", by=CLI)
    ids = [store.add(f"Errand {n}", list="Errands", by=CLI).id for n in range(3)]
    gemini.enqueue(tool_calls(("delete_list", {"name": "Errands"})), text("Deleted."),
                   tool_calls(("undo", {})), text("Undone."))
    assistant = assistant_for(gemini)
    _, conversation = turn(assistant, "delete errands", decide=lambda request: True)
    events, _ = turn(assistant, "undo that", conversation=conversation)
    [undone] = of(ToolFinished, events)
    assert undone.ok and undone.summary == ("Undid the assistant's 4 changes: brought back the "
                                            "list “Errands”; “Errand 0”, “Errand 1” and "
                                            "“Errand 2” have their list back")
    assert sorted(undone.result["tasks"]) == ids
    assert names(store) == [INBOX, "Errands"] and {store.get(i).list for i in ids} == \
        {"Errands"}


def test_undo_that_after_a_rename_takes_back_the_rename_not_something_older(
        gemini, assistant_for, store, turn):
    store.add_list("Errands", by=CLI)
    task = store.add("Buy stamps", by=CLI)
    gemini.enqueue(tool_calls(("update_task", {"id": task.id, "notes": "ten"})), text("Noted."),
                   tool_calls(("rename_list", {"name": "Errands", "new_name": "Shops"})),
                   text("Renamed."), tool_calls(("undo", {})), text("Undone."))
    assistant = assistant_for(gemini)
    _, conversation = turn(assistant, "note ten stamps")
    turn(assistant, "rename errands to shops", conversation=conversation)
    events, _ = turn(assistant, "undo that", conversation=conversation)
    assert of(ToolFinished, events)[0].summary == ("Undid the assistant's change: the list "
                                                   "“Shops” is called “Errands” again")
    assert names(store) == [INBOX, "Errands"] and store.get(task.id).notes == "ten"


def test_the_instructions_name_the_list_tools():
    from app.assistant.instructions import instructions

    prompt = instructions()
    assert all(name in prompt for name in ("add_list", "rename_list", "delete_list"))
