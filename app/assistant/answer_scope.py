"""What the tools of one answer share: its undo step, and the bulk guard.

Everything one answer changes is one undo step (its changes carry the conversation). The bulk
guard: an answer that would change, complete or delete more than BULK_LIMIT existing tasks
pauses once for the user's approval of the whole batch. The model announces its calls before
any runs (the SDK calls `on_llm_end` with the whole response first), so the batch is known in
full: those calls are held for approval together, and the approval card lists them all.
"""

from agents import RunHooks

from app.common.errors import UserError
from app.common.tool_arguments import decode_arguments
from app.tasks import Origin, Step, TaskFilter, TaskStore, validate
from app.tools.operations import Operation, emptying

BULK_LIMIT = 5
CHANGES_EXISTING = frozenset({"update_task", "complete_task", "reopen_task", "delete_task"})
# Removes tasks, or a list: the user approves each.
ALWAYS_ASK = frozenset({"delete_task", "empty_trash", "delete_list"})
# Moves every overdue task: asks when that is more than BULK_LIMIT of them.
MOVES_OVERDUE = "reschedule_overdue"
MAY_ASK = CHANGES_EXISTING | ALWAYS_ASK | {MOVES_OVERDUE}


class AnswerScope:
    def __init__(self, store: TaskStore, origin: Origin) -> None:
        self.store = store
        self.origin = origin
        self.step = Step(origin)
        self.touched: set[int] = set()     # existing tasks this answer has changed, or will
        self.held: dict[str, tuple[str, dict]] = {}  # call id -> (tool, arguments) awaiting
        # empty_trash's call id -> the trashed tasks its approval card named: all it may delete
        self.trash_shown: dict[str, tuple[int, ...]] = {}

    def needs_approval(self, name: str, call_id: str) -> bool:
        """Deletions always ask; so does every call of a held batch."""
        if name == MOVES_OVERDUE:
            return self.overdue_count() > BULK_LIMIT
        return call_id in self.held or name in ALWAYS_ASK

    def overdue_count(self) -> int:
        return self.store.count_matching(TaskFilter(status="open", overdue=True))

    def as_approved(self, operation: Operation, call_id: str | None) -> Operation:
        """The operation as the user approved this call: emptying the trash deletes only the
        tasks the card named, not one deleted meanwhile (by this same answer, or in the
        window while the card was open)."""
        shown = self.trash_shown.pop(call_id, None) if call_id else None
        if operation.name == "empty_trash" and shown is not None:
            return operation._replace(run=emptying(self.store, shown))
        return operation

    def plan(self, calls: list[tuple[str, str, dict]]) -> None:
        """A model response's calls (call id, tool, arguments): hold them all if together
        with what this answer already changed they reach more than BULK_LIMIT tasks."""
        changing = [(call_id, name, arguments) for call_id, name, arguments in calls
                    if name in CHANGES_EXISTING]
        ids = {number for _, _, arguments in changing
               if (number := self._existing(arguments.get("id"))) is not None}
        if len(self.touched | ids) > BULK_LIMIT:
            self.held = {call_id: (name, arguments) for call_id, name, arguments in changing}
        else:
            self.touched |= ids

    def _existing(self, task_id: object) -> int | None:
        try:
            return self.store.get(validate.task_id(task_id)).id
        except UserError:
            return None  # not a task: the tool will say so, and nothing changes

    def decided(self, allowed: bool) -> None:
        """The user answered the batch: once approved, those tasks start a fresh count."""
        if allowed:
            self.touched = set()
        self.held = {}


class BulkGuardHooks(RunHooks):
    async def on_llm_end(self, context, agent, response) -> None:
        scope = context.context
        if not isinstance(scope, AnswerScope):
            return
        calls = []
        for item in response.output:
            if getattr(item, "type", None) == "function_call":
                try:
                    arguments = decode_arguments(item.arguments)
                except UserError:
                    arguments = {}
                calls.append((item.call_id, item.name, arguments))
        scope.plan(calls)
