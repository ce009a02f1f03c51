"""Records files into the graph: read, validate, quarantine, load in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.jsonl import Accepted, Quarantine, read_jsonl
from ingest.records import ExtractedRecord

if TYPE_CHECKING:
    from graph.connection import Graph


@dataclass(frozen=True)
class IngestSummary:
    """The outcome of one ingest: what was read, loaded and rejected."""

    path: Path
    read: int
    valid: int
    loaded: int
    rejected: int
    relationships: int
    seconds: float
    quarantine: Path | None
    first_rejections: tuple[str, ...]


@dataclass
class _Tally:
    read: int = 0
    accepted: int = 0


def ingest_record_file(
    path: Path,
    graph: Graph | None,
    *,
    batch_size: int = 5000,
    workers: int = 2,
    store_text: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Load every valid line of ``path``; with ``graph=None`` only validate (dry run)."""
    from graph.writer import LoadStats, load_records

    tally = _Tally()
    shown: list[str] = []
    with Quarantine(path) as quarantine:

        def valid_records() -> Iterator[ExtractedRecord]:
            for result in read_jsonl(path, ExtractedRecord.model_validate):
                tally.read += 1
                if isinstance(result, Accepted):
                    tally.accepted += 1
                    yield result.item
                else:
                    quarantine.add(result)
                    if len(shown) < 10:
                        shown.append(result.message())
                if on_progress is not None and tally.read % 1000 == 0:
                    on_progress(tally.read)

        if graph is None:
            stats = LoadStats()
            for _ in valid_records():
                pass
        else:
            from graph.schema import apply_schema

            apply_schema(graph)
            stats = load_records(
                graph,
                valid_records(),
                batch_size=batch_size,
                workers=workers,
                store_text=store_text,
            )
        if on_progress is not None:
            on_progress(tally.read)
        rejected = quarantine.count
    return IngestSummary(
        path=path,
        read=tally.read,
        valid=tally.accepted,
        loaded=tally.accepted if graph is not None else 0,
        rejected=rejected,
        relationships=stats.relationships,
        seconds=stats.seconds,
        quarantine=quarantine.path if rejected else None,
        first_rejections=tuple(shown),
    )


@dataclass(frozen=True)
class TaxonomySummary:
    clusters: int
    values: int
    frequencies: int
    rejected: int
    quarantine: tuple[Path, ...]
    first_rejections: tuple[str, ...]


def ingest_taxonomy_files(
    tree: Path, frequencies: Path | None, graph: Graph | None
) -> TaxonomySummary:
    """Read the released taxonomy files, check the hierarchy, and write it (unless a dry run)."""
    from graph.writer import TaxonomyRows, load_taxonomy
    from ingest.taxonomy_csv import ClusterRow, ValueRow, read_frequencies, read_tree

    clusters: list[ClusterRow] = []
    values: list[ValueRow] = []
    shown: list[str] = []
    quarantines: list[Path] = []
    rejected = 0
    with Quarantine(tree) as quarantine:
        for item in read_tree(tree):
            if isinstance(item, ClusterRow):
                clusters.append(item)
            elif isinstance(item, ValueRow):
                values.append(item)
            else:
                quarantine.add(item)
                shown.append(item.message())
        rejected += quarantine.count
        if quarantine.count:
            quarantines.append(quarantine.path)
    known_ids = {cluster.id for cluster in clusters}
    orphans = [c.id for c in clusters if c.parent_id and c.parent_id not in known_ids]
    orphans += [v.name for v in values if v.parent_id and v.parent_id not in known_ids]
    if orphans:
        from valuegraph.errors import InputError

        raise InputError(
            f"{tree}: {len(orphans)} row(s) name a parent_cluster_id that no row defines, "
            f"first: {orphans[0]!r}"
        )
    freq_rows = []
    if frequencies is not None:
        from ingest.taxonomy_csv import FrequencyRow

        with Quarantine(frequencies) as quarantine:
            for entry in read_frequencies(frequencies):
                if isinstance(entry, FrequencyRow):
                    freq_rows.append(
                        {"key": entry.key, "name": entry.name, "pct": entry.pct_convos}
                    )
                else:
                    quarantine.add(entry)
                    shown.append(entry.message())
            rejected += quarantine.count
            if quarantine.count:
                quarantines.append(quarantine.path)
    if graph is not None:
        from graph.schema import apply_schema

        apply_schema(graph)
        rows = TaxonomyRows(
            clusters=[
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "level": c.level,
                    "kind": "ai_value",
                    "pct": c.pct_total_occurrences,
                    "parent": c.parent_id,
                }
                for c in clusters
            ],
            values=[
                {
                    "key": v.key,
                    "name": v.name,
                    "pct": v.pct_total_occurrences,
                    "parent": v.parent_id,
                }
                for v in values
            ],
            frequencies=freq_rows,
        )
        load_taxonomy(graph, rows)
    return TaxonomySummary(
        clusters=len(clusters),
        values=len(values),
        frequencies=len(freq_rows),
        rejected=rejected,
        quarantine=tuple(quarantines),
        first_rejections=tuple(shown[:10]),
    )
