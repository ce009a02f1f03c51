"""The command line as a user meets it: exit codes, one-line errors, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli_process import assert_no_traceback, valuegraph
from tests.support.record_files import GOOD, write_jsonl
from valuegraph.graph.connection import Graph


def test_missing_file_is_one_line(neo4j_settings: object, tmp_path: Path) -> None:
    done = valuegraph("ingest", "records", str(tmp_path / "nope.jsonl"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {tmp_path / 'nope.jsonl'}: no such file"


def test_directory_and_unreadable_file(neo4j_settings: object, tmp_path: Path) -> None:
    done = valuegraph("ingest", "records", str(tmp_path))
    assert done.returncode == 2
    assert_no_traceback(done)


def test_ingest_reports_rejections_and_exits_nonzero(empty_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(GOOD[0]) + "\n{not json\n" + json.dumps(GOOD[2]) + "\n")
    done = valuegraph("ingest", "records", str(path))
    assert done.returncode == 1
    assert_no_traceback(done)
    assert "3 lines read, 2 loaded, 1 rejected" in done.stdout
    assert f"{path}:2: broken JSON" in done.stderr
    assert "mixed.quarantine.jsonl" in done.stdout
    assert empty_graph.read("MATCH (c:Conversation) RETURN count(c) AS n") == [{"n": 2}]


def test_clean_ingest_exits_zero_and_json_summary(empty_graph: Graph, tmp_path: Path) -> None:
    done = valuegraph("ingest", "records", str(write_jsonl(tmp_path / "r.jsonl", GOOD)), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["loaded"], summary["rejected"], summary["quarantine"]) == (3, 0, None)


def test_wrong_password_is_a_clear_error(neo4j_settings: object) -> None:
    done = valuegraph("init", env={"NEO4J_PASSWORD": "wrong-password-123"})
    assert done.returncode == 3
    assert "refused the credentials" in done.stderr
    assert "wrong-password-123" not in done.stderr + done.stdout
