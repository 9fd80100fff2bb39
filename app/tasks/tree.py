"""Subtasks under their parents: the order lists show tasks in."""

from collections.abc import Iterable

from app.tasks.model import Task


def in_tree_order(tasks: Iterable[Task]) -> list[tuple[Task, int]]:
    """(task, depth) with each subtask right under its parent, keeping the given order among
    siblings; a subtask whose parent is not among `tasks` stands at the top level."""
    tasks = list(tasks)
    present = {task.id for task in tasks}
    children: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id in present:
            children.setdefault(task.parent_id, []).append(task)
    ordered: list[tuple[Task, int]] = []

    def visit(task: Task, depth: int) -> None:
        ordered.append((task, depth))
        for child in children.get(task.id, ()):
            visit(child, depth + 1)

    for task in tasks:
        if task.parent_id not in present:
            visit(task, 0)
    return ordered
