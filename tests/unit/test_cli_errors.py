"""The command line's errors that need no Neo4j: an unreachable server and a bad setting are
one clear line and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli_process import assert_no_traceback, valuegraph
from tests.support.record_files import GOOD, write_jsonl


def test_unreachable_neo4j_is_a_clear_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", GOOD)
    done = valuegraph(
        "ingest",
        "records",
        str(path),
        env={"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "x"},
    )
    assert done.returncode == 3
    assert_no_traceback(done)
    assert "not reachable" in done.stderr
    assert "password" not in done.stderr.lower().replace("neo4j_password", "")


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    done = valuegraph("init", env={"NEO4J_URI": "http://example.org"})
    assert done.returncode == 2
    assert "NEO4J_URI" in done.stderr
    assert_no_traceback(done)
