"""``python -m valuegraph`` run as a user runs it: a child process, its exit code and output."""

from __future__ import annotations

import os
import subprocess
import sys


def valuegraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "valuegraph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,  # a guard against a hang only: a loaded machine is slow, not this slow
    )


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert "Traceback" not in done.stdout, done.stdout
