"""A tray that stays light until asked (issue 24, part 3), run by window_bench.py (parts 7-9),
each measurement in fresh processes of its own.

7) Import floor: RSS of a bare process holding what any app on our libraries holds (a
   QApplication, openai, mcp and the Agents SDK), for window_bench to set our own memory
   beside it. Measured as the app holds them: PySide6's import hook leaves every imported
   module's source in linecache, which the app's loader clears, so the floor clears it too.
8) A `--tray` start on a real X display (a private Xvfb with `trayer` as the tray host): VmRSS
   of the process after 10 s idle, and whether the agent stack was loaded (pydantic_core
   mapped). Target < 100 MB. Skipped, and said so, without Xvfb or trayer.
9) The first answer after opening quick ask: a tray start (the agent stack loads only when the
   popup opens) against a start that preloaded the stack (as a window start has it by then),
   both offscreen against the fake Gemini in its own process. The popup is opened the way the
   quick-ask shortcut opens it; the question is sent after a typing time (0 s: pasted at once,
   the worst case; and a short question typed). Target: delayed by <= 300 ms.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TRAY_IDLE_S = 10.0
TRAY_TARGET_MB = 100.0
QUICK_ASK_TARGET_MS = 300.0
TYPING_S = (0.0, 2.0)  # 2 s: "Plan my week." typed by a quick typist
QUESTION = "Plan my week."
BENCH_KEY = "bench-key-not-real"  # only ever sent to the local fake server

FLOOR_CHILD = """
import gc, json, linecache, sys
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import openai, mcp, agents
linecache.clearcache()
gc.collect()
rss = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmRSS:"))
print(json.dumps({"rss_mb": rss / 1024}))
"""

QUICK_ASK_CHILD = """
import asyncio, json, sys, time
from PySide6.QtWidgets import QSystemTrayIcon
QSystemTrayIcon.isSystemTrayAvailable = staticmethod(lambda: True)  # a tray start, offscreen
from app.ui.lifecycle import desktop
from app.ui.chat.chat_items import ErrorItem, MessageItem

MODE, TYPING, QUESTION = sys.argv[1], float(sys.argv[2]), sys.argv[3]
result = {}

async def measure(window):
    if MODE == "preloaded":
        await window.agent.get()  # what a window start has loaded by the time anyone asks
    await asyncio.sleep(0.5)  # start-up's own stragglers
    shortcut = window.global_shortcut
    opened = time.perf_counter()
    shortcut.pressed.emit()  # the quick-ask shortcut, as the user presses it
    chat = shortcut.parent().popup.chat
    await asyncio.sleep(TYPING)
    idle = asyncio.get_running_loop().create_future()
    chat.busy_changed.connect(lambda busy: busy or idle.done() or idle.set_result(None))
    chat.input.setPlainText(QUESTION)
    sent = time.perf_counter()
    chat.send_button.click()
    await asyncio.wait_for(idle, 120)
    answered = time.perf_counter()
    shown = chat.view.items()
    errors = [item.message.text() for item in shown if isinstance(item, ErrorItem)]
    if errors or not any(isinstance(item, MessageItem) and item.role == "assistant"
                         for item in shown):
        raise RuntimeError(f"no answer: {errors}")
    result.update(send_to_answer=answered - sent, open_to_answer=answered - opened)

def on_shown(window):
    async def run():
        try:
            await measure(window)
        finally:
            window.quit_requested.emit()
    asyncio.ensure_future(run())

code = desktop.run("tray", on_shown=on_shown)
print(json.dumps(result), flush=True)
sys.exit(code if result else 1)
"""


def _child_json(code: str, args: list[str], env: dict, timeout: float = 180) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or len(lines) != 1:
        raise SystemExit(f"a bench child exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[0])


def _env(home: str, **extra) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TASK_ASSISTANT_HOME": home,
           "GEMINI_API_KEY": BENCH_KEY, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
           **extra}
    for name in ("TASK_ASSISTANT_MODEL", "TASK_ASSISTANT_BASE_URL"):
        env.pop(name, None)
    return env


# --------------------------------------------------------------------------- 7) the floor


def import_floor_mb() -> float:
    with tempfile.TemporaryDirectory(prefix="light-bench-floor-") as home:
        env = _env(home, QT_QPA_PLATFORM="offscreen")
        return statistics.median(_child_json(FLOOR_CHILD, [], env)["rss_mb"] for _ in range(3))


# --------------------------------------------------------------------------- 8) tray, idle


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def _agent_stack_loaded(pid: int) -> bool:
    with open(f"/proc/{pid}/maps") as maps:
        return "pydantic_core" in maps.read()


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0",
                               "1280x800x24", "-nolisten", "tcp", "-noreset"],
                              pass_fds=(write_end,), stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as numbers:
        number = numbers.readline().strip()
    if not number.isdigit():
        server.kill()
        raise SystemExit("Xvfb did not start")
    return server, f":{number}"


def _wait_for_tray(display: str, timeout: float = 30) -> None:
    """Until trayer's panel window exists (it owns the tray selection by then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(["xdotool", "search", "--class", "trayer"],
                               env={**os.environ, "DISPLAY": display}, capture_output=True)
        if found.returncode == 0 and found.stdout.strip():
            return
        time.sleep(0.1)
    raise SystemExit("trayer did not start")


def _stop(process: subprocess.Popen) -> int:
    process.terminate()
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def tray_idle() -> dict | None:
    """None when this machine has no Xvfb, trayer or xdotool."""
    if sys.platform != "linux" or not all(shutil.which(tool) for tool in
                                          ("Xvfb", "trayer", "xdotool")):
        return None
    server, display = _start_xvfb()
    tray = app = None
    try:
        tray = subprocess.Popen(["trayer", "--expand", "false", "--widthtype", "pixel",
                                 "--width", "64"], env={**os.environ, "DISPLAY": display},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_tray(display)
        with tempfile.TemporaryDirectory(prefix="light-bench-tray-") as home:
            env = _env(home, DISPLAY=display, QT_QPA_PLATFORM="xcb")
            app = subprocess.Popen([sys.executable, "-m", "app", "--tray"], env=env, cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(TRAY_IDLE_S)  # the thing measured: what it holds after 10 s idle
            if app.poll() is not None:
                raise SystemExit(f"the --tray start exited {app.returncode}: "
                                 f"{app.stderr.read().decode()}")
            result = {"rss_mb": _rss_mb(app.pid), "agents": _agent_stack_loaded(app.pid)}
            result["exit"] = _stop(app)
            app = None
        return result
    finally:
        for process in (app, tray, server):
            if process is not None:
                _stop(process)


# --------------------------------------------------------------------------- 9) quick ask


def serve(replies: int) -> None:
    """`--serve N`: the fake Gemini in its own process, N short replies queued."""
    sys.path[:0] = [str(REPO / "tests")]
    from fake_gemini import FakeGemini, text

    with FakeGemini() as gemini:
        gemini.enqueue(*[text("Monday: ", "errands. ", "Tuesday: ", "the report.")] * replies)
        print(gemini.base_url, flush=True)
        sys.stdin.read()


def quick_ask_delay(runs: int = 3) -> dict:
    """{typing seconds: {"tray": [...], "preloaded": [...]}}, send to answer in seconds."""
    replies = 2 * runs * len(TYPING_S)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(replies)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        if not base_url:
            raise SystemExit("the fake Gemini did not start")
        with tempfile.TemporaryDirectory(prefix="light-bench-ask-") as home:
            env = _env(home, QT_QPA_PLATFORM="offscreen")
            subprocess.run([sys.executable, "-m", "app", "settings", "set", "base_url",
                            base_url], env=env, cwd=REPO, check=True, capture_output=True)
            results = {typing: {"tray": [], "preloaded": []} for typing in TYPING_S}
            for run in range(runs):
                for typing in TYPING_S:
                    order = ("tray", "preloaded") if run % 2 == 0 else ("preloaded", "tray")
                    for mode in order:
                        report = _child_json(QUICK_ASK_CHILD, [mode, str(typing), QUESTION],
                                             env)
                        results[typing][mode].append(report["send_to_answer"])
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    return results


# --------------------------------------------------------------------------- the report


def report(runs: int = 3) -> None:
    tray = tray_idle()
    print(f"8) A --tray start on Xvfb with a tray host (trayer), after {TRAY_IDLE_S:.0f} s idle:")
    if tray is None:
        print("   skipped: needs Xvfb, trayer and xdotool")
    else:
        ok = tray["rss_mb"] < TRAY_TARGET_MB and not tray["agents"]
        print(f"   VmRSS {tray['rss_mb']:6.0f} MB, agent stack loaded: "
              f"{'yes' if tray['agents'] else 'no'}  (target < {TRAY_TARGET_MB:.0f} MB: "
              f"{'met' if ok else 'MISSED'}); exit {tray['exit']} on SIGTERM")
    asks = quick_ask_delay(runs)
    print(f"9) Quick ask's first answer (a short reply from the fake Gemini), send -> answer "
          f"done, median of {runs} fresh starts each:")
    for typing, sides in asks.items():
        tray_s = statistics.median(sides["tray"])
        preloaded_s = statistics.median(sides["preloaded"])
        delay_ms = (tray_s - preloaded_s) * 1000
        print(f"   sent {typing:.0f} s after the popup opened: tray start {tray_s * 1000:6.0f} ms, "
              f"preloaded {preloaded_s * 1000:6.0f} ms: delayed {delay_ms:6.0f} ms  (target "
              f"<= {QUICK_ASK_TARGET_MS:.0f} ms: "
              f"{'met' if delay_ms <= QUICK_ASK_TARGET_MS else 'MISSED'})")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        sys.path[:0] = [str(REPO)]
        print(f"7) Import floor (QApplication + openai + mcp + agents): "
              f"{import_floor_mb():.0f} MB")
        report()
