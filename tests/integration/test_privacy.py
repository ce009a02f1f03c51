"""A value, task or model resting on fewer than k conversations never shows.

The corpus holds ordinary conversations plus a few rare items, planted so that without the
threshold they would stand out: a rare AI value strongly tied to one task, mirrored by the
user and forming a resistance pair with a rare human value, a taxonomy cluster holding only
that value, a rare task and a rare model. Every analysis, every option that could single them
out, the findings and the materialised links are searched for their names and keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, is_dataclass
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from tests.support.neo4j_fixtures import wipe
from valuegraph.cli.main import cli
from valuegraph.domain import ExtractedRecord
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.writer import TaxonomyRows, load_records, load_taxonomy
from valuegraph.queries.analyses import (
    associations,
    findings,
    frequencies,
    invariance,
    mirroring,
    models,
    response_types,
)
from valuegraph.queries.materialize import materialize
from valuegraph.queries.results import AssociationKind

K = 5
RARE_AI = "secret ai value"
RARE_HUMAN = "secret human value"
RARE_TASK = "secret task"
RARE_MODEL = "secret-model"
RARE_CLUSTER = "secret cluster"
SECRETS = (RARE_AI, RARE_HUMAN, RARE_TASK, RARE_MODEL, RARE_CLUSTER, "ai:secret")
COMMON_AI = ("helpfulness", "clarity", "honesty", "harm prevention", "curiosity")
COMMON_TASKS = ("coding help", "essay editing", "trip planning")


def make_records(rare_count: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(5)
    records: list[dict[str, Any]] = []
    for i in range(300):
        human = [h for h in ("honesty", "independence", "creativity") if rng.random() < 0.3]
        records.append(
            {
                "conversation_id": f"c{i:04d}",
                "task": COMMON_TASKS[i % 3],
                "ai_values": [v for v in COMMON_AI if rng.random() < 0.4],
                "human_values": human,
                "response_type": ["strong_support", "neutral", "strong_resistance"][i % 3]
                if human
                else "no_values",
                "model": "m-common",
            }
        )
    for i in range(rare_count):
        # The rare value: always about "essay editing", mirrored, and resisting a rare human value.
        records.append(
            {
                "conversation_id": f"r{i}",
                "task": "essay editing",
                "ai_values": [RARE_AI, "helpfulness"],
                "human_values": [RARE_AI, RARE_HUMAN],
                "response_type": "strong_resistance",
                "model": "m-common",
            }
        )
        records.append(
            {
                "conversation_id": f"t{i}",
                "task": RARE_TASK,
                "ai_values": ["clarity", "curiosity"],
                "human_values": ["honesty"],
                "response_type": "neutral",
                "model": RARE_MODEL,
            }
        )
    return records


def load(graph: Graph, rare_count: int) -> None:
    wipe(graph)
    apply_schema(graph)
    load_records(graph, [ExtractedRecord.model_validate(r) for r in make_records(rare_count)])
    clusters = [
        {
            "id": "ai:top",
            "name": "top",
            "description": "",
            "level": 3,
            "kind": "ai_value",
            "pct": None,
            "parent": None,
        },
        {
            "id": "ai:middle",
            "name": "middle",
            "description": "",
            "level": 2,
            "kind": "ai_value",
            "pct": None,
            "parent": "ai:top",
        },
        {
            "id": "ai:common",
            "name": "common",
            "description": "",
            "level": 1,
            "kind": "ai_value",
            "pct": None,
            "parent": "ai:middle",
        },
        {
            "id": "ai:secret",
            "name": RARE_CLUSTER,
            "description": "",
            "level": 1,
            "kind": "ai_value",
            "pct": None,
            "parent": "ai:middle",
        },
    ]
    values = [{"key": v, "name": v, "pct": None, "parent": "ai:common"} for v in COMMON_AI]
    values.append({"key": RARE_AI, "name": RARE_AI, "pct": None, "parent": "ai:secret"})
    load_taxonomy(graph, TaxonomyRows(clusters=clusters, values=values, frequencies=[]))


@pytest.fixture(scope="module")
def rare_graph(graph: Graph) -> Iterator[Graph]:
    load(graph, rare_count=3)  # fewer than K = 5
    yield graph


def as_text(result: Any) -> str:
    """Everything a result holds, as one string to search."""
    if is_dataclass(result) and not isinstance(result, type):
        return json.dumps(asdict(result), default=str)
    return json.dumps(result, default=str)


def every_analysis(k: int) -> list[tuple[str, Callable[[Graph], Any]]]:
    calls: list[tuple[str, Callable[[Graph], Any]]] = [
        ("frequencies", lambda g: frequencies(g, min_conversations=k)),
        ("frequencies level 1", lambda g: frequencies(g, level=1, min_conversations=k)),
        (
            "frequencies strong_resistance",
            lambda g: frequencies(g, response_type="strong_resistance", min_conversations=k),
        ),
        ("response types", lambda g: response_types(g, min_conversations=k)),
        ("mirroring", lambda g: mirroring(g, top=50, min_conversations=k)),
        (
            "mirroring strong_resistance",
            lambda g: mirroring(g, response_type="strong_resistance", top=50, min_conversations=k),
        ),
        (
            "invariance",
            lambda g: invariance(
                g, min_support=1, min_context_conversations=1, min_conversations=k
            ),
        ),
        (
            "invariance human",
            lambda g: invariance(
                g,
                across="human-value",
                min_support=1,
                min_context_conversations=1,
                min_conversations=k,
            ),
        ),
        ("models", lambda g: models(g, top=50, min_conversations=k)),
        ("findings", lambda g: findings(g, min_conversations=k)),
    ]
    kinds: tuple[AssociationKind, ...] = ("value-task", "ai-human", "value-response")
    for kind in kinds:
        for level in (0, 1):

            def run(g: Graph, kind: AssociationKind = kind, level: int = level) -> Any:
                return associations(
                    g, kind=kind, value_level=level, min_count=1, min_conversations=k
                )

            calls.append((f"associations {kind} level {level}", run))
    calls.append(
        (
            "associations essay editing",
            lambda g: associations(
                g, kind="value-task", task="essay editing", min_count=1, min_conversations=k
            ),
        )
    )
    calls.append(
        (
            "associations strong_resistance",
            lambda g: associations(
                g,
                kind="value-response",
                response_type="strong_resistance",
                min_count=1,
                min_conversations=k,
            ),
        )
    )
    return calls


@pytest.mark.parametrize(("name", "run"), every_analysis(K), ids=[n for n, _ in every_analysis(K)])
def test_no_analysis_reveals_a_rare_item(
    rare_graph: Graph, name: str, run: Callable[[Graph], Any]
) -> None:
    text = as_text(run(rare_graph)).lower()
    for secret in SECRETS:
        assert secret not in text, f"{name} reveals {secret!r}"


def test_suppressed_rows_are_counted(rare_graph: Graph) -> None:
    assert frequencies(rare_graph, min_conversations=K).suppressed >= 2  # rare AI and human value
    assert associations(rare_graph, kind="value-task", min_count=1).suppressed >= 1
    assert mirroring(rare_graph, min_conversations=K).values.suppressed >= 1
    assert mirroring(rare_graph, min_conversations=K).resistance.suppressed >= 1
    assert models(rare_graph, min_conversations=K).top_values.suppressed >= 1


def test_the_same_checks_find_the_rare_items_without_a_threshold(rare_graph: Graph) -> None:
    # With k = 1 the rare items do show: the searches above would catch a leak.
    found = " ".join(as_text(run(rare_graph)).lower() for _, run in every_analysis(1))
    for secret in (RARE_AI, RARE_HUMAN, RARE_TASK, RARE_CLUSTER):
        assert secret in found


def test_asking_for_a_rare_item_reads_like_asking_for_a_missing_one(rare_graph: Graph) -> None:
    messages = []
    for name in (RARE_AI, "a value nobody ever named"):
        with pytest.raises(InputError) as error:
            associations(rare_graph, kind="value-task", value=name)
        messages.append(str(error.value).replace(name, "<name>"))
    assert messages[0] == messages[1]
    for kind, argument in (("value-task", "task"), ("ai-human", "human_value")):
        secret = RARE_TASK if argument == "task" else RARE_HUMAN
        with pytest.raises(InputError, match="with at least 5 conversations"):
            associations(rare_graph, kind=kind, **{argument: secret})  # type: ignore[arg-type]
    with pytest.raises(InputError):
        associations(rare_graph, kind="value-task", value_level=1, value=RARE_CLUSTER)


def test_a_rare_model_shows_nothing(rare_graph: Graph) -> None:
    narrowed = frequencies(rare_graph, model=RARE_MODEL)
    assert narrowed.rows == () and narrowed.suppressed > 0
    assert response_types(rare_graph, model=RARE_MODEL).rows == ()


def test_materialised_links_never_touch_a_rare_item(rare_graph: Graph) -> None:
    summary = materialize(rare_graph, alpha=1.0, min_count=1)
    assert summary.associated_with + summary.co_occurs_with > 0
    links = rare_graph.read(
        "MATCH (a)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->(b) "
        "RETURN a.key AS a, b.key AS b, r.observed AS observed"
    )
    assert links and all(link["observed"] >= K for link in links)
    touched = {link["a"] for link in links} | {link["b"] for link in links}
    assert not touched & set(SECRETS)


def test_the_cli_takes_k_from_the_setting(rare_graph: Graph) -> None:
    runner = CliRunner()
    command = ["analyze", "frequencies", "--role", "ai", "--top", "0", "--json"]
    default = runner.invoke(cli, command)
    lowered = runner.invoke(cli, command, env={"VALUEGRAPH_MIN_CONVERSATIONS": "2"})
    assert default.exit_code == lowered.exit_code == 0
    assert RARE_AI not in default.stdout and RARE_AI in lowered.stdout
    assert "rows suppressed (fewer than 2 conversations" in lowered.stderr
