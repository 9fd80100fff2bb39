"""A child's stderr poured into a private, size-capped log: real child processes, real files."""

import os
import stat
import subprocess
import sys

import pytest
from conftest import TEST_KEY

from app.common.capped_log import LINE_LIMIT, CappedLog


def run_child(log: CappedLog, code: str) -> None:
    """Run `code` in a real Python child whose stderr is the log's pipe; return once all it
    wrote is in the file."""
    errlog, drain = log.pipe()
    with errlog:
        child = subprocess.Popen([sys.executable, "-c", code], stderr=errlog,
                                 stdout=subprocess.DEVNULL)
    assert child.wait(timeout=60) == 0
    drain.join(timeout=30)
    assert not drain.is_alive()


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_the_childs_stderr_is_in_a_private_file_with_known_secrets_redacted(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)
    log = CappedLog(tmp_path / "logs" / "mcp-notes.log")
    log.write("--- started\n")
    run_child(log, "import sys; print('warming up', file=sys.stderr); "
                   f"print('token {TEST_KEY} rejected', file=sys.stderr); "
                   "sys.stderr.write('no newline at the end')")
    assert log.path.read_text(encoding="utf-8") == \
        "--- started\nwarming up\ntoken [redacted] rejected\nno newline at the end"
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700


def test_a_chatty_child_is_capped_to_its_newest_output_and_never_blocks(tmp_path):
    limit = 200_000
    log = CappedLog(tmp_path / "mcp-chatty.log", limit=limit)
    # 1.8 MB, far more than a pipe holds: the child finishes only if the log keeps draining.
    run_child(log, "import sys\nfor n in range(20_000): print(f'line {n:05} ' + 'x' * 80, "
                   "file=sys.stderr)\nprint('the end', file=sys.stderr)")
    newest, older = log.path.read_text(), log.older.read_text()
    assert newest.endswith("the end\n") and "line 00000" not in newest + older
    for text in (newest, older):
        assert len(text) <= limit + 2 * LINE_LIMIT  # one read past the limit at most
    # The two files hold the newest output without a gap.
    joined = (older + newest).splitlines()
    numbers = [int(line.split()[1]) for line in joined if line.startswith("line ")]
    assert numbers == list(range(numbers[0], 20_000))


def test_removing_the_log_removes_both_files(tmp_path):
    log = CappedLog(tmp_path / "mcp-x.log", limit=10)
    log.write("first write, long enough\n")
    log.write("second\n")
    assert log.path.exists() and log.older.exists()
    log.remove()
    assert not log.path.exists() and not log.older.exists()
