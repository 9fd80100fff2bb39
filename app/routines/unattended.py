"""One run of a routine: a new conversation titled with its name and day, the prompt sent as
the user would, and what could not be done said in the conversation.

Nobody is there to approve, so every approval is denied: deleting, emptying the trash, a
batch over the bulk limit (app/assistant/answer_scope.py) and an MCP tool that asks. Reading,
adding and changing within the limit run as in a chat, and the run is one undo step (one
answer). `routines run` at a terminal passes `decide` and asks, as `ask` does.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.assistant.events import ApprovalRequested, ChatEvent, Completed, Failed, FailureKind
from app.conversations.sdk_history import assistant_note
from app.conversations.store import ConversationStore
from app.routines.model import Routine
from app.tasks import TaskStore

# Worth one more try once the network is back; anything else would fail the same way again.
RETRY_KINDS = frozenset({FailureKind.OFFLINE, FailureKind.TIMEOUT, FailureKind.QUOTA,
                         FailureKind.OVERLOADED, FailureKind.NO_KEY})
UNATTENDED = ("\n\n(This is the scheduled routine '{name}'; nobody is at the keyboard, so do not "
              "ask questions. Deleting tasks and changing many at once will be refused: say "
              "what you would do instead.)")


@dataclass
class RunOutcome:
    routine: str
    conversation_id: str
    title: str
    answer: str = ""
    failure: str | None = None          # one sentence, when the run did not happen
    retry_later: bool = False           # the failure may pass (network, quota, key)
    not_done: list[str] = field(default_factory=list)  # what was denied

    def first_lines(self, count: int = 2) -> str:
        text = self.failure or self.answer
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return "\n".join(lines[:count]) or "Done."


def run_title(name: str, when: datetime) -> str:
    """"Plan my day · Mon 7 Dec"."""
    return f"{name} · {when:%a} {when.day} {when:%b}"


async def run_routine(routine: Routine, when: datetime, *, assistant, conversations:
                      ConversationStore, tasks: TaskStore, conversation_id: str | None = None,
                      decide: Callable[[ApprovalRequested], Awaitable[bool]] | None = None,
                      show: Callable[[ChatEvent], None] | None = None) -> RunOutcome:
    """Run it now; `conversation_id` continues a failed run's conversation (its one retry)."""
    if conversation_id is None:
        conversation_id = conversations.create(run_title(routine.name, when)).id
    outcome = RunOutcome(routine.name, conversation_id,
                         conversations.get(conversation_id).title)
    # Here, not at the top: the scheduler imports this module when the app starts, and a tray
    # start must not load the agent stack before anyone asks for it (issue 24).
    from app.assistant.chat_session import ChatSession

    chat = ChatSession(assistant, conversations, tasks, conversation_id, origin="routine")
    message = routine.prompt + ("" if decide else UNATTENDED.format(name=routine.name))
    async for event in chat.send(message):
        if show is not None:
            show(event)
        if isinstance(event, ApprovalRequested):
            allowed = await decide(event) if decide else False
            if not allowed:
                outcome.not_done.append(event.summary)
            (event.allow if allowed else event.deny)()
        elif isinstance(event, Completed):
            outcome.answer = event.text
        elif isinstance(event, Failed):
            outcome.failure = event.message
            outcome.retry_later = event.kind in RETRY_KINDS
    await _tell(conversations, outcome, unattended=decide is None)
    return outcome


async def _tell(conversations: ConversationStore, outcome: RunOutcome, *,
                unattended: bool) -> None:
    lines = []
    if outcome.not_done and unattended:
        lines.append("Not done, because nobody was there to approve it:")
        lines += [f"- {summary}" for summary in outcome.not_done]
        lines.append("\nReply \"do it now\" and I will do it, asking you first.")
    if outcome.failure is not None:
        lines.append(f"This run did not happen: {outcome.failure}")
    if lines:
        session = conversations.session(outcome.conversation_id)
        await session.add_items([assistant_note("\n".join(lines))])
        conversations.touch(outcome.conversation_id)
