"""Creating, renaming and removing a list are history steps: undo and redo take them back with
the task moves they came with, on a real SQLite file and through the real CLI."""

import json
import subprocess

import pytest
from conftest import CLI as COMMAND
from conftest import cli_env

from app.common.errors import UserError
from app.tasks import INBOX, Origin, Step

CLI, WINDOW = Origin("cli"), Origin("window")


def names(store):
    return [item.name for item in store.lists()]


def list_of(store, task_id):
    return store.get(task_id).list


def test_undo_takes_back_a_new_list_and_redo_makes_it_again_with_its_id(store):
    store.add_list("Errands", by=CLI)
    list_id = {name: number for number, name in store.list_names().items()}["Errands"]
    undone = store.undo(by=CLI)
    assert undone.summary == ("Undid your change from the command line: removed the list "
                              "“Errands”.")
    assert names(store) == [INBOX] and undone.task_ids == ()
    redone = store.redo(by=CLI)
    assert redone.summary == ("Redid what you undid from the command line: brought back the "
                              "list “Errands”.")
    assert store.list_names()[list_id] == "Errands"  # sync follows a list by its id


def test_undo_of_a_rename_gives_the_old_name_back(store):
    store.add_list("Errands", by=CLI)
    task = store.add("Buy stamps", list="Errands", by=CLI)
    store.rename_list("Errands", "Shops", by=WINDOW)
    assert store.undo(by=WINDOW).summary == ("Undid your change in the window: the list "
                                             "“Shops” is called “Errands” again.")
    assert names(store) == [INBOX, "Errands"] and list_of(store, task.id) == "Errands"
    # The task's own change before the rename is undoable again, its list named as it was.
    store.undo(by=WINDOW)
    assert store.count() == 0
    store.redo(by=WINDOW)
    store.redo(by=WINDOW)
    assert names(store) == [INBOX, "Shops"] and list_of(store, task.id) == "Shops"


def test_renaming_to_the_same_name_records_nothing(store):
    store.add_list("Errands", by=CLI)
    store.rename_list("errands", "Errands", by=CLI)
    assert [change.action for change in store.history()] == ["added"]


def test_removing_a_list_and_its_task_moves_are_one_step(store):
    store.add_list("Errands", by=CLI)
    ids = [store.add(f"Errand {n}", list="Errands", by=CLI).id for n in range(4)]
    store.complete(ids[0], by=CLI)
    assert store.remove_list("Errands", move_to=INBOX, by=WINDOW) == 4
    undone = store.undo(by=WINDOW)
    assert undone.summary == ("Undid your 5 changes in the window: brought back the list "
                              "“Errands”; 4 tasks have their list back.")
    assert sorted(undone.task_ids) == ids
    assert [list_of(store, number) for number in ids] == ["Errands"] * 4
    assert store.get(ids[0]).status == "done"
    assert store.lists()[1] == ("Errands", 3, 1)
    store.redo(by=WINDOW)
    assert names(store) == [INBOX] and {list_of(store, n) for n in ids} == {INBOX}


def test_a_list_removed_empty_comes_back_too(store):
    store.add_list("Someday", by=CLI)
    store.remove_list("Someday", by=CLI)
    assert "brought back the list “Someday”" in store.undo(by=CLI).summary
    assert names(store) == [INBOX, "Someday"]


def test_a_list_and_its_first_task_in_one_step_are_undone_together(store):
    step = Step(WINDOW)
    store.add_list("Garden", by=step)
    store.add("Water the plants", list="Garden", by=step)
    assert store.undo(by=WINDOW).summary == (
        "Undid your 2 changes in the window: removed the list “Garden”; removed “Water the "
        "plants”.")
    assert names(store) == [INBOX] and store.count() == 0


def test_undo_never_removes_a_list_that_holds_tasks_now(store):
    store.add_list("Errands", by=CLI)
    task = store.add("Buy stamps", list="Errands", by=WINDOW)
    with pytest.raises(UserError, match=r"^Cannot undo: list 'Errands' holds 1 task now; move it "
                       r"to another list first\.$"):
        store.undo(by=CLI, origin="cli")
    with pytest.raises(UserError, match="holds 1 task"):
        store.undo(by=CLI, origin="cli", force=True)  # --force never drops a task's list
    assert list_of(store, task.id) == "Errands" and len(store.history()) == 2


def test_undo_refuses_a_name_another_list_has_taken_since(store):
    store.add_list("Errands", by=CLI)
    store.rename_list("Errands", "Shops", by=CLI)
    store.add_list("errands", by=WINDOW)
    with pytest.raises(UserError, match=r"^Cannot undo: there is another list 'Errands' now; "
                       r"rename or remove it first\.$"):
        store.undo(by=CLI, origin="cli")
    assert names(store) == [INBOX, "errands", "Shops"]


def test_undo_of_a_rename_renamed_again_later_names_the_later_rename(store):
    store.add_list("Errands", by=CLI)
    store.rename_list("Errands", "Shops", by=CLI)
    store.rename_list("Shops", "Stores", by=WINDOW)
    with pytest.raises(UserError, match=r"^Cannot undo: the list “Stores” has changed since: "
                       r"you renamed it in the window today \d\d:\d\d\.$"):
        store.undo(by=CLI, origin="cli")
    store.undo(by=CLI, origin="cli", force=True)
    assert names(store) == [INBOX, "Errands"]


def test_undoing_a_list_removal_by_its_one_change_brings_its_tasks_back_too(store):
    step = Step(Origin("agent", "conv-1"))
    store.add_list("Errands", by=CLI)
    task = store.add("Buy stamps", list="Errands", by=CLI)
    other = store.add("Call mum", by=CLI)
    store.update(other.id, title="Call mum tonight", by=step)
    store.remove_list("Errands", move_to=INBOX, by=step)
    store.undo_change(step.change_ids[-1], by=WINDOW)  # the tool line's Undo
    assert list_of(store, task.id) == "Errands"
    assert store.get(other.id).title == "Call mum tonight"  # not part of that change


def test_inbox_cannot_be_renamed_or_removed_and_nothing_is_recorded(store):
    with pytest.raises(UserError, match="cannot be renamed"):
        store.rename_list(INBOX, "Main", by=CLI)
    with pytest.raises(UserError, match="cannot be removed"):
        store.remove_list(INBOX, move_to=INBOX, by=CLI)
    with pytest.raises(UserError, match="There is already a list 'Inbox'"):
        store.add_list("inbox", by=CLI)
    assert store.history() == []


def run(home, *args):
    return subprocess.run([*COMMAND, *args], env=cli_env(home), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def test_the_cli_undoes_and_redoes_list_changes_and_shows_them_in_the_history(app_home):
    assert run(app_home, "lists", "add", "Errands").returncode == 0
    assert run(app_home, "tasks", "add", "Buy stamps", "--list", "Errands").returncode == 0
    assert run(app_home, "lists", "rename", "Errands", "Shops").returncode == 0
    assert run(app_home, "lists", "rm", "Shops", "--move-to", "Inbox").returncode == 0
    history = run(app_home, "tasks", "history").stdout.splitlines()
    assert "list       removed: Shops  (from the command line)" in history[0]
    assert "list       renamed: Shops  (from the command line)" in history[2]
    assert "list       added: Errands" in history[-1]
    assert [c["action"] for c in json.loads(run(app_home, "tasks", "history", "--json").stdout)] \
        == ["removed", "edited", "renamed", "added", "added"]
    assert run(app_home, "tasks", "undo").stdout == ("Undid your 2 changes from the command "
                                                     "line: brought back the list “Shops”; "
                                                     "“Buy stamps” has its list back.\n")
    assert run(app_home, "tasks", "undo").stdout == ("Undid your change from the command line: "
                                                     "the list “Shops” is called “Errands” "
                                                     "again.\n")
    listed = json.loads(run(app_home, "lists", "--json").stdout)
    assert [(item["name"], item["open"]) for item in listed] == [("Inbox", 0), ("Errands", 1)]
    assert run(app_home, "tasks", "redo").returncode == 0
    assert "Shops" in run(app_home, "lists").stdout
