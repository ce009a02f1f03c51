"""The real Neo4j Browser (headless Chromium) logs in to the test server, loads the style and
the guide from the API, and runs a guide query; its picture goes to the screenshots folder."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.support.browser_support import Browser, browser_available
from tests.support.neo4j_fixtures import TEST_PASSWORD
from tests.support.paths import SCREENSHOTS
from tests.support.ports import free_port
from valuegraph.api.app import create_app
from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.ingest.synth import write_corpus
from valuegraph.pipelines.records import ingest_records
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.settings import Settings


@pytest.fixture()
def synthetic_graph(empty_graph: Graph, tmp_path: Path) -> Graph:
    """A small synthetic corpus, so the screenshot shows a graph worth looking at."""
    corpus = tmp_path / "corpus"
    summary = write_corpus(corpus, 1500, 7)
    ingest_taxonomy(summary.values_tree_path, summary.values_frequencies_path, empty_graph)
    ingest_records(summary.records_path, empty_graph)
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
            browser.wait_until(done, timeout=30)
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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.screenshot(SCREENSHOTS / "browser.png")
        blocked = [m for m in browser.console_errors() if "CORS" in m and api_url in m]
        assert not blocked
