"""Build a hierarchical taxonomy of values (or tasks) by k-means over their embeddings.

As in the paper: level 0 is the individual values; each level above clusters the one below with
k-means (scikit-learn), by default into about n/12, then 26, then 5 clusters. Every level is
configurable (``"n/12,26,5"``) and the result is deterministic for a seed: k-means gets the seed,
runs single-threaded (see :func:`_kmeans`), and cluster ids are derived from their members.
A level with more points than ``minibatch_above`` (default 100,000, the setting
``VALUEGRAPH_TAXONOMY_MINIBATCH_ABOVE``) is clustered with MiniBatchKMeans instead, which needs
memory for a batch rather than for the whole distance matrix; it is as deterministic for a seed.

Names come from a *namer*, called level by level from the bottom, so a level can be named from
the names below it: :func:`offline_namer` (the medoid plus distinctive terms) or
:class:`ClaudeNamer` (members against nearby non-members, as Clio does).

The result (a :class:`valuegraph.domain.Taxonomy`) exports to, and reads back from, the
``values_tree.csv`` format of the released data (:mod:`ingest.taxonomy_csv`).
"""

from __future__ import annotations

import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from valuegraph.domain import Cluster, ClusterKind, Leaf, Taxonomy
from valuegraph.errors import ExtractionError, InputError
from valuegraph.ingest.embed import Vectors
from valuegraph.ingest.extract import ClaudeClient, cache_key
from valuegraph.ingest.prompts import (
    CLUSTER_PROMPT_VERSION,
    CLUSTER_SYSTEM_PROMPT,
    ClusterLabel,
    cluster_tool,
)
from valuegraph.keys import normalise_key

VALUE_KIND = ClusterKind.AI_VALUE
TASK_KIND = ClusterKind.TASK
# Cluster ids follow the released file: ``ai_values:l1:<uuid>``; tasks get ``tasks:l1:<uuid>``.
ID_PREFIX: dict[str, str] = {VALUE_KIND: "ai_values", TASK_KIND: "tasks"}
DEFAULT_LEVELS = "n/12,26,5"
MINIBATCH_ABOVE = 100_000
# MiniBatchKMeans' smallest batch. A batch also holds at least three points per cluster: with
# sklearn's default of 1,024 (or 4,096) and thousands of clusters, each centroid moved about once
# a batch and the clusters came out far looser (mean cosine to centroid 0.60 against 0.86 for
# full k-means, 24,000 values into 2,000 clusters); with three per cluster they match (0.86).
MINIBATCH_SIZE = 4096
MINIBATCH_PER_CLUSTER = 3
_ID_NAMESPACE = uuid.UUID("8f5e1c52-3b7d-4a59-9d0e-6a1f0c2b7e44")


# --- level sizes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelSize:
    """A level's number of clusters: fixed (``26``) or a share of the level below (``n/12``)."""

    count: int | None = None
    divisor: int | None = None

    def resolve(self, n: int) -> int:
        wanted = round(n / self.divisor) if self.divisor else (self.count or 1)
        return max(1, min(wanted, n))

    def __str__(self) -> str:
        return f"n/{self.divisor}" if self.divisor else str(self.count)


def parse_levels(text: str) -> tuple[LevelSize, ...]:
    """``"n/12,26,5"`` -> three levels; an InputError names the bad item."""
    sizes = []
    for item in (part.strip() for part in text.split(",")):
        fraction = re.fullmatch(r"n\s*/\s*(\d+)", item)
        if fraction and int(fraction.group(1)) > 0:
            sizes.append(LevelSize(divisor=int(fraction.group(1))))
        elif item.isdigit() and int(item) > 0:
            sizes.append(LevelSize(count=int(item)))
        else:
            raise InputError(f"--levels: {item!r} is neither a count (26) nor a share (n/12)")
    if not sizes:
        raise InputError("--levels: give at least one level, e.g. n/12,26,5")
    return tuple(sizes)


# --- the result ---------------------------------------------------------------------------------


# --- clustering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A cluster before it has a name."""

    level: int
    children: tuple[int, ...]  # indices into the level below
    leaves: tuple[int, ...]  # indices into the leaves
    centroid: Vectors


def _kmeans(
    vectors: Vectors,
    k: int,
    seed: int,
    weights: np.ndarray | None = None,
    minibatch_above: int = MINIBATCH_ABOVE,
) -> np.ndarray:
    if k >= len(vectors):
        return np.arange(len(vectors))
    # scikit-learn takes seconds to import, and every start of the command line would pay them
    # if this module imported it at the top; it is needed only once a level is clustered.
    from sklearn.cluster import KMeans, MiniBatchKMeans

    model: KMeans | MiniBatchKMeans
    if len(vectors) > minibatch_above:
        # Full k-means holds an n x k distance block per iteration and visits every point each
        # time; at 100k+ values and n/12 clusters that is gigabytes and hours.
        batch = max(MINIBATCH_SIZE, MINIBATCH_PER_CLUSTER * k)
        model = MiniBatchKMeans(
            n_clusters=k,
            random_state=seed,
            # One k-means++ start, sklearn's own default here: at this size the seeding alone is
            # most of the run, and more starts buy little once every batch moves the centroids.
            n_init=1,
            batch_size=batch,
            init_size=max(3 * MINIBATCH_SIZE, MINIBATCH_PER_CLUSTER * k),
            # Stop after 50 batches without improvement (sklearn: 10), as the loss of one batch
            # is noisy when each cluster sees only a few points of it.
            max_no_improvement=50,
        )
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=3, max_iter=300)
    # One thread: with OpenMP and two OpenBLAS pools on a shared 2-core machine, k-means spent 30x
    # longer spinning than computing (32 s vs 1 s for 3,307 x 276); one thread is also the
    # simplest way to be bit-for-bit reproducible for a seed.
    with threadpool_limits(limits=1):
        return np.asarray(model.fit_predict(vectors, sample_weight=weights))


def _unit(vector: np.ndarray) -> Vectors:
    norm = float(np.linalg.norm(vector))
    return np.asarray(vector / norm if norm else vector, dtype=np.float32)


def cluster_levels(
    vectors: Vectors,
    sizes: Sequence[LevelSize],
    seed: int,
    minibatch_above: int = MINIBATCH_ABOVE,
) -> list[list[Draft]]:
    """Hierarchical k-means: each level clusters the centroids of the level below."""
    below_vectors = vectors
    below_leaves: list[tuple[int, ...]] = [(i,) for i in range(len(vectors))]
    levels: list[list[Draft]] = []
    for level, size in enumerate(sizes, start=1):
        # Above level 1 each point is a cluster, weighted by its size: otherwise one outlying
        # singleton is as heavy as a cluster of 80 values and keeps a top-level slot to itself.
        weights = np.array([len(leaves) for leaves in below_leaves], dtype=np.float64)
        k = size.resolve(len(below_vectors))
        labels = _kmeans(below_vectors, k, seed, weights, minibatch_above)
        drafts = []
        for label in sorted(set(labels.tolist())):
            children = tuple(int(i) for i in np.flatnonzero(labels == label))
            leaves = tuple(sorted(leaf for child in children for leaf in below_leaves[child]))
            drafts.append(Draft(level, children, leaves, _unit(vectors[list(leaves)].mean(axis=0))))
        # Order by first leaf, so the order (and so every id and CSV row) is independent of
        # whatever label numbers k-means happened to assign.
        drafts.sort(key=lambda d: d.leaves[0])
        levels.append(drafts)
        below_vectors = np.stack([d.centroid for d in drafts])
        below_leaves = [d.leaves for d in drafts]
    return levels


def cluster_id(kind: str, level: int, leaf_names: Sequence[str]) -> str:
    """Derived from the members: the same clustering gives the same ids, run after run."""
    members = "\x1f".join(sorted(normalise_key(n) for n in leaf_names))
    digest = uuid.uuid5(_ID_NAMESPACE, f"{kind}:{level}:{members}")
    return f"{ID_PREFIX.get(kind, kind)}:l{level}:{digest}"


# --- naming ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelToName:
    """What a namer sees for one level."""

    level: int
    drafts: list[Draft]
    below_names: list[str]  # the names one level down (leaf names at level 1)
    below_vectors: Vectors
    leaf_names: Sequence[str]
    leaf_vectors: Vectors
    leaf_counts: Sequence[int]


Namer = Callable[[LevelToName], list[ClusterLabel]]

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "of",
        "the",
        "to",
        "for",
        "in",
        "on",
        "with",
        "by",
        "as",
        "or",
        "at",
        "from",
        "into",
    ]
)


def offline_namer(level: LevelToName) -> list[ClusterLabel]:
    """The medoid leaf, plus the cluster's most distinctive words (tf-idf over leaf names)."""
    word_counts = [_words(level, d) for d in level.drafts]
    spread = Counter(word for counts in word_counts for word in counts)
    labels = []
    for draft, counts in zip(level.drafts, word_counts, strict=True):
        medoid = _medoid(level, draft)
        idf = {w: math.log(len(level.drafts) / spread[w]) + 1 for w in counts}
        terms = sorted(counts, key=lambda w: (-counts[w] * idf[w], w))
        distinctive = [t for t in terms if t not in medoid.split()][:3]
        name = medoid if level.level == 1 or not distinctive else f"{medoid} and {distinctive[0]}"
        examples = sorted(draft.leaves, key=lambda i: (-level.leaf_counts[i], level.leaf_names[i]))
        shown = ", ".join(level.leaf_names[i] for i in examples[:5])
        description = (
            f"{len(draft.leaves)} values around '{medoid}'"
            + (f"; distinctive terms: {', '.join(distinctive)}" if distinctive else "")
            + f"; e.g. {shown}. Named offline (medoid and terms)."
        )
        labels.append(ClusterLabel(name=name, description=description))
    return labels


def _words(level: LevelToName, draft: Draft) -> Counter[str]:
    counts: Counter[str] = Counter()
    for leaf in draft.leaves:
        for word in re.findall(r"[a-z]+", normalise_key(level.leaf_names[leaf])):
            if word not in _STOPWORDS and len(word) > 2:
                counts[word] += level.leaf_counts[leaf]
    return counts


def _medoid(level: LevelToName, draft: Draft) -> str:
    leaves = list(draft.leaves)
    closeness = level.leaf_vectors[leaves] @ draft.centroid
    best = max(
        range(len(leaves)),
        key=lambda i: (round(float(closeness[i]), 6), level.leaf_counts[leaves[i]], -i),
    )
    return level.leaf_names[leaves[best]]


class ClaudeNamer:
    """Names each cluster from its members and the nearest non-members (Clio's contrast)."""

    def __init__(
        self, client: ClaudeClient, *, concurrency: int = 8, members: int = 25, contrast: int = 12
    ) -> None:
        self.client = client
        self.concurrency = concurrency
        self.members = members
        self.contrast = contrast
        self.fallbacks = 0  # clusters named offline because Claude's answer failed

    def __call__(self, level: LevelToName) -> list[ClusterLabel]:
        offline = offline_namer(level)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = [pool.submit(self._one, level, d) for d in level.drafts]
        labels = []
        for future, fallback in zip(futures, offline, strict=True):
            try:
                labels.append(future.result())
            except ExtractionError as e:
                self.fallbacks += 1
                labels.append(
                    ClusterLabel(
                        name=fallback.name,
                        description=f"{fallback.description} (Claude failed: {e})"[:1000],
                    )
                )
        return labels

    def _one(self, level: LevelToName, draft: Draft) -> ClusterLabel:
        inside = set(draft.children)
        ranked = np.argsort(-(level.below_vectors @ draft.centroid), kind="stable")
        members = [level.below_names[i] for i in ranked if i in inside][: self.members]
        nearby = [level.below_names[i] for i in ranked if i not in inside][: self.contrast]
        what = "values" if level.level == 1 else "clusters of values"
        content = (
            f"<members kind='{what}'>\n" + "\n".join(members) + "\n</members>\n"
            "<nearby_non_members>\n" + "\n".join(nearby) + "\n</nearby_non_members>"
        )
        request = self.client.tool_request(
            system=CLUSTER_SYSTEM_PROMPT, tool=cluster_tool(), content=content
        )
        key = cache_key(self.client.model, CLUSTER_PROMPT_VERSION, content)
        return self.client.call_tool(request, ClusterLabel, key)


# --- putting it together ------------------------------------------------------------------------


def build_taxonomy(
    names: Sequence[str],
    vectors: Vectors,
    *,
    counts: Mapping[str, int] | None = None,
    levels: Sequence[LevelSize] = parse_levels(DEFAULT_LEVELS),
    seed: int = 0,
    kind: str = VALUE_KIND,
    namer: Namer = offline_namer,
    minibatch_above: int = MINIBATCH_ABOVE,
) -> Taxonomy:
    """Cluster ``names`` (one unit vector each) into ``levels`` and name every cluster.

    A level with more than ``minibatch_above`` points is clustered by MiniBatchKMeans.
    """
    if len(names) != len(vectors) or not names:
        raise InputError("the taxonomy needs at least one name, and one vector per name")
    leaf_counts = [max(1, (counts or {}).get(n, 1)) for n in names]
    if minibatch_above < 1:
        raise InputError(f"minibatch_above must be at least 1, got {minibatch_above}")
    drafts_by_level = cluster_levels(vectors, levels, seed, minibatch_above)
    below_names, below_vectors = list(names), vectors
    ids_by_level: list[list[str]] = []
    labels_by_level: list[list[ClusterLabel]] = []
    for drafts in drafts_by_level:
        level = drafts[0].level
        ids_by_level.append([cluster_id(kind, level, [names[i] for i in d.leaves]) for d in drafts])
        labels = namer(
            LevelToName(level, drafts, below_names, below_vectors, names, vectors, leaf_counts)
        )
        labels_by_level.append(labels)
        below_names = [label.name for label in labels]
        below_vectors = np.stack([d.centroid for d in drafts])
    return _assemble(kind, names, leaf_counts, drafts_by_level, ids_by_level, labels_by_level)


def _assemble(
    kind: str,
    names: Sequence[str],
    leaf_counts: Sequence[int],
    drafts_by_level: list[list[Draft]],
    ids_by_level: list[list[str]],
    labels_by_level: list[list[ClusterLabel]],
) -> Taxonomy:
    parent_of_leaf: dict[int, str] = {}
    for draft, cid in zip(drafts_by_level[0], ids_by_level[0], strict=True):
        parent_of_leaf.update({leaf: cid for leaf in draft.leaves})
    clusters = []
    for depth, drafts in enumerate(drafts_by_level):
        parents: dict[int, str] = {}
        if depth + 1 < len(drafts_by_level):
            for draft, cid in zip(drafts_by_level[depth + 1], ids_by_level[depth + 1], strict=True):
                parents.update({child: cid for child in draft.children})
        for index, (draft, cid, label) in enumerate(
            zip(drafts, ids_by_level[depth], labels_by_level[depth], strict=True)
        ):
            clusters.append(
                Cluster(
                    id=cid,
                    level=draft.level,
                    name=label.name,
                    description=label.description,
                    parent_id=parents.get(index),
                )
            )
    leaves = tuple(
        Leaf(name=n, parent_id=parent_of_leaf.get(i), count=leaf_counts[i])
        for i, n in enumerate(names)
    )
    return Taxonomy(kind=kind, leaves=leaves, clusters=tuple(clusters))
