"""Every analysis answers the same through the command line, GraphQL and the report.

All three ask one :class:`~valuegraph.queries.session.AnalysisSession` (the CLI one per
command, the API one per app, the report one per build), so for the same arguments they must
give the same rows, or the same error. Each case below asks one analysis through:

- the command line with ``--json`` (click's test runner, the real ``valuegraph`` group);
- GraphQL through the Flask test client, where the schema serves that analysis;
- the report's figure sources (the object every figure asks), which record the rows they got.

GraphQL renames fields (camelCase, ``share`` for ``pct / 100``, enum values in capitals), so
each case says how an analysis row looks there. ``models`` has no GraphQL field, and
``findings`` neither a field nor a figure; they are asked of the paths that serve them and of
``queries.analyses``. Runs on the synthetic corpus (3,000 conversations, three models, a
taxonomy), then on a small graph without a taxonomy for the cluster-level errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.support.graphql_client import run_query
from tests.support.synthetic_corpus import Corpus
from valuegraph.api.app import create_app
from valuegraph.api.settings import ApiLimits
from valuegraph.cli.main import cli
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.ingest.synth import write_corpus
from valuegraph.pipelines.records import ingest_records
from valuegraph.queries import analyses
from valuegraph.queries.session import AnalysisSession
from valuegraph.report.build import FigureSources
from valuegraph.settings import Settings

OPUS, SONNET = "claude-3-opus", "claude-3-5-sonnet"
Record = dict[str, Any]


def plain(value: Any) -> Any:
    """What JSON makes of a value: tuples become lists."""
    return json.loads(json.dumps(value, default=str))


def upper(name: str | None) -> str | None:
    return name.upper() if name is not None else None


# --- the three paths ------------------------------------------------------------------------


class Refused(Exception):
    """The error one path answered with, by its message alone (comparable across paths)."""


def by_cli(*arguments: str) -> list[Record]:
    """``valuegraph analyze ... --json``: its records, or Refused with its error."""
    result = CliRunner().invoke(cli, ["analyze", *arguments, "--json"])
    if isinstance(result.exception, InputError):
        raise Refused(str(result.exception))
    assert result.exit_code == 0, result.output
    records: list[Record] = json.loads(result.stdout)
    return records


def by_graphql(client: FlaskClient, query: str) -> Any:
    """The data of a query, or Refused with the first error's message."""
    body = run_query(client, query)
    if "errors" in body:
        raise Refused(body["errors"][0]["message"])
    return body["data"]


def by_report(
    session: AnalysisSession, function: Callable[..., Any], arguments: dict[str, Any]
) -> dict[str, list[Record]]:
    """The rows the report's figure sources recorded for the call, by table."""
    sources = FigureSources(session)
    try:
        sources.run(function, **arguments)
    except InputError as exc:
        raise Refused(str(exc)) from None
    return {name: plain(table["rows"]) for name, table in sources.sources[0].tables.items()}


def answer(ask: Callable[[], Any]) -> Any:
    """What a path answered: its result, or ("refused", message)."""
    try:
        return ask()
    except Refused as refusal:
        return ("refused", str(refusal))


# --- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One table of an analysis: how to ask the CLI for it, and where GraphQL keeps its rows."""

    cli: tuple[str, ...]
    report: str = "result"  # the table's name among the report's recorded tables
    graphql_rows: Callable[[Any], list[Record]] | None = None  # from the query's data
    as_graphql: Callable[[Record], Record] | None = None  # an analysis row as GraphQL has it


@dataclass(frozen=True)
class Case:
    name: str
    function: Callable[..., Any]
    arguments: dict[str, Any]
    tables: tuple[Table, ...]
    graphql: str | None = None
    notes: tuple[str, ...] = field(default=())


def association_view(partner: str) -> Callable[[Record], Record]:
    def view(row: Record) -> Record:
        partner_key = row.get(f"{partner}_key", row[partner])
        return {
            "value": row["value"],
            "valueKey": row["value_key"],
            "partner": row[partner],
            "partnerKey": partner_key,
            "observed": row["observed"],
            "expected": row["expected"],
            "chi2": row["chi2"],
            "pValue": row["p_value"],
            "pAdjusted": row["p_adjusted"],
            "adjustedResidual": row["adjusted_residual"],
        }

    return view


ASSOCIATION_ROWS = (
    "rows { value valueKey partner partnerKey observed expected chi2 pValue pAdjusted"
    " adjustedResidual }"
)

VALUE_RESPONSE_CLI = tuple(
    ["associations", "--kind", "value-response", "--response-type", "strong_support", "--top", "10"]
)
INVARIANCE_CLI = tuple(
    [
        "invariance",
        "--across",
        "human-value",
        "--min-support",
        "20",
        "--min-context-conversations",
        "10",
        "--top",
        "5",
    ]
)

CASES: tuple[Case, ...] = (
    Case(
        "frequencies of one model's AI values",
        analyses.frequencies,
        {"role": "ai", "model": OPUS, "top": 15},
        (
            Table(
                ("frequencies", "--role", "ai", "--model", OPUS, "--top", "15"),
                graphql_rows=lambda data: [e["node"] for e in data["values"]["edges"]],
                as_graphql=lambda row: {
                    "key": row["key"],
                    "name": row["value"],
                    "frequency": row["conversations"],
                    "share": row["pct_convos"] / 100,
                },
            ),
        ),
        graphql=f'{{ values(role: AI, model: "{OPUS}", orderBy: FREQUENCY, first: 15)'
        " { edges { node { key name frequency share } } } }",
    ),
    Case(
        "frequencies of the level-2 value clusters",
        analyses.frequencies,
        {"role": "ai", "level": 2},
        (
            Table(
                ("frequencies", "--role", "ai", "--level", "2", "--top", "0"),
                graphql_rows=lambda data: sorted(
                    (c for c in data["clusters"] if c["conversations"] is not None),
                    key=lambda c: (-c["conversations"], c["id"]),
                ),
                as_graphql=lambda row: {
                    "id": row["key"],
                    "name": row["value"],
                    "conversations": row["conversations"],
                    "expressions": row["expressions"],
                    "conversationShare": row["pct_convos"] / 100,
                    "share": row["pct_expressions"] / 100,
                },
            ),
        ),
        graphql="{ clusters(level: 2) { id name conversations expressions conversationShare share } }",
    ),
    Case(
        "response types of one model",
        analyses.response_types,
        {"model": OPUS},
        (
            Table(
                ("response-types", "--model", OPUS),
                graphql_rows=lambda data: data["responseTypes"]["rows"],
                as_graphql=lambda row: {
                    "responseType": upper(row["response_type"]),
                    "conversations": row["conversations"],
                    "share": row["pct"] / 100,
                    "population": upper(row["population"]),
                    "model": row["model"],
                },
            ),
        ),
        graphql=f'{{ responseTypes(model: "{OPUS}")'
        " { rows { responseType conversations share population model } } }",
    ),
    Case(
        "value-task associations of one model",
        analyses.associations,
        {"kind": "value-task", "model": SONNET, "top": 30},
        (
            Table(
                ("associations", "--kind", "value-task", "--model", SONNET, "--top", "30"),
                graphql_rows=lambda data: data["associations"]["rows"],
                as_graphql=association_view("task"),
            ),
        ),
        graphql=f'{{ associations(kind: VALUE_TASK, model: "{SONNET}", first: 30)'
        f" {{ {ASSOCIATION_ROWS} }} }}",
    ),
    Case(
        "AI value clusters against human values",
        analyses.associations,
        {"kind": "ai-human", "value_level": 1, "top": 20},
        (
            Table(
                ("associations", "--kind", "ai-human", "--value-level", "1", "--top", "20"),
                graphql_rows=lambda data: data["associations"]["rows"],
                as_graphql=association_view("human_value"),
            ),
        ),
        graphql=f"{{ associations(kind: AI_HUMAN, valueLevel: 1, first: 20) {{ {ASSOCIATION_ROWS} }} }}",
    ),
    Case(
        "one response type's values",
        analyses.associations,
        {"kind": "value-response", "response_type": "strong_support", "top": 10},
        (
            Table(
                VALUE_RESPONSE_CLI,
                graphql_rows=lambda data: data["associations"]["rows"],
                as_graphql=association_view("response_type"),
            ),
        ),
        graphql="{ associations(kind: VALUE_RESPONSE, responseType: STRONG_SUPPORT, first: 10)"
        f" {{ {ASSOCIATION_ROWS} }} }}",
    ),
    Case(
        "mirroring in one model",
        analyses.mirroring,
        {"model": SONNET, "top": 5},
        (
            Table(
                ("mirroring", "--model", SONNET, "--top", "5", "--table", "rates"),
                report="rates",
                graphql_rows=lambda data: data["mirroring"]["rates"],
                as_graphql=lambda row: {
                    "responseType": upper(row["response_type"]),
                    "withHumanValues": row["with_human_values"],
                    "mirrored": row["mirrored"],
                    "mirroringRate": row["mirroring_rate"],
                },
            ),
            Table(
                ("mirroring", "--model", SONNET, "--top", "5", "--table", "values"),
                report="values",
                graphql_rows=lambda data: data["mirroring"]["values"],
                as_graphql=lambda row: {
                    "value": row["value"],
                    "valueKey": row["value_key"],
                    "conversations": row["conversations"],
                },
            ),
            Table(
                ("mirroring", "--model", SONNET, "--top", "5", "--table", "resistance"),
                report="resistance",
                graphql_rows=lambda data: data["mirroring"]["resistance"],
                as_graphql=lambda row: {
                    "responseType": upper(row["response_type"]),
                    "humanValue": row["human_value"],
                    "humanValueKey": row["human_value_key"],
                    "aiValue": row["ai_value"],
                    "aiValueKey": row["ai_value_key"],
                    "conversations": row["conversations"],
                    "share": row["pct"] / 100,
                },
            ),
        ),
        graphql=f'{{ mirroring(model: "{SONNET}", top: 5) {{'
        " rates { responseType withHumanValues mirrored mirroringRate }"
        " values { value valueKey conversations }"
        " resistance { responseType humanValue humanValueKey aiValue aiValueKey conversations share }"
        " } }",
    ),
    Case(
        "invariance across human values",
        analyses.invariance,
        {"across": "human-value", "min_support": 20, "min_context_conversations": 10, "top": 5},
        (
            Table(
                INVARIANCE_CLI,
                graphql_rows=lambda data: data["invariance"]["rows"],
                as_graphql=lambda row: {
                    "value": row["value"],
                    "valueKey": row["value_key"],
                    "conversations": row["conversations"],
                    "contexts": row["contexts"],
                    "meanFrequency": row["mean_frequency"],
                    "coefficientOfVariation": row["coefficient_of_variation"],
                },
            ),
        ),
        graphql="{ invariance(across: HUMAN_VALUE, minSupport: 20, minContextConversations: 10,"
        " top: 5) { rows { value valueKey conversations contexts meanFrequency"
        " coefficientOfVariation } } }",
    ),
    Case(
        "models side by side",
        analyses.models,
        {"top": 5},
        (
            Table(("models", "--top", "5", "--table", "values"), report="top_values"),
            Table(("models", "--top", "5", "--table", "overlap"), report="overlap"),
            Table(("models", "--top", "5", "--table", "response-types"), report="response_types"),
        ),
    ),
)


@pytest.fixture(scope="module")
def report_session(corpus: Corpus) -> AnalysisSession:
    """One session for every case, as one build of the report has."""
    return AnalysisSession(corpus.graph, corpus.settings.min_conversations)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_path_gives_the_same_rows(
    case: Case, client: FlaskClient, corpus: Corpus, report_session: AnalysisSession
) -> None:
    k = corpus.settings.min_conversations
    library = analyses_result_tables(case, corpus.graph, k)
    report = by_report(report_session, case.function, case.arguments)
    data = by_graphql(client, case.graphql) if case.graphql else None
    for table in case.tables:
        rows = by_cli(*table.cli)
        assert rows, f"{case.name}: the corpus should give {table.cli} some rows"
        assert rows == report[table.report], f"{case.name}: CLI and report differ"
        assert rows == library[table.report], f"{case.name}: CLI and queries.analyses differ"
        if table.graphql_rows is not None and table.as_graphql is not None:
            assert [table.as_graphql(row) for row in rows] == table.graphql_rows(data), (
                f"{case.name}: CLI and GraphQL differ"
            )


def analyses_result_tables(case: Case, graph: Graph, k: int) -> dict[str, list[Record]]:
    """The function of ``queries.analyses`` itself, as the report records a result."""
    result = case.function(graph, **case.arguments, min_conversations=k)
    if hasattr(result, "rows"):
        return {"result": plain(result.records())}
    return {
        name: plain(table.records())
        for name, table in vars(result).items()
        if hasattr(table, "rows")
    }


def test_findings_are_the_same_from_the_command_line_and_the_library(corpus: Corpus) -> None:
    sentences = analyses.findings(corpus.graph, min_conversations=corpus.settings.min_conversations)
    assert len(sentences) == 3
    assert by_cli("findings") == [{"finding": sentence} for sentence in sentences]


def test_an_unknown_model_is_the_same_error_everywhere(
    client: FlaskClient, report_session: AnalysisSession
) -> None:
    expected = ("refused", "unknown model 'gpt-zero' (known: claude-3-5-sonnet, ")
    asked = {
        "cli": answer(lambda: by_cli("mirroring", "--model", "gpt-zero")),
        "graphql": answer(
            lambda: by_graphql(client, '{ mirroring(model: "gpt-zero") { suppressed } }')
        ),
        "report": answer(
            lambda: by_report(report_session, analyses.mirroring, {"model": "gpt-zero"})
        ),
    }
    assert len({str(a) for a in asked.values()}) == 1, asked
    assert asked["cli"][0] == expected[0] and asked["cli"][1].startswith(expected[1]), asked


# --- a graph without a taxonomy: cluster levels are an error, on every path --------------------


@pytest.fixture()
def unclustered(empty_graph: Graph, tmp_path: Path) -> Graph:
    """300 conversations of the synthetic corpus without its taxonomy: no clusters at all."""
    apply_schema(empty_graph)
    summary = write_corpus(tmp_path, 300, 3)
    assert ingest_records(summary.records_path, empty_graph).rejected == 0
    return empty_graph


@pytest.fixture()
def unclustered_client(unclustered: Graph, neo4j_settings: Settings) -> Iterator[FlaskClient]:
    app: Flask = create_app(neo4j_settings, ApiLimits())
    yield app.test_client()
    app.extensions["valuegraph"].close()


@pytest.mark.parametrize(
    ("cli_arguments", "graphql", "function", "arguments"),
    [
        (
            ("associations", "--kind", "value-task", "--value-level", "2"),
            "{ associations(kind: VALUE_TASK, valueLevel: 2) { tests rows { value } } }",
            analyses.associations,
            {"kind": "value-task", "value_level": 2},
        ),
        (
            ("associations", "--kind", "ai-human", "--value-level", "2", "--model", OPUS),
            f'{{ associations(kind: AI_HUMAN, valueLevel: 2, model: "{OPUS}") {{ tests }} }}',
            analyses.associations,
            {"kind": "ai-human", "value_level": 2, "model": OPUS},
        ),
        (
            ("invariance", "--value-level", "2"),
            "{ invariance(valueLevel: 2) { rows { value } } }",
            analyses.invariance,
            {"value_level": 2},
        ),
    ],
    ids=["associations", "associations of one model", "invariance"],
)
def test_a_cluster_level_without_clusters_is_the_same_error_everywhere(
    unclustered: Graph,
    unclustered_client: FlaskClient,
    neo4j_settings: Settings,
    cli_arguments: tuple[str, ...],
    graphql: str,
    function: Callable[..., Any],
    arguments: dict[str, Any],
) -> None:
    session = AnalysisSession(unclustered, neo4j_settings.min_conversations)
    asked = {
        "cli": answer(lambda: by_cli(*cli_arguments)),
        "graphql": answer(lambda: by_graphql(unclustered_client, graphql)),
        "report": answer(lambda: by_report(session, function, arguments)),
    }
    message = "no AI value clusters at level 2: load a taxonomy first (valuegraph ingest taxonomy)"
    assert asked == {path: ("refused", message) for path in asked}
