"""The desktop window: start-up against a bare PySide6 window, event-loop stalls while a long
answer streams in, and resident memory after it.

Run: .venv/bin/python bench/window_bench.py [--runs N] [--display]
(offscreen by default; --display uses the X server in $DISPLAY. Both sides of every ratio are
measured in this one run, interleaved; this machine is shared, so read the ratios.)

1) First paint: fresh processes, alternating, from just before the spawn (the parent's
   time.monotonic(), system-wide on Linux) to the first paint (the child's): a bare
   QApplication + QMainWindow with one QTextBrowser, and the real app through
   app.ui.lifecycle.desktop.run(on_shown=...), which then quits through the window's clean shutdown.
   Three more launches of each are counted rather than timed: the Python enum types PySide builds
   on first use before the first paint, and asyncio's import, the toll of the stack itself.
2) Stall: the real app, in this process (desktop.run again), answers a 4,000-chunk markdown
   reply from the fake Gemini while a 16 ms heartbeat QTimer records how late each tick is.
   The fake server runs in a subprocess: as a thread here it would compete with the window for
   the GIL, which a remote server does not. It sends as fast as the client reads (no pacing),
   the hardest case for the window. The same stream read by a bare openai client on the same
   loop, no UI, is the side-by-side baseline; an idle second is the machine's noise floor.
3) Memory: VmRSS and VmHWM of this process after the first answer, against the bare window's
   RSS at its first paint.
   The app with its design system left off is a third side: the difference is what the
   theme (tokens, style sheet, the bundled Inter font) costs the first paint, every widget's
   polish under the style sheet included (target <= 10 ms of CPU). The bare window with only
   the theme put on it is a fourth, for comparison.
4-6) Long conversations (2,000 messages: time to paint the newest, RSS added), memory over
   1,000 answers in one session, and where the memory goes (Qt, openai, mcp, the rest of the
   Agents SDK, ours): bench/transcript_bench.py, each in a fresh process. `--long` runs only
   these.
7-9) The import floor (Qt + openai + mcp + the Agents SDK in a bare process) beside our own
   memory after the answers (target: ours <= 20 MB above it), a `--tray` start's memory after
   10 s idle on Xvfb with a tray host, and quick ask's first answer from a tray start against
   a preloaded one: bench/light_start_bench.py.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]

CHUNKS = 4000
HEARTBEAT_MS = 16
STALL_TARGET_MS = 16.0
PAINT_TARGET = 1.5
RSS_TARGET_MB = 180.0
THEME_TARGET_MS = 10.0
OWN_SHARE_TARGET_MB = 20.0
QUESTION = "Plan my week, with the details."
BENCH_KEY = "bench-key-not-real"  # only ever sent to the local fake server

# --------------------------------------------------------------------------- the answer


def answer_chunks(count: int = CHUNKS) -> list[str]:
    """A realistic markdown answer cut into `count` chunks of about one word each: headings,
    paragraphs with inline markup, bullet and numbered lists, and a fenced code block every
    third section. Deterministic, so every run streams the same bytes."""
    words = ("the task list for this week covers errands, work items and a few long-running "
             "projects that need a decision before Friday so plan each day with some slack "
             "and keep the meetings short").split()
    chunks: list[str] = []
    n = 0
    while True:
        n += 1
        para = " ".join(words[(n + i) % len(words)] for i in range(60))
        bullets = "\n".join(f"- **{words[(n + i) % len(words)]}** {' '.join(words[i:i + 9])}"
                            for i in range(5))
        steps = "\n".join(f"{i}. `{words[(n * i) % len(words)]}` {' '.join(words[i + 3:i + 14])}"
                          for i in range(1, 5))
        part = (f"## Part {n}: {words[n % len(words)]}\n\n{para}.\n\n{bullets}\n\n"
                f"{para[:para.rfind(' ', 0, 200)]} *{words[(n + 7) % len(words)]}*.\n\n"
                f"{steps}\n\n")
        if n % 3 == 0:
            part += ("```python\n"
                     f"def plan_{n}(tasks):\n"
                     "    for task in sorted(tasks, key=lambda t: t.due):\n"
                     "        if task.priority == 'high':\n"
                     f"            yield task.title, {n}\n"
                     "```\n\n")
        more = re.findall(r"\S+\s*", part)
        if len(chunks) + len(more) >= count:
            break
        chunks += more
    # A closing paragraph of exactly the words still missing.
    closing = " ".join(words[i % len(words)] for i in range(count - len(chunks))) + ".\n"
    return chunks + re.findall(r"\S+\s*", closing)


def long_reply():
    from fake_gemini import text

    return text(*answer_chunks())


def serve(replies: int) -> None:
    """`--serve N`: the fake Gemini in its own process, N long replies queued; it prints its
    base URL and stops when its stdin closes."""
    from fake_gemini import FakeGemini

    with FakeGemini() as gemini:
        gemini.enqueue(*[long_reply()] * replies)
        print(gemini.base_url, flush=True)
        sys.stdin.read()


# --------------------------------------------------------------------------- 1) first paint

# Both children record the time in a zero-timer after the window's first paint event, as
# MainWindow does before it emits first_painted, and report RSS at that moment.
CHILD_COMMON = """
import time
began = time.monotonic()
import json, sys

def report(**extra):
    rss = next(int(line.split()[1]) for line in open("/proc/self/status")
               if line.startswith("VmRSS:"))
    print(json.dumps({"painted": time.monotonic(), "cpu": time.process_time(), "began": began,
                      "rss_kb": rss, **globals().get("census", {}), **extra}), flush=True)
"""

# Counted launches, apart from the timed ones (the counting costs a little): how many Python enum
# types PySide builds before the first paint (it builds a class's enums on the class's first use;
# the Qt namespace alone is 93 of them), the CPU that takes, and the import of asyncio, which
# the qasync loop needs and the bare window does not.
CENSUS = """
import enum, time
census = {"enums": 0, "enum_s": 0.0}
_create = enum.EnumType._create_

def _counted(*args, **kwargs):
    started = time.perf_counter()
    try:
        return _create(*args, **kwargs)
    finally:
        census["enum_s"] += time.perf_counter() - started
        census["enums"] += 1

enum.EnumType._create_ = _counted
started = time.perf_counter()
import asyncio
census["asyncio_s"] = time.perf_counter() - started
"""

BARE_WINDOW = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTextBrowser

class Window(QMainWindow):
    painted = False

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, self.shown)

    def shown(self):
        report()
        app.quit()

app = QApplication(sys.argv[:1])
THEME
window = Window()
window.setCentralWidget(QTextBrowser())
window.resize(1180, 760)  # MainWindow's default size
window.show()
sys.exit(app.exec())
"""

BARE_CHILD = CHILD_COMMON + BARE_WINDOW.replace("THEME", "")
# The same bare window in our look: what desktop.run puts on the app before building the window.
THEMED_CHILD = CHILD_COMMON + BARE_WINDOW.replace("THEME", """
from app.ui.theme.apply import apply_theme
apply_theme(app)
""")

# The floor of our stack: the same bare window in our look, run on the qasync event loop as the
# app is, with no app code at all. The app's first paint cannot go below this one's.
STACK_FLOOR_CHILD = THEMED_CHILD.replace("sys.exit(app.exec())", """
import asyncio, os
from app.ui.lifecycle.event_loop import AppEventLoop
def shown_on_loop():
    report()
    os._exit(0)
Window.shown = lambda self: shown_on_loop()
async def wait_forever():
    await asyncio.Event().wait()
with asyncio.Runner(loop_factory=lambda: AppEventLoop(app)) as runner:  # as desktop.run
    runner.run(wait_forever())
""")

APP_CHILD = CHILD_COMMON + """
from app.ui.lifecycle.desktop import run
UNTHEMED

def shown(window):
    report()
    window.quit_requested.emit()  # the clean shutdown, as Ctrl+Q

sys.exit(run(on_shown=shown))
"""


# The real app with the design system left off (stock Fusion, no sheet, no Inter): the
# difference to the app is what the theme costs its first paint, every widget's polish
# under the style sheet included (the bare window above has one widget to polish).
UNTHEMED_CHILD = APP_CHILD.replace("UNTHEMED", """
import app.ui.theme.apply
app.ui.theme.apply.ThemeFollower = lambda app, settings: None
""")
APP_CHILD = APP_CHILD.replace("UNTHEMED", "")


def spawn_to_paint(code: str, env: dict) -> dict:
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"a first-paint child exited {done.returncode}:\n{done.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if len(lines) != 1:
        raise SystemExit(f"a first-paint child reported {len(lines)} times:\n{done.stdout}"
                         f"\n{done.stderr}")
    report = json.loads(lines[0])
    counted = {key: report[key] for key in ("enums", "enum_s", "asyncio_s") if key in report}
    return {"paint": report["painted"] - began, "cpu": report["cpu"],
            "python": report["began"] - began, "rss_mb": report["rss_kb"] / 1024, **counted}


def first_paint(runs: int, env: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="window-bench-paint-") as home, \
            tempfile.TemporaryDirectory(prefix="window-bench-lived-in-") as lived_in:
        env = {**env, "TASK_ASSISTANT_HOME": home}
        # An everyday start of someone who uses the app: lists, tasks and the last
        # conversation (tool lines, a code block) shown again, with the screenshots' data.
        seeded = {**env, "TASK_ASSISTANT_HOME": lived_in}
        _seed_like_the_screenshots(Path(lived_in))
        launches = {"bare": (BARE_CHILD, env), "app": (APP_CHILD, env),
                    "themed": (THEMED_CHILD, env), "unthemed": (UNTHEMED_CHILD, env),
                    "stack": (STACK_FLOOR_CHILD, env), "lived_in": (APP_CHILD, seeded)}
        # Warm-up, one each: the page cache, and the app's first launch (databases created,
        # the first conversation made). The measured launches are the everyday kind.
        for code, side_env in launches.values():
            spawn_to_paint(code, side_env)
        results: dict[str, list[dict]] = {side: [] for side in launches}
        sides = tuple(launches)
        for run in range(runs):
            for side in sides if run % 2 == 0 else sides[::-1]:
                results[side].append(spawn_to_paint(*launches[side]))
        for side in ("bare", "app"):
            code, side_env = launches[side]
            results[f"{side}_census"] = [spawn_to_paint(CENSUS + code, side_env)
                                         for _ in range(3)]
    return {side: {key: statistics.median(r[key] for r in rows) for key in rows[0]}
            | {"paint_all": sorted(r["paint"] for r in rows)}
            for side, rows in results.items()}


def _seed_like_the_screenshots(home: Path) -> None:
    """In a process of its own: seeding imports the Agents SDK (the conversations' session
    store), which in this process would come before PySide6 and change what part 3 measures."""
    seed = (f"import sys; sys.path.insert(0, {str(REPO / 'scripts')!r}); from pathlib import Path; "
            f"import screenshots; screenshots.seed(Path({str(home)!r}))")
    subprocess.run([sys.executable, "-c", seed], check=True, cwd=REPO,
                   env={**os.environ, "PYTHONPATH": str(REPO), "TASK_ASSISTANT_HOME": str(home)})


# --------------------------------------------------------------------------- 2) and 3)


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


class Heartbeat:
    """A 16 ms QTimer that records how late each tick is.

    Lateness is measured against the schedule Qt itself keeps for a repeating precise timer
    (the next tick is due one interval after the previous due time, or one interval from now
    when that has already passed), so an early-late pair does not hide a delay. A stretch of B
    ms in which the loop serves nothing shows as a lateness between B - 16 and B ms.
    """

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self._due = 0.0

    def start(self) -> None:
        self.late = []
        self._due = time.perf_counter() + self.interval
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.late

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, now - self._due))
        self._due += self.interval
        if self._due < now:
            self._due = now + self.interval


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 \
        else values[0]


class StreamBench:
    """Runs inside the real app (desktop.run's on_shown), on its qasync loop."""

    def __init__(self, answers: int, base_url: str) -> None:
        self.answers = answers
        self.base_url = base_url
        self.result: dict = {}
        self.error: BaseException | None = None
        self.task: asyncio.Task | None = None

    def on_shown(self, window) -> None:
        self.task = asyncio.ensure_future(self._run(window))

    async def _run(self, window) -> None:
        try:
            await self._measure(window)
        except BaseException as error:  # reported after the app has quit
            self.error = error
        finally:
            window.quit_requested.emit()

    async def _measure(self, window) -> None:
        from app.ui.chat.chat_items import ErrorItem, MessageItem

        # The app starts importing the agent stack after the first paint (this callback);
        # wait for it and for the Assistant, so import time is not counted as a stall.
        began = time.perf_counter()
        await window.agent.get()
        self.result["preload_s"] = time.perf_counter() - began
        await asyncio.sleep(0.3)  # let the start-up's own stragglers (the key check) finish
        self.result["rss_ready"] = memory_mb()[0]
        heartbeat = Heartbeat()

        heartbeat.start()
        await asyncio.sleep(1.0)
        self.result["idle"] = heartbeat.stop()

        chat = window.chat
        expected = "".join(answer_chunks())
        app_runs, raw_runs = [], []
        for run in range(self.answers):
            # The first answer of the session goes first (it is the one memory is read after);
            # then app and bare client alternate which goes first.
            order = ("app", "raw") if run % 2 == 0 else ("raw", "app")
            for side in order:
                if side == "raw":
                    raw_runs.append(await self._raw_stream(heartbeat))
                    continue
                if run > 0:
                    window.new_conversation()
                    await asyncio.sleep(0.2)
                idle = asyncio.get_running_loop().create_future()

                def finished(busy: bool, idle=idle) -> None:
                    if not busy and not idle.done():
                        idle.set_result(None)

                chat.busy_changed.connect(finished)
                chat.input.setPlainText(QUESTION)
                heartbeat.start()
                began = time.perf_counter()
                chat.send_button.click()
                await asyncio.wait_for(idle, 120)
                elapsed = time.perf_counter() - began
                late = heartbeat.stop()
                chat.busy_changed.disconnect(finished)
                shown = chat.view.items()
                errors = [item.message.text() for item in shown if isinstance(item, ErrorItem)]
                answers = [item for item in shown
                           if isinstance(item, MessageItem) and item.role == "assistant"]
                if errors or not answers or answers[-1].text != expected:
                    raise RuntimeError(f"answer {run + 1} did not arrive whole: {errors or ''}")
                app_runs.append({"elapsed": elapsed, "late": late})
                if run == 0:
                    self.result["rss_after"], self.result["hwm_after"] = memory_mb()
        self.result["app"] = app_runs
        self.result["raw"] = raw_runs
        self.result["rss_end"], self.result["hwm_end"] = memory_mb()

    async def _raw_stream(self, heartbeat: Heartbeat) -> dict:
        """The same stream through a bare openai client on the same loop, no UI."""
        import openai

        client = openai.AsyncOpenAI(api_key=BENCH_KEY, base_url=self.base_url, max_retries=0)
        try:
            heartbeat.start()
            began = time.perf_counter()
            stream = await client.chat.completions.create(
                model="gemini-2.5-flash", stream=True,
                messages=[{"role": "user", "content": QUESTION}])
            chunks = 0
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    chunks += 1
            elapsed = time.perf_counter() - began
            late = heartbeat.stop()
        finally:
            await client.close()
        if chunks != CHUNKS:
            raise RuntimeError(f"the bare client read {chunks} chunks, expected {CHUNKS}")
        return {"elapsed": elapsed, "late": late}


def stream_and_memory(answers: int) -> dict:
    # The fake server: its own process, as many long replies as there will be requests.
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(2 * answers)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        if not base_url:
            raise SystemExit("the fake Gemini did not start")
        from app.config.settings import Settings

        Settings().set("base_url", base_url)  # as a user would in Settings, before start-up
        bench = StreamBench(answers, base_url)
        from app.ui.lifecycle.desktop import run

        code = run(on_shown=bench.on_shown)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    if bench.error is not None:
        raise bench.error
    if code != 0:
        raise SystemExit(f"the app exited {code}")
    return bench.result


# --------------------------------------------------------------------------- main


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7,
                        help="first-paint launches per side (default 7)")
    parser.add_argument("--answers", type=int, default=3,
                        help="4,000-chunk answers streamed, and as many bare-client streams "
                             "(default 3; the first is the one memory is read after)")
    parser.add_argument("--display", action="store_true",
                        help="use the X display in $DISPLAY instead of the offscreen platform")
    parser.add_argument("--long", action="store_true",
                        help="only parts 4-6: long conversations and where the memory goes")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return
    if args.runs < 1 or args.answers < 1:
        parser.error("--runs and --answers must be at least 1")

    if args.display:
        if not os.environ.get("DISPLAY"):
            parser.error("--display needs DISPLAY to be set")
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    else:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Before any app import: a throwaway data directory, a key that only reaches the local fake
    # server (the environment wins over the keyring), keyring's null backend so no real keyring
    # is ever touched, and no overrides from the developer's shell.
    os.environ["TASK_ASSISTANT_HOME"] = home = tempfile.mkdtemp(prefix="window-bench-")
    os.environ["GEMINI_API_KEY"] = BENCH_KEY
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    for name in ("TASK_ASSISTANT_MODEL", "TASK_ASSISTANT_BASE_URL"):
        os.environ.pop(name, None)

    if args.long:
        import transcript_bench

        transcript_bench.report()
        shutil.rmtree(home, ignore_errors=True)
        return
    # An installed app runs from compiled bytecode; measure that, not the compiler.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "app")], check=True)
    child_env = {**os.environ, "PYTHONPATH": str(REPO)}
    child_env.pop("PYTHONDONTWRITEBYTECODE", None)

    try:
        paint = first_paint(args.runs, child_env)
        stream = stream_and_memory(args.answers)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    import PySide6

    print(f"Python {sys.version.split()[0]}, PySide6 {PySide6.__version__}, qasync "
          f"{version('qasync')}, openai {version('openai')}, openai-agents "
          f"{version('openai-agents')}; QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, "
          f"{os.cpu_count()} CPUs")

    bare, app = paint["bare"], paint["app"]
    ratio = app["paint"] / bare["paint"]
    print(f"1) Process spawn -> first paint, median of {args.runs} interleaved launches each "
          f"(interpreter start-up {bare['python'] * 1000:.0f} ms of it):")
    print(f"   bare PySide6 window (QMainWindow + QTextBrowser)  {bare['paint'] * 1000:6.0f} ms  "
          f"(range {bare['paint_all'][0] * 1000:.0f}-{bare['paint_all'][-1] * 1000:.0f})")
    print(f"   Task Assistant, desktop.run()                     {app['paint'] * 1000:6.0f} ms  "
          f"(range {app['paint_all'][0] * 1000:.0f}-{app['paint_all'][-1] * 1000:.0f}), "
          "exit 0 after a clean quit")
    print(f"   app / bare = {ratio:.2f}  (target <= {PAINT_TARGET}: "
          f"{verdict(ratio <= PAINT_TARGET)}); "
          f"by the process's own CPU time to first paint {app['cpu'] / bare['cpu']:.2f} "
          f"({app['cpu'] * 1000:.0f} / {bare['cpu'] * 1000:.0f} ms, less sensitive to other "
          "load)")
    lived_in = paint["lived_in"]
    print(f"   Task Assistant as used every day (lists, tasks, the last conversation shown "
          f"again)  {lived_in['paint'] * 1000:.0f} ms = {lived_in['paint'] / bare['paint']:.2f} x "
          "bare")
    stack = paint["stack"]
    print(f"   our stack's floor, no app code (the bare window in our look on the qasync loop) "
          f"{stack['paint'] * 1000:.0f} ms = {stack['paint'] / bare['paint']:.2f} x bare "
          f"(CPU {stack['cpu'] / bare['cpu']:.2f}); the app over that floor: "
          f"{app['paint'] / stack['paint']:.2f} x")
    themed, unthemed = paint["themed"], paint["unthemed"]
    theme_ms = (app["cpu"] - unthemed["cpu"]) * 1000
    counted_bare, counted_app = paint["bare_census"], paint["app_census"]
    enum_ms = (counted_app["enum_s"] - counted_bare["enum_s"]) * 1000
    asyncio_ms = counted_app["asyncio_s"] * 1000
    toll = bare["cpu"] * 1000 + enum_ms + asyncio_ms
    print(f"   what PySide6 and the qasync loop charge our window's classes before its first "
          f"paint, and the bare window's do not (3 counted launches each): PySide builds "
          f"{counted_app['enums']:.0f} Python enum types on their classes' first use (bare: "
          f"{counted_bare['enums']:.0f}), +{enum_ms:.0f} ms CPU; importing asyncio "
          f"{asyncio_ms:.0f} ms. The bare window's CPU plus these is "
          f"{toll / 1000 / bare['cpu']:.2f} x bare before our theme ({theme_ms:.0f} ms) and our "
          f"own code ({app['cpu'] * 1000 - toll - theme_ms:.0f} ms: imports, the store, building "
          "the window)")
    print(f"   the design system (style sheet, palette, Inter, Fusion as their base), in the app: "
          f"+{theme_ms:.0f} ms CPU, +{(app['paint'] - unthemed['paint']) * 1000:.0f} ms wall "
          f"to first paint over the same app without it  (target <= {THEME_TARGET_MS:.0f} ms: "
          f"{verdict(theme_ms <= THEME_TARGET_MS)}); on the bare window alone "
          f"+{(themed['cpu'] - bare['cpu']) * 1000:.0f} ms CPU (which includes PySide building "
          "the Qt namespace's enums on first use, which the app pays either way)")

    idle = stream["idle"]
    first = stream["app"][0]
    warm = stream["app"][1:]
    raws = stream["raw"]
    worst_all = max(max(r["late"]) for r in stream["app"])
    print(f"2) Event-loop stalls, {HEARTBEAT_MS} ms heartbeat lateness while a {CHUNKS:,}-chunk "
          "markdown answer streams in from the fake Gemini in its own process, unpaced (the "
          f"agent stack was preloaded first, {stream['preload_s']:.1f} s after first paint, so "
          "its import is not counted):")
    print("                                           worst     p99   ticks late>16ms   stream")
    rows = [("idle window, 1 s (noise floor)", {"late": idle, "elapsed": 1.0})]
    rows.append(("app, answer 1 (builds the client too)", first))
    rows += [(f"app, answer {n + 2} (new conversation)", r) for n, r in enumerate(warm)]
    rows += [(f"bare openai client, no UI, run {n + 1}", r) for n, r in enumerate(raws)]
    for label, r in rows:
        late = r["late"]
        print(f"   {label:<38}{max(late) * 1000:6.1f}  {p99(late) * 1000:6.1f} ms"
              f"  {sum(x * 1000 > STALL_TARGET_MS for x in late):5d} of {len(late):4d}"
              f"  {r['elapsed']:6.2f} s")
    raw_elapsed = statistics.median(r["elapsed"] for r in raws)
    app_elapsed = statistics.median(r["elapsed"] for r in stream["app"])
    print(f"   worst stall, answer 1: {max(first['late']) * 1000:.1f} ms, any answer: "
          f"{worst_all * 1000:.1f} ms  (target < {STALL_TARGET_MS:.0f} ms: "
          f"{verdict(worst_all * 1000 < STALL_TARGET_MS)}); stream time app / bare client "
          f"{app_elapsed / raw_elapsed:.2f} (medians {app_elapsed:.2f} / {raw_elapsed:.2f} s)")

    rss, hwm = stream["rss_after"], stream["hwm_after"]
    print("3) Resident memory:")
    print(f"   bare PySide6 window at first paint (median)     {bare['rss_mb']:6.0f} MB")
    print(f"   Task Assistant at first paint (median)          {app['rss_mb']:6.0f} MB")
    print(f"   Task Assistant, agent stack loaded, idle        {stream['rss_ready']:6.0f} MB")
    print(f"   Task Assistant after one answer: VmRSS          {rss:6.0f} MB  (peak VmHWM "
          f"{hwm:.0f} MB)  (target < {RSS_TARGET_MB:.0f} MB: {verdict(rss < RSS_TARGET_MB)})")
    print(f"   at the end ({len(stream['app'])} answers, {len(raws)} bare-client streams)  "
          f"{stream['rss_end']:6.0f} MB  (peak {stream['hwm_end']:.0f} MB); "
          f"after one answer / bare window = {rss / bare['rss_mb']:.1f}x")
    import light_start_bench

    floor = light_start_bench.import_floor_mb()
    own = stream["rss_end"] - floor
    print(f"   import floor: QApplication + openai + mcp + agents, bare process "
          f"{floor:6.0f} MB; ours after {len(stream['app'])} answers {own:+.0f} MB above it  "
          f"(target <= {OWN_SHARE_TARGET_MB:.0f} MB: {verdict(own <= OWN_SHARE_TARGET_MB)})")
    import transcript_bench

    transcript_bench.report()
    light_start_bench.report()


if __name__ == "__main__":
    main()
