"""Taxonomy benchmark: embed 3,307 value names and build the paper's hierarchy (n/12, 26, 5).

Run: ``python -m bench.taxonomy [--values 3307] [--repeat 3]``

The names are built from 62 modifiers and 60 nouns ("epistemic humility", "family wellbeing"),
3,307 of them as in the released taxonomy; every repetition embeds them afresh with the bundled
all-MiniLM-L6-v2 on the CPU, then runs hierarchical k-means and the offline namer. Loading the
model is timed apart, once. Medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from valuegraph.ingest.embed import Embedder
from valuegraph.ingest.taxonomy_build import build_taxonomy, parse_levels

MODIFIERS = [
    "professional",
    "technical",
    "intellectual",
    "emotional",
    "ethical",
    "academic",
    "cultural",
    "personal",
    "user",
    "creative",
    "historical",
    "scientific",
    "financial",
    "environmental",
    "social",
    "legal",
    "medical",
    "educational",
    "practical",
    "epistemic",
    "artistic",
    "linguistic",
    "digital",
    "organizational",
    "interpersonal",
    "community",
    "family",
    "patient",
    "child",
    "workplace",
    "civic",
    "democratic",
    "economic",
    "spiritual",
    "physical",
    "mental",
    "religious",
    "political",
    "global",
    "local",
    "collaborative",
    "individual",
    "collective",
    "customer",
    "student",
    "scholarly",
    "clinical",
    "engineering",
    "design",
    "research",
    "literary",
    "musical",
    "culinary",
    "athletic",
    "parental",
    "romantic",
    "moral",
    "informational",
    "narrative",
    "procedural",
    "strategic",
]
NOUNS = [
    "integrity",
    "excellence",
    "honesty",
    "clarity",
    "rigor",
    "autonomy",
    "wellbeing",
    "responsibility",
    "accuracy",
    "competence",
    "sensitivity",
    "awareness",
    "boundaries",
    "empowerment",
    "growth",
    "safety",
    "privacy",
    "fairness",
    "transparency",
    "accountability",
    "precision",
    "respect",
    "humility",
    "creativity",
    "efficiency",
    "accessibility",
    "inclusivity",
    "reliability",
    "authenticity",
    "resilience",
    "curiosity",
    "empathy",
    "diligence",
    "consistency",
    "thoroughness",
    "objectivity",
    "openness",
    "loyalty",
    "justice",
    "dignity",
    "compassion",
    "courage",
    "patience",
    "trust",
    "freedom",
    "security",
    "quality",
    "innovation",
    "sustainability",
    "harmony",
    "balance",
    "discipline",
    "independence",
    "stewardship",
    "expression",
    "support",
    "understanding",
    "engagement",
]


def value_names(n: int, seed: int = 0) -> list[str]:
    names = [f"{m} {noun}" for m in MODIFIERS for noun in NOUNS]
    random.Random(seed).shuffle(names)
    if n > len(names):
        raise SystemExit(f"at most {len(names)} names")
    return names[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=3307)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--levels", default="n/12,26,5")
    args = parser.parse_args()
    names = value_names(args.values)
    started = time.perf_counter()
    embedder = Embedder()
    load = time.perf_counter() - started
    embed_times, cluster_times, totals = [], [], []
    for seed in range(args.repeat):
        started = time.perf_counter()
        vectors = embedder.encode(names)
        embedded = time.perf_counter()
        taxonomy = build_taxonomy(names, vectors, levels=parse_levels(args.levels), seed=seed)
        done = time.perf_counter()
        embed_times.append(embedded - started)
        cluster_times.append(done - embedded)
        totals.append(done - started)
    sizes = " -> ".join(str(n) for n in taxonomy.levels().values())
    print(
        f"taxonomy of {len(names)} values ({sizes}): median {statistics.median(totals):.1f} s "
        f"(embedding {statistics.median(embed_times):.1f} s, k-means and naming "
        f"{statistics.median(cluster_times):.1f} s) over {args.repeat} runs; "
        f"model load {load:.1f} s once"
    )


if __name__ == "__main__":
    main()
