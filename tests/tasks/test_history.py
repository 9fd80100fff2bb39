"""History, undo, redo and the trash on a real SQLite file, and through the real CLI."""

import json
import re
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from conftest import CLI as COMMAND
from conftest import cli_env

from app.common import clock
from app.common.errors import UserError
from app.tasks import Origin, Step, TaskFilter, TaskStore
from app.tasks.history import ORIGIN_KINDS
from app.tasks.undo import UndoConflictError

CLI, WINDOW = Origin("cli"), Origin("window")


def everything(store):
    return store.list_tasks(TaskFilter(status="all"))


def test_every_change_is_recorded_with_before_after_and_origin(store):
    task = store.add("Buy milk", by=CLI)
    store.update(task.id, notes="2 litres", due="2026-12-01", by=WINDOW)
    store.complete(task.id, by=Origin("agent", "conv-1"))
    store.delete(task.id, by=CLI)
    history = store.history(task.id)
    assert [change.action for change in history] == ["deleted", "completed", "edited", "added"]
    edited = history[2]
    assert edited.fields == ["notes", "due"] and edited.origin == WINDOW
    assert (edited.before["notes"], edited.after["notes"]) == ("", "2 litres")
    assert history[1].origin.to_dict() == {"kind": "agent", "conversation_id": "conv-1"}
    assert history[0].after["trashed_at"] and history[3].before is None


def test_a_failed_write_records_nothing(store):
    task = store.add("Buy milk", by=CLI)
    with pytest.raises(UserError):
        store.update(task.id, title="   ", by=CLI)
    with pytest.raises(UserError):
        store.import_tasks([{"title": "fine"}, {"title": ""}], by=Origin("import"))
    assert len(store.history()) == 1 and store.count() == 1


def test_undo_and_redo_walk_back_and_forth_and_say_what_they_restored(store):
    task = store.add("Buy milk", by=CLI)
    store.update(task.id, title="Buy oat milk", by=CLI)
    undone = store.undo(by=CLI)
    assert undone.summary == ("Undid your change from the command line: “Buy oat milk” is "
                              "called “Buy milk” again.")
    assert store.get(task.id) == task
    assert "removed" in store.undo(by=CLI).summary and store.count() == 0
    with pytest.raises(UserError, match="nothing to undo"):
        store.undo(by=CLI)
    store.redo(by=CLI)
    assert store.get(task.id) == task
    store.redo(by=CLI)
    assert store.get(task.id).title == "Buy oat milk"
    with pytest.raises(UserError, match="nothing to redo"):
        store.redo(by=CLI)


def test_one_step_is_undone_whole(store):
    ids = store.import_tasks([{"title": f"t{n}"} for n in range(3)], by=Origin("import"))
    step = Step(WINDOW)
    for task_id in ids:
        store.complete(task_id, by=step)
    assert store.undo(by=CLI).summary == ("Undid your 3 changes in the window: “t0”, “t1” and "
                                          "“t2” are open again.")  # up to 3 named one by one
    assert [task.status for task in everything(store)] == ["open"] * 3
    assert store.undo(by=CLI).task_ids == tuple(ids) and store.count() == 0


def test_undo_refuses_when_a_task_changed_later_and_force_overrides(store):
    ids = store.import_tasks([{"title": "Pay rent"}, {"title": "Call Ana"}], by=Origin("import"))
    store.update(ids[1], notes="mine", by=WINDOW)
    store.undo_step(store.step_of(store.history(ids[1])[0].id), by=CLI)  # the edit: fine
    store.update(ids[1], notes="mine again", by=WINDOW)
    import_step = store.step_of(store.history(ids[0])[-1].id)
    with pytest.raises(UndoConflictError) as refused:
        store.undo_step(import_step, by=CLI)
    assert re.fullmatch(r"Cannot undo: “Call Ana” has changed since: you changed its notes in "
                        r"the window today \d\d:\d\d\.", str(refused.value))
    assert store.count() == 2  # nothing undone, not even the unchanged task
    store.undo_step(import_step, by=CLI, force=True)
    assert store.count() == 0


def test_undoing_one_change_of_a_step_leaves_the_rest(store):
    first, second = store.add("A", by=CLI), store.add("B", by=CLI)
    step = Step(Origin("agent", "c"))
    store.complete(first.id, by=step)
    store.complete(second.id, by=step)
    store.undo_change(step.change_ids[0], by=WINDOW)
    assert [store.get(i).status for i in (first.id, second.id)] == ["open", "done"]
    assert store.is_undone(step.change_ids[0]) and not store.is_undone(step.change_ids[1])
    with pytest.raises(UserError, match="already undone"):
        store.undo_change(step.change_ids[0], by=WINDOW)
    store.undo_step(step.id, by=WINDOW)  # what is left of it
    assert store.get(second.id).status == "open"


def test_the_conversations_last_step_is_what_undo_that_means(store):
    task = store.add("A", by=CLI)
    store.update(task.id, notes="by c1", by=Origin("agent", "c1"))
    store.update(task.id, title="B", by=CLI)
    with pytest.raises(UndoConflictError):
        store.undo(by=Origin("agent", "c1"), conversation_id="c1")
    with pytest.raises(UserError, match="nothing to undo in this conversation"):
        store.undo(by=Origin("agent", "c2"), conversation_id="c2")


def test_delete_moves_to_the_trash_and_restore_brings_back_every_field(store):
    task = store.add("Renew passport", notes="photos", due="2026-11-27T17:00:00+01:00",
                     priority="high", tags=["admin"], by=CLI)
    store.complete(task.id, by=CLI)
    done = store.get(task.id)
    store.delete(task.id, by=CLI)
    assert everything(store) == [] and store.search("passport") == []
    assert [item.task for item in store.trash()] == [done]
    assert store.restore(task.id, by=CLI) == done
    assert store.search("passport") == [done] and store.trash() == []
    with pytest.raises(UserError, match="not in the trash"):
        store.restore(task.id, by=CLI)
    with pytest.raises(UserError, match="no task 999 in the trash"):
        store.restore(999, by=CLI)


def test_the_trash_keeps_30_days(store, monkeypatch):
    old = store.add("Old", by=CLI)
    store.delete(old.id, by=CLI)
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert store.trash() == []
    with TaskStore(store.path) as other:  # the next write empties what expired, history too
        other.add("New", by=CLI)
        assert other.history(old.id) == []


def test_emptying_the_trash_deletes_for_good_with_the_history(store):
    task = store.add("Secret", notes="private", by=CLI)
    store.delete(task.id, by=CLI)
    assert store.empty_trash() == 1
    assert store.trash() == [] and store.history(task.id) == []
    raw = sqlite3.connect(store.path).execute("SELECT count(*) FROM history").fetchone()[0]
    assert raw == 0


def test_emptying_only_the_tasks_shown_leaves_the_rest_in_the_trash(store):
    shown, later = (store.add(title, by=CLI) for title in ("Old flyer", "Deleted after"))
    store.delete(shown.id, by=CLI)
    store.delete(later.id, by=CLI)
    assert store.empty_trash(only=[shown.id]) == 1
    assert [t.task.id for t in store.trash()] == [later.id]
    assert store.history(later.id) != []  # it can still come back
    assert store.empty_trash(only=[shown.id]) == 0  # gone already: nothing else goes


def test_undo_of_a_delete_comes_back_from_the_trash(store):
    task = store.add("Keep me", by=CLI)
    store.delete(task.id, by=CLI)
    assert "brought back" in store.undo(by=CLI).summary
    assert store.get(task.id) == task and store.trash() == []


def run(home, *args, stdin=subprocess.DEVNULL):
    return subprocess.run([*COMMAND, *args], env=cli_env(home), stdin=stdin,
                          capture_output=True, text=True, timeout=60)


def test_the_cli_history_undo_redo_trash_and_restore(app_home, tmp_path):
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps([{"title": f"Imported {n}"} for n in range(4)]))
    assert run(app_home, "tasks", "import", str(source)).returncode == 0
    assert run(app_home, "tasks", "edit", "1", "--notes", "mine").returncode == 0
    history = json.loads(run(app_home, "tasks", "history", "--json").stdout)
    assert [(c["action"], c["origin"]["kind"]) for c in history] == \
        [("edited", "cli")] + [("imported", "import")] * 4
    assert history[0]["fields"] == ["notes"]
    result = run(app_home, "tasks", "undo")
    assert result.stdout == ("Undid your change from the command line: “Imported 0” has its "
                             "notes back.\n")
    assert "removed 4 tasks" in run(app_home, "tasks", "undo").stdout
    assert "brought back 4 tasks" in run(app_home, "tasks", "redo").stdout
    assert run(app_home, "tasks", "rm", "2").returncode == 0
    trash = json.loads(run(app_home, "tasks", "trash", "--json").stdout)
    assert [item["id"] for item in trash] == [2] and trash[0]["trashed_at"]
    assert run(app_home, "tasks", "restore", "2").stdout.startswith("Restored task 2: Imported 1")
    assert "edited (notes)" not in run(app_home, "tasks", "history", "2").stdout


def test_undo_that_would_lose_a_later_change_names_it_and_suggests_force(app_home):
    run(app_home, "tasks", "add", "Pay rent")
    step_two = run(app_home, "tasks", "edit", "1", "--title", "Pay the rent")
    assert step_two.returncode == 0
    run(app_home, "tasks", "undo")
    run(app_home, "tasks", "edit", "1", "--notes", "by bank")
    result = run(app_home, "tasks", "redo")
    assert result.returncode == 1
    assert "“Pay rent” has changed since: you changed its notes from the command line today " \
        in result.stderr
    assert result.stderr.rstrip().endswith("Undo that first, or use --force.")
    assert run(app_home, "tasks", "redo", "--force").returncode == 0


def test_emptying_the_trash_asks_first_and_needs_yes_off_a_terminal(app_home):
    run(app_home, "tasks", "add", "Old")
    run(app_home, "tasks", "rm", "1")
    refused = run(app_home, "tasks", "trash", "--empty")
    assert refused.returncode == 1 and "needs --yes" in refused.stderr
    assert "Old" in run(app_home, "tasks", "trash").stdout
    emptied = run(app_home, "tasks", "trash", "--empty", "--yes")
    assert emptied.stdout == "Deleted 1 task for good.\n"
    assert run(app_home, "tasks", "trash").stdout == "The trash is empty.\n"


@pytest.mark.parametrize("kind", ORIGIN_KINDS)
def test_undoing_a_change_from_anywhere_says_who_made_it(store, kind):
    added = store.add("Water plants", by=Origin(kind, "c1" if kind in ("agent", "quick_ask")
                                               else None))
    store.complete(added.id, by=Origin(kind, "c1" if kind in ("agent", "quick_ask") else None))

    said = store.undo(by=Origin("cli")).summary

    assert said.startswith(("Undid your change", "Undid the assistant's change",
                            "Undid the import's change", "Undid an MCP client's change",
                            "Undid sync's change", "Undid a routine's change"))
    assert "“Water plants” is open again" in said


# -- an older step, named by its number (`tasks undo --step`) ------------------------------

def _a_sync_then_a_later_change(store):
    """Three tasks of yours; a sync run that adds one, renames one and completes one, as sync
    writes them (one Step for the run); then a change of yours to another task."""
    gift, rent, plants = (store.add(title, by=CLI) for title in ("Buy gift", "Pay rent",
                                                                "Water plants"))
    sync = Step(Origin("sync"))
    arrived = store.add("From the phone", by=sync)
    store.update(gift.id, title="Buy gift for Alex", by=sync)
    store.complete(rent.id, by=sync)
    store.update(plants.id, notes="the big ones", by=CLI)
    return sync.id, (gift, rent, plants, arrived)


def _state(store):
    """Everything an undo could touch: the tasks, the trash and the history."""
    return ([task.to_dict() for task in everything(store)],
            [item.task.to_dict() for item in store.trash()],
            [change.to_dict() for change in store.history()])


def test_the_history_names_each_step_once_and_undo_step_takes_back_an_older_sync(store,
                                                                                   app_home):
    sync_step, (gift, rent, plants, arrived) = _a_sync_then_a_later_change(store)
    later_step = store.history(plants.id)[0].step
    assert later_step > sync_step

    lines = run(app_home, "tasks", "history").stdout.splitlines()
    # The step first; a step's lines come together and only the first of them names it.
    assert [line[:len("step 5  ")] for line in lines] == [
        f"step {later_step}  ", f"step {sync_step}  ", " " * 8, " " * 8, "step 3  ",
        "step 2  ", "step 1  "]
    assert [line.endswith("(by sync)") for line in lines] == [False, True, True, True, False,
                                                              False, False]
    assert len({line.index("task ") for line in lines}) == 1  # the columns line up

    result = run(app_home, "tasks", "undo", "--step", str(sync_step))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("Undid sync's 3 changes: removed “From the phone”; “Buy gift for "
                             "Alex” is called “Buy gift” again; “Pay rent” is open again.\n")
    assert [(task.title, task.status, task.notes) for task in everything(store)] == [
        ("Buy gift", "open", ""), ("Pay rent", "open", ""),
        ("Water plants", "open", "the big ones")]  # the later change stays
    assert arrived.id not in [item.task.id for item in store.trash()]
    changes = store.history()
    assert {change.step for change in changes[:3]} == {changes[0].step}  # one new step
    assert sorted(change.task_id for change in changes[:3]) == [gift.id, rent.id, arrived.id]
    assert all(change.action == "undone" for change in changes[:3])
    assert not store.is_undone(store.history(plants.id)[0].id)

    # That undo is a step like any other: redo puts the sync back, undo takes it again.
    assert run(app_home, "tasks", "redo").stdout.startswith(
        "Redid what you undid from the command line: brought back “From the phone”")
    assert (store.get(gift.id).title, store.get(rent.id).status) == ("Buy gift for Alex", "done")
    assert run(app_home, "tasks", "undo").stdout.startswith(
        "Undid what you redid from the command line: removed “From the phone”")
    assert store.get(plants.id).notes == "the big ones"


def test_undo_step_refuses_bad_steps_in_one_sentence_and_changes_nothing(store, app_home):
    sync_step, (gift, *_rest) = _a_sync_then_a_later_change(store)
    store.update(gift.id, notes="wrap it", by=CLI)  # a task of the sync changed since

    def refused(*argv: str) -> str:
        before = _state(store)
        result = run(app_home, "tasks", "undo", *argv)
        assert (result.returncode, result.stdout) == (1, ""), argv
        assert _state(store) == before, argv
        return result.stderr

    assert refused("--step", "abc") == \
        "task-assistant: 'abc' is not a step number (steps are whole numbers, like 12).\n"
    assert refused("--step", "0").startswith("task-assistant: '0' is not a step number")
    assert refused("--step", "99") == "task-assistant: There is no step 99 in the history.\n"
    conflict = refused("--step", str(sync_step))
    assert conflict.startswith("task-assistant: Cannot undo: “Buy gift for Alex” has changed "
                               "since: you changed its notes from the command line ")
    assert conflict.endswith(". Undo that first, or use --force.\n")  # as `tasks undo` says

    forced = run(app_home, "tasks", "undo", "--step", str(sync_step), "--force")
    assert forced.returncode == 0 and forced.stdout.startswith("Undid sync's 3 changes")
    assert store.get(gift.id).title == "Buy gift"
    assert refused("--step", str(sync_step)) == "task-assistant: That was already undone.\n"


def test_undo_step_takes_back_a_step_that_was_undone_and_redone(store):
    sync_step, (gift, rent, _plants, arrived) = _a_sync_then_a_later_change(store)
    store.undo_step(sync_step, by=CLI)
    store.redo(by=CLI)  # the sync's changes stand again, through the redo
    assert store.get(gift.id).title == "Buy gift for Alex"

    store.undo_step(sync_step, by=CLI)

    assert (store.get(gift.id).title, store.get(rent.id).status) == ("Buy gift", "open")
    assert arrived.id not in [task.id for task in everything(store)]
    with pytest.raises(UserError, match="^That was already undone.$"):
        store.undo_step(sync_step, by=CLI)
    with pytest.raises(UserError, match="^There is no step 99 in the history.$"):
        store.undo_step(99, by=CLI)
