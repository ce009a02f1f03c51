"""The analyses recover what the synthetic corpus planted, and the published shares.

``ingest.synth.write_corpus`` plants value-task associations, mirroring rates per response type
and resistance pairs, and calibrates everything else to the published figures of "Values in
the Wild". At 20,000 conversations (loaded once for the module) the analyses must find them.
"Within sampling error" is four binomial standard errors of the measured share: with about
seventy shares checked on a fixed seed, chance alone fails one with probability under 1%.

The same published-share checks at paper scale (308,210 conversations, a few minutes to load)
run when ``VALUEGRAPH_TEST_PAPER_SCALE=1``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.neo4j_fixtures import wipe
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.ingest.synth import (
    PUBLISHED_TOP_VALUES,
    RESPONSE_SHARES_WITH_HUMAN_VALUES,
    STUDY_CONVERSATIONS,
    write_corpus,
)
from valuegraph.keys import normalise_key
from valuegraph.pipelines.records import ingest_records
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.queries.analyses import (
    associations,
    findings,
    frequencies,
    invariance,
    mirroring,
    response_types,
)

CONVERSATIONS = 20_000
SEED = 7
STANDARD_ERRORS = 4.0
# Published mirroring shares among conversations with human values (the reference).
PUBLISHED_MIRRORING = {"strong_support": 0.201, "reframing": 0.153, "strong_resistance": 0.012}


@dataclass(frozen=True)
class Truth:
    graph: Graph
    planted: dict[str, Any]
    conversations: int


def load_synthetic(graph: Graph, out: Path, conversations: int) -> Truth:
    summary = write_corpus(out, conversations, SEED)
    wipe(graph)
    apply_schema(graph)
    ingest_taxonomy(summary.values_tree_path, summary.values_frequencies_path, graph)
    loaded = ingest_records(summary.records_path, graph)
    assert loaded.rejected == 0
    planted = json.loads(summary.planted_path.read_text())
    return Truth(graph, planted, conversations)


@pytest.fixture(scope="module")
def truth(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Truth]:
    yield load_synthetic(graph, tmp_path_factory.mktemp("synth"), CONVERSATIONS)


def within_sampling_error(measured: float, expected: float, n: int) -> bool:
    """|measured - expected| within STANDARD_ERRORS binomial standard errors (shares, 0-1)."""
    error = math.sqrt(max(expected * (1 - expected), 1e-12) / n)
    return abs(measured - expected) <= STANDARD_ERRORS * error


def planted_pairs(truth: Truth) -> set[tuple[str, str]]:
    return {
        (normalise_key(p["value"]), normalise_key(p["task"])) for p in truth.planted["value_task"]
    }


def test_planted_value_task_pairs_are_significant_after_bonferroni(truth: Truth) -> None:
    found = associations(truth.graph, kind="value-task", alpha=0.05)
    significant = {(row.value_key, row.task_key) for row in found.rows if row.adjusted_residual > 0}
    planted = planted_pairs(truth)
    recall = len(planted & significant) / len(planted)
    assert recall >= 0.9, f"recall {recall:.2f}; missed {sorted(planted - significant)}"


def test_planted_pairs_make_up_most_of_the_strongest_residuals(truth: Truth) -> None:
    planted = planted_pairs(truth)
    strongest = associations(truth.graph, kind="value-task", top=len(planted))
    share = sum((r.value_key, r.task_key) in planted for r in strongest.rows) / len(planted)
    assert share > 0.5, f"only {share:.2f} of the {len(planted)} strongest are planted"


def test_mirroring_rates_match_the_planted_rates(truth: Truth) -> None:
    rates = {row.response_type: row for row in mirroring(truth.graph).rates.rows}
    for response_type, planted_rate in truth.planted["mirroring"].items():
        row = rates[response_type]
        assert within_sampling_error(row.mirroring_rate, planted_rate, row.with_human_values), (
            response_type,
            row.mirroring_rate,
            planted_rate,
        )


def test_resistance_pairs_lead_strong_resistance(truth: Truth) -> None:
    result = mirroring(truth.graph, response_type="strong_resistance", top=3)
    rate = {row.response_type: row for row in result.rates.rows}["strong_resistance"]
    found = {(row.human_value_key, row.ai_value_key): row for row in result.resistance.rows}
    for pair in truth.planted["resistance_pairs"]:
        key = (normalise_key(pair["human_value"]), normalise_key(pair["ai_value"]))
        assert key in found, f"{key} is not among the top strong-resistance pairs"
        assert within_sampling_error(
            found[key].conversations / rate.with_human_values,
            pair["rate_in_strong_resistance"],
            rate.with_human_values,
        )


def check_published_shares(graph: Graph) -> None:
    """Top values, response types and mirroring against the reference, within sampling error."""
    values = frequencies(graph, role="ai", top=len(PUBLISHED_TOP_VALUES) + 20)
    n = values.conversations
    measured = {row.key: row.pct_convos / 100 for row in values.rows}
    for name, pct, _ in PUBLISHED_TOP_VALUES:
        share = measured.get(normalise_key(name), 0.0)
        assert within_sampling_error(share, pct / 100, n), (name, share, pct / 100)
    types = response_types(graph, human_values_present=True)
    with_human = {row.response_type: row for row in types.rows if row.model is None}
    base = sum(row.conversations for row in with_human.values())
    for response_type, share in RESPONSE_SHARES_WITH_HUMAN_VALUES.items():
        assert within_sampling_error(with_human[response_type].pct / 100, share, base), (
            response_type
        )
    rates = {row.response_type: row for row in mirroring(graph).rates.rows}
    for response_type, share in PUBLISHED_MIRRORING.items():
        row = rates[response_type]
        assert within_sampling_error(row.mirroring_rate, share, row.with_human_values), (
            response_type
        )


def test_published_shares(truth: Truth) -> None:
    check_published_shares(truth.graph)


def test_the_most_frequent_values_are_the_most_invariant(truth: Truth) -> None:
    ranked = invariance(truth.graph)
    most_invariant = {row.value_key for row in ranked.most_invariant(10)}
    top_five = {normalise_key(name) for name, _, _ in PUBLISHED_TOP_VALUES[:5]}
    assert top_five <= most_invariant
    dependent = {row.value_key for row in ranked.most_dependent(len(planted_pairs(truth)))}
    assert len(dependent & {value for value, _ in planted_pairs(truth)}) >= 10


def test_findings_name_a_planted_pair(truth: Truth) -> None:
    first, second, _ = findings(truth.graph)
    assert any(f'"{p["task"]}" is "{p["value"]}"' in first for p in truth.planted["value_task"]), (
        first
    )
    assert "rule-breaking" in second or "harm prevention" in second or "moral nihilism" in second


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("VALUEGRAPH_TEST_PAPER_SCALE") != "1",
    reason="loads 308,210 conversations; set VALUEGRAPH_TEST_PAPER_SCALE=1",
)
def test_published_shares_at_paper_scale(graph: Graph, tmp_path: Path) -> None:
    # Last in the module: it replaces the 20,000-conversation corpus.
    truth = load_synthetic(graph, tmp_path, STUDY_CONVERSATIONS)
    check_published_shares(truth.graph)
    found = associations(truth.graph, kind="value-task", alpha=0.05)
    significant = {(r.value_key, r.task_key) for r in found.rows if r.adjusted_residual > 0}
    assert planted_pairs(truth) <= significant
