"""One conversation with the agent, as a stream of typed events any front end can show.

`send(text)` runs a turn: text arrives as TextDelta, every tool call as ToolStarted/ToolFinished,
a destructive call pauses on ApprovalRequested until the front end answers, and the turn ends with
exactly one of Completed, Failed (one plain sentence) or Cancelled. History is saved by the SDK's
session in the conversation store, so a conversation resumes after a restart.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from agents import RunConfig, Runner, RunResultStreaming
from agents.memory import Session

from app.assistant.answer_scope import AnswerScope, BulkGuardHooks
from app.assistant.assistant import Assistant
from app.assistant.events import (
    ApprovalRequested,
    Cancelled,
    ChatEvent,
    Completed,
    Failed,
    FailureKind,
    Notice,
    Retrying,
    TextDelta,
    ToolFinished,
    ToolStarted,
)
from app.assistant.failures import failure, refused_audio
from app.assistant.gemini.errors import ApiProblem
from app.assistant.gemini.model import retry_listener
from app.assistant.summaries import (
    describe_batch,
    describe_delete_list,
    describe_empty_trash,
    describe_request,
    summarize,
    tool_result,
)
from app.assistant.voice import VoiceClip, heard_line
from app.assistant.voice_turn import AudioFreeSession, voice_run_config
from app.common.errors import UserError
from app.common.tool_arguments import decode_arguments
from app.conversations.sdk_history import stopped_answer
from app.conversations.store import ConversationStore
from app.tasks import Origin, TaskStore, validate

MAX_TURNS = 12  # model calls per message: plenty for "add these five tasks", bounded if it loops
DENIED = {"denied": True, "error": "The user did not approve this, so nothing was changed."}


def _arguments(raw: str) -> dict:
    """For showing the call: the raw text when it is not one JSON object."""
    try:
        return decode_arguments(raw)
    except UserError:
        return {"arguments": raw}


class ChatSession:
    def __init__(self, assistant: Assistant, conversations: ConversationStore, tasks: TaskStore,
                 conversation_id: str, origin: str = "agent"):
        """`conversations` keeps the history; `tasks` names the task an approval is about and
        holds this answer's undo step; `origin`: what the history says made the changes:
        "agent", or "quick_ask"."""
        self.assistant = assistant
        self.conversations = conversations
        self.tasks = tasks
        self.conversation_id = conversation_id
        self.origin = Origin(origin, conversation_id)
        self._result: RunResultStreaming | None = None
        self._pending: list[ApprovalRequested] = []
        self._cancelled = False
        self._partial = ""   # the answer's text since the last tool call, kept if stopped

    def cancel(self) -> None:
        """Stop the turn now; the events end with Cancelled and the history stays consistent."""
        self._cancelled = True
        for request in self._pending:
            request.deny()
        if self._result is not None and not self._result.is_complete:
            self._result.cancel(mode="immediate")

    async def send(self, text: str) -> AsyncIterator[ChatEvent]:
        text = text.strip()
        if not text:
            yield Failed("Type a message first.", FailureKind.EMPTY_MESSAGE, False)
            return
        self.conversations.title_from_first_message(self.conversation_id, text)
        async for event in self._turn(text):
            yield event
        self.conversations.touch(self.conversation_id)

    async def send_voice(self, clip: VoiceClip, text: str = "") -> AsyncIterator[ChatEvent]:
        """A recording (and anything typed with it) as the question. The model hears it once;
        the history keeps "Voice message (0:12): “…”" with what it heard, never the audio."""
        said: list[str] = []
        async for event in self._turn([clip.message(text.strip())], voice=(clip, text.strip())):
            if isinstance(event, TextDelta):
                said.append(event.text)
            yield event
        heard = heard_line("".join(said))
        kept = clip.kept_text(heard, text.strip())
        self.conversations.replace_question(self.conversation_id,
                                            clip.kept_text(None, text.strip()), kept)
        self.conversations.title_from_first_message(self.conversation_id, heard or kept)
        self.conversations.touch(self.conversation_id)

    async def retry(self) -> AsyncIterator[ChatEvent]:
        """Ask again for the last answer: drop the final assistant text (kept as an earlier
        version, browsable in the window), keep what tools did."""
        session = self.conversations.session(self.conversation_id)
        items = await session.get_items()
        replaced: list[str] = []
        while items and _is_answer_text(items[-1]):
            await session.pop_item()
            replaced.insert(0, _content_text(items.pop()))
        if not items:
            yield Failed("There is nothing to retry yet.", FailureKind.EMPTY_MESSAGE, False)
            return
        question = sum(1 for item in items if _is_question(item))
        self.conversations.keep_earlier_answer(self.conversation_id, question,
                                               "\n\n".join(replaced))
        async for event in self._turn([]):  # the history already ends with the question
            yield event
        self.conversations.touch(self.conversation_id)

    async def resend(self, text: str) -> AsyncIterator[ChatEvent]:
        """Replace the last message with `text`: it and everything after it (answers, and the
        record of tool calls; what the tools did stays done) leave the history first."""
        text = text.strip()
        if not text:
            yield Failed("Type a message first.", FailureKind.EMPTY_MESSAGE, False)
            return
        session = self.conversations.session(self.conversation_id)
        items = await session.get_items()
        if not any(_is_question(item) for item in items):
            async for event in self.send(text):
                yield event
            return
        while items and not _is_question(items[-1]):
            await session.pop_item()
            items.pop()
        await session.pop_item()
        items.pop()
        question = sum(1 for item in items if _is_question(item)) + 1
        self.conversations.forget_earlier_answers(self.conversation_id, question)
        async for event in self._turn(text):
            yield event
        self.conversations.touch(self.conversation_id)

    async def _turn(self, first_input, voice: tuple[VoiceClip, str] | None = None
                    ) -> AsyncIterator[ChatEvent]:
        self._cancelled = False
        self._partial = ""
        notices: asyncio.Queue = asyncio.Queue()  # retry notices, then the SDK events too
        try:
            agent = await self.assistant.agent()
        except UserError as error:
            yield Failed(str(error), FailureKind.NO_KEY, False)
            return
        for notice in self._notices():
            yield notice
        model = agent.model

        def hear_retry(problem: ApiProblem, delay: float) -> None:
            notices.put_nowait(_retrying(problem, delay))

        session: Session = self.conversations.session(self.conversation_id)
        run_config = RunConfig(tracing_disabled=True)
        if voice is not None:  # the audio is heard, never stored (voice_turn.py)
            session, run_config = AudioFreeSession(session, *voice), voice_run_config(*voice)
        scope = AnswerScope(self.tasks, self.origin)  # one answer: one undo step
        hooks = BulkGuardHooks()
        run_input = first_input
        calls: dict[str, ToolStarted] = {}
        try:
            while True:
                # The SDK's run task copies the context when it starts: set the listener just
                # around that, never across a yield of this generator.
                listening = retry_listener.set(hear_retry)
                try:
                    result = self._result = Runner.run_streamed(
                        agent, run_input, session=session, max_turns=MAX_TURNS, context=scope,
                        hooks=hooks, run_config=run_config)
                finally:
                    retry_listener.reset(listening)
                async for event in _merged(result.stream_events(), notices):
                    if isinstance(event, Retrying):
                        yield event
                        continue
                    for shown in self._translate(event, calls):
                        yield shown
                    if getattr(event, "name", "") == "tool_output":
                        for notice in self._notices():  # a server that failed in this call
                            yield notice
                if self._cancelled:
                    await self._keep_stopped_answer(session)
                    yield Cancelled()
                    return
                if not result.interruptions:
                    yield Completed(str(result.final_output or ""))
                    return
                state = result.to_state()
                batch = [item for item in result.interruptions if item.call_id in scope.held]
                singles = [[item] for item in result.interruptions if item not in batch]
                for items in ([batch] if batch else []) + singles:
                    # A held batch is one question for all its calls: it pauses once.
                    request = self._batch_approval(scope) if items is batch \
                        else self._approval(items[0], scope)
                    self._pending.append(request)
                    yield request
                    allowed = await request.decision() and not self._cancelled
                    self._pending.remove(request)
                    if items is batch:
                        scope.decided(allowed)
                    for item in items:
                        if allowed:
                            state.approve(item)
                        else:
                            state.reject(item, rejection_message=json.dumps(DENIED))
                if self._cancelled:
                    yield Cancelled()
                    return
                run_input = state
        except Exception as error:  # never a traceback on screen: one sentence (failures.py)
            failed = failure(error, model=str(model.model), base_url=model.base_url)
            yield refused_audio(failed, str(model.model)) if voice is not None else failed
        finally:
            self._result = None

    async def _keep_stopped_answer(self, session) -> None:
        """A stopped answer stays in the history (marked stopped): the window shows it again
        after a restart, and the model sees what it had said when asked to continue."""
        partial, self._partial = self._partial, ""
        if partial.strip():
            await session.add_items([stopped_answer(partial)])

    def _translate(self, event, calls: dict[str, ToolStarted]) -> list[ChatEvent]:
        if event.type == "raw_response_event":
            if event.data.type == "response.output_text.delta" and event.data.delta:
                self._partial += event.data.delta
                return [TextDelta(event.data.delta)]
            return []
        if event.type != "run_item_stream_event":
            return []
        if event.name == "message_output_created":
            self._partial = ""  # that text is in the history already
        raw = event.item.raw_item

        def get(name: str) -> Any:  # the raw item is a dict or the SDK's model of one
            return raw.get(name) if isinstance(raw, dict) else getattr(raw, name, None)

        if event.name == "tool_called":
            self._partial = ""
            started = ToolStarted(get("call_id"), get("name"), _arguments(get("arguments")))
            calls[started.call_id] = started
            return [started]
        if event.name == "tool_output":
            call = calls.pop(get("call_id"), None) or ToolStarted(get("call_id"), "tool", {})
            result = tool_result(event.item.output)
            return [ToolFinished(call.call_id, call.name, call.arguments, result,
                                 summarize(call.name, call.arguments, result))]
        return []

    def _notices(self) -> list[Notice]:
        mcp = self.assistant.mcp
        return [Notice(message) for message in mcp.take_notices()] if mcp else []

    def _approval(self, item, scope: AnswerScope) -> ApprovalRequested:
        arguments = _arguments(item.arguments)
        mcp = self.assistant.mcp
        mcp_tool = mcp.describe(item.name) if mcp else None
        if mcp is not None and mcp_tool is not None:  # every argument shows; none names a task
            return ApprovalRequested(
                item.call_id, item.name, arguments,
                f"Run '{mcp_tool.tool}' from the MCP server '{mcp_tool.server}'",
                remember=lambda: mcp.always_allow(item.name))
        if item.name == "empty_trash":  # the card names every task that would go for good
            trashed = self.tasks.trash()
            scope.trash_shown[item.call_id] = tuple(t.task.id for t in trashed)  # and no other
            summary, lines = describe_empty_trash([t.task.title for t in trashed])
            return ApprovalRequested(item.call_id, item.name, arguments, summary, details=lines)
        if item.name == "delete_list":  # the card says how many tasks move to Inbox
            return ApprovalRequested(item.call_id, item.name, arguments, self._list_deletion(
                arguments.get("name")))
        title = None
        try:
            title = self._title(arguments.get("id"))
        except UserError:
            pass  # the tool itself will report the unknown id if it is allowed to run
        return ApprovalRequested(item.call_id, item.name, arguments,
                                 describe_request(item.name, arguments, title))

    def _list_deletion(self, name: object) -> str:
        try:
            entry = self.tasks.list_info(name)  # type: ignore[arg-type]
        except UserError:  # the tool itself will say what is wrong if it is allowed to run
            return describe_delete_list(str(name or "?"), None)
        return describe_delete_list(entry.name, entry.open + entry.done)

    def _title(self, task_id: object) -> str:
        """The title of the task a call names; UserError when it names none."""
        return self.tasks.get(validate.task_id(task_id)).title

    def _batch_approval(self, scope: AnswerScope) -> ApprovalRequested:
        calls = list(scope.held.values())
        titles: dict[object, str] = {}  # by the id as each call gave it
        for _name, arguments in calls:
            try:
                titles[arguments.get("id")] = self._title(arguments.get("id"))
            except UserError:
                pass
        summary, lines = describe_batch(calls, titles)
        return ApprovalRequested("batch", "bulk_change", {"tasks": len(titles)}, summary,
                                 details=tuple(lines))


def _is_answer_text(item: Mapping[str, Any]) -> bool:
    return item.get("role") == "assistant" and item.get("type", "message") == "message"


def _is_question(item: Mapping[str, Any]) -> bool:
    return item.get("role") == "user" and item.get("type", "message") == "message"


def _content_text(item: Mapping[str, Any]) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


async def _merged(events: AsyncIterator, notices: asyncio.Queue) -> AsyncIterator:
    """The SDK's events, with retry notices slipped in the moment they happen (a retry waits
    inside the model call, when the SDK's own stream has nothing to say). One pump task feeds
    the SDK's events into the same queue: a task per event would cost ~15 µs each."""
    done = object()

    async def pump() -> None:
        try:
            async for event in events:
                notices.put_nowait(event)
        except BaseException as error:  # handed to the reader, raised there
            notices.put_nowait(_Raised(error))
        else:
            notices.put_nowait(done)

    pumping = asyncio.ensure_future(pump())
    try:
        while (item := await notices.get()) is not done:
            if isinstance(item, _Raised):
                raise item.error
            yield item
    finally:
        pumping.cancel()


class _Raised:
    def __init__(self, error: BaseException):
        self.error = error


def _retrying(problem: ApiProblem, delay: float) -> Retrying:
    # "Could not reach host: check …" / "… overloaded right now; try …" / "… for now. Try …"
    reason = problem.message.split(":")[0].split(";")[0].split(". ")[0].rstrip(".")
    from app.common.redact import redact

    reason = redact(reason)
    return Retrying(f"{reason}; trying again in {max(1, round(delay))} s.", delay, reason)
