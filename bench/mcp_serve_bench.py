"""`task-assistant mcp serve` start-up: the time from launching it to the answer to `initialize`
(what an MCP client waits for each session), against `--version` (the interpreter and the
entry point alone). Also the first tools/call, and the server's peak memory.

Run: .venv/bin/python bench/mcp_serve_bench.py   Launches are interleaved and medians compared,
since this machine is shared: read the ratio, not the absolute numbers.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 9
CLI = [sys.executable, "-m", "app"]
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench",
                                                                        "version": "1"}}}
CALL = [{"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "list_tasks", "arguments": {}}}]


def version(env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([*CLI, "--version"], env=env, cwd=REPO, capture_output=True, check=True)
    return time.perf_counter() - started


def serve(env: dict) -> tuple[float, float]:
    """Seconds to the initialize answer, then to the first tools/call answer."""
    started = time.perf_counter()
    server = subprocess.Popen([*CLI, "mcp", "serve"], env=env, cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    server.stdin.write(json.dumps(INITIALIZE) + "\n")
    server.stdin.flush()
    assert json.loads(server.stdout.readline())["id"] == 1
    initialized = time.perf_counter() - started
    server.stdin.write("".join(json.dumps(message) + "\n" for message in CALL))
    server.stdin.flush()
    assert json.loads(server.stdout.readline())["id"] == 2
    called = time.perf_counter() - started
    server.stdin.close()
    server.wait(timeout=30)
    return initialized, called


def main() -> None:
    home = tempfile.mkdtemp(prefix="mcp-bench-")
    env = {**os.environ, "TASK_ASSISTANT_HOME": home, "PYTHONPATH": str(REPO)}
    env.pop("GEMINI_API_KEY", None)
    versions, initializes, calls = [], [], []
    for _ in range(RUNS):
        versions.append(version(env))
        initialized, called = serve(env)
        initializes.append(initialized)
        calls.append(called)
    v, i, c = (statistics.median(x) for x in (versions, initializes, calls))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"--version                   {v * 1000:7.0f} ms")
    print(f"mcp serve: initialize answer {i * 1000:7.0f} ms  ({i / v:.1f}x --version)")
    print(f"mcp serve: first tools/call  {c * 1000:7.0f} ms  ({c / v:.1f}x --version)")
    print(f"peak memory of a child       {peak:7.0f} MiB")


if __name__ == "__main__":
    main()
