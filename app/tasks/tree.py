"""Subtasks under their parents: the order lists show tasks in, and an imported file's tree made
one the store can hold.

Nothing here recurses: a file may hold a chain thousands of levels deep, or a loop of parents,
and each is walked with a loop that visits every task once.
"""

from collections.abc import Hashable, Iterable

from app.tasks.model import MAX_DEPTH, Task


def in_tree_order(tasks: Iterable[Task]) -> list[tuple[Task, int]]:
    """(task, depth) with each subtask right under its parent, keeping the given order among
    siblings; a subtask whose parent is not among `tasks` stands at the top level, and so does
    the first of a loop of parents (a damaged file), so no task is ever left out."""
    tasks = list(tasks)
    present = {task.id for task in tasks}
    children: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id in present and task.parent_id != task.id:
            children.setdefault(task.parent_id, []).append(task)
    ordered: list[tuple[Task, int]] = []
    placed: set[int] = set()

    def place_below(top: Task) -> None:
        stack = [(top, 0)]
        while stack:
            task, depth = stack.pop()
            if task.id in placed:
                continue
            placed.add(task.id)
            ordered.append((task, depth))
            stack.extend((child, depth + 1) for child in reversed(children.get(task.id, ())))

    for task in tasks:
        if task.parent_id not in present or task.parent_id == task.id:
            place_below(task)
    for task in tasks:  # only tasks in a loop are left
        if task.id not in placed:
            place_below(task)
    return ordered


def flattened_parents(links: list[tuple[Hashable, Hashable]]) -> tuple[list[Hashable], int]:
    """For an import's (id, parent id) pairs, the parent each record gets so that the tree is
    one the store holds: a subtask deeper than MAX_DEPTH goes up to the deepest level there is
    (under its ancestor one level above), and a loop of parents is cut where it closes.
    Returns the parents in the same order, and how many links were changed."""
    parent_of = {own: parent for own, parent in links if own is not None}
    placed: dict[Hashable, tuple[int, Hashable]] = {}  # id: (its level, the parent it gets)
    changed = 0

    def place(start: Hashable) -> None:
        nonlocal changed
        path, seen, current = [], set(), start
        while current not in placed and current not in seen:
            seen.add(current)
            path.append(current)
            current = parent_of.get(current)
            if current not in parent_of:  # the top, or a parent the file does not hold
                break
        for own in reversed(path):
            parent = parent_of.get(own)
            if parent not in parent_of:
                placed[own] = (1, parent)
            elif parent not in placed:  # it closes a loop: cut here
                placed[own] = (1, None)
                changed += 1
            elif placed[parent][0] < MAX_DEPTH:
                placed[own] = (placed[parent][0] + 1, parent)
            else:
                placed[own] = (MAX_DEPTH, placed[parent][1])
                changed += 1

    result = []
    for own, parent in links:
        if own is not None and own in parent_of:
            if own not in placed:
                place(own)
            result.append(placed[own][1])
        elif parent in parent_of:  # a record without an id of its own: nothing is under it
            if parent not in placed:
                place(parent)
            level, above = placed[parent]
            result.append(parent if level < MAX_DEPTH else above)
            changed += level >= MAX_DEPTH
        else:
            result.append(parent)
    return result, changed
