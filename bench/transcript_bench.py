"""Long conversations and where the memory goes: run by window_bench.py (parts 4-6), each
measurement in a fresh process of its own so one cannot warm or bloat the other.

4) A conversation of 2,000 messages (1,000 questions, 1,000 markdown answers, some with code)
   against an empty one: from open_conversation() to its newest message painted, and the RSS
   it adds. Targets: 300 ms, 20 MB.
5) 1,000 answers streamed into one session's transcript (the view and its items, no model):
   RSS after 100 and after 1,000. Target: flat (under 10 MB more). Also from 300 on, once
   the view has folded its first items away: the heap's high-water mark of that first fold
   stays (malloc keeps freed memory), so growth past it is what a long session keeps adding.
6) Where the memory goes: RSS after importing Qt (with a QApplication), then openai, then the
   Agents SDK's own import of mcp, then the rest of the agent stack and the app.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MESSAGES = 2000
ANSWERS = 1000
OPEN_TARGET_MS = 300
OPEN_TARGET_MB = 20
FLAT_TARGET_MB = 10


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def answer_text(n: int) -> str:
    code = f"\n\n```python\ndef step_{n}():\n    return {n}\n```\n" if n % 5 == 0 else ""
    return (f"## Answer {n}\n\nHere is **what** to do about item {n}:\n\n- first\n- second\n\n"
            f"A closing paragraph with a [link](https://example.com/{n}).{code}")


def _fill(path: Path) -> tuple[str, str]:
    """A conversations file with an empty conversation and one of MESSAGES messages."""
    import asyncio

    from app.conversations.sdk_history import open_session
    from app.conversations.store import ConversationStore

    with ConversationStore(path) as conversations:
        empty = conversations.create("empty").id
        long = conversations.create("long").id
        items = []
        for n in range(MESSAGES // 2):
            items.append({"role": "user", "content": f"Question {n}: what about item {n}?"})
            items.append({"id": f"msg_{n}", "type": "message", "role": "assistant",
                          "status": "completed",
                          "content": [{"type": "output_text", "text": answer_text(n),
                                       "annotations": []}]})
        session = open_session(long, path)
        asyncio.run(session.add_items(items))
        session.close()
    return empty, long


def _app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _turn_of_the_loop(app) -> None:
    """What one pass of the real event loop does, deleteLater() included (processEvents()
    alone leaves deferred deletes pending for ever)."""
    from PySide6.QtCore import QEvent

    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _settle(app, seconds: float = 0.3) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        _turn_of_the_loop(app)


def measure_open() -> dict:
    app = _app()
    from app.conversations.store import ConversationStore
    from app.ui.chat.chat_panel import ChatPanel

    path = Path(tempfile.mkdtemp(prefix="transcript-bench-")) / "conversations.sqlite3"
    empty, long = _fill(path)
    conversations = ConversationStore(path)
    panel = ChatPanel(conversations, None, None, None)
    panel.resize(900, 700)
    panel.show()
    panel.open_conversation(empty)
    _settle(app)
    before = rss_mb()
    start = time.perf_counter()
    panel.open_conversation(long)
    newest = panel.view.items()[-1]
    painted = []
    spy = _PaintSpy(painted)  # kept: an event filter without an owner would be collected
    newest.installEventFilter(spy)
    while not painted and time.perf_counter() - start < 30:
        app.processEvents()
    elapsed = time.perf_counter() - start
    _settle(app, 1.0)
    after = rss_mb()
    return {"open_ms": elapsed * 1000, "extra_mb": after - before,
            "built": len(panel.view.items()), "unbuilt": panel.view.unbuilt}


class _PaintSpy:
    def __new__(cls, painted: list):
        from PySide6.QtCore import QEvent, QObject

        class Spy(QObject):
            def eventFilter(self, _watched, event):
                if event.type() == QEvent.Type.Paint:
                    painted.append(time.perf_counter())
                return False

        return Spy()


def measure_session() -> dict:
    app = _app()
    from app.ui.chat.chat_items import MessageItem
    from app.ui.chat.chat_view import ChatView

    view = ChatView()
    view.resize(900, 700)
    view.show()
    marks = {}
    for n in range(1, ANSWERS + 1):
        view.add(MessageItem("user", f"Question {n}"))
        answer = view.add(MessageItem("assistant"))
        text = answer_text(n)
        for start in range(0, len(text), 40):
            answer.view.append(text[start:start + 40])
        answer.view.finish()
        _turn_of_the_loop(app)
        if n in (100, 300, ANSWERS):
            _settle(app)
            marks[n] = rss_mb()
    return {"rss_100": marks[100], "rss_300": marks[300], "rss_end": marks[ANSWERS],
            "built": len(view.items())}


def measure_imports() -> dict:
    steps = {"python": rss_mb()}
    _app()
    import PySide6.QtWidgets  # noqa: F401
    steps["Qt"] = rss_mb()
    import openai  # noqa: F401
    steps["openai"] = rss_mb()
    import mcp  # noqa: F401  (the Agents SDK imports it)
    steps["mcp"] = rss_mb()
    import agents  # noqa: F401
    steps["agents SDK (rest)"] = rss_mb()
    import app.assistant.chat_session  # noqa: F401
    import app.ui.chat.chat_panel  # noqa: F401
    import app.ui.shell  # noqa: F401
    steps["ours (app modules)"] = rss_mb()
    return steps


def run_part(name: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM":
           os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    output = subprocess.run([sys.executable, __file__, name], env=env, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def report() -> None:
    opened = run_part("open")
    print(f"4) A conversation of {MESSAGES:,} messages, opened after an empty one:")
    print(f"   newest message painted {opened['open_ms']:6.0f} ms after open_conversation  "
          f"(target <= {OPEN_TARGET_MS} ms: "
          f"{'met' if opened['open_ms'] <= OPEN_TARGET_MS else 'MISSED'})")
    print(f"   RSS it adds            {opened['extra_mb']:6.1f} MB  (target < {OPEN_TARGET_MB} "
          f"MB: {'met' if opened['extra_mb'] < OPEN_TARGET_MB else 'MISSED'}); "
          f"{opened['built']} items built, {opened['unbuilt']:,} kept as factories")
    session = run_part("session")
    growth = session["rss_end"] - session["rss_100"]
    print(f"5) {ANSWERS:,} answers streamed into one session's transcript:")
    print(f"   RSS after 100 answers {session['rss_100']:6.0f} MB, after {ANSWERS:,} "
          f"{session['rss_end']:6.0f} MB: +{growth:.1f} MB  (target flat, < {FLAT_TARGET_MB} "
          f"MB: {'met' if growth < FLAT_TARGET_MB else 'MISSED'}); "
          f"{session['built']} items built at the end")
    print(f"   from 300 answers on (the view's first fold behind it): "
          f"+{session['rss_end'] - session['rss_300']:.1f} MB")
    steps = run_part("imports")
    print("6) Where the memory goes (RSS after each import, one fresh process):")
    previous = None
    for name, value in steps.items():
        extra = "" if previous is None else f"  (+{value - previous:.0f} MB)"
        print(f"   {name:<22}{value:6.0f} MB{extra}")
        previous = value


if __name__ == "__main__":
    sys.path[:0] = [str(REPO)]
    part = sys.argv[1] if len(sys.argv) > 1 else ""
    if part == "open":
        print(json.dumps(measure_open()))
    elif part == "session":
        print(json.dumps(measure_session()))
    elif part == "imports":
        print(json.dumps(measure_imports()))
    else:
        report()
