"""Every query field against what it stands for: the graph itself, or the analysis function.

The catalog fields (stats, values, tasks, clusters, conversations) are checked against Cypher
written here; the analysis fields against ``queries.analyses`` called with the same arguments.
Connections are walked to the end, page by page, and must give every row once. The SDL
snapshot is ``tests/unit/test_schema_snapshot.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.graphql_client import data_of, run_query
from tests.support.synthetic_corpus import Corpus
from valuegraph.api.app import create_app
from valuegraph.api.settings import ApiLimits
from valuegraph.queries.analyses import (
    associations,
    frequencies,
    invariance,
    mirroring,
    response_types,
)
from valuegraph.queries.materialize import DEFAULT_ALPHA

K = 5
ROLES: dict[str, Literal["ai", "human"]] = {"AI": "ai", "HUMAN": "human"}


# --- the contract -------------------------------------------------------------------------


# --- helpers ------------------------------------------------------------------------------


def walk(
    client: FlaskClient, field: str, arguments: str, selection: str, first: int = 37
) -> Iterator[dict[str, Any]]:
    """Every page of a root connection, following endCursor until hasNextPage is false."""
    after: str | None = None
    while True:
        query = (
            f"query($after: String) {{ {field}({arguments} first: {first}, after: $after) {{"
            f" totalCount suppressed pageInfo {{ hasNextPage endCursor }}"
            f" edges {{ cursor node {{ {selection} }} }} }} }}"
        )
        page = data_of(client, query, {"after": after})[field]
        yield page
        if not page["pageInfo"]["hasNextPage"]:
            return
        assert page["edges"], "a page that says more follow must not be empty"
        after = page["pageInfo"]["endCursor"]


def walk_nodes(
    client: FlaskClient, field: str, arguments: str, selection: str
) -> list[dict[str, Any]]:
    pages = list(walk(client, field, arguments, selection))
    nodes = [edge["node"] for page in pages for edge in page["edges"]]
    assert all(page["totalCount"] == len(nodes) for page in pages)
    return nodes


def expected_values(
    corpus: Corpus, role: str, order: str, **filters: Any
) -> tuple[list[tuple[str, int]], int]:
    """(key, frequency) of every value the frequencies analysis shows, in the API's order."""
    result = frequencies(corpus.graph, role=ROLES[role], min_conversations=K, **filters)
    rows = [(row.key, row.conversations) for row in result.rows]
    rows.sort(key=(lambda r: (-r[1], r[0])) if order == "FREQUENCY" else (lambda r: r[0]))
    return rows, result.suppressed


# --- stats --------------------------------------------------------------------------------


def test_stats_count_every_kind(client: FlaskClient, corpus: Corpus) -> None:
    stats = data_of(
        client,
        "{ stats { conversations tasks aiValues humanValues clusters minConversations suppressed"
        " labels { kind count } relationships { kind count } models { name conversations }"
        " firstConversationAt lastConversationAt } }",
    )["stats"]
    graph = corpus.graph
    for label in ("Conversation", "Task", "AIValue", "HumanValue", "Cluster", "Model"):
        count = graph.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"]
        assert {"kind": label, "count": count} in stats["labels"]
    for kind in ("ABOUT", "AI_EXPRESSED", "HUMAN_EXPRESSED", "BY_MODEL", "IN_CLUSTER"):
        count = graph.read(f"MATCH ()-[r:{kind}]->() RETURN count(r) AS n")[0]["n"]
        assert {"kind": kind, "count": count} in stats["relationships"]
    assert stats["conversations"] == corpus.conversations
    models = graph.read(
        "MATCH (c:Conversation) RETURN c.model AS name, count(*) AS conversations "
        "ORDER BY conversations DESC, name"
    )
    assert stats["models"] == [m for m in models if m["conversations"] >= K]
    dates = graph.read(
        "MATCH (c:Conversation) RETURN toString(min(c.created_at)) AS first, "
        "toString(max(c.created_at)) AS last"
    )[0]
    assert stats["firstConversationAt"][:19] == dates["first"][:19]
    assert stats["lastConversationAt"][:19] == dates["last"][:19]
    assert stats["minConversations"] == K


# --- values -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["AI", "HUMAN"])
@pytest.mark.parametrize("order", ["FREQUENCY", "NAME"])
def test_walking_values_gives_every_row_once(
    client: FlaskClient, corpus: Corpus, role: str, order: str
) -> None:
    pages = list(walk(client, "values", f"role: {role}, orderBy: {order},", "key frequency"))
    nodes = [edge["node"] for page in pages for edge in page["edges"]]
    keys = [node["key"] for node in nodes]
    assert len(keys) == len(set(keys)), "a row came twice"
    expected, suppressed = expected_values(corpus, role, order)
    assert [(n["key"], n["frequency"]) for n in nodes] == expected
    assert all(p["totalCount"] == len(expected) and p["suppressed"] == suppressed for p in pages)
    cursors = [edge["cursor"] for page in pages for edge in page["edges"]]
    assert len(set(cursors)) == len(cursors)
    assert len(pages) > 2


@pytest.mark.parametrize(
    "filters",
    [
        {"model": "claude-3-7-sonnet"},
        {"response_type": "strong_support"},
        {"model": "claude-3-5-sonnet", "response_type": "neutral"},
    ],
)
def test_filtered_values_are_the_frequencies_analysis(
    client: FlaskClient, corpus: Corpus, filters: dict[str, str]
) -> None:
    arguments = "".join(
        f'model: "{v}",' if k == "model" else f"responseType: {v.upper()},"
        for k, v in filters.items()
    )
    nodes = walk_nodes(client, "values", arguments, "key frequency share")
    expected, _ = expected_values(corpus, "AI", "FREQUENCY", **filters)
    assert [(n["key"], n["frequency"]) for n in nodes] == expected
    result = frequencies(corpus.graph, role="ai", min_conversations=K, **filters)  # type: ignore[arg-type]
    shares = {row.key: row.pct_convos / 100 for row in result.rows}
    assert all(node["share"] == pytest.approx(shares[node["key"]]) for node in nodes)


def test_values_under_a_cluster_search_and_min_frequency(
    client: FlaskClient, corpus: Corpus
) -> None:
    category = data_of(client, "{ clusters(level: 3) { id } }")["clusters"][0]["id"]
    nodes = walk_nodes(client, "values", f'cluster: "{category}",', "key frequency")
    expected = corpus.graph.read(
        "MATCH (v:AIValue)-[:IN_CLUSTER*1..3]->(:Cluster {id: $id}) "
        "WITH v, COUNT { (v)<-[:AI_EXPRESSED]-() } AS f WHERE f >= $k "
        "RETURN v.key AS key, f AS frequency ORDER BY f DESC, key",
        {"id": category, "k": K},
    )
    assert nodes == expected
    found = walk_nodes(client, "values", 'search: "  ETHIC ",', "key")
    assert found and all("ethic" in node["key"] for node in found)
    frequent = walk_nodes(client, "values", "minFrequency: 100,", "frequency")
    assert frequent and all(node["frequency"] >= 100 for node in frequent)


def test_one_value_with_its_place_in_the_taxonomy(client: FlaskClient, corpus: Corpus) -> None:
    value = data_of(
        client,
        '{ value(name: "  Healthy   BOUNDARIES ") { key name role roles frequency'
        " cluster { id level } ancestors { id level } } }",
    )["value"]
    assert value["key"] == "healthy boundaries"
    chain = corpus.graph.read(
        "MATCH (:AIValue {key: $k})-[:IN_CLUSTER*1..3]->(c:Cluster) "
        "RETURN c.id AS id, c.level AS level ORDER BY level",
        {"k": "healthy boundaries"},
    )
    assert value["ancestors"] == chain and value["cluster"] == chain[0]
    assert [a["level"] for a in value["ancestors"]] == [1, 2, 3]
    degree = corpus.graph.read(
        "MATCH (v:AIValue {key: 'healthy boundaries'}) RETURN COUNT { (v)<-[:AI_EXPRESSED]-() } AS n"
    )[0]["n"]
    assert value["frequency"] == degree and value["role"] == "AI" and "AI" in value["roles"]


def test_rare_and_unknown_values_stay_hidden(client: FlaskClient, corpus: Corpus) -> None:
    rare = corpus.graph.read(
        "MATCH (v:AIValue) WITH v, COUNT { (v)<-[:AI_EXPRESSED]-() } AS f "
        "WHERE 0 < f < $k AND NOT EXISTS { (:HumanValue {key: v.key}) } "
        "RETURN v.key AS key, v.name AS name LIMIT 1",
        {"k": K},
    )[0]
    query = "query($n: String!) { value(name: $n) { name } }"
    assert data_of(client, query, {"n": rare["name"]})["value"] is None
    assert data_of(client, query, {"n": "no such value anywhere"})["value"] is None
    listed = walk_nodes(client, "values", f'search: "{rare["key"]}",', "key")
    assert rare["key"] not in {node["key"] for node in listed}
    conversation = corpus.graph.read(
        "MATCH (c:Conversation)-[:AI_EXPRESSED]->(:AIValue {key: $k}) RETURN c.id AS id LIMIT 1",
        {"k": rare["key"]},
    )[0]["id"]
    mentions = data_of(
        client,
        "query($id: ID!) { conversation(id: $id) { aiValues { key value { key } } } }",
        {"id": conversation},
    )["conversation"]["aiValues"]
    assert {"key": rare["key"], "value": None} in mentions


def test_a_values_conversations_walk_to_its_frequency(client: FlaskClient, corpus: Corpus) -> None:
    ids: list[str] = []
    after = None
    query = """query($after: String) { value(name: "healthy boundaries") { frequency
        conversations(first: 40, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { id } } } } }"""
    while True:
        value = data_of(client, query, {"after": after})["value"]
        page = value["conversations"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = corpus.graph.read(
        "MATCH (c:Conversation)-[:AI_EXPRESSED]->(:AIValue {key: 'healthy boundaries'}) "
        "RETURN c.id AS id ORDER BY id"
    )
    assert ids == [row["id"] for row in expected]
    assert len(ids) == value["frequency"] == page["totalCount"]


def test_a_conversation_as_extracted(client: FlaskClient, corpus: Corpus) -> None:
    row = corpus.graph.read(
        "MATCH (c:Conversation)-[:HUMAN_EXPRESSED]->() WITH c LIMIT 1 "
        "MATCH (c)-[:ABOUT]->(t) RETURN c.id AS id, c.model AS model, "
        "c.response_type AS rt, t.key AS task, "
        "COLLECT { MATCH (c)-[:AI_EXPRESSED]->(v) RETURN v.key ORDER BY v.key } AS ai, "
        "COLLECT { MATCH (c)-[:HUMAN_EXPRESSED]->(h) RETURN h.key ORDER BY h.key } AS human"
    )[0]
    conversation = data_of(
        client,
        "query($id: ID!) { conversation(id: $id) { id model responseType task { key }"
        " aiValues { key } humanValues { key } } }",
        {"id": row["id"]},
    )["conversation"]
    assert conversation == {
        "id": row["id"],
        "model": row["model"],
        "responseType": row["rt"].upper(),
        "task": {"key": row["task"]},
        "aiValues": [{"key": key} for key in row["ai"]],
        "humanValues": [{"key": key} for key in row["human"]],
    }
    assert data_of(client, '{ conversation(id: "nope") { id } }')["conversation"] is None


# --- tasks --------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["FREQUENCY", "NAME"])
def test_walking_tasks_gives_every_row_once(
    client: FlaskClient, corpus: Corpus, order: str
) -> None:
    nodes = walk_nodes(client, "tasks", f"orderBy: {order},", "key frequency")
    sort = "f DESC, key" if order == "FREQUENCY" else "key"
    expected = corpus.graph.read(
        "MATCH (t:Task) WITH t.key AS key, COUNT { (t)<-[:ABOUT]-() } AS f WHERE f >= $k "
        f"RETURN key, f AS frequency ORDER BY {sort}",
        {"k": K},
    )
    assert nodes == expected


# --- the taxonomy -------------------------------------------------------------------------


def test_the_taxonomy_tree_and_its_shares(client: FlaskClient, corpus: Corpus) -> None:
    tops = data_of(
        client,
        "{ clusters(level: 3) { id name level share conversations conversationShare expressions"
        " children { id level parent { id } } } }",
    )["clusters"]
    expected = frequencies(corpus.graph, role="ai", level=3, min_conversations=K)
    by_id = {row.key: row for row in expected.rows}
    assert (
        len(tops) == corpus.graph.read("MATCH (c:Cluster {level: 3}) RETURN count(c) AS n")[0]["n"]
    )
    for top in tops:
        row = by_id[top["id"]]
        assert top["share"] == pytest.approx(row.pct_expressions / 100)
        assert top["conversationShare"] == pytest.approx(row.pct_convos / 100)
        assert (top["conversations"], top["expressions"]) == (row.conversations, row.expressions)
        assert top["children"] and all(
            child["level"] == 2 and child["parent"]["id"] == top["id"] for child in top["children"]
        )
    assert sum(top["share"] for top in tops) == pytest.approx(1.0, abs=0.02)
    child = tops[0]["children"][0]["id"]
    one = data_of(
        client,
        "query($id: ID!) { cluster(id: $id) { level ancestors { level } values(first: 3) { totalCount } }"
        " clusters(parent: $id) { level } }",
        {"id": child},
    )
    assert one["cluster"]["ancestors"] == [{"level": 3}]
    assert one["cluster"]["values"]["totalCount"] > 0
    assert one["clusters"] and all(c["level"] == 1 for c in one["clusters"])


# --- associations -------------------------------------------------------------------------

ASSOCIATION_FIELDS = (
    "value valueKey partner partnerKey observed expected chi2 pValue pAdjusted adjustedResidual"
)


def as_api_rows(result: Any) -> list[dict[str, Any]]:
    rows = []
    for row in result.rows:
        partner_key = getattr(row, "task_key", None) or getattr(row, "human_value_key", None)
        partner = getattr(row, "task", None) or getattr(row, "human_value", None)
        rows.append(
            {
                "value": row.value,
                "valueKey": row.value_key,
                "partner": partner or row.response_type,
                "partnerKey": partner_key or row.response_type,
                "observed": row.observed,
                "expected": pytest.approx(row.expected),
                "chi2": pytest.approx(row.chi2),
                "pValue": pytest.approx(row.p_value),
                "pAdjusted": pytest.approx(row.p_adjusted),
                "adjustedResidual": pytest.approx(row.adjusted_residual),
            }
        )
    return rows


@pytest.mark.parametrize(
    ("graphql_arguments", "python_arguments"),
    [
        ("kind: VALUE_TASK", {"kind": "value-task"}),
        ('kind: VALUE_TASK, task: "relationship advice"', {"kind": "value-task", "task": "relationship advice"}),
        ('kind: VALUE_TASK, value: "Historical Accuracy", minCount: 3', {"kind": "value-task", "value": "Historical Accuracy", "min_count": 3}),
        ('kind: AI_HUMAN, humanValue: "honesty", alpha: 0.05', {"kind": "ai-human", "human_value": "honesty", "alpha": 0.05}),
        ("kind: VALUE_RESPONSE, responseType: STRONG_RESISTANCE", {"kind": "value-response", "response_type": "strong_resistance"}),
        ("kind: VALUE_TASK, valueLevel: 2", {"kind": "value-task", "value_level": 2}),
        ('kind: AI_HUMAN, model: "claude-3-5-sonnet"', {"kind": "ai-human", "model": "claude-3-5-sonnet"}),
    ],
)  # fmt: skip
def test_associations_are_the_analysis(
    client: FlaskClient, corpus: Corpus, graphql_arguments: str, python_arguments: dict[str, Any]
) -> None:
    expected = associations(corpus.graph, top=50, min_conversations=K, **python_arguments)
    got = data_of(
        client,
        f"{{ associations({graphql_arguments}, first: 50) {{ tests suppressed conversations"
        f" minConversations source rows {{ {ASSOCIATION_FIELDS} }} }} }}",
    )["associations"]
    assert got["rows"] == as_api_rows(expected)
    assert (got["tests"], got["suppressed"], got["conversations"]) == (
        expected.tests,
        expected.suppressed,
        expected.conversations,
    )
    assert got["source"] == "COMPUTED" and got["minConversations"] == K


def test_associations_sort_by_count_and_filter_on_residual(
    client: FlaskClient, corpus: Corpus
) -> None:
    full = associations(corpus.graph, kind="value-task", min_conversations=K)
    got = data_of(
        client,
        "{ associations(kind: VALUE_TASK, orderBy: COUNT, minResidual: 2.5, first: 30)"
        " { rows { valueKey partnerKey observed adjustedResidual } } }",
    )["associations"]["rows"]
    kept = [row for row in full.rows if row.adjusted_residual >= 2.5]
    kept.sort(key=lambda row: -row.observed)
    assert [(r["valueKey"], r["partnerKey"]) for r in got] == [
        (row.value_key, row.task_key) for row in kept[:30]
    ]
    assert all(a["observed"] >= b["observed"] for a, b in itertools.pairwise(got))


def test_an_unknown_or_rare_item_is_the_analysis_error(client: FlaskClient) -> None:
    body = run_query(client, '{ associations(kind: VALUE_TASK, value: "zzz no value") { tests } }')
    assert (
        body["errors"][0]["message"] == "no AI value 'zzz no value' with at least 5 conversations"
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def significant(result: Any) -> list[tuple[str, str, int]]:
    keys = []
    for row in result.rows:
        if row.adjusted_residual > 0:
            partner = getattr(row, "task_key", None) or row.human_value_key
            keys.append((row.value_key, partner, row.observed))
    return keys


def test_a_values_tasks_are_its_significant_associations(
    client: FlaskClient, corpus: Corpus
) -> None:
    planted = "healthy boundaries"
    query = """query($v: String!) { value(name: $v) {
        tasks(top: 5) { source generation tests suppressed rows { valueKey partnerKey observed
          adjustedResidual task { key frequency } } }
        humanValues(top: 5) { source rows { valueKey partnerKey observed } }
        computed: tasks(top: 5, minCount: 6) { source rows { valueKey partnerKey observed } } } }"""
    value = data_of(client, query, {"v": planted})["value"]
    expected = associations(
        corpus.graph, kind="value-task", value=planted, alpha=DEFAULT_ALPHA, min_conversations=K
    )
    tasks = value["tasks"]
    assert tasks["source"] == "MATERIALIZED" and tasks["generation"]
    assert [(r["valueKey"], r["partnerKey"], r["observed"]) for r in tasks["rows"]] == significant(
        expected
    )[:5]
    assert tasks["rows"], "the planted association should be there"
    assert tasks["rows"][0]["task"]["key"] == tasks["rows"][0]["partnerKey"]
    assert (tasks["tests"], tasks["suppressed"]) == (expected.tests, expected.suppressed)
    computed = associations(
        corpus.graph, kind="value-task", value=planted, alpha=DEFAULT_ALPHA, min_count=6,
        min_conversations=K,
    )  # fmt: skip
    assert value["computed"]["source"] == "COMPUTED"
    assert [
        (r["valueKey"], r["partnerKey"], r["observed"]) for r in value["computed"]["rows"]
    ] == significant(computed)[:5]
    human = associations(
        corpus.graph, kind="ai-human", value=planted, alpha=DEFAULT_ALPHA, min_conversations=K
    )
    assert [
        (r["valueKey"], r["partnerKey"], r["observed"]) for r in value["humanValues"]["rows"]
    ] == significant(human)[:5]


def test_a_tasks_values_and_a_human_values_ai_values(client: FlaskClient, corpus: Corpus) -> None:
    got = data_of(
        client,
        """{ task(name: "relationship advice") { values(top: 4) { source rows { valueKey partnerKey observed } } }
             value(name: "rule-breaking", role: HUMAN) { role tasks(top: 3) { source }
               aiValues(top: 4) { source rows { valueKey partnerKey observed } } } }""",
    )
    by_task = associations(
        corpus.graph, kind="value-task", task="relationship advice", alpha=DEFAULT_ALPHA,
        min_conversations=K,
    )  # fmt: skip
    rows = got["task"]["values"]["rows"]
    assert [(r["valueKey"], r["partnerKey"], r["observed"]) for r in rows] == significant(by_task)[
        :4
    ]
    human = got["value"]
    assert human["role"] == "HUMAN" and human["tasks"] is None
    by_human = associations(
        corpus.graph, kind="ai-human", human_value="rule-breaking", alpha=DEFAULT_ALPHA,
        min_conversations=K,
    )  # fmt: skip
    rows = human["aiValues"]["rows"]
    assert [(r["valueKey"], r["partnerKey"], r["observed"]) for r in rows] == significant(by_human)[
        :4
    ]


# --- mirroring, response types, invariance ------------------------------------------------


def test_mirroring_is_the_analysis(client: FlaskClient, corpus: Corpus) -> None:
    got = data_of(
        client,
        """{ mirroring(top: 3) { suppressed conversations minConversations
             rates { responseType withHumanValues mirrored mirroringRate }
             values { value valueKey conversations }
             resistance { responseType humanValueKey aiValueKey conversations share } }
           one: mirroring(responseType: STRONG_SUPPORT, model: "claude-3-5-sonnet") { suppressed rates { mirrored } } }""",
    )
    expected = mirroring(corpus.graph, top=3, min_conversations=K)
    mirror = got["mirroring"]
    assert mirror["suppressed"] == expected.suppressed
    assert mirror["conversations"] == expected.rates.conversations
    assert mirror["rates"] == [
        {
            "responseType": row.response_type.upper(),
            "withHumanValues": row.with_human_values,
            "mirrored": row.mirrored,
            "mirroringRate": pytest.approx(row.mirroring_rate),
        }
        for row in expected.rates.rows
    ]
    assert mirror["values"] == [
        {"value": r.value, "valueKey": r.value_key, "conversations": r.conversations}
        for r in expected.values.rows
    ]
    assert [
        (r["humanValueKey"], r["aiValueKey"], r["conversations"]) for r in mirror["resistance"]
    ] == [(r.human_value_key, r.ai_value_key, r.conversations) for r in expected.resistance.rows]
    one = mirroring(
        corpus.graph, response_type="strong_support", model="claude-3-5-sonnet", min_conversations=K
    )
    assert got["one"]["rates"] == [{"mirrored": r.mirrored} for r in one.rates.rows]
    top_value = expected.values.rows[0]
    value = data_of(
        client, "query($n: String!) { value(name: $n) { mirroring { conversations } } }",
        {"n": top_value.value},
    )["value"]  # fmt: skip
    assert value["mirroring"] == {"conversations": top_value.conversations}


@pytest.mark.parametrize(
    ("arguments", "python"),
    [
        ("", {}),
        ('(model: "claude-3-opus")', {"model": "claude-3-opus"}),
        ("(humanValuesPresent: false)", {"human_values_present": False}),
    ],
)
def test_response_types_are_the_analysis(
    client: FlaskClient, corpus: Corpus, arguments: str, python: dict[str, Any]
) -> None:
    got = data_of(
        client,
        f"{{ responseTypes{arguments} {{ suppressed conversations"
        f" rows {{ responseType conversations share population model }} }} }}",
    )["responseTypes"]
    expected = response_types(corpus.graph, min_conversations=K, **python)
    assert got["suppressed"] == expected.suppressed
    assert got["conversations"] == expected.conversations
    assert got["rows"] == [
        {
            "responseType": r.response_type.upper(),
            "conversations": r.conversations,
            "share": pytest.approx(r.pct / 100),
            "population": r.population.upper(),
            "model": r.model,
        }
        for r in expected.rows
    ]


def test_invariance_is_the_analysis(client: FlaskClient, corpus: Corpus) -> None:
    got = data_of(
        client,
        "{ invariance(across: HUMAN_VALUE, minSupport: 20, minContextConversations: 10, top: 5)"
        " { suppressed rows { valueKey contexts coefficientOfVariation } } }",
    )["invariance"]
    expected = invariance(
        corpus.graph, across="human-value", min_support=20, min_context_conversations=10, top=5,
        min_conversations=K,
    )  # fmt: skip
    assert got["suppressed"] == expected.suppressed
    assert got["rows"] == [
        {"valueKey": r.value_key, "contexts": r.contexts,
         "coefficientOfVariation": pytest.approx(r.coefficient_of_variation)}
        for r in expected.rows
    ]  # fmt: skip


def test_an_unknown_model_is_the_analysis_error(client: FlaskClient) -> None:
    for query in (
        '{ values(model: "gpt-zero") { totalCount } }',
        '{ mirroring(model: "gpt-zero") { suppressed } }',
        '{ responseTypes(model: "gpt-zero") { suppressed } }',
    ):
        body = run_query(client, query)
        assert body["errors"][0]["message"].startswith("unknown model 'gpt-zero' (known: ")


# --- cost of a request: no N+1 --------------------------------------------------------------


def reads_for(app: Flask, client: FlaskClient, query: str) -> int:
    """How many read transactions one request runs."""
    graph = app.extensions["valuegraph"].get()
    original = graph.read_tx
    calls = 0

    def counting(work: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(work)

    graph.read_tx = counting
    try:
        data_of(client, query)
    finally:
        graph.read_tx = original
    return calls


NESTED = """{{ values(first: {n}) {{ edges {{ node {{ name roles cluster {{ name parent {{ name }} }}
    tasks(top: 3) {{ rows {{ partner task {{ frequency }} }} }}
    conversations(first: 2) {{ edges {{ node {{ id task {{ name }} aiValues {{ value {{ frequency }} }} }} }} }}
}} }} }} }}"""


def test_related_lists_are_batched_not_one_query_per_row(corpus: Corpus) -> None:
    # Its own app, whose analysis store does not recheck the graph during the test.
    app = create_app(corpus.settings, ApiLimits(cache_recheck_seconds=3600))
    client = app.test_client()
    try:
        data_of(client, NESTED.format(n=2))  # fills the per-process analysis store
        # Both pages reach every kind of row (values with and without links, ...), so the
        # same loaders fire; what differs is only how many keys each batch carries.
        few = reads_for(app, client, NESTED.format(n=30))
        many = reads_for(app, client, NESTED.format(n=100))
    finally:
        app.extensions["valuegraph"].close()
    assert many == few, f"{few} queries for 30 values but {many} for 100"
    assert many <= 10


# --- injection ----------------------------------------------------------------------------

HOSTILE = (
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "x` DETACH DELETE n //",
    "$k",
    "\\u0000\u0000",
    "*:*",
    "a' } RETURN 1 UNION MATCH (n) RETURN n //",
    "../../etc/passwd",
)

STRING_ARGUMENTS = (
    "query($s: String) { values(search: $s) { totalCount } }",
    "query($s: ID) { values(cluster: $s) { totalCount } }",
    "query($s: String) { tasks(search: $s) { totalCount } }",
    "query($s: String!) { value(name: $s) { name } }",
    "query($s: String!) { task(name: $s) { name } }",
    "query($s: ID!) { cluster(id: $s) { name } }",
    "query($s: ID) { clusters(parent: $s) { name } }",
    "query($s: ID!) { conversation(id: $s) { id } }",
    "query($s: String) { values(after: $s) { totalCount } }",
    'query($s: String) { value(name: "healthy boundaries") { conversations(after: $s) { totalCount } } }',
    "query($s: String) { values(model: $s) { totalCount } }",
    "query($s: String) { associations(kind: VALUE_TASK, value: $s) { tests } }",
    "query($s: String) { associations(kind: VALUE_TASK, task: $s) { tests } }",
    "query($s: String) { associations(kind: AI_HUMAN, humanValue: $s) { tests } }",
    "query($s: String) { associations(kind: AI_HUMAN, model: $s) { tests } }",
    "query($s: String) { mirroring(model: $s) { suppressed } }",
    "query($s: String) { responseTypes(model: $s) { suppressed } }",
    "query($s: String) { invariance(model: $s) { suppressed } }",
)


def test_injection_strings_change_nothing(client: FlaskClient, corpus: Corpus) -> None:
    before = corpus.graph.read("MATCH (n) RETURN count(n) AS nodes, COUNT { ()-->() } AS edges")
    for query in STRING_ARGUMENTS:
        baseline = run_query(client, query, {"s": "zz-harmless-nothing"})
        for hostile in HOSTILE:
            body = run_query(client, query, {"s": hostile})
            if "errors" in body:
                codes = {e.get("extensions", {}).get("code") for e in body["errors"]}
                assert codes <= {"BAD_REQUEST", "BAD_CURSOR", "ARGUMENT_TOO_LONG"}, (query, body)
                assert "MATCH" not in str(body) or "MATCH" in hostile
            else:
                assert body == baseline, (query, hostile, body)
    after = corpus.graph.read("MATCH (n) RETURN count(n) AS nodes, COUNT { ()-->() } AS edges")
    assert after == before


# --- answers kept per process follow the graph ----------------------------------------------


def test_kept_answers_and_analyses_follow_a_change_of_the_graph(corpus: Corpus) -> None:
    app = create_app(corpus.settings, ApiLimits(cache_recheck_seconds=0))
    client = app.test_client()
    query = "{ responseTypes { conversations } stats { conversations } }"
    added = {"id": "api-test-added-conversation"}
    try:
        before = data_of(client, query)
        assert before == data_of(client, query)  # the second answer comes from the store
        corpus.graph.write(
            "CREATE (:Conversation {id: $id, model: 'claude-3-opus', response_type: 'neutral'})",
            added,
        )
        after = data_of(client, query)
        assert after["responseTypes"]["conversations"] == corpus.conversations + 1
        assert after["stats"]["conversations"] == corpus.conversations + 1
        corpus.graph.write("MATCH (c:Conversation {id: $id}) DETACH DELETE c", added)
        assert data_of(client, query) == before
    finally:
        corpus.graph.write("MATCH (c:Conversation {id: $id}) DETACH DELETE c", added)
        app.extensions["valuegraph"].close()
