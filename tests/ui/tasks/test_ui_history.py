"""Undo in the window: on the agent's tool lines, "Undo all" on an answer, Ctrl+Z and
Ctrl+Shift+Z in the task panel, the Trash view, and the bulk approval card."""

from fake_gemini import text, tool_calls
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea
from ui_helpers import answer_text, answers, items, type_and_send, wait_for_answer

from app.tasks import Origin, TaskFilter
from app.ui.chat.approval_card import LINES_SHOWN
from app.ui.chat.chat_items import ApprovalItem, NoticeItem, ToolItem

CLI = Origin("cli")


def statuses(store):
    return [(task.title, task.status) for task in store.list_tasks(TaskFilter(status="all"))]


def test_each_tool_line_undoes_its_own_change_and_undo_all_the_rest(qtbot, window, gemini,
                                                                    workspace):
    store = workspace.store
    first, second = store.add("Call Ana", by=CLI), store.add("Pay rent", by=CLI)
    gemini.enqueue(tool_calls(("complete_task", {"id": first.id}),
                              ("complete_task", {"id": second.id})), text("Both done."))
    type_and_send(qtbot, window, "I did both")
    wait_for_answer(qtbot, window, "Both done.")
    lines = items(window, ToolItem)
    assert all(line.undo_button.isVisible() for line in lines)
    answer = answers(window)[-1]
    assert answer.undo_all_button.isVisible()

    qtbot.mouseClick(lines[0].undo_button, Qt.MouseButton.LeftButton)
    assert statuses(store) == [("Call Ana", "open"), ("Pay rent", "done")]
    assert lines[0].text().endswith("(undone)") and not lines[0].undo_button.isVisible()

    qtbot.mouseClick(answer.undo_all_button, Qt.MouseButton.LeftButton)
    assert statuses(store) == [("Call Ana", "open"), ("Pay rent", "open")]
    assert items(window, NoticeItem)[-1].text() == ("Undid the assistant's change: “Pay rent” "
                                                    "is open again.")
    history = store.history(limit=1)[0]
    assert history.origin == Origin("window") and history.action == "undone"


def test_undo_shows_a_sentence_when_the_task_changed_since(qtbot, window, gemini, workspace):
    store = workspace.store
    task = store.add("Call Ana", by=CLI)
    gemini.enqueue(tool_calls(("complete_task", {"id": task.id})), text("Done."))
    type_and_send(qtbot, window, "done with Ana")
    wait_for_answer(qtbot, window, "Done.")
    store.update(task.id, notes="called twice", by=CLI)
    qtbot.mouseClick(items(window, ToolItem)[-1].undo_button, Qt.MouseButton.LeftButton)
    assert "“Call Ana” has changed since: you changed its notes from the command line today " \
        in items(window, NoticeItem)[-1].text()
    assert store.get(task.id).status == "done"


def test_a_reopened_conversation_keeps_undo_and_knows_what_was_undone(qtbot, window, gemini,
                                                                      workspace):
    store = workspace.store
    task = store.add("Call Ana", by=CLI)
    gemini.enqueue(tool_calls(("complete_task", {"id": task.id})), text("Done."))
    type_and_send(qtbot, window, "done with Ana")
    wait_for_answer(qtbot, window, "Done.")
    conversation = window.chat.conversation_id
    window.chat.start_fresh()
    window.chat.open_conversation(conversation)
    assert not answers(window)[-1].undo_all_button.isHidden()
    qtbot.mouseClick(items(window, ToolItem)[-1].undo_button, Qt.MouseButton.LeftButton)
    window.chat.start_fresh()
    window.chat.open_conversation(conversation)
    assert items(window, ToolItem)[-1].text().endswith("(undone)")
    assert answers(window)[-1].undo_all_button.isHidden()  # nothing left to undo in it


def test_a_bulk_batch_shows_one_card_with_every_change(qtbot, window, gemini, workspace):
    store = workspace.store
    ids = [store.add(f"Task {n}", notes="keep", by=CLI).id for n in range(8)]
    gemini.enqueue(tool_calls(*[("update_task", {"id": i, "notes": ""}) for i in ids]),
                   text("Kept them."))
    type_and_send(qtbot, window, "clear every note")
    qtbot.waitUntil(lambda: bool(items(window, ApprovalItem)), timeout=10_000)
    [card] = items(window, ApprovalItem)
    assert "Change 8 existing tasks at once" in card.question.text()
    assert card.details.text().count("\n") == 7 and "Task 7" in card.details.text()
    qtbot.mouseClick(card.deny_button, Qt.MouseButton.LeftButton)
    wait_for_answer(qtbot, window, "Kept them.")
    assert {task.notes for task in store.list_tasks()} == {"keep"}


def test_a_long_batch_scrolls_inside_its_card_which_takes_the_focus(qtbot, window, gemini,
                                                                   workspace):
    store = workspace.store
    ids = [store.add(f"Task {n}", notes="keep", by=CLI).id for n in range(LINES_SHOWN + 8)]
    gemini.enqueue(tool_calls(*[("update_task", {"id": i, "notes": ""}) for i in ids]),
                   text("Kept them."))
    type_and_send(qtbot, window, "clear every note")
    qtbot.waitUntil(lambda: bool(items(window, ApprovalItem)), timeout=10_000)
    [card] = items(window, ApprovalItem)
    assert card.deny_button.isDefault() and card.deny_button.hasFocus()
    scroller = card.details.parentWidget().parentWidget()
    assert isinstance(scroller, QScrollArea)
    assert scroller.height() < card.details.sizeHint().height()  # the rest is a scroll away
    assert f"Task {LINES_SHOWN + 7}" in card.details.text()
    qtbot.keyClick(card.deny_button, Qt.Key.Key_Return)  # Enter denies
    wait_for_answer(qtbot, window, "Kept them.")
    assert {task.notes for task in store.list_tasks()} == {"keep"}
    assert window.chat.input.hasFocus()


def test_undo_all_after_retry_takes_back_both_answers_changes(qtbot, window, gemini, workspace):
    store = workspace.store
    gemini.enqueue(tool_calls(("add_task", {"title": "Tea"})), text("Added tea."),
                   tool_calls(("add_task", {"title": "Milk"})), text("Added milk."))
    type_and_send(qtbot, window, "add it")
    wait_for_answer(qtbot, window, "Added tea.")
    window.chat.retry()
    wait_for_answer(qtbot, window, "Added milk.")
    assert sorted(task.title for task in store.list_tasks()) == ["Milk", "Tea"]
    qtbot.mouseClick(answers(window)[-1].undo_all_button, Qt.MouseButton.LeftButton)
    assert store.list_tasks() == []
    assert all(line.text().endswith("(undone)") for line in items(window, ToolItem))
    assert answers(window)[-1].undo_all_button.isHidden()


def test_a_line_rebuilt_after_scrolling_back_keeps_its_undo(qtbot, window, gemini, workspace):
    from app.ui.chat.chat_view import BATCH

    store = workspace.store
    task = store.add("Call Ana", by=CLI)
    gemini.enqueue(tool_calls(("complete_task", {"id": task.id})), text("Done."),
                   *[text(f"Answer {n}") for n in range(BATCH)])
    type_and_send(qtbot, window, "done with Ana")
    wait_for_answer(qtbot, window, "Done.")
    for n in range(BATCH):
        type_and_send(qtbot, window, f"question {n}")
        wait_for_answer(qtbot, window, f"Answer {n}")
    conversation = window.chat.conversation_id
    window.chat.start_fresh()
    window.chat.open_conversation(conversation)  # only the newest items are built
    assert not items(window, ToolItem)
    while window.chat.view.build_older():  # as scrolling to the top does
        pass
    [line] = items(window, ToolItem)
    qtbot.mouseClick(line.undo_button, Qt.MouseButton.LeftButton)
    assert store.get(task.id).status == "open" and line.text().endswith("(undone)")


def test_ctrl_z_and_ctrl_shift_z_in_the_task_panel(qtbot, store, make_panel):
    panel = make_panel()
    task = store.add("Water plants", by=CLI)
    store.complete(task.id, by=Origin("agent", "c"))
    panel.show_view("Done")  # (Ctrl+Z works in every view; this one has a row to focus)
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.get(task.id).status == "open"
    assert panel.status_label.text().startswith("Undid the assistant's change: “")
    qtbot.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert store.get(task.id).status == "done"


def test_several_rows_marked_done_are_one_step(qtbot, store, make_panel):
    ids = [store.add(f"Task {n}", by=CLI).id for n in range(3)]
    panel = make_panel()
    panel.show_view("All")
    panel.view.selectAll()
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert [store.get(i).status for i in ids] == ["done"] * 3
    assert panel.status_label.text() == "Completed 3 tasks."
    panel.undo()
    assert [store.get(i).status for i in ids] == ["open"] * 3


def test_the_trash_view_restores_and_empties(qtbot, store, make_panel):
    kept, gone = store.add("Keep me", by=CLI), store.add("Forget me", by=CLI)
    store.delete(kept.id, by=CLI)
    store.delete(gone.id, by=CLI)
    panel = make_panel()
    panel.show_view("Trash")
    qtbot.waitUntil(lambda: len(panel.visible_task_ids()) == 2)
    assert panel.model.look(kept.id).when.startswith("deleted ")
    assert panel.empty_trash_button.isVisible()
    panel._activated(kept.id)  # Enter or a double-click on the row
    assert store.get(kept.id) == kept
    qtbot.waitUntil(lambda: panel.visible_task_ids() == [gone.id])
    panel.empty_trash_button.click()
    box = panel.confirm_box
    assert box.text() == "Delete 1 task in the trash for good? This cannot be undone."
    later = store.add("Deleted while asked", by=CLI)  # by the assistant, say, meanwhile
    store.delete(later.id, by=Origin("agent"))
    [button for button in box.buttons() if button.text() == "Delete for good"][0].click()
    qtbot.waitUntil(lambda: [t.task.id for t in store.trash()] == [later.id])
    assert panel.status_label.text() == "Deleted 1 task for good."
    store.restore(later.id, by=CLI)
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.empty_label)


def test_retry_is_not_offered_for_an_answer_whose_changes_were_undone(qtbot, window, gemini,
                                                                      workspace):
    """Retry keeps the record of what the tools did: after Undo all the new answer would claim
    tasks that are gone. So Retry is greyed, says why, and Ctrl+R asks nothing of the model."""
    store = workspace.store
    gemini.enqueue(tool_calls(*[("add_task", {"title": title})
                                for title in ("Milk", "Bread", "Eggs")]),
                   text("Done. I added 3 tasks."))
    type_and_send(qtbot, window, "add milk, bread and eggs")
    wait_for_answer(qtbot, window, "Done. I added 3 tasks.")
    answer = answers(window)[-1]
    assert answer.retry_button.isEnabled()
    qtbot.mouseClick(answer.undo_all_button, Qt.MouseButton.LeftButton)
    assert [status for _, status in statuses(store)] == []  # all three undone
    assert not answer.retry_button.isEnabled()
    assert "changes to tasks were undone" in answer.retry_button.toolTip()

    asked = len(gemini.requests)
    window.chat.retry()  # as Ctrl+R does
    assert window.chat.status.text().startswith("This answer's changes to tasks were undone")
    assert len(gemini.requests) == asked and not window.chat.busy
    assert answer_text(window) == "Done. I added 3 tasks."
