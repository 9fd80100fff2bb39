"""Issue 20, item 1 and undo: the task tree never holds a loop or more than 3 levels, whichever
way a write arrives (edit, undo, redo, import, two writers at once), and a file damaged before
that still lists, completes and deletes its tasks."""

import json
import sqlite3
import subprocess
import threading

import pytest
from conftest import CLI, cli_env

from app.common.errors import UserError
from app.tasks import TaskStore
from app.tasks.files.ical import read_ics
from app.tasks.files.todoist import read_todoist_csv
from app.tasks.history import Origin, Step
from app.tasks.tree import in_tree_order

WRITER = Origin("cli")


def _parents(path) -> dict[int, int | None]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT id, parent_id FROM tasks").fetchall())
    finally:
        conn.close()


def _assert_a_tree(path) -> None:
    """No loop, at most 3 levels: every task reaches the top within 3 steps up."""
    parents = _parents(path)
    for task_id in parents:
        level, current = 1, parents[task_id]
        while current is not None and current in parents:
            level += 1
            assert level <= 3, f"task {task_id} is deeper than 3 levels, or in a loop"
            current = parents[current]


def _loop_written_by_hand(path, links: dict[int, int]) -> None:
    """A file damaged by another program: the tree's triggers dropped, links written raw."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TRIGGER tasks_tree_on_update")
        for task_id, parent in links.items():
            conn.execute("UPDATE tasks SET parent_id = ? WHERE id = ?", (parent, task_id))
    conn.close()


def test_the_issues_cli_sequence_cannot_make_a_loop(app_home):
    env = cli_env(app_home)

    def run(*args):
        return subprocess.run([*CLI, "tasks", *args], env=env, capture_output=True, text=True,
                              timeout=60)

    for args in (("add", "A"), ("add", "B"), ("edit", "2", "--parent", "1"), ("undo",),
                 ("edit", "1", "--parent", "2")):
        assert run(*args).returncode == 0
    redo = run("redo")
    assert redo.returncode == 1
    assert "Cannot redo" in redo.stderr and "own subtask" in redo.stderr
    assert len(redo.stderr.strip().splitlines()) == 1
    assert _parents(app_home / "tasks.sqlite3") == {1: 2, 2: None}
    listed = run("list")
    assert "A" in listed.stdout and "B" in listed.stdout


def test_two_writers_reparenting_at_once_never_make_a_loop(app_home):
    """Each round, one connection puts task 1 under 2 while another puts 2 under 1, both
    checked before either writes: one of them must be refused."""
    path = app_home / "tasks.sqlite3"
    with TaskStore(path) as setup:
        setup.add("A", by=WRITER)
        setup.add("B", by=WRITER)
    first, second = TaskStore(path), TaskStore(path)
    try:
        for _ in range(60):
            start = threading.Barrier(2, timeout=10)
            refused = []

            def reparent(store, task_id, parent, start=start, refused=refused):
                start.wait()
                try:
                    store.update(task_id, parent_id=parent, by=WRITER)
                except UserError as error:
                    refused.append(str(error))

            threads = [threading.Thread(target=reparent, args=(first, 1, 2)),
                       threading.Thread(target=reparent, args=(second, 2, 1))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            _assert_a_tree(path)
            assert len(refused) == 1
            for store, task_id in ((first, 1), (second, 2)):
                if store.get(task_id).parent_id is not None:
                    store.update(task_id, parent_id=None, by=WRITER)
    finally:
        first.close()
        second.close()


def test_a_loop_stored_before_the_check_is_broken_at_its_newest_link_once(app_home, capfd):
    path = app_home / "tasks.sqlite3"
    with TaskStore(path) as store:
        for title in ("A", "B", "C", "Self"):
            store.add(title, by=WRITER)
    conn = sqlite3.connect(path)
    with conn:  # as a file from before the check: version 4, loops 1→2→3→1 and 4→4
        conn.execute("DROP TRIGGER tasks_tree_on_update")
        conn.execute("DROP TRIGGER tasks_tree_on_insert")
        conn.execute("DROP TABLE routines")  # made by a later migration, run again on open
        conn.execute("PRAGMA user_version = 4")
        for task_id, parent, stamp in ((1, 2, "2026-01-01"), (2, 3, "2026-03-01"),
                                       (3, 1, "2026-02-01"), (4, 4, "2026-01-01")):
            conn.execute("UPDATE tasks SET parent_id = ?, updated_at = ? WHERE id = ?",
                         (parent, stamp + "T00:00:00+00:00", task_id))
    conn.close()
    capfd.readouterr()
    with TaskStore(path) as store:
        said = capfd.readouterr().err
        assert "Repaired the task file: 2 loops" in said and "tasks 2, 4" in said
        assert _parents(path) == {1: 2, 2: None, 3: 1, 4: None}
        assert sorted(task.title for task in store.list_tasks()) == ["A", "B", "C", "Self"]
    with TaskStore(path):
        assert capfd.readouterr().err == ""  # said once


@pytest.mark.timeout(30)
def test_a_damaged_file_with_a_loop_still_lists_completes_and_deletes(store):
    for title in ("A", "B", "C"):
        store.add(title, by=WRITER)
    _loop_written_by_hand(store.path, {1: 2, 2: 1})
    shown = in_tree_order(store.list_tasks())
    assert sorted(task.title for task, _ in shown) == ["A", "B", "C"]  # not "No tasks."
    assert store.open_subtasks(1) == [2]
    store.complete(1, by=WRITER, with_subtasks=True)
    assert store.get(2).status == "done"
    store.delete(1, by=WRITER)
    assert [task.title for task in store.list_tasks()] == ["C"]


def test_a_json_import_flattens_loops_and_a_3000_level_chain(app_home, tmp_path):
    records = [{"id": 1, "title": "one", "parent_id": 2}, {"id": 2, "title": "two", "parent_id": 1},
               {"id": 3, "title": "self", "parent_id": 3}]
    records += [{"id": 10 + level, "title": f"level {level}",
                 **({"parent_id": 9 + level} if level else {})} for level in range(3000)]
    file = tmp_path / "hostile.json"
    file.write_text(json.dumps(records))
    env = cli_env(app_home)
    imported = subprocess.run([*CLI, "tasks", "import", str(file)], env=env,
                              capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    # one loop and one self-parent cut, and levels 4 to 3000 moved up to level 3
    assert "Imported 3003 tasks; 2999 subtasks were placed higher" in imported.stdout
    _assert_a_tree(app_home / "tasks.sqlite3")
    listed = subprocess.run([*CLI, "tasks", "list"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "level 2999" in listed.stdout and "self" in listed.stdout


def test_an_ics_loop_and_a_self_parent_are_cut(store):
    def todo(uid, parent):
        return (f"BEGIN:VTODO\r\nUID:{uid}\r\nSUMMARY:{uid}\r\n"
                f"RELATED-TO;RELTYPE=PARENT:{parent}\r\nEND:VTODO\r\n")
    data = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
            + todo("a", "b") + todo("b", "a") + todo("self", "self") + "END:VCALENDAR\r\n")
    store.import_tasks(read_ics(data.encode(), "loop.ics"), by=WRITER)
    assert store.last_flattened == 2
    _assert_a_tree(store.path)
    assert len(store.list_tasks()) == 3


def test_a_todoist_csv_with_eight_indent_levels_imports_three(store):
    rows = "\n".join(f"task,level {indent},4,{indent},,,,,," for indent in range(1, 9))
    text = "TYPE,CONTENT,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,DESCRIPTION\n"
    store.import_tasks(read_todoist_csv(text + rows, "todoist.csv").records, by=WRITER)
    _assert_a_tree(store.path)
    by_title = {task.title: task for task in store.list_tasks()}
    assert len(by_title) == 8
    assert by_title["level 8"].parent_id == by_title["level 2"].id  # as deep as it may go


def test_undoing_a_task_that_has_got_a_subtask_since_is_refused(store):
    parent = store.add("Plan trip", by=Step(WRITER))
    child = store.add("Book train", parent_id=parent.id, by=WRITER)
    added = store.history(parent.id)[-1]
    with pytest.raises(UserError, match=r"Cannot undo: task 1 'Plan trip' has a subtask now "
                                        r"\(task 2 'Book train'\)"):
        store.undo_step(added.step, by=WRITER)
    assert store.get(child.id).parent_id == parent.id  # nothing changed
    assert store.get(parent.id).title == "Plan trip"
