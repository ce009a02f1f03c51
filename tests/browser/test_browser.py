"""Exploring in Neo4j Browser: the Cypher library, the guide, the style, their routes, and the
real Browser (headless Chromium) running a guide query against the test server."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import REPO, TEST_PASSWORD, free_port
from tests.support.browser_support import Browser, browser_available
from tests.support.export_support import load_corpus
from valuegraph.api.app import create_app
from valuegraph.api.browser_routes import asset, browser_origins
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import NODE_KEYS
from valuegraph.graph.server import LocalServer
from valuegraph.ingest.load import ingest_record_file, ingest_taxonomy_files
from valuegraph.ingest.synth import write_corpus
from valuegraph.settings import Settings

QUERIES = REPO / "queries"
EXPLORE_FILES = sorted(QUERIES.glob("explore_*.cypher"))
ARTIFACTS = REPO / "tests" / "artifacts"
K = 5
# What the guide's :params block sets; Neo4j Browser turns its numbers into floats.
GUIDE_PARAMS: dict[str, Any] = {
    "top": 25.0,
    "min_conversations": 5.0,
    "value": "healthy boundaries",
    "task": "relationship advice",
    "category": "Social",
    "cluster": "boundaries and care",
    "model_a": "claude-3-5-sonnet",
    "model_b": "claude-3-opus",
    "response_type": None,
    "per_value": 3.0,
    "limit": 150.0,
    "conversation": "c000",
}


def query_body(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and lines[0].startswith("//"):
        lines.pop(0)
    return "\n".join(lines).strip()


def guide_slides() -> list[str]:
    # Neo4j Browser splits a Markdown guide on a line holding only ---.
    return re.split(r"\r?\n---\r?\n", asset("guide.md"))


def guide_blocks() -> list[str]:
    return [block.strip() for block in re.findall(r"```cypher\n(.*?)```", asset("guide.md"), re.S)]


# --- the exploration library ----------------------------------------------------------------


def test_every_exploration_query_says_what_it_shows() -> None:
    names = {path.stem for path in EXPLORE_FILES}
    assert {
        "explore_top_values",
        "explore_value_tasks",
        "explore_task_values",
        "explore_mirroring",
        "explore_resistance",
        "explore_taxonomy",
        "explore_models",
        "explore_conversation",
    } <= names
    for path in EXPLORE_FILES:
        header = [line for line in path.read_text().splitlines() if line.startswith("//")]
        assert len(header) >= 2, path.name
        parameters = set(re.findall(r"\$([a-z_]+)", query_body(path)))
        assert parameters <= set(GUIDE_PARAMS), path.name


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


# --- the guide and the style ----------------------------------------------------------------


def test_guide_walks_through_every_exploration_query() -> None:
    slides = guide_slides()
    assert len(slides) >= 8
    assert slides[0].startswith("# ")
    blocks = guide_blocks()
    assert blocks[0].startswith(":params {")
    for path in EXPLORE_FILES:
        assert query_body(path) in blocks, f"{path.name} is not in the guide, or differs"
    params_block = blocks[0]
    for name in GUIDE_PARAMS:
        assert f"{name}:" in params_block


def _parse_grass(text: str) -> dict[str, dict[str, str]]:
    """GRASS read as Neo4j Browser 5 reads it: ``selector { key: value; ... }``; quotes are
    dropped (braces inside them kept), whitespace outside rules ignored, no comments."""
    bodies: dict[str, str] = {}
    selector, body, in_rule, in_string = "", "", False, False
    for char in text:
        if char in "'\"":
            in_string = not in_string
        elif char == "{" and not in_string and not in_rule:
            in_rule = True
        elif char == "}" and not in_string and in_rule:
            bodies[selector], selector, body, in_rule = body, "", "", False
        elif in_rule:
            body += char
        elif not char.isspace():
            selector += char
    rules = {}
    for name, content in bodies.items():
        pairs = [part.split(":") for part in content.split(";")]
        rules[name] = {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2}
    return rules


def test_style_colours_captions_and_sizes_every_label() -> None:
    text = asset("style.grass")
    assert "/*" not in text and "//" not in text.replace(
        "http://", ""
    )  # the parser has no comments
    rules = _parse_grass(text)
    diameters = {}
    for label, _ in NODE_KEYS:
        rule = rules[f"node.{label}"]
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule["color"]), label
        assert rule["caption"] in ("{name}", "{id}"), label
        diameters[label] = int(rule["diameter"].removesuffix("px"))
    # Larger for what rests on more conversations: a model, a cluster, a task, a value, one.
    assert diameters["Model"] > diameters["Cluster"] > diameters["Task"] > diameters["AIValue"]
    assert diameters["AIValue"] > diameters["Conversation"]


# --- the routes -------------------------------------------------------------------------------


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


# --- the real Neo4j Browser -------------------------------------------------------------------


@pytest.fixture()
def synthetic_graph(empty_graph: Graph, tmp_path: Path) -> Graph:
    """A small synthetic corpus, so the screenshot shows a graph worth looking at."""
    corpus = tmp_path / "corpus"
    summary = write_corpus(corpus, 1500, 7)
    ingest_taxonomy_files(summary.values_tree_path, summary.values_frequencies_path, empty_graph)
    ingest_record_file(summary.records_path, empty_graph)
    return empty_graph


@pytest.fixture()
def api_url(neo4j_settings: Settings) -> Iterator[str]:
    """The API app on a free port, in a thread, for the Browser to fetch the guide from."""
    server = make_server("127.0.0.1", free_port(), create_app(neo4j_settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def _frame_commands(browser: Browser) -> list[str]:
    return list(
        browser.script(
            "return Array.from(document.querySelectorAll(\"[data-testid='frameCommand']\"))"
            ".map(e => e.innerText)"
        )
    )


def _connect(browser: Browser) -> None:
    """Log in, and return once the server's post-connect commands have run: they run once the
    Browser has its settings (and with them the allow-list of hosts the guide fetches from)."""

    def connected() -> bool:
        return any("/browser/style.grass" in command for command in _frame_commands(browser))

    # On a loaded machine the login form can re-render between the typing and the click and
    # lose what was typed; while the form is still there after a wait, log in again.
    for _ in range(3):
        for css, text in (("username", "neo4j"), ("password", TEST_PASSWORD)):
            # Ctrl+A first (WebDriver's Control key, then NULL to release it): a retry replaces
            # what the last attempt left in the field rather than adding to it.
            field = browser.wait_for(f"input[data-testid='{css}']", timeout=60)
            browser.type(field, "\ue009a\ue000" + text)
        browser.click(browser.find("button[data-testid='connect']"))
        try:
            browser.wait_until(connected, timeout=30)
            return
        except TimeoutError:
            if not browser.find_all("button[data-testid='connect']"):
                browser.wait_until(connected, timeout=60)  # logged in; the commands are slow
                return
    raise AssertionError(f"Neo4j Browser did not log in: {_frame_commands(browser)}")


def _run_in_editor(browser: Browser, command: str, done: Callable[[], Any]) -> None:
    """Type ``command`` into the editor and run it; return once ``done()`` holds."""
    for _ in range(3):  # the editor can re-mount right after connecting and lose keystrokes
        browser.type(browser.find("[data-testid='activeEditor'] textarea"), command)
        browser.click(browser.find("[data-testid='editor-Run']"))
        try:
            browser.wait_until(done, timeout=10)
            return
        except TimeoutError:
            continue
    raise AssertionError(f"Neo4j Browser did not run {command!r}: {_frame_commands(browser)}")


@pytest.mark.slow
@pytest.mark.skipif(not browser_available(), reason="needs Debian's chromium and chromium-driver")
def test_neo4j_browser_runs_a_guide_query(
    synthetic_graph: Graph, neo4j_server: LocalServer, api_url: str, tmp_path: Path
) -> None:
    with Browser(tmp_path / "chromium", width=1400, height=900) as browser:
        browser.get(neo4j_server.browser_url)
        _connect(browser)
        style_url = f"{api_url}/browser/style.grass"
        _run_in_editor(
            browser,
            f":style {style_url}",
            lambda: any(c.strip() == f":style {style_url}" for c in _frame_commands(browser)),
        )
        guide_url = f"{api_url}/browser/guide.md"
        _run_in_editor(
            browser,
            f":guide {guide_url}",
            lambda: guide_url in browser.text(browser.find("[data-testid='guidesDrawer']")),
        )
        params = browser.wait_for("[data-testid='guidesDrawer'] pre.runnable")
        assert browser.text(params).startswith(":params")
        browser.click(params)  # a click puts the block in the editor
        browser.click(browser.find("[data-testid='editor-Run']"))

        # On to the slide "One conversation", and run its query.
        for _ in range(9):
            browser.click(browser.find("[data-testid='guideNextSlide']"))
        block = browser.wait_for("[data-testid='guidesDrawer'] pre.runnable")
        assert "Conversation {id: $conversation}" in browser.text(block)
        browser.click(block)
        browser.click(browser.find("[data-testid='editor-Run']"))

        nodes = browser.wait_until(lambda: browser.find_all("svg g.node"), timeout=60)
        assert len(nodes) >= 5  # the conversation, its task, model, values and clusters
        # The style is in force: conversations are drawn in its colour.
        fills = browser.script(
            "return Array.from(document.querySelectorAll('svg g.node circle'))"
            ".map(c => (c.getAttribute('fill') || '').toUpperCase())"
        )
        assert "#D9C8AE" in fills and "#4C8EDA" in fills
        time.sleep(3)  # let the force layout settle before the picture
        browser.screenshot(ARTIFACTS / "browser.png")
        blocked = [m for m in browser.console_errors() if "CORS" in m and api_url in m]
        assert not blocked
