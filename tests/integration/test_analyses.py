"""Every analysis against counts made directly from the records, in plain Python.

One small corpus (seeded, 600 conversations, a tiny taxonomy and task clusters) is loaded once
for the module; each test recomputes what an analysis should say from the records themselves
and compares.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import chi2_contingency

from tests.support.neo4j_fixtures import wipe
from valuegraph.cli.main import cli, main
from valuegraph.domain import RESPONSE_TYPES, ExtractedRecord
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.writer import TaxonomyRows, load_records, load_taxonomy
from valuegraph.keys import normalise_key
from valuegraph.queries.analyses import (
    associations,
    findings,
    frequencies,
    invariance,
    mirroring,
    models,
    response_types,
)

K = 5
TASKS = {
    "coding help": 0.35,
    "relationship advice": 0.25,
    "essay editing": 0.25,
    "trip planning": 0.15,
}
# value -> (rate in its home task, home task, rate elsewhere); None: same rate everywhere.
AI_VALUES: dict[str, tuple[float, str | None, float]] = {
    "helpfulness": (0.5, None, 0.5),
    "clarity": (0.3, None, 0.3),
    "Healthy Boundaries": (0.6, "relationship advice", 0.02),
    "code quality": (0.5, "coding help", 0.04),
    "curiosity": (0.1, None, 0.1),
    "harm prevention": (0.15, None, 0.15),
}
HUMAN_VALUES = ("honesty", "independence", "rule-breaking", "creativity")
MODELS = {"m-alpha": 0.7, "m-beta": 0.3}
# Taxonomy: level-1 -> values, level-2 -> level-1, level-3 -> level-2 ("curiosity" is in none).
LEVEL1 = {
    "service": ["helpfulness", "clarity"],
    "craft": ["code quality"],
    "care": ["Healthy Boundaries", "harm prevention"],
}
LEVEL2 = {"practical excellence": ["service", "craft"], "safety": ["care"]}
LEVEL3 = {"Practical": ["practical excellence"], "Protective": ["safety"]}
TASK_CLUSTERS = {
    "technical": ["coding help"],
    "personal": ["relationship advice", "trip planning"],
    "writing": ["essay editing"],
}


def make_records(n: int = 600, seed: int = 11) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    records = []
    for i in range(n):
        task = str(rng.choice(list(TASKS), p=list(TASKS.values())))
        ai = [
            name
            for name, (home_rate, home, rate) in AI_VALUES.items()
            if rng.random() < (home_rate if home in (None, task) else rate)
        ]
        human = [h for h in HUMAN_VALUES if rng.random() < 0.25]
        if human and ai and rng.random() < 0.3:
            human.append(ai[0].lower())  # mirror one of the AI values (keys match case-blind)
        types = [t for t in RESPONSE_TYPES if t != "no_values"]
        response = str(rng.choice(types)) if human else "no_values"
        records.append(
            {
                "conversation_id": f"c{i:04d}",
                "task": task,
                "ai_values": ai,
                "human_values": human,
                "response_type": response,
                "model": str(rng.choice(list(MODELS), p=list(MODELS.values()))),
            }
        )
    return records


def taxonomy_rows() -> TaxonomyRows:
    clusters = []
    for level, table, parent_of in (
        (3, LEVEL3, {}),
        (2, LEVEL2, {c: p for p, cs in LEVEL3.items() for c in cs}),
        (1, LEVEL1, {c: p for p, cs in LEVEL2.items() for c in cs}),
    ):
        for name in table:
            parent = parent_of.get(name)
            clusters.append(
                {
                    "id": f"ai:{name}",
                    "name": name,
                    "description": "",
                    "level": level,
                    "kind": "ai_value",
                    "pct": None,
                    "parent": f"ai:{parent}" if parent else None,
                }
            )
    values = [
        {"key": normalise_key(v), "name": v, "pct": None, "parent": f"ai:{c}"}
        for c, members in LEVEL1.items()
        for v in members
    ]
    return TaxonomyRows(clusters=clusters, values=values, frequencies=[])


def load_corpus(graph: Graph, records: list[dict[str, Any]]) -> None:
    wipe(graph)
    apply_schema(graph)
    load_records(graph, [ExtractedRecord.model_validate(r) for r in records])
    load_taxonomy(graph, taxonomy_rows())
    graph.write(
        "UNWIND $rows AS row MERGE (c:Cluster {id: row.id}) "
        "SET c.name = row.name, c.level = 1, c.kind = 'task' "
        "WITH c, row UNWIND row.tasks AS task MATCH (t:Task {key: task}) MERGE (t)-[:IN_CLUSTER]->(c)",
        {"rows": [{"id": f"task:{n}", "name": n, "tasks": ts} for n, ts in TASK_CLUSTERS.items()]},
    )


@dataclass(frozen=True)
class Corpus:
    graph: Graph
    records: list[dict[str, Any]]

    def ai(self, r: dict[str, Any]) -> set[str]:
        return {normalise_key(v) for v in r["ai_values"]}

    def human(self, r: dict[str, Any]) -> set[str]:
        return {normalise_key(v) for v in r["human_values"]}


@pytest.fixture(scope="module")
def corpus(graph: Graph) -> Iterator[Corpus]:
    records = make_records()
    load_corpus(graph, records)
    yield Corpus(graph, records)


def cluster_of(value_key: str, level: int) -> str | None:
    parent = {normalise_key(v): c for c, vs in LEVEL1.items() for v in vs}.get(value_key)
    for table in (LEVEL2, LEVEL3)[: level - 1]:
        parent = {c: p for p, cs in table.items() for c in cs}.get(parent) if parent else None
    return parent


# --- frequencies ------------------------------------------------------------------------------


def test_frequencies_match_direct_counts(corpus: Corpus) -> None:
    result = frequencies(corpus.graph, min_conversations=K)
    n = len(corpus.records)
    ai = Counter(v for r in corpus.records for v in corpus.ai(r))
    human = Counter(v for r in corpus.records for v in corpus.human(r))
    shown: dict[tuple[str, str], Any] = {(row.role, row.key): row for row in result.rows}
    for role, counts in (("ai", ai), ("human", human)):
        for key, count in counts.items():
            if count < K:
                assert (role, key) not in shown
                continue
            row = shown[(role, key)]
            assert row.conversations == count
            assert row.pct_convos == pytest.approx(100 * count / n)
    assert result.conversations == n
    assert result.suppressed == sum(1 for c in (*ai.values(), *human.values()) if c < K)
    ai_rows = [row for row in result.rows if row.role == "ai"]
    assert [row.conversations for row in ai_rows] == sorted(
        (row.conversations for row in ai_rows), reverse=True
    )
    assert shown[("ai", "healthy boundaries")].value == "Healthy Boundaries"


def test_frequencies_filters_and_top(corpus: Corpus) -> None:
    picked = [
        r for r in corpus.records if r["model"] == "m-beta" and r["response_type"] == "neutral"
    ]
    result = frequencies(corpus.graph, role="ai", model="m-beta", response_type="neutral", top=2)
    counts = Counter(v for r in picked for v in corpus.ai(r))
    assert result.conversations == len(picked)
    assert [row.conversations for row in result.rows] == sorted(counts.values(), reverse=True)[:2]
    assert {row.role for row in result.rows} == {"ai"}


@pytest.mark.parametrize("level", [1, 2, 3])
def test_cluster_frequencies_count_distinct_conversations(corpus: Corpus, level: int) -> None:
    result = frequencies(corpus.graph, level=level)
    conversations: Counter[str] = Counter()
    expressions: Counter[str] = Counter()
    for r in corpus.records:
        clusters = [cluster_of(v, level) for v in corpus.ai(r)]
        expressions.update(c for c in clusters if c)
        conversations.update({c for c in clusters if c})
    total_expressions = sum(len(corpus.ai(r)) for r in corpus.records)
    assert {row.value: row.conversations for row in result.rows} == dict(conversations)
    for row in result.rows:
        assert row.key == f"ai:{row.value}" and row.level == level
        assert row.pct_expressions == pytest.approx(
            100 * expressions[row.value] / total_expressions
        )
    # "curiosity" has no cluster: its expressions are reported, not silently lost.
    assert any("no level-" in note for note in result.notes)


def test_response_types_overall_with_human_values_and_per_model(corpus: Corpus) -> None:
    result = response_types(corpus.graph)
    rows: dict[tuple[Any, ...], Any] = {
        (row.model, row.population, row.response_type): row for row in result.rows
    }
    for model in (None, *MODELS):
        mine = [r for r in corpus.records if model in (None, r["model"])]
        for population, members in (
            ("all", mine),
            ("with_human_values", [r for r in mine if r["human_values"]]),
        ):
            counts = Counter(r["response_type"] for r in members)
            for response_type, count in counts.items():
                key = (model, population, response_type)
                if count < K:
                    assert key not in rows
                else:
                    assert rows[key].conversations == count
                    assert rows[key].pct == pytest.approx(100 * count / len(members))
    assert not any(
        row.response_type == "no_values" for row in result.rows if row.population != "all"
    )
    only = response_types(corpus.graph, model="m-beta", human_values_present=False)
    assert {(row.model, row.population) for row in only.rows} == {
        ("m-beta", "without_human_values")
    }


# --- associations -----------------------------------------------------------------------------


def direct_table(corpus: Corpus, has_a: Any, has_b: Any) -> np.ndarray:
    o = sum(1 for r in corpus.records if has_a(r) and has_b(r))
    ra = sum(1 for r in corpus.records if has_a(r))
    cb = sum(1 for r in corpus.records if has_b(r))
    n = len(corpus.records)
    return np.array([[o, ra - o], [cb - o, n - ra - cb + o]])


def test_value_task_associations_match_scipy_on_direct_counts(corpus: Corpus) -> None:
    result = associations(corpus.graph, kind="value-task", min_count=3, min_conversations=K)
    pairs = Counter((v, normalise_key(r["task"])) for r in corpus.records for v in corpus.ai(r))
    assert result.tests == sum(1 for c in pairs.values() if c >= 3)
    assert result.suppressed == sum(1 for c in pairs.values() if c < K)
    assert {(row.value_key, row.task_key) for row in result.rows} == {
        pair for pair, c in pairs.items() if c >= K
    }
    for row in result.rows:
        table = direct_table(
            corpus,
            lambda r, v=row.value_key: v in corpus.ai(r),
            lambda r, t=row.task_key: normalise_key(r["task"]) == t,
        )
        chi2, p, _, expected = chi2_contingency(table, correction=False)
        assert row.observed == table[0, 0]
        assert row.expected == pytest.approx(expected[0, 0], rel=1e-9)
        assert row.chi2 == pytest.approx(chi2, rel=1e-9)
        assert row.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
        assert row.p_adjusted == pytest.approx(min(1.0, p * result.tests), rel=1e-9, abs=1e-300)
    residuals = [row.adjusted_residual for row in result.rows]
    assert residuals == sorted(residuals, reverse=True)
    top = result.rows[0]
    assert {(top.value, top.task)} <= {
        ("Healthy Boundaries", "relationship advice"),
        ("code quality", "coding help"),
    }


def test_cluster_level_associations_count_distinct_conversations(corpus: Corpus) -> None:
    result = associations(corpus.graph, kind="value-task", value_level=1, task_level=1)
    task_cluster = {t: c for c, ts in TASK_CLUSTERS.items() for t in ts}
    for row in result.rows:
        table = direct_table(
            corpus,
            lambda r, c=row.value: any(cluster_of(v, 1) == c for v in corpus.ai(r)),
            lambda r, t=row.task: task_cluster[r["task"]] == t,
        )
        assert row.observed == table[0, 0]
        assert row.chi2 == pytest.approx(chi2_contingency(table, correction=False)[0], rel=1e-9)
    assert {row.task for row in result.rows} <= set(TASK_CLUSTERS)


def test_ai_human_and_value_response_associations(corpus: Corpus) -> None:
    human = associations(corpus.graph, kind="ai-human", min_count=1)
    for row in human.rows:
        table = direct_table(
            corpus,
            lambda r, v=row.value_key: v in corpus.ai(r),
            lambda r, h=row.human_value_key: h in corpus.human(r),
        )
        assert row.observed == table[0, 0]
        assert row.chi2 == pytest.approx(chi2_contingency(table, correction=False)[0], rel=1e-9)
    response = associations(corpus.graph, kind="value-response", value_level=2)
    for row in response.rows:
        table = direct_table(
            corpus,
            lambda r, c=row.value: any(cluster_of(v, 2) == c for v in corpus.ai(r)),
            lambda r, t=row.response_type: r["response_type"] == t,
        )
        assert row.observed == table[0, 0]
        assert row.expected == pytest.approx(
            chi2_contingency(table, correction=False)[3][0, 0], rel=1e-9
        )


def test_selecting_one_item_keeps_the_whole_family(corpus: Corpus) -> None:
    everything = associations(corpus.graph, kind="value-task")
    one_value = associations(corpus.graph, kind="value-task", value="code QUALITY")
    one_task = associations(corpus.graph, kind="value-task", task="Coding Help")
    assert one_value.tests == one_task.tests == everything.tests
    assert one_value.rows == tuple(r for r in everything.rows if r.value_key == "code quality")
    assert one_task.rows == tuple(r for r in everything.rows if r.task_key == "coding help")
    both = associations(corpus.graph, kind="value-task", value="clarity", task="coding help")
    assert len(both.rows) == 1


def test_alpha_and_top(corpus: Corpus) -> None:
    significant = associations(corpus.graph, kind="value-task", alpha=0.01)
    assert significant.rows and all(row.p_adjusted <= 0.01 for row in significant.rows)
    assert len(associations(corpus.graph, kind="value-task", top=3).rows) == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "value-colour"}, "unknown kind"),
        ({"kind": "ai-human", "task": "coding help"}, "only with kind value-task"),
        ({"kind": "value-task", "human_value": "honesty"}, "only with kind ai-human"),
        ({"kind": "ai-human", "task_level": 1}, "task_level applies only"),
        ({"kind": "value-task", "value_level": 4}, "value_level must be 0-3"),
        ({"kind": "value-task", "model": "m-gamma"}, "unknown model 'm-gamma'"),
        ({"kind": "value-task", "min_count": 0}, "min_count must be"),
        ({"kind": "value-task", "value": "no such value"}, "no AI value 'no such value'"),
        ({"kind": "value-task", "task_level": 2}, "no task clusters at level 2"),
    ],
)
def test_argument_mistakes_are_input_errors(
    corpus: Corpus, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        associations(corpus.graph, **arguments)


# --- mirroring, invariance, models ------------------------------------------------------------


def test_mirroring_matches_direct_counts(corpus: Corpus) -> None:
    result = mirroring(corpus.graph, top=3)
    with_human = [r for r in corpus.records if r["human_values"]]
    for row in result.rates.rows:
        mine = [r for r in with_human if r["response_type"] == row.response_type]
        mirrored = [r for r in mine if corpus.ai(r) & corpus.human(r)]
        assert (row.with_human_values, row.mirrored) == (len(mine), len(mirrored))
        assert row.mirroring_rate == pytest.approx(len(mirrored) / len(mine))
    mirrored_values = Counter(v for r in corpus.records for v in corpus.ai(r) & corpus.human(r))
    assert [row.conversations for row in result.values.rows] == sorted(
        (c for c in mirrored_values.values() if c >= K), reverse=True
    )[:3]
    for pair in result.resistance.rows:
        assert pair.response_type in ("strong_resistance", "mild_resistance")
        count = sum(
            1
            for r in corpus.records
            if r["response_type"] == pair.response_type
            and pair.human_value_key in corpus.human(r)
            and pair.ai_value_key in corpus.ai(r)
        )
        assert pair.conversations == count >= K
        assert pair.human_value_key != pair.ai_value_key


def test_invariance_matches_numpy(corpus: Corpus) -> None:
    result = invariance(corpus.graph, min_support=20, min_context_conversations=20)
    tasks = Counter(normalise_key(r["task"]) for r in corpus.records)
    for row in result.rows:
        shares = [
            sum(
                1
                for r in corpus.records
                if normalise_key(r["task"]) == t and row.value_key in corpus.ai(r)
            )
            / n
            for t, n in tasks.items()
        ]
        assert row.coefficient_of_variation == pytest.approx(np.std(shares) / np.mean(shares))
        assert row.contexts == len(tasks)
    cvs = [row.coefficient_of_variation for row in result.rows]
    assert cvs == sorted(cvs)
    assert result.rows[-1].value in ("Healthy Boundaries", "code quality")
    assert result.most_dependent(1)[0] == result.rows[-1]


def test_models_compare_top_values(corpus: Corpus) -> None:
    result = models(corpus.graph, top=3)
    for model in MODELS:
        mine = [r for r in corpus.records if r["model"] == model]
        counts = Counter(v for r in mine for v in corpus.ai(r))
        rows = [row for row in result.top_values.rows if row.model == model]
        assert [row.conversations for row in rows] == sorted(counts.values(), reverse=True)[:3]
        assert rows[0].pct_convos == pytest.approx(100 * rows[0].conversations / len(mine))
    (overlap,) = result.overlap.rows
    tops = [{row.value for row in result.top_values.rows if row.model == m} for m in MODELS]
    assert overlap.shared == len(tops[0] & tops[1])
    assert overlap.jaccard == pytest.approx(len(tops[0] & tops[1]) / len(tops[0] | tops[1]))
    assert {row.model for row in result.response_types.rows} == {None, *MODELS}


def test_findings_are_three_sentences(corpus: Corpus) -> None:
    sentences = findings(corpus.graph)
    assert len(sentences) == 3
    assert "over-represented" in sentences[0]
    assert "mirrors" in sentences[1] or "Too few" in sentences[1]
    assert "context-invariant" in sentences[2]


# --- the command line -------------------------------------------------------------------------


def test_cli_json_uses_the_issue_field_names(corpus: Corpus) -> None:
    runner = CliRunner()
    expected_fields = {
        ("associations", "--kind", "value-task"): {
            "value",
            "task",
            "observed",
            "expected",
            "chi2",
            "p_value",
            "p_adjusted",
            "adjusted_residual",
        },
        ("associations", "--kind", "ai-human"): {"value", "human_value", "observed"},
        ("associations", "--kind", "value-response"): {"value", "response_type", "observed"},
        ("frequencies",): {"value", "role", "conversations", "pct_convos"},
        ("mirroring",): {"response_type", "with_human_values", "mirrored", "mirroring_rate"},
        ("response-types",): {"response_type", "conversations", "pct", "population", "model"},
        ("invariance",): {"value", "coefficient_of_variation"},
        ("models",): {"model", "rank", "value", "pct_convos"},
    }
    for command, fields in expected_fields.items():
        done = runner.invoke(cli, ["analyze", *command, "--json"])
        assert done.exit_code == 0, done.output
        records = json.loads(done.stdout)
        assert records and fields <= set(records[0]), command
        assert "suppressed" in done.stderr


def test_cli_tables_and_mistakes(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    done = CliRunner().invoke(
        cli, ["analyze", "associations", "--kind", "value-task", "--top", "2"]
    )
    assert done.exit_code == 0 and "adjusted_residual" in done.stdout
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", "associations", "--kind", "ai-human", "--task", "coding help"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err and len(err.splitlines()) == 1


def test_cli_findings(corpus: Corpus) -> None:
    done = CliRunner().invoke(cli, ["analyze", "findings"])
    assert done.exit_code == 0
    assert [line[:3] for line in done.stdout.splitlines()] == ["1. ", "2. ", "3. "]


def test_every_pair_of_models_is_compared(corpus: Corpus) -> None:
    result = models(corpus.graph)
    assert len(result.overlap.rows) == len(list(combinations(MODELS, 2)))


def test_margins_stay_right_when_a_conversation_has_no_task(corpus: Corpus) -> None:
    # Row sums over tasks give a value's conversations only when every conversation has one
    # task; a conversation without one must send the counting back to the per-value query.
    corpus.graph.write(
        "MATCH (v:AIValue {key: 'clarity'}) "
        "CREATE (:Conversation {id: 'no-task', response_type: 'neutral', model: 'm-alpha'})"
        "-[:AI_EXPRESSED {explicit: false}]->(v)"
    )
    try:
        row = associations(corpus.graph, kind="value-task", value="clarity", task="coding help")
        records = [*corpus.records, {"task": None, "ai_values": ["clarity"]}]
        o = sum(1 for r in records if r["task"] == "coding help" and "clarity" in r["ai_values"])
        r_total = sum(1 for r in records if "clarity" in r["ai_values"])
        c_total = sum(1 for r in records if r["task"] == "coding help")
        table = np.array([[o, r_total - o], [c_total - o, len(records) - r_total - c_total + o]])
        assert row.conversations == len(records)
        assert row.rows[0].chi2 == pytest.approx(
            chi2_contingency(table, correction=False)[0], rel=1e-9
        )
    finally:
        corpus.graph.write("MATCH (c:Conversation {id: 'no-task'}) DETACH DELETE c")
