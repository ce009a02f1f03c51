"""A deterministic, paper-scale synthetic corpus in the released formats, with a known truth.

:func:`write_corpus` writes ``records.jsonl`` (one :class:`valuegraph.domain.ExtractedRecord` a
line), ``values_tree.csv`` and ``values_frequencies.csv`` (the formats released with "Values in
the Wild", Huang et al. 2025) and ``planted.json``: the associations planted on purpose, so an
analysis can be checked against what it should find. The published figures it is calibrated to
are in shared/reference/values-in-the-wild.md (Huang et al., 2025) ("the reference" below).

The generative model, in order:

1. model: mostly Claude 3.5 Sonnet, some 3.7 Sonnet and 3 Opus;
2. human values present with the model's rate; the response type is ``no_values`` exactly when
   the user states no value (this is what makes the published per-model no-values shares and the
   64.3% presence one consistent picture), otherwise drawn from the model's distribution;
3. task: planted context tasks with fixed shares, the rest Zipf-like;
4. AI values: each frequent value an independent Bernoulli draw at its rate, the long tail a
   Poisson number of draws from a power law; then the planted extras (context values raised in
   their task, the AI side of resistance pairs);
5. human values: 1 + Poisson(0.48) per conversation that has any; a chosen share per response
   type mirrors one of the AI values, and the rest are resampled until nothing mirrors by chance.

Every random draw comes from ``numpy.random.default_rng`` seeded with ``seed``; the taxonomy
and task list use their own streams, so they do not depend on the number of conversations.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path

import numpy as np
import numpy.typing as npt

from valuegraph.domain import RESPONSE_TYPES
from valuegraph.errors import InputError
from valuegraph.ingest.taxonomy_csv import TreeRow, write_frequencies, write_tree
from valuegraph.keys import normalise_key

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# --- Published figures (the reference) -----------------------------------------------------

# Decimals of the shares in the corpus' values_tree.csv and values_frequencies.csv.
SHARE_DECIMALS = 6
FREQUENCY_DECIMALS = 3
STUDY_CONVERSATIONS = 308_210  # the subjective sample
TAXONOMY_SIZE = {0: 3_307, 1: 266, 2: 26, 3: 5}
HUMAN_VALUE_PRESENCE = 0.643
MEAN_AI_VALUES = 4.0  # secondary
MEAN_HUMAN_VALUES = 1.48  # secondary; among conversations with human values
AI_VALUES_PRESENT = 0.986  # secondary
RARE_VALUE_SHARE = 0.75  # secondary: 75% of values occur in fewer than 0.04% of conversations
RARE_VALUE_PCT = 0.04

# Top-level categories and their shares (percent) of AI value expressions (secondary).
CATEGORY_SHARES: Mapping[str, float] = {
    "Practical": 31.4,
    "Epistemic": 22.2,
    "Social": 21.4,
    "Protective": 13.9,
    "Personal": 11.1,
}

# Shares among conversations with human values; reframing is secondary. Neutral and mild
# resistance are not published: the two together take what is left (47.7%), split by our choice.
RESPONSE_SHARES_WITH_HUMAN_VALUES: Mapping[str, float] = {
    "strong_support": 0.282,
    "mild_support": 0.145,
    "neutral": 0.427,
    "reframing": 0.066,
    "mild_resistance": 0.050,
    "strong_resistance": 0.030,
}

# Mirroring among conversations with human values; support, reframing and strong resistance
# are published, neutral and mild resistance are our choice.
MIRRORING_RATES: Mapping[str, float] = {
    "strong_support": 0.201,
    "mild_support": 0.201,
    "neutral": 0.100,
    "reframing": 0.153,
    "mild_resistance": 0.050,
    "strong_resistance": 0.012,
}

# The most frequent AI values: (name, pct_convos, second-level cluster it is placed in).
PUBLISHED_TOP_VALUES: tuple[tuple[str, float, str], ...] = (
    ("helpfulness", 23.359, "helpfulness and service"),
    ("professionalism", 22.861, "professional and technical excellence"),
    ("transparency", 17.391, "accountability and transparency"),
    ("clarity", 16.58, "clear communication"),
    ("thoroughness", 14.301, "quality and reliability"),
    ("efficiency", 6.606, "efficiency and resourcefulness"),
    ("technical excellence", 6.127, "professional and technical excellence"),
    ("authenticity", 6.042, "authenticity and self-expression"),
    ("analytical rigor", 5.478, "critical thinking"),
    ("accuracy", 5.318, "knowledge and accuracy"),
    ("technical competence", 4.912, "professional and technical excellence"),
    ("adaptability", 4.811, "practical problem solving"),
    ("intellectual honesty", 4.806, "intellectual honesty and openness"),
    ("accessibility", 4.12, "respect and inclusion"),
    ("pragmatism", 3.72, "practical problem solving"),
    ("precision", 3.537, "knowledge and accuracy"),
    ("academic rigor", 3.357, "education and learning"),
    ("service orientation", 2.708, "helpfulness and service"),
    ("responsibility", 2.707, "accountability and transparency"),
    ("intellectual rigor", 2.658, "critical thinking"),
    ("clear communication", 2.563, "clear communication"),
    ("technical precision", 2.475, "professional and technical excellence"),
    ("objectivity", 2.342, "critical thinking"),
    ("user experience", 2.336, "helpfulness and service"),
    ("empathy", 2.318, "empathy and care"),
    ("honesty", 2.145, "intellectual honesty and openness"),
    ("practical utility", 2.138, "practical problem solving"),
    ("user autonomy", 2.066, "autonomy and self-determination"),
    ("practicality", 2.056, "practical problem solving"),
    ("accountability", 2.019, "accountability and transparency"),
    ("systematic organization", 1.981, "organization and planning"),
    ("inclusivity", 1.89, "respect and inclusion"),
    ("educational clarity", 1.885, "education and learning"),
    ("reliability", 1.813, "quality and reliability"),
    ("academic integrity", 1.797, "intellectual honesty and openness"),
    ("cultural sensitivity", 1.795, "cultural understanding"),
    ("collaboration", 1.772, "collaboration and dialogue"),
    ("harm prevention", 1.735, "harm prevention and safety"),
    ("personal growth", 1.584, "personal growth and wellbeing"),
    ("attention to detail", 1.568, "quality and reliability"),
    ("educational value", 1.568, "education and learning"),
    ("fairness", 1.48, "fairness and justice"),
    ("professional competence", 1.461, "professional and technical excellence"),
    ("emotional authenticity", 1.334, "authenticity and self-expression"),
    ("organization", 1.295, "organization and planning"),
    ("effectiveness", 1.246, "efficiency and resourcefulness"),
    ("code quality", 1.231, "quality and reliability"),
    ("safety", 1.218, "harm prevention and safety"),
    ("ethical boundaries", 1.165, "ethical boundaries and integrity"),
    ("educational excellence", 1.041, "education and learning"),
    ("balanced perspective", 1.031, "intellectual honesty and openness"),
    ("user empowerment", 1.023, "autonomy and self-determination"),
    ("professional responsibility", 1.011, "ethical boundaries and integrity"),
    ("epistemic humility", 1.011, "intellectual honesty and openness"),
    ("professional boundaries", 1.0, "ethical boundaries and integrity"),
)

# Second-level clusters per category. Two names come from the paper's figure
# ("professional and technical excellence", "critical thinking"); the rest are ours.
LEVEL2_CLUSTERS: Mapping[str, tuple[str, ...]] = {
    "Practical": (
        "professional and technical excellence",
        "efficiency and resourcefulness",
        "helpfulness and service",
        "practical problem solving",
        "organization and planning",
        "quality and reliability",
    ),
    "Epistemic": (
        "critical thinking",
        "knowledge and accuracy",
        "clear communication",
        "intellectual honesty and openness",
        "education and learning",
    ),
    "Social": (
        "community and relationships",
        "respect and inclusion",
        "empathy and care",
        "fairness and justice",
        "cultural understanding",
        "collaboration and dialogue",
    ),
    "Protective": (
        "harm prevention and safety",
        "ethical boundaries and integrity",
        "accountability and transparency",
        "privacy and security",
        "rights and welfare protection",
    ),
    "Personal": (
        "personal growth and wellbeing",
        "autonomy and self-determination",
        "authenticity and self-expression",
        "meaning and fulfillment",
    ),
}

CATEGORY_DESCRIPTIONS: Mapping[str, str] = {
    "Practical": "Getting things done well: competence, efficiency, service and quality.",
    "Epistemic": "Knowing and reasoning well: accuracy, rigor, clarity and honesty about evidence.",
    "Social": "Living well with others: respect, care, fairness, inclusion and cooperation.",
    "Protective": "Preventing harm: safety, ethical limits, privacy, accountability and rights.",
    "Personal": "A person's own flourishing: growth, autonomy, authenticity and meaning.",
}


# --- Models --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelProfile:
    """One model: its share of the corpus and its published response-type shares."""

    name: str
    share: float  # of all conversations
    no_values_share: float  # published, of the model's conversations
    # Published shares of the model's conversations for some response types; read as shares of
    # all its conversations, the same base as its no-values share.
    published_shares: Mapping[str, float]

    @property
    def human_value_presence(self) -> float:
        return 1.0 - self.no_values_share


OPUS_SHARE = 0.012  # our choice: a small share, as Opus was not the default model
_NO_VALUES = {"claude-3-5-sonnet": 0.357, "claude-3-7-sonnet": 0.372, "claude-3-opus": 0.191}
# 3.7 Sonnet's share is what makes the per-model no-values shares pool to 1 - 64.3%. (3.5 Sonnet's
# own share is exactly that, so in effect 3.7 Sonnet balances Opus around it.)
_SONNET_37_SHARE = (
    (1.0 - HUMAN_VALUE_PRESENCE)
    - OPUS_SHARE * _NO_VALUES["claude-3-opus"]
    - (1.0 - OPUS_SHARE) * _NO_VALUES["claude-3-5-sonnet"]
) / (_NO_VALUES["claude-3-7-sonnet"] - _NO_VALUES["claude-3-5-sonnet"])
MODELS: tuple[ModelProfile, ...] = (
    ModelProfile(
        "claude-3-5-sonnet",
        1.0 - OPUS_SHARE - _SONNET_37_SHARE,
        _NO_VALUES["claude-3-5-sonnet"],
        {},
    ),
    ModelProfile("claude-3-7-sonnet", _SONNET_37_SHARE, _NO_VALUES["claude-3-7-sonnet"], {}),
    ModelProfile(
        "claude-3-opus",
        OPUS_SHARE,
        _NO_VALUES["claude-3-opus"],
        {"strong_support": 0.438, "strong_resistance": 0.095},
    ),
)


# --- Planted truth -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantedContext:
    """A value expressed far more often in one task than anywhere else."""

    value: str
    task: str
    task_share: float  # of all conversations
    rate_in_task: float
    rate_elsewhere: float
    level2: str


@dataclass(frozen=True)
class PlantedResistance:
    """In strong-resistance conversations, a human value met by an opposing AI value."""

    human_value: str
    ai_value: str
    rate_in_strong_resistance: float  # share of strong_resistance conversations with the pair


# The first four are the paper's examples; "dominance" and "amorality" are its rare values that
# appear mostly in jailbreak attempts. Task shares are large enough that the smallest planted
# cell survives a Bonferroni-corrected chi-square over ~1e6 tests at 20,000 conversations, and
# small enough that no planted value reaches 1% overall (which would push it into the top list).
# fmt: off
_CONTEXT_TABLE: tuple[tuple[str, str, float, float, float, str], ...] = (
    # value, task, task share, rate in task, rate elsewhere, level-2 cluster
    ("healthy boundaries", "relationship advice", 0.008, 0.45, 0.0015,
     "community and relationships"),
    ("mutual respect", "relationship advice", 0.008, 0.35, 0.002, "respect and inclusion"),
    ("historical accuracy", "controversial historical events", 0.005, 0.55, 0.0015,
     "knowledge and accuracy"),
    ("human agency", "technology ethics discussions", 0.005, 0.40, 0.001,
     "autonomy and self-determination"),
    ("dominance", "jailbreak attempts", 0.003, 0.30, 0.0002, "autonomy and self-determination"),
    ("amorality", "jailbreak attempts", 0.003, 0.25, 0.0002, "authenticity and self-expression"),
    ("patient wellbeing", "medical symptom questions", 0.007, 0.45, 0.001,
     "rights and welfare protection"),
    ("financial prudence", "personal finance planning", 0.006, 0.50, 0.0015,
     "efficiency and resourcefulness"),
    ("creative expression", "creative writing feedback", 0.007, 0.40, 0.003,
     "authenticity and self-expression"),
    ("originality", "college essay brainstorming", 0.004, 0.35, 0.002,
     "authenticity and self-expression"),
    ("child safety", "parenting advice", 0.006, 0.40, 0.001, "harm prevention and safety"),
    ("work-life balance", "career transition advice", 0.006, 0.40, 0.003,
     "personal growth and wellbeing"),
    ("environmental sustainability", "climate policy debate", 0.004, 0.50, 0.002,
     "rights and welfare protection"),
    ("religious respect", "religious text interpretation", 0.004, 0.45, 0.001,
     "cultural understanding"),
    ("legal compliance", "contract drafting", 0.005, 0.45, 0.002,
     "ethical boundaries and integrity"),
    ("data privacy", "privacy policy review", 0.004, 0.55, 0.002, "privacy and security"),
    ("scientific skepticism", "evaluating health claims", 0.004, 0.40, 0.001,
     "critical thinking"),
    ("compassionate presence", "coping with grief", 0.004, 0.50, 0.001, "empathy and care"),
    ("fair competition", "competitive business strategy", 0.005, 0.35, 0.002,
     "fairness and justice"),
    ("animal welfare", "pet care advice", 0.005, 0.45, 0.001, "rights and welfare protection"),
    ("civic responsibility", "political debate analysis", 0.005, 0.35, 0.002,
     "community and relationships"),
    ("cultural heritage preservation", "genealogy research", 0.003, 0.40, 0.001,
     "cultural understanding"),
    ("self-compassion", "mental health support", 0.007, 0.45, 0.002,
     "personal growth and wellbeing"),
    ("code maintainability", "legacy code migration", 0.005, 0.45, 0.002,
     "quality and reliability"),
)
# fmt: on
PLANTED_CONTEXTS: tuple[PlantedContext, ...] = tuple(PlantedContext(*row) for row in _CONTEXT_TABLE)

# The reference's examples of what strong resistance opposes, and with what.
PLANTED_RESISTANCE: tuple[PlantedResistance, ...] = (
    PlantedResistance("rule-breaking", "ethical boundaries", 0.20),
    PlantedResistance("moral nihilism", "constructive engagement", 0.10),
    PlantedResistance("unrestricted expression", "harm prevention", 0.15),
)
# "constructive engagement" is not in the published top list, so it needs a base rate and a home.
CONSTRUCTIVE_ENGAGEMENT_RATE = 0.004
CONSTRUCTIVE_ENGAGEMENT_CLUSTER = "collaboration and dialogue"


# --- Other generator choices ---------------------------------------------------------------

EXPLICIT_SHARE = 0.25  # share of AI value mentions stated outright rather than demonstrated
TAIL_TOP_PCT = 0.95  # the most frequent tail value stays under the published list's 1.0% floor
TAIL_BOTTOM_PCT = 0.002  # about six conversations at paper scale
TASK_ZIPF_EXPONENT = 1.0
HUMAN_POOL_ZIPF_EXPONENT = 1.1
# Generated human-only names in the pool. Mirroring brings in some 1,800 AI value names at paper
# scale, so 665 more land the distinct human values near the published 2,483 (secondary).
HUMAN_POOL_GENERATED = 665
PLANTED_HUMAN_VALUE_WEIGHT = 0.05  # resistance human values outside their pairs: rare
WEEK_START = datetime(2025, 2, 17, tzinfo=UTC)  # a Monday; the study's week of February 2025
LANGUAGES: Mapping[str, float] = {
    "en": 0.82,
    "es": 0.04,
    "fr": 0.03,
    "de": 0.03,
    "pt": 0.02,
    "ja": 0.02,
    "zh": 0.02,
    "ko": 0.01,
    "it": 0.01,
}
MAX_RESAMPLING_ROUNDS = 100
WRITE_CHUNK = 50_000

# Independent random streams, so the taxonomy and task list do not depend on the corpus size.
_TAXONOMY_STREAM, _TASK_STREAM, _HUMAN_POOL_STREAM, _CORPUS_STREAM = 1, 2, 3, 4


# --- Public API ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_corpus` wrote."""

    conversations: int
    seed: int
    ai_value_mentions: int
    taxonomy_values: int  # level-0 rows in values_tree.csv
    clusters_per_level: tuple[int, int, int]  # levels 1, 2, 3
    distinct_human_values: int  # in the records, by key
    distinct_tasks: int  # in the records
    records_path: Path
    values_tree_path: Path
    values_frequencies_path: Path
    planted_path: Path


def write_corpus(out_dir: Path, conversations: int, seed: int) -> SynthSummary:
    """Write a synthetic corpus of ``conversations`` conversations into ``out_dir``.

    The same ``(conversations, seed)`` always gives byte-identical files.
    """
    if conversations < 1:
        raise InputError(f"conversations must be at least 1, got {conversations}")
    if seed < 0:
        raise InputError(f"seed must be non-negative, got {seed}")
    out_dir.mkdir(parents=True, exist_ok=True)
    taxonomy = _build_taxonomy(seed)
    tasks = _build_tasks(seed)
    pool = _build_human_pool(seed, taxonomy.value_names)
    corpus = _sample_corpus(conversations, seed, taxonomy, tasks, pool)

    paths = {
        name: out_dir / name
        for name in ("records.jsonl", "values_tree.csv", "values_frequencies.csv", "planted.json")
    }
    _write_records(paths["records.jsonl"], corpus, taxonomy, tasks, pool)
    _write_values_tree(paths["values_tree.csv"], corpus, taxonomy)
    _write_values_frequencies(paths["values_frequencies.csv"], corpus, taxonomy)
    _write_planted(paths["planted.json"], conversations, seed)

    return SynthSummary(
        conversations=conversations,
        seed=seed,
        ai_value_mentions=int(corpus.ai_conv.size),
        taxonomy_values=len(taxonomy.value_names),
        clusters_per_level=(
            len(taxonomy.clusters_at(1)),
            len(taxonomy.clusters_at(2)),
            len(taxonomy.clusters_at(3)),
        ),
        distinct_human_values=int(np.unique(corpus.human_uid).size),  # one id per key
        distinct_tasks=int(np.unique(corpus.task).size),
        records_path=paths["records.jsonl"],
        values_tree_path=paths["values_tree.csv"],
        values_frequencies_path=paths["values_frequencies.csv"],
        planted_path=paths["planted.json"],
    )


# --- Small helpers -------------------------------------------------------------------------


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _categorical(rng: np.random.Generator, weights: FloatArray, size: int) -> IntArray:
    """``size`` draws of indices into ``weights`` (not necessarily normalised)."""
    cumulative = np.cumsum(weights)
    drawn = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    # u * total can round up to total itself; that draw belongs to the last index.
    return np.minimum(drawn, weights.size - 1).astype(np.int64)


def _zipf_weights(count: int, exponent: float) -> FloatArray:
    return 1.0 / np.arange(2, count + 2, dtype=np.float64) ** exponent


def _two_word_names(
    rng: np.random.Generator, modifiers: Sequence[str], nouns: Sequence[str], taken: set[str]
) -> list[str]:
    """Every "modifier noun" name not already taken (by key), in a seeded random order."""
    names = [f"{m} {n}" for m, n in product(modifiers, nouns) if m != n]
    order = rng.permutation(len(names))
    fresh: list[str] = []
    for index in order.tolist():
        key = normalise_key(names[index])
        if key not in taken:
            taken.add(key)
            fresh.append(names[index])
    return fresh


def _largest_remainder(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split ``total`` in proportion to ``weights``, each part at least ``minimum``."""
    spare = total - minimum * len(weights)
    exact = [spare * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


# --- Taxonomy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cluster:
    """A row of values_tree.csv above level 0."""

    cluster_id: str
    name: str
    description: str
    level: int
    parent_index: int  # into _Taxonomy.clusters; -1 at the top


@dataclass(frozen=True)
class _Taxonomy:
    """The AI values (level 0), their rates and their clusters (levels 1-3).

    Value ids are positions in ``value_names``: the published top values first, then the planted
    context values, then "constructive engagement", then the long tail by falling rate.
    """

    value_names: tuple[str, ...]
    expected_pct: FloatArray  # expected pct_convos of each value
    base_rate: FloatArray  # per-conversation Bernoulli rate; 0 for context and tail values
    tail_start: int  # first tail value id
    tail_rate: FloatArray  # per-conversation rate of each tail value
    value_cluster: IntArray  # index into clusters of each value's level-1 cluster
    clusters: tuple[_Cluster, ...]

    def clusters_at(self, level: int) -> list[int]:
        return [i for i, c in enumerate(self.clusters) if c.level == level]

    def value_id(self, name: str) -> int:
        return self.value_names.index(name)


def _build_taxonomy(seed: int) -> _Taxonomy:
    """The values, their rates and the four-level tree; depends on ``seed`` only."""
    rng = _rng(seed, _TAXONOMY_STREAM)
    head_names, head_pct, head_base, head_level2 = _head_values()
    n_tail = TAXONOMY_SIZE[0] - len(head_names)
    tail_pct = _tail_pcts(n_tail, 100.0 * MEAN_AI_VALUES - float(head_pct.sum()), len(head_names))
    tail_level2 = _assign_tail_to_level2(head_pct, head_level2, tail_pct)
    tail_names = _tail_names(rng, tail_level2, {normalise_key(n) for n in head_names})

    names = (*head_names, *tail_names)
    expected_pct = np.concatenate([head_pct, tail_pct])
    level2 = [*head_level2, *tail_level2]
    clusters, value_cluster = _build_clusters(rng, names, expected_pct, level2)
    return _Taxonomy(
        value_names=names,
        expected_pct=expected_pct,
        base_rate=np.concatenate([head_base, np.zeros(n_tail)]),
        tail_start=len(head_names),
        tail_rate=tail_pct / 100.0,
        value_cluster=value_cluster,
        clusters=clusters,
    )


def _strong_resistance_share() -> float:
    """Expected share of all conversations that are strong_resistance."""
    by_model = response_shares_by_model()
    return sum(
        m.share * m.human_value_presence * by_model[m.name]["strong_resistance"] for m in MODELS
    )


def _head_values() -> tuple[list[str], FloatArray, FloatArray, list[str]]:
    """Names, expected pct_convos, Bernoulli base rates and level-2 clusters of the head."""
    planted_ai = {p.ai_value: p.rate_in_strong_resistance for p in PLANTED_RESISTANCE}
    resisting = _strong_resistance_share()
    names: list[str] = []
    level2: list[str] = []
    pct: list[float] = []
    base: list[float] = []
    for name, published, cluster in PUBLISHED_TOP_VALUES:
        # A resistance pair adds the value to some strong_resistance conversations; lower the
        # base rate so that the union still occurs at the published rate.
        added = resisting * planted_ai.get(name, 0.0)
        names.append(name)
        pct.append(published)
        base.append(1.0 - (1.0 - published / 100.0) / (1.0 - added))
        level2.append(cluster)
    for context in PLANTED_CONTEXTS:
        share = context.task_share
        names.append(context.value)
        pct.append(100.0 * (share * context.rate_in_task + (1 - share) * context.rate_elsewhere))
        base.append(0.0)
        level2.append(context.level2)
    added = resisting * planted_ai["constructive engagement"]
    names.append("constructive engagement")
    pct.append(100.0 * (1.0 - (1.0 - CONSTRUCTIVE_ENGAGEMENT_RATE) * (1.0 - added)))
    base.append(CONSTRUCTIVE_ENGAGEMENT_RATE)
    level2.append(CONSTRUCTIVE_ENGAGEMENT_CLUSTER)
    return names, np.array(pct), np.array(base), level2


def _tail_pcts(n_tail: int, mass: float, n_head: int) -> FloatArray:
    """pct_convos of the long tail, falling, summing to ``mass``.

    A curve in log-log space through: the top (just under the published list), the point where
    values become rare (so that 75% of all values are under 0.04%), and the bottom. A middle knot
    is raised or lowered until the tail carries the mass the 4.0 mean values need.
    """
    n_rare = int(np.floor(RARE_VALUE_SHARE * TAXONOMY_SIZE[0])) + 1
    last_common = TAXONOMY_SIZE[0] - n_rare - n_head  # tail values at or above 0.04%
    ranks = np.log(np.arange(1, n_tail + 1, dtype=np.float64))
    knots_x = np.log([1.0, last_common / 6.0, last_common + 0.5, float(n_tail)])

    def curve(middle_pct: float) -> FloatArray:
        knots_y = np.log([TAIL_TOP_PCT, middle_pct, RARE_VALUE_PCT, TAIL_BOTTOM_PCT])
        return np.exp(np.interp(ranks, knots_x, knots_y))

    low, high = RARE_VALUE_PCT, TAIL_TOP_PCT
    for _ in range(60):  # bisection on a monotone function of the middle knot
        middle = (low * high) ** 0.5
        low, high = (middle, high) if curve(middle).sum() < mass else (low, middle)
    tail = curve((low * high) ** 0.5)
    if not np.isclose(tail.sum(), mass, rtol=1e-6):
        raise RuntimeError("the tail cannot carry the mass; check the knots")  # a bug in here
    return tail


def _assign_tail_to_level2(
    head_pct: FloatArray, head_level2: Sequence[str], tail_pct: FloatArray
) -> list[str]:
    """Give each tail value a level-2 cluster so that categories reach their published shares.

    Greedy: each value, largest first, goes to the category furthest below its target; within a
    category, level-2 clusters take turns.
    """
    category_of = {l2: cat for cat, l2s in LEVEL2_CLUSTERS.items() for l2 in l2s}
    total = float(head_pct.sum() + tail_pct.sum())
    deficit = {cat: share / 100.0 * total for cat, share in CATEGORY_SHARES.items()}
    for pct, l2 in zip(head_pct.tolist(), head_level2, strict=True):
        deficit[category_of[l2]] -= pct
    turns = dict.fromkeys(CATEGORY_SHARES, 0)
    assigned = []
    for pct in tail_pct.tolist():
        category = max(deficit, key=lambda c: deficit[c])
        deficit[category] -= pct
        clusters = LEVEL2_CLUSTERS[category]
        assigned.append(clusters[turns[category] % len(clusters)])
        turns[category] += 1
    return assigned


def _tail_names(rng: np.random.Generator, tail_level2: Sequence[str], taken: set[str]) -> list[str]:
    """Readable two-word names for the tail, drawn from each category's word lists."""
    category_of = {l2: cat for cat, l2s in LEVEL2_CLUSTERS.items() for l2 in l2s}
    available = {
        cat: _two_word_names(rng, *TAIL_WORDS[cat], taken=taken) for cat in CATEGORY_SHARES
    }
    names = []
    for l2 in tail_level2:
        pool = available[category_of[l2]]
        if not pool:
            raise RuntimeError(f"word lists for {category_of[l2]} are too short")  # a bug in here
        names.append(pool.pop())
    return names


def _build_clusters(
    rng: np.random.Generator,
    names: Sequence[str],
    expected_pct: FloatArray,
    level2: Sequence[str],
) -> tuple[tuple[_Cluster, ...], IntArray]:
    """Levels 3 and 2 from the fixed lists; level 1 by dealing each level-2 cluster's values.

    Values are dealt in falling frequency, so each level-1 cluster gets one of its parent's
    frequent values and is named after its two most frequent members.
    """
    clusters: list[_Cluster] = []

    def new_id(level: int) -> str:
        return f"ai_values:l{level}:{uuid.UUID(bytes=rng.bytes(16), version=4)}"

    level2_index: dict[str, int] = {}
    for category, children in LEVEL2_CLUSTERS.items():
        clusters.append(_Cluster(new_id(3), category, CATEGORY_DESCRIPTIONS[category], 3, -1))
        parent = len(clusters) - 1
        for child in children:
            level2_index[child] = len(clusters)
            description = f"{category} values about {child}."
            clusters.append(_Cluster(new_id(2), child, description, 2, parent))

    members: dict[str, list[int]] = {l2: [] for l2 in level2_index}
    for value_id in np.argsort(-expected_pct, kind="stable").tolist():
        members[level2[value_id]].append(value_id)
    counts = _largest_remainder(TAXONOMY_SIZE[1], [len(members[l2]) for l2 in level2_index], 2)

    value_cluster = np.zeros(len(names), dtype=np.int64)
    for (l2, parent), n_children in zip(level2_index.items(), counts, strict=True):
        dealt = [members[l2][i::n_children] for i in range(n_children)]
        for group in dealt:
            top = [names[v] for v in group[:3]]
            name = " and ".join(top[:2])
            description = "Values such as " + ", ".join(top) + "."
            value_cluster[group] = len(clusters)
            clusters.append(_Cluster(new_id(1), name, description, 1, parent))
    return tuple(clusters), value_cluster


# --- Tasks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TaskList:
    """Task names and their shares of conversations (planted tasks first)."""

    names: tuple[str, ...]
    shares: FloatArray

    def index(self, name: str) -> int:
        return self.names.index(name)


def _build_tasks(seed: int) -> _TaskList:
    """Planted tasks with their fixed shares, then generated ones Zipf-like in a seeded order."""
    planted: dict[str, float] = {}
    for context in PLANTED_CONTEXTS:
        planted.setdefault(context.task, context.task_share)
    taken = {normalise_key(t) for t in planted}
    generated = [t for t in _generated_tasks() if normalise_key(t) not in taken]
    order = _rng(seed, _TASK_STREAM).permutation(len(generated))
    zipf = _zipf_weights(len(generated), TASK_ZIPF_EXPONENT)
    zipf *= (1.0 - sum(planted.values())) / zipf.sum()
    return _TaskList(
        names=(*planted, *(generated[i] for i in order.tolist())),
        shares=np.concatenate([np.array(list(planted.values())), zipf]),
    )


def _generated_tasks() -> list[str]:
    tasks: list[str] = []
    for actions, subjects in TASK_PATTERNS:
        tasks += [f"{a} {s}" for a, s in product(actions, subjects)]
    tasks += [f"{topic} advice" for topic in ADVICE_TOPICS]
    tasks += [f"{topic} discussions" for topic in DISCUSSION_TOPICS]
    for subject in STUDY_SUBJECTS:
        tasks += [f"explaining {subject}", f"{subject} homework help"]
    unique: dict[str, str] = {}
    for task in tasks:
        unique.setdefault(normalise_key(task), task)
    return list(unique.values())


# --- Human values --------------------------------------------------------------------------


@dataclass(frozen=True)
class _HumanPool:
    """The values users state, and how often, in one id space shared with the AI values.

    An id below the number of AI values *is* that AI value (same key); ids above are
    human-only names. ``names`` covers the whole id space.
    """

    names: tuple[str, ...]
    pool_ids: IntArray  # the ids a user may state outside mirroring and planting
    pool_weights: FloatArray
    n_ai_values: int

    def id_of(self, name: str) -> int:
        return self.names.index(name)


def _build_human_pool(seed: int, ai_names: Sequence[str]) -> _HumanPool:
    """Common human values, then generated ones, Zipf-like; resistance values rare."""
    rng = _rng(seed, _HUMAN_POOL_STREAM)
    ai_id = {normalise_key(name): i for i, name in enumerate(ai_names)}
    taken = {normalise_key(v) for v in COMMON_HUMAN_VALUES}
    generated = _two_word_names(rng, HUMAN_MODIFIERS, HUMAN_NOUNS, taken=taken)
    generated = generated[:HUMAN_POOL_GENERATED]
    ranked = [*COMMON_HUMAN_VALUES, *generated]

    names = list(ai_names)
    pool_ids = []
    for name in [*ranked, *(p.human_value for p in PLANTED_RESISTANCE)]:
        key = normalise_key(name)
        if key not in ai_id:
            ai_id[key] = len(names)
            names.append(name)
        pool_ids.append(ai_id[key])
    weights = np.concatenate(
        [
            _zipf_weights(len(ranked), HUMAN_POOL_ZIPF_EXPONENT),
            np.full(len(PLANTED_RESISTANCE), PLANTED_HUMAN_VALUE_WEIGHT / len(ranked)),
        ]
    )
    return _HumanPool(tuple(names), np.array(pool_ids, dtype=np.int64), weights, len(ai_names))


# --- Response types ------------------------------------------------------------------------


def response_shares_by_model() -> dict[str, dict[str, float]]:
    """Each model's response-type shares among its conversations with human values.

    Opus keeps its published shares (converted from all its conversations to those with human
    values); the Sonnets share one distribution, solved so that the pooled shares equal the
    published ones.
    """
    target = RESPONSE_SHARES_WITH_HUMAN_VALUES
    weight = {m.name: m.share * m.human_value_presence for m in MODELS}
    shares: dict[str, dict[str, float]] = {}
    for m in MODELS:
        if m.published_shares:
            fixed = {t: s / m.human_value_presence for t, s in m.published_shares.items()}
            free = sum(target[t] for t in target if t not in fixed)
            rest = 1.0 - sum(fixed.values())
            shares[m.name] = {t: fixed.get(t, target[t] * rest / free) for t in target}
    fixed_weight = sum(weight[name] for name in shares)
    free_weight = sum(weight.values()) - fixed_weight
    solved = {
        t: (
            target[t] * (fixed_weight + free_weight) - sum(weight[n] * shares[n][t] for n in shares)
        )
        / free_weight
        for t in target
    }
    if min(solved.values()) < 0:
        raise RuntimeError("published model shares cannot pool to the target")  # a bug in here
    for m in MODELS:
        shares.setdefault(m.name, solved)
    return shares


# --- Sampling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Corpus:
    """All conversations as arrays; mentions sorted by conversation."""

    model: IntArray  # index into MODELS
    response_type: IntArray  # index into RESPONSE_TYPES
    task: IntArray  # index into _TaskList.names
    language: IntArray  # index into LANGUAGES
    seconds: IntArray  # since WEEK_START, ascending
    ai_conv: IntArray
    ai_value: IntArray
    ai_explicit: BoolArray
    human_conv: IntArray
    human_uid: IntArray  # ids of _HumanPool.names, in stated order within a conversation


def _sample_corpus(
    n: int, seed: int, taxonomy: _Taxonomy, tasks: _TaskList, pool: _HumanPool
) -> _Corpus:
    """Draw ``n`` conversations."""
    rng = _rng(seed, _CORPUS_STREAM)
    model = _categorical(rng, np.array([m.share for m in MODELS]), n)
    has_human = rng.random(n) < np.array([m.human_value_presence for m in MODELS])[model]
    response_type = _sample_response_types(rng, model, has_human)
    task = _categorical(rng, tasks.shares, n)
    language = _categorical(rng, np.array(list(LANGUAGES.values())), n)
    seconds = np.sort(rng.integers(0, 7 * 24 * 3600, size=n))

    mirror_rate = np.array([MIRRORING_RATES.get(t, 0.0) for t in RESPONSE_TYPES])
    mirror = has_human & (rng.random(n) < mirror_rate[response_type])
    resistance = _sample_resistance_pairs(rng, response_type)
    ai_conv, ai_value = _sample_ai_values(rng, taxonomy, tasks, task, resistance, mirror)
    human_conv, human_uid = _sample_human_values(
        rng, pool, has_human, mirror, resistance, ai_conv, ai_value
    )
    return _Corpus(
        model=model,
        response_type=response_type,
        task=task,
        language=language,
        seconds=seconds,
        ai_conv=ai_conv,
        ai_value=ai_value,
        ai_explicit=rng.random(ai_conv.size) < EXPLICIT_SHARE,
        human_conv=human_conv,
        human_uid=human_uid,
    )


def _sample_response_types(
    rng: np.random.Generator, model: IntArray, has_human: BoolArray
) -> IntArray:
    by_model = response_shares_by_model()
    response_type = np.full(model.size, RESPONSE_TYPES.index("no_values"), dtype=np.int64)
    for m_index, m in enumerate(MODELS):
        chosen = np.flatnonzero(has_human & (model == m_index))
        types = list(by_model[m.name])
        drawn = _categorical(rng, np.array(list(by_model[m.name].values())), chosen.size)
        response_type[chosen] = np.array([RESPONSE_TYPES.index(t) for t in types])[drawn]
    return response_type


def _sample_resistance_pairs(rng: np.random.Generator, response_type: IntArray) -> IntArray:
    """Index into PLANTED_RESISTANCE per conversation, -1 for none (pairs are exclusive)."""
    bounds = np.cumsum([p.rate_in_strong_resistance for p in PLANTED_RESISTANCE])
    pair = np.searchsorted(bounds, rng.random(response_type.size), side="right")
    resisting = response_type == RESPONSE_TYPES.index("strong_resistance")
    return np.where(resisting & (pair < bounds.size), pair, -1).astype(np.int64)


def _sample_ai_values(
    rng: np.random.Generator,
    taxonomy: _Taxonomy,
    tasks: _TaskList,
    task: IntArray,
    resistance: IntArray,
    mirror: BoolArray,
) -> tuple[IntArray, IntArray]:
    """(conversation, value id) pairs, unique and sorted by conversation then value."""
    n = task.size
    convs: list[IntArray] = []
    values: list[IntArray] = []

    def add(hits: IntArray, value_id: int) -> None:
        convs.append(hits)
        values.append(np.full(hits.size, value_id, dtype=np.int64))

    for value_id in np.flatnonzero(taxonomy.base_rate).tolist():
        add(np.flatnonzero(rng.random(n) < taxonomy.base_rate[value_id]), value_id)
    for context in PLANTED_CONTEXTS:
        in_task = task == tasks.index(context.task)
        rate = np.where(in_task, context.rate_in_task, context.rate_elsewhere)
        add(np.flatnonzero(rng.random(n) < rate), taxonomy.value_id(context.value))
    for p_index, pair in enumerate(PLANTED_RESISTANCE):
        add(np.flatnonzero(resistance == p_index), taxonomy.value_id(pair.ai_value))
    lam = float(taxonomy.tail_rate.sum())
    tail_counts = rng.poisson(lam, n)
    convs.append(np.repeat(np.arange(n, dtype=np.int64), tail_counts))
    values.append(taxonomy.tail_start + _categorical(rng, taxonomy.tail_rate, convs[-1].size))

    keys = np.unique(np.concatenate(convs) * len(taxonomy.value_names) + np.concatenate(values))
    keys = _fill_empty_conversations(rng, keys, n, taxonomy, mirror)
    return keys // len(taxonomy.value_names), keys % len(taxonomy.value_names)


def _fill_empty_conversations(
    rng: np.random.Generator, keys: IntArray, n: int, taxonomy: _Taxonomy, mirror: BoolArray
) -> IntArray:
    """Give one tail value to enough empty conversations that 98.6% have AI values.

    A mirrored conversation always needs an AI value to mirror, so it is always filled.
    """
    n_values = len(taxonomy.value_names)
    empty = np.bincount(keys // n_values, minlength=n) == 0
    may_stay_empty = empty & ~mirror
    keep_share = min(1.0, (1.0 - AI_VALUES_PRESENT) * n / max(1, int(may_stay_empty.sum())))
    fill = np.flatnonzero(empty & (mirror | (rng.random(n) >= keep_share)))
    filled = taxonomy.tail_start + _categorical(rng, taxonomy.tail_rate, fill.size)
    return np.sort(np.concatenate([keys, fill * n_values + filled]))


def _sample_human_values(
    rng: np.random.Generator,
    pool: _HumanPool,
    has_human: BoolArray,
    mirror: BoolArray,
    resistance: IntArray,
    ai_conv: IntArray,
    ai_value: IntArray,
) -> tuple[IntArray, IntArray]:
    """(conversation, human value id) pairs in stated order.

    Slot 0 of a mirrored conversation is one of its AI values; a resistance pair's human value
    takes the first free slot; every other slot is drawn from the pool and redrawn until it
    repeats nothing in its conversation and, unless the conversation mirrors, no AI value of it.
    """
    speakers = np.flatnonzero(has_human)
    mirrored = mirror[speakers]
    pair = resistance[speakers]
    count = 1 + rng.poisson(MEAN_HUMAN_VALUES - 1.0, speakers.size)
    count[(pair >= 0) & mirrored & (count == 1)] = 2  # room for both fixed slots
    first = np.cumsum(count) - count
    conv = np.repeat(speakers, count)
    uid = pool.pool_ids[_categorical(rng, pool.pool_weights, conv.size)]
    fixed = np.zeros(conv.size, dtype=np.bool_)

    ai_start = np.searchsorted(ai_conv, speakers[mirrored])
    ai_count = np.searchsorted(ai_conv, speakers[mirrored], side="right") - ai_start
    picked = ai_start + (rng.random(ai_start.size) * ai_count).astype(np.int64)
    uid[first[mirrored]] = ai_value[picked]
    fixed[first[mirrored]] = True

    pair_slot = np.where(mirrored, first + count - 1, first)[pair >= 0]
    pair_uids = np.array([pool.id_of(p.human_value) for p in PLANTED_RESISTANCE], dtype=np.int64)
    uid[pair_slot] = pair_uids[pair[pair >= 0]]
    fixed[pair_slot] = True

    may_mirror = np.repeat(mirrored, count)
    ai_keys = ai_conv * pool.n_ai_values + ai_value
    for _ in range(MAX_RESAMPLING_ROUNDS):
        accidental = ~may_mirror & _is_ai_value_of(conv, uid, ai_keys, pool.n_ai_values)
        redraw = ~fixed & (accidental | _repeats(conv, uid, fixed))
        if not redraw.any():
            return conv, uid
        uid[redraw] = pool.pool_ids[_categorical(rng, pool.pool_weights, int(redraw.sum()))]
    raise RuntimeError("human values did not settle; the pool is too small")  # a bug in here


def _is_ai_value_of(conv: IntArray, uid: IntArray, ai_keys: IntArray, n_ai: int) -> BoolArray:
    """Whether each human value is also an AI value of its conversation (``ai_keys`` sorted)."""
    if ai_keys.size == 0:
        return np.zeros(conv.size, dtype=np.bool_)
    candidate = conv * n_ai + uid
    position = np.minimum(np.searchsorted(ai_keys, candidate), ai_keys.size - 1)
    return (uid < n_ai) & (ai_keys[position] == candidate)


def _repeats(conv: IntArray, uid: IntArray, fixed: BoolArray) -> BoolArray:
    """Marks every repeat of a value within a conversation but its first; fixed ones go first."""
    order = np.lexsort((~fixed, uid, conv))
    same = np.zeros(conv.size, dtype=np.bool_)
    same[1:] = (conv[order][1:] == conv[order][:-1]) & (uid[order][1:] == uid[order][:-1])
    repeats = np.zeros(conv.size, dtype=np.bool_)
    repeats[order] = same
    return repeats


# --- Writers -------------------------------------------------------------------------------


def _write_records(
    path: Path, corpus: _Corpus, taxonomy: _Taxonomy, tasks: _TaskList, pool: _HumanPool
) -> None:
    """One JSON object a line, built from pieces: each name is JSON-encoded once, not per use."""
    n = corpus.model.size
    implicit = [json.dumps(name) for name in taxonomy.value_names]
    explicit = [f'{{"name": {token}, "explicit": true}}' for token in implicit]
    mention_tokens = [
        explicit[v] if e else implicit[v]
        for v, e in zip(corpus.ai_value.tolist(), corpus.ai_explicit.tolist(), strict=True)
    ]
    human_tokens = [json.dumps(name) for name in pool.names]
    stated = [human_tokens[u] for u in corpus.human_uid.tolist()]
    task_tokens = [json.dumps(name) for name in tasks.names]
    models = [m.name for m in MODELS]
    languages = list(LANGUAGES)
    ai_bounds = np.searchsorted(corpus.ai_conv, np.arange(n + 1)).tolist()
    human_bounds = np.searchsorted(corpus.human_conv, np.arange(n + 1)).tolist()
    id_width = max(7, len(str(n)))
    rows = zip(
        corpus.task.tolist(),
        corpus.response_type.tolist(),
        corpus.model.tolist(),
        _timestamps(corpus.seconds),
        corpus.language.tolist(),
        strict=True,
    )
    with path.open("w", encoding="utf-8", newline="\n") as out:
        lines: list[str] = []
        for i, (task, response, model, created_at, language) in enumerate(rows):
            ai = ", ".join(mention_tokens[ai_bounds[i] : ai_bounds[i + 1]])
            human = ", ".join(stated[human_bounds[i] : human_bounds[i + 1]])
            lines.append(
                f'{{"conversation_id": "c{i + 1:0{id_width}d}", "task": {task_tokens[task]}, '
                f'"ai_values": [{ai}], "human_values": [{human}], '
                f'"response_type": "{RESPONSE_TYPES[response]}", "model": "{models[model]}", '
                f'"created_at": "{created_at}", "subjective": true, '
                f'"language": "{languages[language]}"}}\n'
            )
            if len(lines) == WRITE_CHUNK:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def _timestamps(seconds: IntArray) -> list[str]:
    """ISO-8601 UTC timestamps; every one falls in the same month, so only day and time vary."""
    day, rest = np.divmod(seconds, 24 * 3600)
    hour, rest = np.divmod(rest, 3600)
    minute, second = np.divmod(rest, 60)
    prefix = WEEK_START.strftime("%Y-%m-")
    first_day = WEEK_START.day
    assert (WEEK_START + timedelta(days=7)).month == WEEK_START.month
    return [
        f"{prefix}{first_day + d:02d}T{h:02d}:{m:02d}:{s:02d}Z"
        for d, h, m, s in zip(
            day.tolist(), hour.tolist(), minute.tolist(), second.tolist(), strict=True
        )
    ]


def _write_values_tree(path: Path, corpus: _Corpus, taxonomy: _Taxonomy) -> None:
    """values_tree.csv: clusters top-down, then the values; pct of all AI value expressions."""
    n_values = len(taxonomy.value_names)
    mentions = np.bincount(corpus.ai_value, minlength=n_values).astype(np.float64)
    in_cluster = np.zeros(len(taxonomy.clusters))
    np.add.at(in_cluster, taxonomy.value_cluster, mentions)
    for level in (1, 2):  # push each level's counts up to the next
        for i in taxonomy.clusters_at(level):
            in_cluster[taxonomy.clusters[i].parent_index] += in_cluster[i]
    total = max(1.0, float(mentions.sum()))

    rows: list[TreeRow] = []
    for level in (3, 2, 1):
        for i in taxonomy.clusters_at(level):
            cluster = taxonomy.clusters[i]
            parent = taxonomy.clusters[cluster.parent_index].cluster_id if level < 3 else None
            share = 100.0 * in_cluster[i] / total
            rows.append(
                TreeRow(cluster.cluster_id, cluster.description, cluster.name, level, parent, share)
            )
    for value_id, name in enumerate(taxonomy.value_names):
        parent = taxonomy.clusters[int(taxonomy.value_cluster[value_id])].cluster_id
        rows.append(TreeRow(name, "", name, 0, parent, 100.0 * mentions[value_id] / total))
    write_tree(path, rows, decimals=SHARE_DECIMALS)


def _write_values_frequencies(path: Path, corpus: _Corpus, taxonomy: _Taxonomy) -> None:
    """values_frequencies.csv: each value as measured on the records, most frequent first."""
    n = corpus.model.size
    counts = np.bincount(corpus.ai_value, minlength=len(taxonomy.value_names)).tolist()
    ranked = sorted(zip(counts, taxonomy.value_names, strict=True), key=lambda cv: (-cv[0], cv[1]))
    write_frequencies(
        path, ((name, 100.0 * count / n) for count, name in ranked), decimals=FREQUENCY_DECIMALS
    )


def _write_planted(path: Path, conversations: int, seed: int) -> None:
    """planted.json: what an analysis of this corpus should find, and how it was generated."""
    truth = {
        "value_task": [
            {
                "value": c.value,
                "task": c.task,
                "rate_in_task": c.rate_in_task,
                "rate_elsewhere": c.rate_elsewhere,
                "task_share": c.task_share,
            }
            for c in PLANTED_CONTEXTS
        ],
        "mirroring": dict(MIRRORING_RATES),
        "resistance_pairs": [
            {
                "human_value": p.human_value,
                "ai_value": p.ai_value,
                "rate_in_strong_resistance": p.rate_in_strong_resistance,
            }
            for p in PLANTED_RESISTANCE
        ],
        "generator": {
            "conversations": conversations,
            "seed": seed,
            "models": {
                m.name: {"share": m.share, "no_values_share": m.no_values_share} for m in MODELS
            },
            "response_type_shares_with_human_values": dict(RESPONSE_SHARES_WITH_HUMAN_VALUES),
            "response_type_shares_by_model": response_shares_by_model(),
            "no_values_means_no_human_values": True,
            "human_value_presence": HUMAN_VALUE_PRESENCE,
            "mean_ai_values": MEAN_AI_VALUES,
            "mean_human_values": MEAN_HUMAN_VALUES,
            "ai_values_present": AI_VALUES_PRESENT,
            "explicit_share": EXPLICIT_SHARE,
            "week_start": WEEK_START.isoformat().replace("+00:00", "Z"),
            "week_end": (WEEK_START + timedelta(days=7)).isoformat().replace("+00:00", "Z"),
            "taxonomy_size": {str(level): size for level, size in TAXONOMY_SIZE.items()},
            "category_shares": dict(CATEGORY_SHARES),
            "tail": {"top_pct": TAIL_TOP_PCT, "bottom_pct": TAIL_BOTTOM_PCT},
        },
    }
    path.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")


# --- Word lists ----------------------------------------------------------------------------
# fmt: off

# (modifiers, nouns) per category; tail value names are "modifier noun".
TAIL_WORDS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Practical": (
        (
            "workflow", "process", "operational", "resource", "time", "cost", "task", "project",
            "deadline", "budget", "system", "tool", "performance", "product", "design",
            "delivery", "maintenance", "scalable", "modular", "robust", "streamlined",
            "actionable", "functional", "iterative", "measurable", "reproducible", "documented",
            "automated", "structured", "customer", "implementation", "engineering", "interface",
            "deployment", "testing",
        ),
        (
            "efficiency", "reliability", "optimization", "consistency", "discipline",
            "management", "planning", "focus", "quality", "standards", "usability", "simplicity",
            "maintainability", "readiness", "craftsmanship", "excellence", "competence",
            "productivity", "resilience", "feasibility", "organization", "coordination",
            "execution", "flexibility", "robustness", "value", "effectiveness", "tracking",
            "economy", "throughput", "stability", "speed", "frugality", "utility", "polish",
        ),
    ),
    "Epistemic": (
        (
            "evidence", "scientific", "logical", "conceptual", "methodological", "empirical",
            "historical", "factual", "statistical", "mathematical", "theoretical", "source",
            "critical", "scholarly", "philosophical", "interpretive", "explanatory", "research",
            "data", "knowledge", "contextual", "nuanced", "rigorous", "reasoned", "inquiry",
            "learning", "pedagogical", "linguistic", "textual", "domain", "citation",
            "quantitative", "qualitative", "experimental", "comparative",
        ),
        (
            "accuracy", "rigor", "clarity", "integrity", "transparency", "precision", "coherence",
            "consistency", "understanding", "literacy", "curiosity", "humility", "skepticism",
            "reasoning", "validity", "reliability", "depth", "nuance", "openness", "scrutiny",
            "verification", "grounding", "exploration", "insight", "judgment", "fidelity",
            "completeness", "objectivity", "balance", "discernment", "synthesis",
            "comprehension", "exactness", "caution", "soundness",
        ),
    ),
    "Social": (
        (
            "mutual", "community", "family", "intercultural", "interpersonal", "social",
            "relational", "civic", "collective", "inclusive", "cross-cultural", "team",
            "neighborly", "peer", "intergenerational", "compassionate", "respectful", "shared",
            "group", "public", "cultural", "gender", "workplace", "emotional", "democratic",
            "global", "local", "diverse", "communal", "caring", "supportive", "equitable",
            "reciprocal", "societal", "humane",
        ),
        (
            "trust", "solidarity", "belonging", "harmony", "understanding", "respect", "support",
            "care", "cohesion", "dialogue", "connection", "cooperation", "kindness", "equity",
            "justice", "inclusion", "engagement", "goodwill", "reciprocity", "tolerance",
            "representation", "fairness", "wellbeing", "recognition", "sensitivity",
            "partnership", "bonds", "diversity", "compassion", "consideration", "unity",
            "participation", "hospitality", "mediation", "generosity",
        ),
    ),
    "Protective": (
        (
            "child", "user", "data", "patient", "consumer", "public", "digital", "physical",
            "psychological", "legal", "financial", "privacy", "information", "online",
            "workplace", "medical", "personal", "content", "ethical", "risk", "security", "harm",
            "minor", "product", "clinical", "regulatory", "preventive", "responsible",
            "cautious", "protective", "precautionary", "emergency", "occupational", "fraud",
            "identity",
        ),
        (
            "safety", "protection", "security", "privacy", "caution", "safeguarding",
            "compliance", "vigilance", "integrity", "accountability", "oversight",
            "responsibility", "boundaries", "prevention", "mitigation", "awareness", "welfare",
            "confidentiality", "rights", "stewardship", "restraint", "prudence", "duty",
            "consent", "transparency", "trustworthiness", "governance", "diligence", "ethics",
            "defense", "screening", "assurance", "preparedness", "limits", "discretion",
        ),
    ),
    "Personal": (
        (
            "personal", "emotional", "creative", "inner", "life", "mental", "artistic",
            "lifelong", "intrinsic", "existential", "holistic", "mindful", "authentic",
            "expressive", "reflective", "purposeful", "joyful", "courageous", "independent",
            "resilient", "curious", "playful", "aesthetic", "intellectual", "career",
            "spiritual", "individual", "physical", "romantic", "private", "self-directed",
            "everyday", "youthful", "hopeful", "adventurous",
        ),
        (
            "growth", "fulfillment", "autonomy", "expression", "wellbeing", "balance",
            "freedom", "discovery", "resilience", "authenticity", "confidence", "purpose",
            "meaning", "agency", "identity", "joy", "peace", "development", "reflection",
            "mastery", "independence", "ambition", "motivation", "courage", "harmony",
            "healing", "satisfaction", "vitality", "determination", "contentment",
            "exploration", "self-respect", "playfulness", "gratitude", "renewal",
        ),
    ),
}

COMMON_HUMAN_VALUES: tuple[str, ...] = (
    "honesty", "authenticity", "efficiency", "personal growth", "creativity", "independence",
    "financial security", "family", "self-improvement", "privacy", "fairness", "health",
    "freedom", "career success", "knowledge", "respect", "justice", "professionalism",
    "accuracy", "self-expression", "productivity", "learning", "transparency", "quality",
    "kindness", "loyalty", "tradition", "spirituality", "community", "friendship", "love",
    "security", "achievement", "recognition", "stability", "adventure", "compassion",
    "integrity", "responsibility", "self-reliance", "curiosity", "beauty", "humor", "equality",
    "autonomy", "mental health", "physical fitness", "peace", "success", "work-life balance",
    "environmental sustainability", "animal welfare", "religious faith", "cultural identity",
    "open-mindedness", "simplicity", "convenience", "competitiveness", "status", "comfort",
)
HUMAN_MODIFIERS: tuple[str, ...] = (
    "family", "financial", "career", "personal", "creative", "academic", "romantic", "social",
    "physical", "emotional", "spiritual", "professional", "artistic", "economic", "political",
    "religious", "parental", "civic", "cultural", "educational", "national", "individual",
    "household", "community", "athletic", "moral", "sexual", "linguistic", "ethnic", "rural",
    "urban", "generational", "entrepreneurial", "scientific", "musical", "culinary",
)
HUMAN_NOUNS: tuple[str, ...] = (
    "security", "success", "freedom", "stability", "recognition", "harmony", "independence",
    "achievement", "fulfillment", "expression", "identity", "loyalty", "tradition", "health",
    "comfort", "status", "growth", "connection", "justice", "privacy", "wellbeing", "pride",
    "legacy", "duty", "honor", "ambition", "excellence", "autonomy", "belonging", "heritage",
    "prosperity", "reputation", "integrity", "competence", "resilience", "satisfaction",
)

# (actions, subjects): each task is "action subject".
TASK_PATTERNS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("debugging", "reviewing", "refactoring", "optimizing", "documenting", "explaining"),
        (
            "python code", "javascript code", "sql queries", "react components", "bash scripts",
            "java services", "data pipelines", "rust programs", "excel formulas", "css layouts",
            "c++ programs", "api integrations",
        ),
    ),
    (
        ("writing", "editing", "proofreading", "critiquing", "translating", "summarizing"),
        (
            "cover letters", "academic essays", "blog posts", "marketing copy", "short stories",
            "wedding speeches", "grant proposals", "product descriptions", "news articles",
            "poems", "research abstracts", "business emails", "social media posts",
            "song lyrics", "resumes", "screenplays", "legal letters", "newsletters",
        ),
    ),
    (
        ("planning",),
        (
            "travel itineraries", "workout routines", "meal plans", "study schedules",
            "birthday parties", "home renovations", "product launches", "weddings",
            "team offsites", "garden layouts",
        ),
    ),
    (
        ("brainstorming",),
        (
            "startup ideas", "gift ideas", "product names", "party themes",
            "research questions", "story plots", "video ideas", "marketing campaigns",
        ),
    ),
    (
        ("roleplaying",),
        (
            "fantasy adventures", "detective mysteries", "science fiction scenes",
            "job interviews", "historical dialogues", "language exchanges",
        ),
    ),
)
ADVICE_TOPICS: tuple[str, ...] = (
    "career", "fitness", "nutrition", "sleep", "study", "negotiation", "friendship", "dating",
    "home buying", "travel", "job interview", "startup", "workplace conflict", "time management",
    "public speaking", "skincare", "gardening", "moving abroad", "retirement",
    "college application", "language learning", "productivity", "etiquette", "fashion",
    "car buying", "landlord dispute", "roommate", "wedding planning", "investment", "tax",
)
DISCUSSION_TOPICS: tuple[str, ...] = (
    "philosophy of mind", "free will", "moral philosophy", "political theory",
    "religion and science", "animal rights", "ai safety", "future of work", "space exploration",
    "urban planning", "education policy", "immigration policy", "criminal justice reform",
    "media literacy", "consciousness", "economic inequality", "bioethics", "art and meaning",
)
STUDY_SUBJECTS: tuple[str, ...] = (
    "calculus", "organic chemistry", "quantum physics", "microeconomics", "macroeconomics",
    "world history", "music theory", "statistics", "linear algebra", "cell biology",
    "climate science", "game theory", "formal logic", "linguistics", "astronomy",
    "machine learning", "cryptography", "genetics", "accounting", "constitutional law",
    "art history", "psychology", "sociology", "geology", "neuroscience",
)
# fmt: on
