"""The report on a real graph: its numbers are the analyses' numbers, k applies, the CLI works.

Runs on a synthetic corpus (3,000 conversations, three models, a taxonomy; see
``tests/support/synthetic_corpus.py``).
"""

from __future__ import annotations

import importlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.support.synthetic_corpus import Corpus
from valuegraph.graph.connection import Graph
from valuegraph.queries.analyses import frequencies, mirroring, response_types
from valuegraph.report.build import FIGURES, build_report, render_report, result_tables
from valuegraph.report.page import ReportPage
from valuegraph.report.reproduce import ALL
from valuegraph.settings import Settings


def embedded(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert match, "the page embeds no report data"
    return json.loads(match.group(1))


def as_json(value: Any) -> Any:
    """What the page's JSON makes of a value (tuples become lists, NaN null)."""
    return json.loads(json.dumps(value, default=str).replace("NaN", "null"))


class Tables(HTMLParser):
    """Every table of one figure section, as lists of cell texts."""

    def __init__(self, figure_id: str) -> None:
        super().__init__()
        self.figure_id = figure_id
        self.inside = 0
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.inside = 1 if dict(attrs).get("data-figure") == self.figure_id else 0
        if not self.inside:
            return
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        if tag == "section":
            self.inside = 0

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str, figure_id: str) -> list[list[list[str]]]:
    parser = Tables(figure_id)
    parser.feed(html)
    return parser.tables


@pytest.fixture(scope="module")
def built(corpus: Corpus) -> tuple[ReportPage, str]:
    progress: list[str] = []
    page = build_report(corpus.graph, corpus.settings, top=15, on_figure=progress.append)
    assert sorted(progress) == sorted(spec.title for spec in FIGURES)
    return page, render_report(page)


# --- the numbers are the analyses' numbers ---------------------------------------------------


def test_every_figure_is_drawn_and_rests_on_recorded_analysis_calls(built) -> None:
    page, html = built
    assert [f.id for f in page.figures] == [spec.id for spec in FIGURES]
    data = embedded(html)["figures"]
    for figure in page.figures:
        assert figure.charts, f"{figure.id} has no chart: {figure.reading}"
        assert "cannot be drawn" not in figure.reading
        assert data[figure.id]["sources"], f"{figure.id} names no analysis"


def test_the_embedded_numbers_equal_a_fresh_call_of_each_analysis(built, corpus: Corpus) -> None:
    data = embedded(built[1])["figures"]
    calls = 0
    for figure_id, figure in data.items():
        for source in figure["sources"]:
            module, _, name = source["function"].rpartition(".")
            function = getattr(importlib.import_module(module), name)
            tables = result_tables(function(corpus.graph, **source["arguments"]))
            calls += 1
            assert set(tables) == set(source["tables"]), figure_id
            for table_name, table in source["tables"].items():
                expected = as_json(tables[table_name])
                where = f"{figure_id}: {source['function']} {table_name}"
                for field_name, value in expected.items():
                    if field_name not in ("rows", "complete"):
                        assert table[field_name] == value, f"{where}.{field_name}"
                if table["complete"]:
                    assert table["rows"] == expected["rows"], where
                else:
                    assert table["rows"], where
                    assert all(row in expected["rows"] for row in table["rows"]), where
    assert calls >= len(FIGURES)


def test_the_tables_show_the_analysis_numbers(built, corpus: Corpus) -> None:
    html = built[1]
    k = corpus.settings.min_conversations
    ai = frequencies(corpus.graph, role="ai", top=15, min_conversations=k)
    shown = tables_of(html, "values")[0][1:]  # the first table, without its header
    assert [row[1] for row in shown] == [r.value for r in ai.rows]
    assert [row[2] for row in shown] == [f"{r.conversations:,}" for r in ai.rows]
    assert [float(row[3].rstrip("%")) for row in shown] == pytest.approx(
        [r.pct_convos for r in ai.rows], abs=0.051
    )

    types = response_types(corpus.graph, min_conversations=k)
    strong = next(
        r
        for r in types.rows
        if r.model is None
        and r.population == "with_human_values"
        and r.response_type == "strong_support"
    )
    table = tables_of(html, "response-types")[0]
    row = next(r for r in table if r[0] == "strong support")
    assert row[3] == f"{strong.conversations:,}"
    assert float(row[4].rstrip("%")) == pytest.approx(strong.pct, abs=0.051)

    rates = mirroring(corpus.graph, top=15, min_conversations=k).rates.rows
    table = tables_of(html, "mirroring")[0][1:]
    assert {r[0]: r[2] for r in table} == {
        r.response_type.replace("_", " "): f"{r.mirrored:,}" for r in rates
    }


def test_each_figure_has_a_reading_a_table_and_a_way_to_reproduce_it(built) -> None:
    page, html = built
    for figure in page.figures:
        assert figure.reading.endswith(".") and len(figure.reading) < 300
        assert figure.tables, figure.id
        assert figure.reproduce.cli or figure.reproduce.graphql, figure.id
    assert "Values in the wild" in html
    assert "3,000" in html  # the corpus size in the summary


def test_the_three_models_are_compared(built) -> None:
    page, _ = built
    models = next(f for f in page.figures if f.id == "models")
    assert len(models.charts) == 2
    assert "claude-3-5-sonnet" in models.charts[0]


# --- the privacy threshold -------------------------------------------------------------------


def test_a_high_threshold_suppresses_rows_and_says_so(corpus: Corpus) -> None:
    k = 400
    settings = corpus.settings.model_copy(update={"min_conversations": k})
    page = build_report(corpus.graph, settings, top=15)
    html = render_report(page)
    data = embedded(html)
    assert data["meta"]["min_conversations"] == k
    notes = " ".join(note for figure in page.figures for note in figure.notes)
    assert f"fewer than {k} conversations and are suppressed" in notes
    assert "(privacy threshold)" in notes
    for figure in data["figures"].values():
        for source in figure["sources"]:
            assert source["arguments"]["min_conversations"] == k
            for table in source["tables"].values():
                assert table["min_conversations"] == k
                for row in table["rows"]:
                    for field_name in ("conversations", "observed", "with_human_values"):
                        if field_name in row:
                            assert row[field_name] >= k, (source["function"], row)


# --- the command line and the route ----------------------------------------------------------


def test_the_command_writes_the_report_and_prints_its_path(corpus: Corpus, tmp_path: Path) -> None:
    from valuegraph.cli.main import cli

    target = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "-o", str(target), "--top", "10"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(target.resolve())
    assert embedded(target.read_text())["meta"]["top"] == 10


def test_the_route_serves_the_report(corpus: Corpus) -> None:
    from valuegraph.api.app import create_app
    from valuegraph.api.report_routes import report_blueprint

    app = create_app(corpus.settings)
    if "report" not in app.blueprints:
        app.register_blueprint(report_blueprint)
    client = app.test_client()
    response = client.get("/report?top=5")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert embedded(response.get_data(as_text=True))["meta"]["top"] == 5
    again = client.get("/report?top=5")
    assert again.get_data() == response.get_data()  # unchanged graph: the cached page
    bad = client.get("/report?top=lots")
    assert bad.status_code == 400
    assert "top" in bad.get_json()["errors"][0]["message"]
    app.extensions["valuegraph"].close()


# --- the ways to reproduce each figure -------------------------------------------------------


def test_every_graphql_query_to_reproduce_a_figure_runs(corpus: Corpus) -> None:
    from valuegraph.api.app import create_app

    app = create_app(corpus.settings)
    client = app.test_client()
    try:
        for way in ALL:
            if way.graphql is None:
                continue
            response = client.post("/graphql", json={"query": way.graphql})
            body = response.get_json()
            assert response.status_code == 200, (way.graphql, body)
            assert "errors" not in body, (way.graphql, body["errors"])
            assert body["data"], way.graphql
    finally:
        app.extensions["valuegraph"].close()


# --- an empty graph and a single model -------------------------------------------------------


def test_an_empty_graph_gives_a_report_that_says_so(
    empty_graph: Graph, neo4j_settings: Settings
) -> None:
    page = build_report(empty_graph, neo4j_settings)
    html = render_report(page)
    assert page.figures == ()
    assert "The graph holds no conversations" in html
    assert embedded(html)["meta"]["conversations"] == 0


def test_a_single_model_gives_a_report_that_says_so(
    empty_graph: Graph, neo4j_settings: Settings, tmp_path: Path
) -> None:
    from valuegraph.pipelines.records import ingest_records

    records = tmp_path / "one-model.jsonl"
    lines = [
        {
            "conversation_id": f"c{i}",
            "task": "relationship advice" if i % 2 else "code review",
            "response_type": "strong_support" if i % 3 else "strong_resistance",
            "ai_values": ["healthy boundaries", "honesty"] if i % 2 else ["code quality"],
            "human_values": ["honesty"] if i % 3 else ["rule-breaking"],
            "model": "claude-3-5-sonnet",
        }
        for i in range(60)
    ]
    records.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert ingest_records(records, empty_graph).rejected == 0
    page = build_report(empty_graph, neo4j_settings)
    by_id = {figure.id: figure for figure in page.figures}
    assert "one model (claude-3-5-sonnet)" in by_id["models"].reading
    assert not by_id["models"].charts
    assert "taxonomy" in by_id["taxonomy"].reading.lower()  # none loaded: it says so
    assert by_id["values"].charts
    render_report(page)
