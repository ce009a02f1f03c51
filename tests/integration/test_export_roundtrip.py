"""Round trips through every format, against real Neo4j servers.

- Cypher: export, wipe, run the script through the driver: the same graph comes back.
- CSV: export, ``neo4j-admin database import full`` into a second, throwaway server: the
  same graph comes back.
- GraphML: ``networkx.read_graphml`` sees the same counts and typed attributes.
- JSON: ``networkx.cytoscape_graph`` and ``networkx.node_link_graph`` read it.

"The same graph" is compared as multisets of (labels, properties) and of (type, start,
end, properties), so element ids may differ, nothing else may; the one property that
must not survive is a conversation's raw text.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import neo4j
import networkx as nx
import pytest
from pydantic import SecretStr

from tests.support.export_support import PRIVATE_TEXT, load_corpus, snapshot, without_text
from tests.support.neo4j_fixtures import TEST_PASSWORD, wipe
from tests.support.ports import free_port
from valuegraph.graph.connection import Graph
from valuegraph.graph.export import (
    ExportFormat,
    ExportRequest,
    JsonStyle,
    PreparedExport,
    Selection,
    UserQuery,
    prepare_export,
)
from valuegraph.graph.export.csv_import import ARGS_FILE
from valuegraph.graph.server import LocalServer
from valuegraph.settings import Settings

WHOLE_GRAPH = UserQuery("MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r")


@pytest.fixture()
def corpus_graph(empty_graph: Graph) -> Graph:
    load_corpus(empty_graph)
    return empty_graph


def prepared(
    graph: Graph,
    fmt: ExportFormat,
    selection: Selection = WHOLE_GRAPH,
    *,
    include_conversations: bool = True,
    style: JsonStyle = JsonStyle.CYTOSCAPE,
) -> PreparedExport:
    request = ExportRequest(selection, fmt, style, include_conversations)
    return prepare_export(graph, request, min_conversations=5)


def exported(graph: Graph, fmt: ExportFormat, **options: object) -> bytes:
    return b"".join(prepared(graph, fmt, **options).chunks())  # type: ignore[arg-type]


def test_cypher_script_rebuilds_the_graph(corpus_graph: Graph) -> None:
    before = without_text(snapshot(corpus_graph.driver))
    script = exported(corpus_graph, ExportFormat.CYPHER).decode("utf-8")
    assert PRIVATE_TEXT not in script
    statements = [line for line in script.splitlines() if line and not line.startswith("//")]
    assert all(statement.endswith(";") for statement in statements)

    wipe(corpus_graph)
    with corpus_graph.driver.session(database=corpus_graph.database) as session:
        for statement in statements:
            session.run(statement).consume()
    after = snapshot(corpus_graph.driver)
    assert after == before
    labels = corpus_graph.read("CALL db.labels() YIELD label RETURN collect(label) AS labels")
    indexes = corpus_graph.read("SHOW INDEXES YIELD name RETURN collect(name) AS names")
    assert "valuegraph_export_id" not in indexes[0]["names"]
    # The temporary label may linger in the label list, but no node carries it.
    if "__ValuegraphExport" in labels[0]["labels"]:
        assert corpus_graph.read("MATCH (n:__ValuegraphExport) RETURN count(n) AS n")[0]["n"] == 0


@pytest.fixture()
def second_server(tmp_path: Path) -> Iterator[LocalServer]:
    """A throwaway server home on free ports, never started before the import."""
    settings = Settings(
        bolt_port=free_port(),
        http_port=free_port(),
        neo4j_password=SecretStr(TEST_PASSWORD),
        neo4j_heap="256m",
        neo4j_pagecache="64m",
    )
    server = LocalServer(settings, home=tmp_path / "second-home")
    try:
        yield server
    finally:
        server.stop()


def _import_arguments(folder: Path) -> list[str]:
    """``import.args`` with its file names made absolute (admin runs in our cwd, not there)."""
    arguments = []
    for line in (folder / ARGS_FILE).read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith(("--nodes=", "--relationships=")):
            option, rest = line.split("=", 1)
            group, name = rest.rsplit("=", 1)
            line = f"{option}={group}={folder / name}"
        arguments.append(line)
    return arguments


@pytest.mark.slow
def test_csv_imports_with_neo4j_admin(
    corpus_graph: Graph, second_server: LocalServer, tmp_path: Path
) -> None:
    before = without_text(snapshot(corpus_graph.driver))
    folder = tmp_path / "csv"
    prepared(corpus_graph, ExportFormat.CSV).write_csv_directory(folder)
    for path in folder.iterdir():
        assert PRIVATE_TEXT not in path.read_text(encoding="utf-8")

    report = f"--report-file={tmp_path / 'import.report'}"  # not into the working directory
    done = second_server.admin(
        "database", "import", "full", "neo4j", report, *_import_arguments(folder)
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    second_server.start()
    auth = ("neo4j", TEST_PASSWORD)
    with neo4j.GraphDatabase.driver(second_server.bolt_uri, auth=auth) as driver:
        assert snapshot(driver) == before


def test_csv_zip_holds_the_same_files(corpus_graph: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    prepared(corpus_graph, ExportFormat.CSV).write_csv_directory(folder)
    archive = zipfile.ZipFile(io.BytesIO(exported(corpus_graph, ExportFormat.CSV)))
    assert sorted(archive.namelist()) == sorted(path.name for path in folder.iterdir())
    for name in archive.namelist():
        assert archive.read(name) == (folder / name).read_bytes()
    header = (folder / "nodes-01-AIValue.csv").read_text().splitlines()[0]
    assert header == ":ID,key:string,name:string,pct_convos:double,pct_total_occurrences:double"


def test_graphml_reads_back_with_typed_attributes(corpus_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    path.write_bytes(exported(corpus_graph, ExportFormat.GRAPHML))
    assert PRIVATE_TEXT not in path.read_text(encoding="utf-8")
    read = nx.read_graphml(path, force_multigraph=True)
    counts = corpus_graph.read(
        "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS relationships"
    )[0]
    assert read.number_of_nodes() == counts["nodes"]
    assert read.number_of_edges() == counts["relationships"]

    by_labels = {data["labels"]: data for _, data in read.nodes(data=True)}
    assert isinstance(by_labels[":Cluster"]["level"], int)
    assert isinstance(by_labels[":Cluster"]["pct_total_occurrences"], float)
    conversation = by_labels[":Conversation"]
    assert isinstance(conversation["subjective"], bool)
    assert isinstance(conversation["created_at"], str)
    assert "text" not in conversation
    empathy = next(d for _, d in read.nodes(data=True) if d.get("name") == "empathy")
    assert empathy["label"] == "empathy"
    assert empathy["pct_convos"] == pytest.approx(2.318)
    explicit = [d["explicit"] for *_, d in read.edges(data=True) if d["label"] == "AI_EXPRESSED"]
    assert explicit and all(isinstance(value, bool) for value in explicit)


def test_cytoscape_json_loads_in_networkx(corpus_graph: Graph) -> None:
    document = json.loads(exported(corpus_graph, ExportFormat.JSON))
    assert set(document["elements"]) == {"nodes", "edges"}
    graph = nx.cytoscape_graph(document)
    counts = corpus_graph.read(
        "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS relationships"
    )[0]
    assert graph.number_of_nodes() == counts["nodes"]
    assert graph.number_of_edges() == counts["relationships"]
    cluster = next(d for _, d in graph.nodes(data=True) if d["labels"] == ["Cluster"])
    assert cluster["_id"].startswith("ai_values:")  # the stored id, renamed
    assert cluster["id"] == cluster["value"]  # the element id Cytoscape uses


def test_node_link_json_loads_in_networkx(corpus_graph: Graph) -> None:
    document = json.loads(exported(corpus_graph, ExportFormat.JSON, style=JsonStyle.NODE_LINK))
    graph = nx.node_link_graph(document, edges="edges")
    assert graph.is_directed() and graph.is_multigraph()
    counts = corpus_graph.read(
        "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS relationships"
    )[0]
    assert graph.number_of_nodes() == counts["nodes"]
    assert graph.number_of_edges() == counts["relationships"]
    types = {data["type"] for *_, data in graph.edges(data=True)}
    assert {"ABOUT", "AI_EXPRESSED", "HUMAN_EXPRESSED", "BY_MODEL", "IN_CLUSTER"} <= types
