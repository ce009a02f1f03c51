"""The domain model every layer shares: the records, the graph's vocabulary and the taxonomy.

A line of ``records.jsonl`` validates into an :class:`ExtractedRecord`. The
extraction stage produces the same model, so everything downstream of
extraction sees one shape whichever way the features were made. The names of
node labels, relationship types and cluster kinds are defined here once; Cypher
text spells them, Python code names them through these enums.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from valuegraph.keys import normalise_key

MAX_VALUE_NAME = 200
MAX_TASK = 10_000


# --- the graph's vocabulary ------------------------------------------------------------------


class Label(StrEnum):
    """The node labels valuegraph writes: the allow-list for labels a query varies on."""

    CONVERSATION = "Conversation"
    TASK = "Task"
    AI_VALUE = "AIValue"
    HUMAN_VALUE = "HumanValue"
    MODEL = "Model"
    CLUSTER = "Cluster"
    # The pointer to the current materialised association set (queries/materialize.py).
    MATERIALIZATION = "Materialization"


class RelType(StrEnum):
    """The relationship types valuegraph writes."""

    ABOUT = "ABOUT"
    AI_EXPRESSED = "AI_EXPRESSED"
    HUMAN_EXPRESSED = "HUMAN_EXPRESSED"
    BY_MODEL = "BY_MODEL"
    IN_CLUSTER = "IN_CLUSTER"


class ClusterKind(StrEnum):
    """What a taxonomy clusters: the ``kind`` property of its Cluster nodes."""

    AI_VALUE = "ai_value"
    TASK = "task"


# kind -> (leaf label, relationship a conversation uses to reach a leaf).
CLUSTER_LEAVES: dict[ClusterKind, tuple[Label, RelType]] = {
    ClusterKind.AI_VALUE: (Label.AI_VALUE, RelType.AI_EXPRESSED),
    ClusterKind.TASK: (Label.TASK, RelType.ABOUT),
}


class ResponseType(StrEnum):
    """How the AI responded to the user's values: the seven categories of the paper."""

    STRONG_SUPPORT = "strong_support"
    MILD_SUPPORT = "mild_support"
    NEUTRAL = "neutral"
    REFRAMING = "reframing"
    MILD_RESISTANCE = "mild_resistance"
    STRONG_RESISTANCE = "strong_resistance"
    NO_VALUES = "no_values"


RESPONSE_TYPES: tuple[str, ...] = tuple(r.value for r in ResponseType)


# --- the records -----------------------------------------------------------------------------

ValueName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_VALUE_NAME)
]


class AIValueMention(BaseModel):
    """An AI value as expressed in one conversation: stated outright, or only demonstrated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ValueName
    explicit: bool = False


class ExtractedRecord(BaseModel):
    """One conversation's extracted features (the paper's four, plus metadata)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    conversation_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    task: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TASK)
    ]
    response_type: ResponseType
    ai_values: tuple[AIValueMention, ...] = ()
    human_values: tuple[ValueName, ...] = ()
    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    created_at: datetime | None = None
    subjective: bool = True
    language: str | None = None
    source: str | None = None
    text: str | None = Field(default=None, description="Raw text; stored only with --store-text.")

    @field_validator("ai_values", mode="before")
    @classmethod
    def _bare_names_are_implicit(cls, raw: Any) -> Any:
        # The released format and hand-written files list bare names; those are implicit.
        if isinstance(raw, list | tuple):
            return [{"name": item} if isinstance(item, str) else item for item in raw]
        return raw

    @field_validator("human_values", mode="before")
    @classmethod
    def _list_of_names(cls, raw: Any) -> Any:
        if raw is not None and not isinstance(raw, list | tuple):
            raise ValueError("must be a list of names")
        return raw

    def ai_value_keys(self) -> dict[str, tuple[str, bool]]:
        """Key -> (display name, explicit); one entry per key, explicit if any mention was."""
        merged: dict[str, tuple[str, bool]] = {}
        for mention in self.ai_values:
            key = normalise_key(mention.name)
            name, explicit = merged.get(key, (mention.name, False))
            merged[key] = (name, explicit or mention.explicit)
        return merged

    def human_value_keys(self) -> dict[str, str]:
        """Key -> display name, one entry per key."""
        merged: dict[str, str] = {}
        for name in self.human_values:
            merged.setdefault(normalise_key(name), name)
        return merged


# --- the taxonomy ----------------------------------------------------------------------------


class Leaf(BaseModel):
    """A level-0 item: a value (or task) name, its first-level cluster and its weight."""

    model_config = ConfigDict(frozen=True)

    name: str
    parent_id: str | None = None
    count: int = 1
    pct: float | None = None  # a published share, when the leaf came from a released file


class Cluster(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    level: int
    name: str
    description: str = ""
    parent_id: str | None = None
    pct: float | None = None


class Taxonomy(BaseModel):
    kind: str
    leaves: tuple[Leaf, ...]
    clusters: tuple[Cluster, ...]

    def levels(self) -> dict[int, int]:
        """Level -> number of rows, level 0 being the leaves."""
        sizes = Counter(c.level for c in self.clusters)
        return {0: len(self.leaves), **dict(sorted(sizes.items()))}

    def shares(self) -> dict[str, float]:
        """Percent of all value expressions under each cluster (and each leaf, as
        ``leaf:<name>``), from the leaves' counts."""
        total = sum(leaf.count for leaf in self.leaves) or 1
        parent = {c.id: c.parent_id for c in self.clusters}
        shares: defaultdict[str, float] = defaultdict(float)
        for leaf in self.leaves:
            pct = 100.0 * leaf.count / total
            shares[f"leaf:{leaf.name}"] += pct
            node = leaf.parent_id
            while node is not None:
                shares[node] += pct
                node = parent.get(node)
        return shares

    def cluster_pct(self, cluster: Cluster, shares: dict[str, float]) -> float:
        """A cluster's published share if it has one, else its share of the leaves' counts."""
        return cluster.pct if cluster.pct is not None else shares[cluster.id]

    def leaf_pct(self, leaf: Leaf, shares: dict[str, float]) -> float:
        return leaf.pct if leaf.pct is not None else shares[f"leaf:{leaf.name}"]
