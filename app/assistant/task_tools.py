"""The task store as function tools for the agent: the shared operations (tasks/operations.py)
wrapped for the Agents SDK. The tools run on the event loop, like the SDK's runner (its function
tools are coroutines), so the store's announcements of their writes come from that thread too.
A run's context is its AnswerScope: its Step is what the operations record (one answer, one undo
step), and its bulk guard decides which calls wait for approval.
"""

from agents import FunctionTool, RunContextWrapper
from agents.tool_context import ToolContext

from app.assistant.answer_scope import MAY_ASK, AnswerScope
from app.tasks import Origin, TaskStore
from app.tools.operations import Operation, operations, perform


def task_tools(store: TaskStore) -> list[FunctionTool]:
    """The tools; a run's context is its AnswerScope (ChatSession makes one per answer)."""
    def scope_of(context: RunContextWrapper) -> AnswerScope:
        scope = context.context
        return scope if isinstance(scope, AnswerScope) else AnswerScope(store, Origin("agent"))

    tools = []
    for operation in operations(store):
        # Annotated ToolContext, so the SDK passes one (with the call's id) rather than a copy
        # of the run's context: empty_trash runs as its approval card showed (as_approved).
        async def invoke(context: ToolContext, raw: str, operation: Operation = operation) -> str:
            scope = scope_of(context)
            return perform(scope.as_approved(operation, context.tool_call_id), raw, scope.step)

        async def needs_approval(context: RunContextWrapper, _arguments: dict, call_id: str,
                                 operation: Operation = operation) -> bool:
            return scope_of(context).needs_approval(operation.name, call_id)

        tools.append(FunctionTool(
            name=operation.name, description=operation.description,
            params_json_schema=operation.schema, on_invoke_tool=invoke, strict_json_schema=False,
            needs_approval=needs_approval if operation.name in MAY_ASK else False))
    return tools
