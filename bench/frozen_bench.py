"""The frozen app (what installers ship) against the same code run from source: start-up time
of the command line and of the self-test (which builds and paints the window offscreen), and
the size of what users download.

Run: .venv/bin/python bench/frozen_bench.py [BUNDLE]   (BUNDLE: dist/task-assistant from
`python packaging/build.py`, built first when missing). Launches are interleaved and the
medians compared, since this machine is shared: read the ratios, not the absolute numbers.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 9
COMMANDS = [["--version"], ["tasks", "list"], ["--self-test"]]


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    # Outside a desktop session the self-test's keyring check fails; every other one must pass.
    failed = [line for line in done.stdout.splitlines()
              if line.startswith("FAILED") and not line.startswith("FAILED  keyring")]
    not_self_test_failed = done.returncode and "--self-test" not in command
    if done.returncode not in (0, 1) or failed or not_self_test_failed:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> None:
    bundle = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "dist" / "task-assistant"
    if not (bundle / "task-assistant").exists():
        subprocess.run([sys.executable, str(REPO / "packaging" / "build.py")], check=True)
    home = tempfile.mkdtemp(prefix="frozen-bench-")
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    env.update(TASK_ASSISTANT_HOME=home, QT_QPA_PLATFORM="offscreen")
    frozen = [str(bundle / "task-assistant")]
    source = [sys.executable, "-m", "app"]

    print(f"{RUNS} interleaved launches each, medians; frozen = {bundle}")
    for argv in COMMANDS:
        times: dict[str, list[float]] = {"frozen": [], "source": []}
        for _ in range(RUNS):
            for name, command in (("frozen", frozen), ("source", source)):
                times[name].append(timed(command + argv, env))
        frozen_s, source_s = (statistics.median(times[name]) for name in ("frozen", "source"))
        print(f"  {' '.join(argv):12} frozen {frozen_s * 1000:6.0f} ms   from source "
              f"{source_s * 1000:6.0f} ms   frozen / source {frozen_s / source_s:.2f}")

    installed = sum(p.stat().st_size for p in bundle.rglob("*")
                    if p.is_file() and not p.is_symlink())
    print(f"  bundle on disk {installed / 1e6:.0f} MB")
    for package in sorted(bundle.parent.glob("task-assistant*.*")):
        print(f"  {package.name}: {package.stat().st_size / 1e6:.1f} MB "
              f"({package.stat().st_size / installed:.2f} of the bundle)")


if __name__ == "__main__":
    main()
