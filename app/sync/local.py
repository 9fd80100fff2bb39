"""The task store as sync sees it: every task as fields (app/sync/vtodo.py's form), and every
change sync makes written through the store like any other change, with origin "sync" (so it
is in the history, can be undone, and reaches the open task panel).

All the writes of one run are one undo step (`begin_run`): `tasks undo` after a sync takes the
whole sync back (`tasks undo --step N` an older one, numbered in `tasks history`), and the next
sync sends that back to the server as ordinary local changes."""

from collections.abc import Callable, Collection

from app.common.errors import UserError
from app.sync import vtodo
from app.sync.vtodo import NAMES, Fields
from app.tasks import TaskStore
from app.tasks.filters import TaskFilter
from app.tasks.history import Origin, Step
from app.tasks.model import INBOX, Task
from app.tasks.validate import list_name_key

BY = Origin("sync")


class LocalTasks:
    """`uid_of(task_id)` and `task_of(uid)` translate parents, whose UIDs only sync knows."""

    names = NAMES

    def __init__(self, store: TaskStore) -> None:
        self.store = store
        self.by = Step(BY)
        self.uid_of: Callable[[int], str | None] = lambda task_id: None
        self.task_of: Callable[[str], int | None] = lambda uid: None

    def begin_run(self) -> None:
        """Every write from here on, until the next run begins, is one undo step."""
        self.by = Step(BY)

    def fields(self, task: Task) -> Fields:
        # Read by name from _asdict(): tasks/model.py builds Task from a tuple of names, so
        # mypy cannot see its attributes.
        row = task._asdict()
        parent = (self.uid_of(row["parent_id"]) or "") if row["parent_id"] else ""
        return {"title": row["title"], "notes": row["notes"],
                "due": vtodo.normal_due(row["due"]), "priority": row["priority"],
                "status": row["status"], "tags": sorted(row["tags"]),
                "repeat": vtodo.normal_rule(row["repeat"]), "parent": parent,
                "remind_at": vtodo.normal_due(row["remind_at"]),
                "completed_at": row["completed_at"], "updated_at": row["updated_at"],
                "list": row["list"], "uid": row["uid"], "parent_id": row["parent_id"]}

    def all(self) -> dict[int, Fields]:
        return {task._asdict()["id"]: self.fields(task)
                for task in self.store.list_tasks(TaskFilter(status="all"))}

    def get(self, task_id: int) -> Fields | None:
        from app.tasks.store import TaskNotFoundError

        try:
            return self.fields(self.store.get(task_id))
        except TaskNotFoundError:
            return None

    def never_had(self, task_id: int) -> bool:
        """No task, no trash entry and no history for this id: the file was replaced by an
        older backup, not the task deleted (a deletion is history until the trash expires)."""
        return not self.store.history(task_id, limit=1)

    def lists(self) -> list[str]:
        return [each.name for each in self.store.lists()]

    def list_names(self) -> dict[int, str]:
        """Every list's name by its id, which a rename keeps."""
        return self.store.list_names()

    def list_id(self, name: str) -> int | None:
        wanted = list_name_key(name)  # as the store matches names, or import makes a second
        return next((number for number, each in self.list_names().items()
                     if list_name_key(each) == wanted), None)

    def add_list(self, name: str) -> int:
        if self.list_id(name) is None:
            self.store.add_list(name, by=self.by)
        number = self.list_id(name)
        if number is None:  # the store made it just now, so only a bug gets here
            raise RuntimeError(f"list {name!r} was added but is not there")
        return number

    def rename_list(self, old: str, new: str) -> None:
        self.store.rename_list(old, new, by=self.by)

    def set_aside(self, list_name: str, to_trash: set[int]) -> int:
        """A list whose calendar was deleted on another device: `to_trash` (its synced tasks)
        go to the trash, its other tasks (never synced, or edited since) to Inbox, and the list
        is removed; all in the run's step, so one undo brings the list and its tasks back. A
        kept subtask of a trashed task stands on its own. Returns how many went to Inbox."""
        step = self.by
        in_list = {number: fields for number, fields in self.all().items()
                   if fields["list"] == list_name}
        kept = [number for number in in_list if number not in to_trash]
        for number in kept:  # first, so that no kept task goes to the trash with its parent
            parent = in_list[number]["parent_id"]
            if parent is None or parent in to_trash:  # its own subtasks move along with it
                move = {"list": INBOX} if list_name != INBOX else {}
                self.store.update(number, parent_id=None, **move, by=step)
        for number in to_trash:
            if in_list[number]["parent_id"] not in to_trash:
                self.store.delete(number, by=step)  # its subtasks go with it
        if list_name != INBOX:  # a task another process put in it meanwhile goes to Inbox too
            self.store.remove_list(list_name, by=step, move_to=INBOX)
        return len(kept)

    def add(self, fields: Fields, list_name: str, uid: str) -> int:
        """A task from the server, with its UID, completion time and list; a field the store
        refuses (a repeat rule without a due date) is left out, never the whole task."""
        record = {"title": fields["title"], "notes": fields["notes"], "due": fields["due"],
                  "priority": fields["priority"], "status": fields["status"],
                  "tags": fields["tags"], "list": list_name, "uid": uid,
                  "completed_at": fields.get("completed_at"),
                  "repeat": fields["repeat"] or None, "remind_at": fields["remind_at"]}
        try:
            task_id = self.store.import_tasks([record], by=self.by)[0]
        except UserError:
            record.update(repeat=None, remind_at=None)
            task_id = self.store.import_tasks([record], by=self.by)[0]
        if fields["parent"]:
            self.apply(task_id, fields, ["parent"])
        return task_id

    def apply(self, task_id: int, fields: Fields, names: Collection[str]) -> None:
        """Write the named fields; what the store refuses is skipped (and stays unsynced)."""
        changes = {}
        for name in names:
            if name in ("title", "notes", "due", "priority", "tags"):
                changes[name] = fields[name]
            elif name == "repeat":
                changes["repeat"] = fields["repeat"] or "none"
            elif name == "remind_at":
                changes["remind"] = fields["remind_at"] or "none"
            elif name == "parent":
                parent = self.task_of(fields["parent"]) if fields["parent"] else None
                if parent is not None or not fields["parent"]:  # unknown yet: left for later
                    changes["parent_id"] = parent
        if changes:
            try:
                self.store.update(task_id, **changes, by=self.by)
            except UserError:
                for name, value in changes.items():  # one refused field must not stop the rest
                    try:
                        self.store.update(task_id, **{name: value}, by=self.by)
                    except UserError:
                        pass
        if "status" in names:
            if fields["status"] == "done":
                self.store.complete(task_id, by=self.by, with_subtasks=True)
            else:
                self.store.reopen(task_id, by=self.by)

    def move(self, task_id: int, list_name: str) -> None:
        self.add_list(list_name)
        self.store.update(task_id, list=list_name, by=self.by)

    def delete(self, task_id: int) -> None:
        self.store.delete(task_id, by=self.by)

    def bring_back(self, task_id: int, fields: Fields, list_name: str, uid: str) -> int:
        """A task deleted here but edited on the server comes back: from the trash with its id
        when it is still there, as a new task otherwise."""
        try:
            self.store.restore(task_id, by=self.by)
        except UserError:  # emptied from the trash meanwhile
            return self.add(fields, list_name, uid)
        self.apply(task_id, fields, NAMES)
        return task_id
