"""The task store as function tools for the agent: the shared operations (tasks/operations.py)
wrapped for the Agents SDK. The tools run on the event loop, like the SDK's runner (its function
tools are coroutines), so the store's announcements of their writes come from that thread too.
"""

from agents import FunctionTool, RunContextWrapper

from app.tasks import TaskStore
from app.tasks.operations import Operation, operations, perform


def task_tools(store: TaskStore) -> list[FunctionTool]:
    tools = []
    for operation in operations(store):
        async def invoke(_context: RunContextWrapper, raw: str,
                         operation: Operation = operation) -> str:
            return perform(operation, raw)

        tools.append(FunctionTool(
            name=operation.name, description=operation.description,
            params_json_schema=operation.schema, on_invoke_tool=invoke, strict_json_schema=False,
            needs_approval=operation.destructive))
    return tools
