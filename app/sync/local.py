"""The task store as sync sees it: every task as fields (app/sync/vtodo.py's form), and every
change sync makes written through the store like any other change, with origin "sync"."""

import importlib.util

from app.common.errors import UserError

from app.sync.vtodo import normal_due
from app.tasks import TaskStore
from app.tasks.model import Task

# The fields this store holds. Repeat rules, parents and reminders join when the store has them
# (issue 14); until then the server's RRULE, RELATED-TO and VALARM are kept untouched.
NAMES = ("title", "notes", "due", "priority", "status", "tags")


def _origin() -> dict:
    """`by=Origin("sync")` where the store records history (issue 13), nothing where it does not."""
    if importlib.util.find_spec("app.tasks.history") is None:
        return {}
    from app.tasks.history import Origin

    return {"by": Origin("sync")}


def fields_of(task: Task) -> dict:
    return {"title": task.title, "notes": task.notes, "due": normal_due(task.due),
            "priority": task.priority, "status": task.status, "tags": sorted(task.tags),
            "completed_at": task.completed_at, "updated_at": task.updated_at}


class LocalTasks:
    names = NAMES

    def __init__(self, store: TaskStore) -> None:
        self.store = store
        self._by = _origin()

    def all(self) -> dict[int, dict]:
        from app.tasks.filters import TaskFilter

        return {task.id: fields_of(task) for task in self.store.list_tasks(TaskFilter(status="all"))}

    def get(self, task_id: int) -> dict | None:
        from app.tasks.store import TaskNotFoundError

        try:
            return fields_of(self.store.get(task_id))
        except TaskNotFoundError:
            return None

    def add(self, fields: dict) -> int:
        task = self.store.add(fields["title"], notes=fields["notes"], due=fields["due"],
                              priority=fields["priority"], tags=fields["tags"], **self._by)
        if fields["status"] == "done":
            self.store.complete(task.id, **self._by)
        return task.id

    def apply(self, task_id: int, fields: dict, names) -> None:
        """Write the named fields; a task's status goes through complete/reopen."""
        changes = {name: fields[name] for name in names if name in NAMES and name != "status"}
        if changes:
            self.store.update(task_id, **changes, **self._by)
        if "status" in names:
            if fields["status"] == "done":
                self.store.complete(task_id, **self._by)
            else:
                self.store.reopen(task_id, **self._by)

    def delete(self, task_id: int) -> None:
        self.store.delete(task_id, **self._by)

    def bring_back(self, task_id: int, fields: dict) -> int:
        """A task deleted here but edited on the server comes back: from the trash with its id
        where the store has one, as a new task otherwise."""
        restore = getattr(self.store, "restore", None)
        if restore is not None:
            try:
                restore(task_id, **self._by)
                self.apply(task_id, fields, NAMES)
                return task_id
            except UserError:  # emptied from the trash meanwhile: it comes back as a new task
                pass
        return self.add(fields)
