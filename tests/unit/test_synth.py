"""The synthetic corpus: determinism, formats, the published marginals and the planted truth.

Published figures are from shared/reference/values-in-the-wild.md (Huang et al., 2025). Rates are checked
against binomial standard errors where the figure is exact, with a fixed seed, so a pass or a
failure is reproducible.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from scipy.stats import chi2, chi2_contingency

from valuegraph.domain import ExtractedRecord
from valuegraph.errors import InputError
from valuegraph.ingest.synth import (
    CATEGORY_SHARES,
    MIRRORING_RATES,
    MODELS,
    PUBLISHED_TOP_VALUES,
    STUDY_CONVERSATIONS,
    SynthSummary,
    write_corpus,
)
from valuegraph.keys import normalise_key

MARGINALS_N = 60_000
SEED = 2025
FILES = ("records.jsonl", "values_tree.csv", "values_frequencies.csv", "planted.json")
BONFERRONI_TESTS = 1_000_000
UUID4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Conversation:
    """What the analyses look at: keys, as ``ExtractedRecord`` computes them."""

    task: str
    response_type: str
    model: str
    ai: frozenset[str]
    human: frozenset[str]


@dataclass(frozen=True)
class Corpus:
    summary: SynthSummary
    conversations: list[Conversation]
    tree: list[dict[str, str]]
    frequencies: list[dict[str, str]]
    planted: dict

    @property
    def n(self) -> int:
        return len(self.conversations)


def _conversation(record: ExtractedRecord) -> Conversation:
    return Conversation(
        task=record.task,
        response_type=record.response_type.value,
        model=record.model or "",
        ai=frozenset(record.ai_value_keys()),
        human=frozenset(record.human_value_keys()),
    )


def _fast_conversation(line: str) -> Conversation:
    """The same as ``_conversation`` without pydantic, for the paper-scale corpus."""
    raw = json.loads(line)
    names = [v if isinstance(v, str) else v["name"] for v in raw["ai_values"]]
    return Conversation(
        task=raw["task"],
        response_type=raw["response_type"],
        model=raw["model"],
        ai=frozenset(map(normalise_key, names)),
        human=frozenset(map(normalise_key, raw["human_values"])),
    )


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _load(summary: SynthSummary, conversations: list[Conversation]) -> Corpus:
    return Corpus(
        summary=summary,
        conversations=conversations,
        tree=_read_csv(summary.values_tree_path),
        frequencies=_read_csv(summary.values_frequencies_path),
        planted=json.loads(summary.planted_path.read_text(encoding="utf-8")),
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """60,000 conversations, every line validated as an ExtractedRecord."""
    summary = write_corpus(tmp_path_factory.mktemp("synth"), MARGINALS_N, SEED)
    with summary.records_path.open(encoding="utf-8") as lines:
        records = [ExtractedRecord.model_validate_json(line) for line in lines]
    return _load(summary, [_conversation(r) for r in records])


def _within(measured: float, expected: float, n: int, sigmas: float = 4.0) -> bool:
    """Whether a measured share is within ``sigmas`` binomial standard errors of expected."""
    return abs(measured - expected) <= sigmas * math.sqrt(expected * (1 - expected) / n)


def _share(conversations: list[Conversation], test) -> float:
    return sum(1 for c in conversations if test(c)) / len(conversations)


def _with_human_values(corpus: Corpus) -> list[Conversation]:
    return [c for c in corpus.conversations if c.human]


# --- Determinism and format ----------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_other_seed_does_not(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", 5_000, seed=7)
    again = write_corpus(tmp_path / "b", 5_000, seed=7)
    other = write_corpus(tmp_path / "c", 5_000, seed=8)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert _moved(again, tmp_path / "a") == first
    assert other.records_path.read_bytes() != first.records_path.read_bytes()
    assert (tmp_path / "c" / "values_tree.csv").read_bytes() != (
        tmp_path / "a" / "values_tree.csv"
    ).read_bytes()


def _moved(summary: SynthSummary, folder: Path) -> SynthSummary:
    """The summary as if it had been written into ``folder``."""
    return dataclasses.replace(
        summary,
        records_path=folder / "records.jsonl",
        values_tree_path=folder / "values_tree.csv",
        values_frequencies_path=folder / "values_frequencies.csv",
        planted_path=folder / "planted.json",
    )


def test_records_have_the_documented_shape(corpus: Corpus) -> None:
    lines = corpus.summary.records_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == MARGINALS_N
    first = json.loads(lines[0])
    assert list(first) == [
        "conversation_id",
        "task",
        "ai_values",
        "human_values",
        "response_type",
        "model",
        "created_at",
        "subjective",
        "language",
    ]
    records = [ExtractedRecord.model_validate_json(line) for line in lines[:2_000]]
    assert [r.conversation_id for r in records[:2]] == ["c0000001", "c0000002"]
    assert all(r.subjective for r in records)
    week = [r.created_at for r in records if r.created_at is not None]
    assert len(week) == len(records)
    assert min(week).isoformat() >= "2025-02-01" and max(week).isoformat() < "2025-03-01"
    assert (max(week) - min(week)).days < 7
    assert week == sorted(week), "ids follow time"
    mentions = [m for r in records for m in r.ai_values]
    assert 0.2 < sum(m.explicit for m in mentions) / len(mentions) < 0.3
    assert {r.model for r in records} == {m.name for m in MODELS}


def test_tiny_corpora_are_valid(tmp_path: Path) -> None:
    for n in (1, 2, 17):
        summary = write_corpus(tmp_path / str(n), n, seed=3)
        lines = summary.records_path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == n
        for line in lines:
            ExtractedRecord.model_validate_json(line)


def test_rejects_unusable_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_corpus(tmp_path, 0, seed=1)
    with pytest.raises(InputError):
        write_corpus(tmp_path, 10, seed=-1)


# --- Published marginals -------------------------------------------------------------------


def test_top_20_published_values_within_10_percent(corpus: Corpus) -> None:
    counts = Counter(key for c in corpus.conversations for key in c.ai)
    for name, published, _ in PUBLISHED_TOP_VALUES[:20]:
        measured = 100.0 * counts[name] / corpus.n
        assert measured == pytest.approx(published, rel=0.10), name
    # The rest of the published list holds too, more loosely (fewer occurrences).
    for name, published, _ in PUBLISHED_TOP_VALUES[20:]:
        assert 100.0 * counts[name] / corpus.n == pytest.approx(published, rel=0.2), name


def test_no_other_value_reaches_the_published_list(corpus: Corpus) -> None:
    published = {name for name, _, _ in PUBLISHED_TOP_VALUES}
    top = [row for row in corpus.frequencies if float(row["pct_convos"]) >= 1.1]
    assert {row["value"] for row in top} <= published


def test_response_type_shares_among_conversations_with_human_values(corpus: Corpus) -> None:
    speakers = _with_human_values(corpus)
    shares = Counter(c.response_type for c in speakers)
    published = {
        "strong_support": 0.282,
        "mild_support": 0.145,
        "strong_resistance": 0.030,
        "reframing": 0.066,
    }
    for response_type, share in published.items():
        measured = shares[response_type] / len(speakers)
        assert measured == pytest.approx(share, rel=0.10), response_type
    # no_values means the user stated no value, so it never appears with human values.
    assert shares["no_values"] == 0
    assert all(c.response_type == "no_values" for c in corpus.conversations if not c.human)


def test_human_values_presence_and_counts(corpus: Corpus) -> None:
    speakers = _with_human_values(corpus)
    assert len(speakers) / corpus.n == pytest.approx(0.643, abs=0.01)
    mean_human = sum(len(c.human) for c in speakers) / len(speakers)
    assert mean_human == pytest.approx(1.48, rel=0.03)  # secondary figure


def test_ai_values_per_conversation(corpus: Corpus) -> None:
    mean_ai = sum(len(c.ai) for c in corpus.conversations) / corpus.n
    assert mean_ai == pytest.approx(4.0, rel=0.03)  # secondary figure
    assert _share(corpus.conversations, lambda c: bool(c.ai)) == pytest.approx(0.986, abs=0.003)


def test_per_model_response_types(corpus: Corpus) -> None:
    for model in MODELS:
        own = [c for c in corpus.conversations if c.model == model.name]
        assert len(own) / corpus.n == pytest.approx(model.share, abs=0.01)
        no_values = _share(own, lambda c: c.response_type == "no_values")
        assert _within(no_values, model.no_values_share, len(own)), model.name
        for response_type, share in model.published_shares.items():
            measured = _share(own, lambda c, t=response_type: c.response_type == t)
            assert _within(measured, share, len(own)), (model.name, response_type)
    # The Opus contrast in the reference: more strong support and strong resistance.
    assert {m.name for m in MODELS} >= {"claude-3-5-sonnet", "claude-3-7-sonnet", "claude-3-opus"}
    assert max(MODELS, key=lambda m: m.share).name == "claude-3-5-sonnet"


def test_tasks_are_many_and_skewed(corpus: Corpus) -> None:
    counts = sorted(Counter(c.task for c in corpus.conversations).values(), reverse=True)
    assert len(counts) >= 300
    top_tenth = sum(counts[: len(counts) // 10]) / corpus.n
    assert top_tenth > 0.4, "a Zipf-like head"
    assert counts[0] > 50 * counts[len(counts) // 2]
    for task in (
        "relationship advice",
        "controversial historical events",
        "technology ethics discussions",
    ):
        assert any(c.task == task for c in corpus.conversations)


def test_most_values_are_rare(corpus: Corpus) -> None:
    rare = sum(1 for row in corpus.frequencies if float(row["pct_convos"]) < 0.04)
    assert rare / len(corpus.frequencies) == pytest.approx(0.75, abs=0.03)  # secondary figure


# --- Taxonomy and the two CSV files --------------------------------------------------------


def test_taxonomy_levels_and_ids(corpus: Corpus) -> None:
    by_level = {level: [r for r in corpus.tree if r["level"] == str(level)] for level in range(4)}
    assert [r["name"] for r in by_level[3]] == list(CATEGORY_SHARES)
    assert len(by_level[2]) == 26
    assert len(by_level[1]) == 266
    assert len(by_level[0]) >= 3_000
    level2_names = {r["name"] for r in by_level[2]}
    assert {"professional and technical excellence", "critical thinking"} <= level2_names

    ids = {r["cluster_id"]: r for r in corpus.tree if r["level"] != "0"}
    for level in (1, 2, 3):
        for row in by_level[level]:
            assert re.fullmatch(f"ai_values:l{level}:{UUID4}", row["cluster_id"])
            if level == 3:
                assert row["parent_cluster_id"] == ""
            else:
                assert ids[row["parent_cluster_id"]]["level"] == str(level + 1)
    for row in by_level[0]:
        assert row["cluster_id"] == row["name"] and row["description"] == ""
        assert ids[row["parent_cluster_id"]]["level"] == "1"
    keys = [normalise_key(r["name"]) for r in by_level[0]]
    assert len(set(keys)) == len(keys)


def test_each_level_sums_to_100_and_categories_match(corpus: Corpus) -> None:
    for level in range(4):
        total = sum(
            float(r["pct_total_occurrences"]) for r in corpus.tree if r["level"] == str(level)
        )
        assert total == pytest.approx(100.0, abs=0.01), level
    for row in corpus.tree:
        if row["level"] == "3":
            published = CATEGORY_SHARES[row["name"]]
            assert float(row["pct_total_occurrences"]) == pytest.approx(published, abs=0.5)


def test_tree_shares_agree_with_the_records(corpus: Corpus) -> None:
    mentions = Counter(key for c in corpus.conversations for key in c.ai)
    total = sum(mentions.values())
    for row in corpus.tree:
        if row["level"] == "0" and row["name"] in {"helpfulness", "empathy", "safety"}:
            measured = 100.0 * mentions[row["name"]] / total
            assert float(row["pct_total_occurrences"]) == pytest.approx(measured, abs=1e-5)


def test_published_values_sit_in_plausible_categories(corpus: Corpus) -> None:
    rows = {r["cluster_id"]: r for r in corpus.tree}

    def category(value: str) -> str:
        row = rows[value]
        while row["level"] != "3":
            row = rows[row["parent_cluster_id"]]
        return row["name"]

    expected = {
        "Protective": ("harm prevention", "safety", "ethical boundaries"),
        "Epistemic": ("analytical rigor", "accuracy", "intellectual honesty"),
        "Social": ("empathy", "cultural sensitivity", "inclusivity", "mutual respect"),
        "Personal": ("personal growth", "authenticity", "human agency"),
        "Practical": ("helpfulness", "professionalism", "efficiency", "technical excellence"),
    }
    for name, values in expected.items():
        for value in values:
            assert category(value) == name, value
    for value, _, _ in PUBLISHED_TOP_VALUES:
        assert value in rows


def test_frequencies_file_agrees_with_the_records(corpus: Corpus) -> None:
    counts = Counter(key for c in corpus.conversations for key in c.ai)
    rows = corpus.frequencies
    assert list(rows[0]) == ["value", "pct_convos"]
    pcts = [float(r["pct_convos"]) for r in rows]
    assert pcts == sorted(pcts, reverse=True)
    for row in rows:
        assert row["pct_convos"] == f"{100.0 * counts[row['value']] / corpus.n:.3f}"
    tree_values = {r["name"] for r in corpus.tree if r["level"] == "0"}
    assert tree_values == {r["value"] for r in rows}
    assert set(counts) <= tree_values


# --- Planted truth -------------------------------------------------------------------------


def test_planted_json_lists_the_truth_and_the_parameters(corpus: Corpus) -> None:
    planted = corpus.planted
    generator = planted["generator"]
    assert (generator["conversations"], generator["seed"]) == (MARGINALS_N, SEED)
    assert generator["human_value_presence"] == 0.643
    assert set(generator["response_type_shares_with_human_values"]) == set(MIRRORING_RATES)
    pairs = {(p["value"], p["task"]) for p in planted["value_task"]}
    assert len(pairs) >= 20
    assert {
        ("healthy boundaries", "relationship advice"),
        ("mutual respect", "relationship advice"),
        ("historical accuracy", "controversial historical events"),
        ("human agency", "technology ethics discussions"),
    } <= pairs
    assert planted["mirroring"]["strong_support"] == 0.201
    assert planted["mirroring"]["reframing"] == 0.153
    assert planted["mirroring"]["strong_resistance"] == 0.012
    humans = {p["human_value"] for p in planted["resistance_pairs"]}
    assert humans == {"rule-breaking", "moral nihilism", "unrestricted expression"}


def test_mirroring_rates_match_the_planted_ones(corpus: Corpus) -> None:
    speakers = _with_human_values(corpus)
    for response_type, rate in corpus.planted["mirroring"].items():
        own = [c for c in speakers if c.response_type == response_type]
        measured = _share(own, lambda c: bool(c.ai & c.human))
        assert _within(measured, rate, len(own)), (response_type, measured, rate)


def test_planted_value_task_rates_hold(corpus: Corpus) -> None:
    for pair in corpus.planted["value_task"]:
        inside = [c for c in corpus.conversations if c.task == pair["task"]]
        outside = [c for c in corpus.conversations if c.task != pair["task"]]
        assert len(inside) / corpus.n == pytest.approx(pair["task_share"], rel=0.25)
        in_rate = _share(inside, lambda c, v=pair["value"]: v in c.ai)
        out_rate = _share(outside, lambda c, v=pair["value"]: v in c.ai)
        assert _within(in_rate, pair["rate_in_task"], len(inside)), pair
        assert _within(out_rate, pair["rate_elsewhere"], len(outside)), pair
        assert pair["rate_in_task"] >= 0.25 and pair["rate_elsewhere"] < 0.01


def test_resistance_pairs_hold(corpus: Corpus) -> None:
    resisting = [c for c in corpus.conversations if c.response_type == "strong_resistance"]
    others = [c for c in _with_human_values(corpus) if c.response_type != "strong_resistance"]
    for pair in corpus.planted["resistance_pairs"]:
        human, ai = pair["human_value"], pair["ai_value"]
        together = _share(resisting, lambda c, h=human, a=ai: h in c.human and a in c.ai)
        assert _within(together, pair["rate_in_strong_resistance"], len(resisting)), pair
        assert _share(others, lambda c, h=human: h in c.human) < 0.001
    # "harm prevention: when the AI resists the user"
    rate_resisting = _share(resisting, lambda c: "harm prevention" in c.ai)
    rate_elsewhere = _share(others, lambda c: "harm prevention" in c.ai)
    assert rate_resisting > 5 * rate_elsewhere


def _flagged_by_bonferroni_chi_square(
    conversations: list[Conversation], value: str, task: str
) -> bool:
    table = [[0, 0], [0, 0]]
    for c in conversations:
        table[c.task != task][value not in c.ai] += 1
    statistic = chi2_contingency(table)[0]
    return bool(statistic > chi2.isf(0.05 / BONFERRONI_TESTS, df=1))


def test_planted_pairs_survive_bonferroni_at_20000(tmp_path: Path) -> None:
    summary = write_corpus(tmp_path, 20_000, seed=SEED + 1)
    with summary.records_path.open(encoding="utf-8") as lines:
        conversations = [_fast_conversation(line) for line in lines]
    planted = json.loads(summary.planted_path.read_text(encoding="utf-8"))
    for pair in planted["value_task"]:
        assert _flagged_by_bonferroni_chi_square(conversations, pair["value"], pair["task"]), pair
    # ... and a value that was not planted in a task is not flagged there.
    assert not _flagged_by_bonferroni_chi_square(
        conversations, "helpfulness", "relationship advice"
    )


# --- Paper scale ---------------------------------------------------------------------------


@pytest.mark.slow
def test_paper_scale_is_fast_and_on_target(tmp_path: Path) -> None:
    # "Fast" is the CPU time the generator spends (it runs in this process), not the wall
    # time, which a machine busy with other work stretches without the code being slower.
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = write_corpus(tmp_path, STUDY_CONVERSATIONS, seed=SEED)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"\n{STUDY_CONVERSATIONS:,} conversations in {elapsed:.1f} s ({cpu:.1f} s of CPU)")
    assert cpu < 120

    assert summary.taxonomy_values == 3_307
    assert summary.clusters_per_level == (266, 26, 5)
    assert summary.distinct_human_values == pytest.approx(2_483, rel=0.10)  # secondary
    with summary.records_path.open(encoding="utf-8") as lines:
        conversations = [_fast_conversation(line) for line in lines]
    counts = Counter(key for c in conversations for key in c.ai)
    for name, published, _ in PUBLISHED_TOP_VALUES:
        measured = 100.0 * counts[name] / len(conversations)
        assert measured == pytest.approx(published, rel=0.10), name
    planted = json.loads(summary.planted_path.read_text(encoding="utf-8"))
    for pair in planted["value_task"]:
        assert _flagged_by_bonferroni_chi_square(conversations, pair["value"], pair["task"]), pair
