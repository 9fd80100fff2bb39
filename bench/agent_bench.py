"""The agent stack's own cost, measured against a bare openai client on the same fake Gemini.

Run: .venv/bin/python bench/agent_bench.py   (both sides of every figure are measured in this one
run, interleaved; this machine is shared, so read the ratios and differences, not absolute times)

a) Streaming: does a ChatSession turn keep up with the raw client on a 4,000-chunk answer?
b) Tool round trip: what does a turn with one add_task call cost beyond the two HTTP exchanges?

The baseline in both replays the exact request bodies the session sent (recorded by the fake), so
the server parses, validates and streams the same bytes on both sides and its time cancels out.
"""

import asyncio
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

# Before any app import: a throwaway data directory, a fake key (the environment wins over the
# keyring, so no keyring is touched), and no overrides from the developer's shell.
os.environ["TASK_ASSISTANT_HOME"] = HOME = tempfile.mkdtemp(prefix="agent-bench-")
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
os.environ["GEMINI_API_KEY"] = "bench-fake-key-not-real"
for name in ("TASK_ASSISTANT_MODEL", "TASK_ASSISTANT_BASE_URL"):
    os.environ.pop(name, None)

import openai  # noqa: E402
from fake_gemini import FakeGemini, text, tool_calls  # noqa: E402

from app.assistant.assistant import Assistant  # noqa: E402
from app.assistant.chat_session import ChatSession  # noqa: E402
from app.assistant.events import Completed, TextDelta, ToolFinished  # noqa: E402
from app.common.paths import data_dir  # noqa: E402
from app.config.keystore import KeyStore  # noqa: E402
from app.config.settings import Settings  # noqa: E402
from app.conversations.store import ConversationStore  # noqa: E402
from app.tasks import TaskStore  # noqa: E402
from app.tasks.history import Origin  # noqa: E402

CLI = Origin("cli")  # who the test's own writes are recorded as

TOKENS = 4000
STREAM_RUNS = 5    # per side, alternating
TOOL_RUNS = 25     # per side and per kind of turn, alternating

LONG_ANSWER = ["tok "] * TOKENS
ADD_MILK = ("add_task", {"title": "Buy milk", "due": "2026-11-27"})


def long_reply():
    return text(*LONG_ANSWER)


def tool_turn_replies():
    return tool_calls(ADD_MILK), text("ok")


def short_reply():
    return text("ok")


class Bench:
    def __init__(self, gemini: FakeGemini, assistant: Assistant, conversations: ConversationStore,
                 tasks: TaskStore):
        self.gemini = gemini
        self.assistant = assistant
        self.conversations = conversations
        self.tasks = tasks
        # The same client settings the Assistant uses (app/assistant/assistant.py).
        self.raw = openai.AsyncOpenAI(api_key=os.environ["GEMINI_API_KEY"],
                                      base_url=gemini.base_url, max_retries=0, timeout=60.0)

    async def turn(self, question: str, *replies) -> tuple[float, list]:
        """One ChatSession turn in a new conversation: seconds until the event stream ends."""
        self.gemini.enqueue(*replies)
        chat = ChatSession(self.assistant, self.conversations, self.tasks,
                           self.conversations.create().id)
        events = []
        began = time.perf_counter()
        async for event in chat.send(question):
            events.append(event)
        elapsed = time.perf_counter() - began
        if not isinstance(events[-1], Completed):
            raise SystemExit(f"the session turn did not complete: {events[-1]}")
        return elapsed, events

    async def replay(self, bodies: list[dict], *replies) -> tuple[float, int]:
        """The same request bodies, one after the other, through the bare client: seconds and
        content chunks read."""
        self.gemini.enqueue(*replies)
        chunks = 0
        began = time.perf_counter()
        for body in bodies:
            stream = await self.raw.chat.completions.create(**body)
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    chunks += 1
        return time.perf_counter() - began, chunks

    def last_bodies(self, count: int) -> list[dict]:
        return [dict(body) for body in self.gemini.requests[-count:]]

    async def close(self) -> None:
        await self.raw.close()
        await self.assistant.close()


async def streaming(bench: Bench) -> None:
    # Warm-up (builds the agent, opens connections) and the body the session sends.
    _, events = await bench.turn("say tok", long_reply())
    body = bench.last_bodies(1)
    await bench.replay(body, long_reply())

    # The fake server is a thread of this process, so it shares the GIL with the client: wall
    # time is roughly server CPU + client CPU. The main thread's CPU time (time.thread_time)
    # is the client's work alone, which is what a remote server would race against.
    times: dict[str, list[float]] = {"raw": [], "session": []}
    cpu: dict[str, list[float]] = {"raw": [], "session": []}
    for run in range(STREAM_RUNS):
        for side in (("raw", "session") if run % 2 == 0 else ("session", "raw")):
            began_cpu = time.thread_time()
            if side == "raw":
                elapsed, chunks = await bench.replay(body, long_reply())
            else:
                elapsed, events = await bench.turn("say tok", long_reply())
                chunks = sum(isinstance(event, TextDelta) for event in events)
            cpu[side].append(time.thread_time() - began_cpu)
            times[side].append(elapsed)
            if chunks != TOKENS:
                raise SystemExit(f"{side}: read {chunks} text chunks, expected {TOKENS}")

    raw, session = statistics.median(times["raw"]), statistics.median(times["session"])
    raw_cpu, session_cpu = statistics.median(cpu["raw"]), statistics.median(cpu["session"])
    print(f"a) Streaming {TOKENS:,} chunks, median of {STREAM_RUNS} each:")
    print(f"   raw openai client   {raw * 1000:8.1f} ms  ({TOKENS / raw:,.0f} chunks/s), "
          f"client CPU {raw_cpu / TOKENS * 1e6:.0f} us/chunk")
    print(f"   ChatSession.send()  {session * 1000:8.1f} ms  ({TOKENS / session:,.0f} chunks/s), "
          f"client CPU {session_cpu / TOKENS * 1e6:.0f} us/chunk")
    print(f"   raw / session = {raw / session:.2f}  (target >= 0.9: the session keeps up with "
          f"the raw client); by client CPU alone {raw_cpu / session_cpu:.2f}")


async def tool_round_trip(bench: Bench) -> None:
    # What is measured: the wall time of a whole ChatSession turn (send() called to its last
    # event) minus the wall time of a bare openai client sending the *same two request bodies*
    # to the same fake server and reading the same two streamed replies. Both sides pay the
    # server's work and the HTTP/SSE transfer and parsing, so the difference is what the app
    # adds on top: the Agents SDK's run loop and request building, our model wrapper, running
    # the tool (argument checks + one SQLite INSERT with its FTS index, committed), the SDK
    # saving history to SQLite, the conversation's title and "touched" commits, and the event
    # translation. It is not "the server's own time": the fake server does not time itself, and
    # the bare client's own parsing is in the baseline, so this is the overhead over a bare
    # client. A plain-text turn (one request) is measured the same way, so the tool round trip's
    # own share is separated from what every turn costs.
    _, events = await bench.turn("add milk", *tool_turn_replies())
    if not any(isinstance(event, ToolFinished) and event.ok for event in events):
        raise SystemExit("the warm-up tool turn did not add a task")
    tool_bodies = bench.last_bodies(2)
    await bench.turn("hi", short_reply())
    text_body = bench.last_bodies(1)
    await bench.replay(tool_bodies, *tool_turn_replies())
    await bench.replay(text_body, short_reply())

    tool_extra, text_extra, tool_turns, tool_bases = [], [], [], []
    for run in range(TOOL_RUNS):
        order = (0, 1) if run % 2 == 0 else (1, 0)
        measured = {}
        for which in order:
            if which == 0:
                measured["turn"], _ = await bench.turn("add milk", *tool_turn_replies())
            else:
                measured["base"], _ = await bench.replay(tool_bodies, *tool_turn_replies())
        tool_turns.append(measured["turn"])
        tool_bases.append(measured["base"])
        tool_extra.append(measured["turn"] - measured["base"])
        measured = {}
        for which in order:
            if which == 0:
                measured["turn"], _ = await bench.turn("hi", short_reply())
            else:
                measured["base"], _ = await bench.replay(text_body, short_reply())
        text_extra.append(measured["turn"] - measured["base"])

    # The tool's own database write, alone, for scale.
    store = bench.assistant.store
    add_times = []
    for _ in range(200):
        began = time.perf_counter()
        store.add("Buy milk", due="2026-11-27", by=CLI)
        add_times.append(time.perf_counter() - began)

    extra = statistics.median(tool_extra) * 1000  # median of paired differences: drift-robust
    plain = statistics.median(text_extra) * 1000
    print(f"b) Tool round trip, median of {TOOL_RUNS} interleaved pairs:")
    print(f"   turn with add_task + text reply  {statistics.median(tool_turns) * 1000:7.1f} ms")
    print(f"   bare client, same two requests   {statistics.median(tool_bases) * 1000:7.1f} ms")
    print(f"   tool round trip adds {extra:.1f} ms over a bare client doing the same two "
          "requests (target < 5 ms)")
    print(f"   of which every turn pays {plain:.1f} ms (a plain-text turn over one bare request), "
          f"so the tool call itself adds {extra - plain:.1f} ms; "
          f"the add_task INSERT alone takes {statistics.median(add_times) * 1000:.2f} ms")


async def main() -> None:
    with FakeGemini() as gemini, TaskStore(data_dir() / "tasks.sqlite3") as store, \
            ConversationStore(data_dir() / "conversations.sqlite3") as conversations:
        settings = Settings()
        settings.set("base_url", gemini.base_url)
        bench = Bench(gemini, Assistant(store, settings, KeyStore()), conversations, store)
        try:
            await streaming(bench)
            await tool_round_trip(bench)
        finally:
            await bench.close()


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}, openai {openai.__version__}, "
          f"openai-agents {version('openai-agents')}")
    asyncio.run(main())
