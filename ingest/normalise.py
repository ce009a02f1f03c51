"""Merge near-duplicate value names into one canonical value, keeping the aliases.

First names collapse by canonical key (:func:`valuegraph.keys.normalise_key`). Then, in a fixed
order (values already in the graph first, then by frequency, then alphabetically), each name
either joins the most similar canonical value seen so far, when their cosine similarity is at
least the threshold, or becomes canonical itself. Values already in the graph are never merged
into each other: that would be a migration of existing nodes, not normalisation of new input.

AI and human values are normalised together, in one vocabulary, because "mirroring" is the same
key on both sides; merging them separately could split a mirrored value in two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from valuegraph.domain import AIValueMention, ExtractedRecord
from valuegraph.ingest.embed import Vectors
from valuegraph.keys import normalise_key

# With all-MiniLM-L6-v2, spelling and word-order variants ("analytical rigor"/"rigour", "user
# autonomy"/"autonomy of the user", "harm prevention"/"preventing harm") score 0.89-0.95, while
# distinct but related values ("accuracy"/"precision", "honesty"/"truthfulness") score 0.55-0.78.
DEFAULT_THRESHOLD = 0.88


class Merge(BaseModel):
    model_config = ConfigDict(frozen=True)

    alias: str
    canonical: str
    similarity: float


class Normalisation(BaseModel):
    """The outcome: every input key mapped to its canonical name, and the report of merges."""

    threshold: float
    canonical_of: dict[str, str] = Field(description="key of every input name -> canonical name")
    merges: list[Merge] = Field(default_factory=list)

    def canonical(self, name: str) -> str:
        return self.canonical_of.get(normalise_key(name), name)

    def aliases(self) -> dict[str, list[str]]:
        """Canonical key -> the alias names merged into it."""
        found: dict[str, list[str]] = {}
        for m in self.merges:
            found.setdefault(normalise_key(m.canonical), []).append(m.alias)
        return found

    def apply(self, record: ExtractedRecord) -> ExtractedRecord:
        """The record with every value name replaced by its canonical name."""
        ai = tuple(
            AIValueMention(name=self.canonical(m.name), explicit=m.explicit)
            for m in record.ai_values
        )
        human = tuple(self.canonical(n) for n in record.human_values)
        return record.model_copy(update={"ai_values": ai, "human_values": human})


def merge_near_duplicates(
    names: Sequence[str],
    vectors: Vectors,
    *,
    counts: Mapping[str, int] | None = None,
    existing: Collection[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
) -> Normalisation:
    """Normalise ``names`` (one unit vector per name, same order); see the module docstring."""
    if len(names) != len(vectors):
        raise ValueError("one vector per name is required")
    key_counts: Counter[str] = Counter()
    for name, n in (counts or {}).items():
        key_counts[normalise_key(name)] += n
    existing_keys = {normalise_key(n) for n in existing}
    display, first_index = _by_key(names)
    order = sorted(
        display,
        key=lambda k: (k not in existing_keys, -key_counts[k], k),
    )
    canonical_of: dict[str, str] = {}
    merges: list[Merge] = []
    kept = np.zeros((len(order), vectors.shape[1] if len(vectors) else 0), dtype=np.float32)
    kept_names: list[str] = []
    for key in order:
        vector = vectors[first_index[key]]
        if kept_names and key not in existing_keys:
            similarities = kept[: len(kept_names)] @ vector
            best = int(np.argmax(similarities))
            if similarities[best] >= threshold:
                canonical_of[key] = kept_names[best]
                similarity = round(float(similarities[best]), 4)
                merges.append(
                    Merge(alias=display[key], canonical=kept_names[best], similarity=similarity)
                )
                continue
        kept[len(kept_names)] = vector
        kept_names.append(display[key])
        canonical_of[key] = display[key]
    return Normalisation(threshold=threshold, canonical_of=canonical_of, merges=merges)


def _by_key(names: Iterable[str]) -> tuple[dict[str, str], dict[str, int]]:
    """First display name and first position of each distinct key."""
    display: dict[str, str] = {}
    first_index: dict[str, int] = {}
    for index, name in enumerate(names):
        key = normalise_key(name)
        if key and key not in display:
            display[key] = name.strip()
            first_index[key] = index
    return display, first_index


def value_names(records: Iterable[ExtractedRecord]) -> dict[str, int]:
    """Every AI and human value in ``records`` (first spelling of each key) -> conversations."""
    display: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for record in records:
        names = dict(record.human_value_keys())
        names.update({key: name for key, (name, _) in record.ai_value_keys().items()})
        for key, name in names.items():
            display.setdefault(key, name)
            counts[key] += 1
    return {display[key]: n for key, n in counts.items()}
