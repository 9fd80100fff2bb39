"""`task-assistant ask "QUESTION"`: one turn with the agent, streamed to the terminal.

The answer goes to stdout as it arrives; what the agent does goes to stderr, so
`task-assistant ask "..." > answer.md` keeps just the answer.
"""

import argparse
import asyncio
import json
import sys
import threading
from pathlib import Path

from app.common.errors import UserError


def register(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help="ask the assistant one question (streams the answer)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--audio", metavar="FILE", type=Path,
                     help="a voice message (WAV or MP3, at most 15 MB): the assistant hears it, "
                          "with the question's words if any")
    ask.add_argument("--yes", action="store_true",
                     help="approve deletions, changes to many tasks at once and MCP tools that "
                          "change things without asking "
                          "(they are denied when stdin is not a terminal otherwise)")
    ask.add_argument("--model", help="use this model for this question only")
    ask.set_defaults(run=_run)


def _run(args) -> int:
    question = " ".join(args.question).strip()
    clip = None
    if args.audio is not None:  # checked before anything else: a bad file costs no request
        from app.assistant.voice import read_audio_file

        clip = read_audio_file(args.audio)
    elif not question:
        raise UserError("Ask a question, e.g. task-assistant ask \"what's due this week?\"")
    if args.model is not None:
        from app.config.settings import check_model

        try:
            args.model = check_model(args.model)
        except ValueError as error:
            raise UserError(f"The model name {error}.") from None
    try:
        return asyncio.run(_ask(question, args, clip))
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130


async def _ask(question: str, args, clip=None) -> int:
    from app.assistant.chat_session import ChatSession
    from app.assistant.events import (
        ApprovalRequested,
    )
    from app.workspace import Workspace

    workspace = Workspace(model=args.model)
    for warning in workspace.warnings:
        _say(f"task-assistant: {warning}")
    try:
        assistant = await workspace.agent.get()
        chat = ChatSession(assistant, workspace.conversations, workspace.store,
                           workspace.conversations.create().id)
        printer = TurnPrinter()
        turn = chat.send(question) if clip is None else chat.send_voice(clip, question)
        async for event in turn:
            if isinstance(event, ApprovalRequested):
                allowed = await _approve(event, args.yes)
                (event.allow if allowed else event.deny)()
            else:
                printer.show(event)
        return 1 if printer.failed else 0
    finally:
        await workspace.close()


class TurnPrinter:
    """A turn as the terminal shows it: the answer on stdout as it arrives, what the agent did
    on stderr, one sentence when it failed (`ask` and `routines run` alike)."""

    def __init__(self) -> None:
        self.failed = False
        self._ended_with_newline = True

    def show(self, event: object) -> None:
        from app.assistant.events import (
            Completed,
            Failed,
            Notice,
            Retrying,
            TextDelta,
            ToolFinished,
        )

        if isinstance(event, TextDelta):
            sys.stdout.write(_safe(event.text, keep_lines=True))
            sys.stdout.flush()
            self._ended_with_newline = event.text.endswith("\n")
        elif isinstance(event, ToolFinished) and not event.result.get("denied"):
            # (a denial was already reported when it was decided)
            _say(f"{'•' if event.ok else '✗'} {event.summary}")
        elif isinstance(event, Retrying):
            _say(f"… {event.message}")
        elif isinstance(event, Notice):
            _say(f"! {event.message}")
        elif isinstance(event, Failed):
            newline = "" if self._ended_with_newline else "\n"
            _say(f"{newline}task-assistant: {event.message}")
            self.failed = True
        elif isinstance(event, Completed) and not self._ended_with_newline:
            print()
            self._ended_with_newline = True


async def _approve(request, yes: bool) -> bool:
    for line in request.details:  # a batch: every change it would make, before any answer
        _say(f"  {line}")
    if yes:
        _say(f"• Allowed (--yes): {request.summary}")
        return True
    if not sys.stdin.isatty():
        _say(f"✗ Denied: {request.summary} (stdin is not a terminal; use --yes to allow)")
        return False
    if request.arguments and request.remember is not None:  # an MCP tool: show what it gets
        for name, value in request.arguments.items():
            _say(f"    {name}: {json.dumps(value, ensure_ascii=False)}")
    choices = "[y/N/a=always]" if request.remember is not None else "[y/N]"
    _say(f"{request.summary}? {choices} ", end="", flush=True)
    reply = (await _read_line()).strip().lower()
    if reply in ("a", "always") and request.remember is not None:
        request.remember()
        _say("• Always allowed from now on (revoke in Settings → Tools)")
        return True
    answer = reply in ("y", "yes")
    if not answer:
        _say(f"✗ Denied: {request.summary}")
    return answer


def _safe(text: str, *, keep_lines: bool = False) -> str:
    """Nothing the model or a task title holds reaches the terminal raw: no API key (a server
    may echo it), no escape code or bidi override (a title could rewrite the prompt)."""
    from app.common.redact import redact
    from app.common.titles import printable

    return printable(redact(text), keep_lines=keep_lines)


def _say(line: str, **options) -> None:
    """One line about the turn, on stderr (stdout carries only the answer)."""
    print(_safe(line, keep_lines=line.startswith("\n")), file=sys.stderr, **options)


async def _read_line() -> str:
    """A line from stdin without blocking the loop. A daemon thread, not to_thread(): on Ctrl-C
    asyncio.run would otherwise wait for the blocked read until the user pressed Enter."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str] = loop.create_future()

    def read() -> None:
        text = sys.stdin.readline()

        def deliver() -> None:
            if not line.done():
                line.set_result(text)

        try:
            loop.call_soon_threadsafe(deliver)
        except RuntimeError:
            pass  # the loop is gone: nobody is waiting any more

    threading.Thread(target=read, daemon=True).start()
    return await line
