"""The Neo4j Browser exploration library against a real Neo4j: every query runs with the guide's
parameters and finds what the corpus holds; the guide and style are served with CORS for the
Browser, and the local server loads them on connect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from tests.support.exploration import EXPLORE_FILES, GUIDE_PARAMS, QUERIES, query_body
from tests.support.export_support import load_corpus
from valuegraph.api.app import create_app
from valuegraph.api.browser.routes import asset, browser_origins
from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.settings import Settings

K = 5


@pytest.fixture()
def corpus_graph(empty_graph: Graph) -> Graph:
    load_corpus(empty_graph)
    return empty_graph


@pytest.mark.parametrize("path", EXPLORE_FILES, ids=lambda p: p.stem)
def test_exploration_queries_run_with_the_guide_parameters(corpus_graph: Graph, path: Path) -> None:
    rows = corpus_graph.read(query_body(path), GUIDE_PARAMS)
    # The corpus has one resisting conversation, so every resistance pair is under k.
    assert rows or path.stem == "explore_resistance", path.name
    for row in rows:  # nothing that rests on fewer than k conversations
        for column in ("conversations",):
            if column in row:
                assert row[column] >= K


def test_mirroring_and_resistance_find_what_the_corpus_holds(corpus_graph: Graph) -> None:
    triangles = corpus_graph.read(query_body(QUERIES / "explore_mirroring.cypher"), GUIDE_PARAMS)
    assert {row["v"]["key"] for row in triangles} == {"honesty"}
    resisted = corpus_graph.read(query_body(QUERIES / "explore_resistance.cypher"), GUIDE_PARAMS)
    assert resisted == []  # one resisting conversation: every pair is under k
    models = corpus_graph.read(query_body(QUERIES / "explore_models.cypher"), GUIDE_PARAMS)
    for row in models:
        assert row["difference"] == pytest.approx(row["pct_model_a"] - row["pct_model_b"], abs=0.01)
    assert models[0]["suppressed"] >= 1  # code quality: 4 conversations


@pytest.fixture()
def app(neo4j_settings: Settings) -> Flask:
    return create_app(neo4j_settings)


def test_guide_and_style_are_served_with_cors_for_the_browser(
    app: Flask, neo4j_settings: Settings
) -> None:
    client = app.test_client()
    origin = f"http://127.0.0.1:{neo4j_settings.http_port}"
    assert origin in browser_origins(neo4j_settings)
    guide = client.get("/browser/guide.md", headers={"Origin": origin})
    assert guide.status_code == 200
    assert guide.headers["Content-Type"].startswith("text/markdown")
    assert guide.headers["Access-Control-Allow-Origin"] == origin
    assert guide.get_data(as_text=True) == asset("guide.md")

    # The Browser's fetch sends pragma and cache-control, so it preflights.
    preflight = client.options(
        "/browser/guide.md",
        headers={
            "Origin": f"http://localhost:{neo4j_settings.http_port}",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Headers"] == "pragma,cache-control"

    style = client.get("/browser/style.grass", headers={"Origin": "http://evil.example"})
    assert style.status_code == 200
    assert "Access-Control-Allow-Origin" not in style.headers
    assert client.get("/browser/other.md").status_code == 404


def test_local_server_loads_style_and_guide_on_connect(neo4j_server: LocalServer) -> None:
    config = (neo4j_server.conf_dir / "neo4j.conf").read_text()
    # The server runs, so Neo4j's strict config validation accepted both settings.
    assert re.search(
        r"^browser\.post_connect_cmd=style http://127\.0\.0\.1:\d+/browser/style\.grass; "
        r"guide http://127\.0\.0\.1:\d+/browser/guide\.md$",
        config,
        re.M,
    )
    assert "browser.remote_content_hostname_whitelist=127.0.0.1,localhost" in config
