"""``GET /export``, the GraphQL ``exportUrl`` field, and ``valuegraph export`` on the command line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from flask import Flask
from pydantic import SecretStr

from tests.support.export_support import PRIVATE_TEXT, load_corpus
from tests.support.paths import REPO
from valuegraph.api.app import create_app
from valuegraph.cli.main import cli
from valuegraph.graph.connection import Graph
from valuegraph.settings import Settings


@pytest.fixture()
def corpus_graph(empty_graph: Graph) -> Graph:
    load_corpus(empty_graph)
    return empty_graph


@pytest.fixture()
def app(neo4j_settings: Settings) -> Flask:
    return create_app(neo4j_settings)


def test_download_streams_graphml(app: Flask, corpus_graph: Graph, tmp_path: Path) -> None:
    response = app.test_client().get(
        "/export", query_string={"around": 'task:"relationship advice"', "depth": "1"}
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "application/graphml+xml"
    assert "valuegraph-export.graphml" in response.headers["Content-Disposition"]
    assert response.headers["X-Valuegraph-Nodes"] == "4"
    path = tmp_path / "download.graphml"
    path.write_bytes(response.get_data())
    graph = nx.read_graphml(path)
    assert {data["label"] for _, data in graph.nodes(data=True)} == {
        "relationship advice",
        "healthy boundaries",
        "empathy",
        "honesty",
    }


def test_download_csv_is_a_zip_without_private_text(app: Flask, corpus_graph: Graph) -> None:
    response = app.test_client().get(
        "/export",
        query_string={
            "cypher": "MATCH (c:Conversation)-[r]->(x) RETURN c, r, x",
            "format": "csv",
            "include_conversations": "true",
        },
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert "import.args" in archive.namelist()
    contents = b"".join(archive.read(name) for name in archive.namelist())
    assert b"c000" in contents and PRIVATE_TEXT.encode() not in contents


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"cypher": "MATCH (n) DETACH DELETE n"}, "refused"),
        ({"cypher": "MATCH (n RETURN n"}, "Invalid input"),
        ({"around": "value:x", "cluster": "y"}, "exactly one selection"),
        ({"around": "value:no such value"}, "not in the graph"),
        ({"cluster": "c", "format": "pdf"}, "format='pdf'"),
        ({"around": "conversation:c000"}, "include-conversations"),
    ],
)
def test_bad_requests_get_a_400_before_anything_runs(
    app: Flask, corpus_graph: Graph, query: dict[str, str], fragment: str
) -> None:
    before = corpus_graph.read("MATCH (n) RETURN count(n) AS n")
    response = app.test_client().get("/export", query_string=query)
    assert response.status_code == 400
    (error,) = response.get_json()["errors"]
    assert fragment in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "\n" not in error["message"]
    assert corpus_graph.read("MATCH (n) RETURN count(n) AS n") == before


def test_download_needs_the_token_when_one_is_set(
    neo4j_settings: Settings, corpus_graph: Graph
) -> None:
    guarded = create_app(neo4j_settings.model_copy(update={"api_token": SecretStr("s3cret")}))
    client = guarded.test_client()
    query = {"around": "value:empathy", "depth": "1", "format": "json"}
    assert client.get("/export", query_string=query).status_code == 401
    allowed = client.get("/export", query_string=query, headers={"Authorization": "Bearer s3cret"})
    assert allowed.status_code == 200
    assert json.loads(allowed.get_data())["elements"]["nodes"]


# --- the command line ---------------------------------------------------------------------------


def valuegraph(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point, in a child process, against the test server."""
    return subprocess.run(
        [sys.executable, "-m", "valuegraph", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ),
        timeout=120,
    )


def test_command_line_exports(corpus_graph: Graph, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "hb.json"
    done = runner.invoke(
        cli,
        [
            "export",
            "--around",
            'value:"healthy boundaries"',
            "--depth",
            "1",
            "-o",
            str(out),
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["nodes"] == len(json.loads(out.read_text())["elements"]["nodes"])
    assert not (tmp_path / "hb.json.partial").exists()

    cluster = "ai_values:l1:00000000-0000-0000-0000-000000000001"
    piped = runner.invoke(cli, ["export", "--cluster", cluster, "--format", "cypher", "-o", "-"])
    assert piped.exit_code == 0 and piped.stdout.startswith("// valuegraph export")

    folder = tmp_path / "csv"
    done = runner.invoke(cli, ["export", "--cluster", cluster, "-o", str(folder) + "/"])
    assert done.exit_code == 0, done.output
    assert (folder / "import.args").exists()


@pytest.mark.slow
def test_command_line_refuses_in_one_line(corpus_graph: Graph, tmp_path: Path) -> None:
    refused = valuegraph(
        "export", "--cypher", "MATCH (n) DETACH DELETE n", "-o", "-", "--format", "json"
    )
    assert refused.returncode == 5
    assert refused.stderr.startswith("error: --cypher: refused")
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    assert corpus_graph.read("MATCH (n) RETURN count(n) > 0 AS kept")[0]["kept"]

    unknown = valuegraph("export", "--around", "value:x", "-o", str(tmp_path / "x.bin"))
    assert unknown.returncode == 2 and "give --format" in unknown.stderr
