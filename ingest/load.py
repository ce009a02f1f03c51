"""Records files into the graph: read, validate, quarantine, load in batches."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from valuegraph.ingest.jsonl import (
    Accepted,
    Quarantine,
    Span,
    read_jsonl,
    read_rejections,
    split_lines,
)
from valuegraph.ingest.records import ExtractedRecord

if TYPE_CHECKING:
    from valuegraph.graph.bulk import Part
    from valuegraph.graph.connection import Graph
    from valuegraph.settings import Settings


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
    shown: list[str] = field(default_factory=list)


def _valid_records(
    path: Path,
    quarantine: Quarantine | None,
    tally: _Tally,
    on_progress: Callable[[int], None] | None,
    *,
    span: Span | None = None,
) -> Iterator[ExtractedRecord]:
    """The valid records of ``path`` (or of its ``span``); rejections go to ``quarantine``
    (None: a later pass)."""
    records = read_jsonl(
        path, ExtractedRecord.model_validate, ExtractedRecord.model_validate_json, span=span
    )
    for result in records:
        accepted = isinstance(result, Accepted)
        if quarantine is not None:
            # Counted before the yield: a consumer may never resume after the last record.
            tally.read += 1
            tally.accepted += accepted
            if on_progress is not None and tally.read % 1000 == 0:
                on_progress(tally.read)
            if not accepted:
                quarantine.add(result)  # type: ignore[arg-type]
                if len(tally.shown) < 10:
                    tally.shown.append(result.message())  # type: ignore[union-attr]
        if isinstance(result, Accepted):
            yield result.item


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
    from valuegraph.graph.writer import LoadStats, load_records

    tally = _Tally()
    with Quarantine(path) as quarantine:
        valid = _valid_records(path, quarantine, tally, on_progress)
        if graph is None:
            stats = LoadStats()
            for _ in valid:
                pass
        else:
            from valuegraph.graph.schema import apply_schema

            apply_schema(graph)
            stats = load_records(
                graph, valid, batch_size=batch_size, workers=workers, store_text=store_text
            )
        if on_progress is not None:
            on_progress(tally.read)
    return _summary(
        path,
        tally,
        quarantine,
        loaded=0 if graph is None else tally.accepted,
        relationships=stats.relationships,
        seconds=stats.seconds,
    )


# A part of the input smaller than this is not worth a process of its own.
MIN_PART_BYTES = 32 << 20


@dataclass(frozen=True)
class _PartTally:
    read: int
    accepted: int


def _write_bulk_part(
    path: Path, span: Span, folder: Path, number: int, salt: int, rejected: Path, alone: bool
) -> tuple[Part, _PartTally]:
    """One process's part of the bulk path's files; its rejections go to ``rejected``, with
    line numbers counted from the part's first line."""
    from valuegraph.graph.bulk import write_part

    tally = _Tally()
    with Quarantine(path, path=rejected) as quarantine:
        records = _valid_records(path, quarantine, tally, None, span=span)
        part = write_part(records, folder, number, salt, alone=alone)
    return part, _PartTally(tally.read, tally.accepted)


def bulk_ingest_record_file(
    path: Path, settings: Settings, *, on_phase: Callable[[str], None] | None = None
) -> IngestSummary:
    """Load ``path`` into the empty local database with ``neo4j-admin database import``.

    A plain file is read by several processes at once, each from its own span of lines.
    """
    from valuegraph.graph.bulk import bulk_load

    processes = settings.bulk_processes or len(os.sched_getaffinity(0))
    spans = split_lines(path, processes, min_bytes=MIN_PART_BYTES)
    tallies: list[_PartTally] = []
    tally = _Tally()
    with (
        Quarantine(path) as quarantine,
        tempfile.TemporaryDirectory(prefix="valuegraph-bulk-") as scratch,
    ):
        rejected = [Path(scratch) / f"rejected.{number}.jsonl" for number in range(len(spans))]

        def write_parts(folder: Path, salt: int) -> list[Part]:
            alone = len(spans) == 1
            jobs = [
                (path, span, folder, n, salt, rejected[n], alone) for n, span in enumerate(spans)
            ]
            if len(jobs) == 1:
                done = [_write_bulk_part(*jobs[0])]
            else:
                if on_phase is not None:
                    on_phase(f"{len(jobs)} processes, each writing the files of its part of {path}")
                # Spawned, not forked: the parent holds driver threads and open sockets.
                with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
                    done = list(pool.map(_write_bulk_part, *zip(*jobs, strict=True)))
            tallies[:] = [part_tally for _, part_tally in done]
            return [part for part, _ in done]

        def records() -> Iterator[ExtractedRecord]:
            return _valid_records(path, None, _Tally(), None)

        try:
            stats = bulk_load(settings, write_parts, records, on_phase=on_phase)
        finally:
            # In input order, each part's line numbers moved on by the lines before it.
            line_offset = 0
            for number, part_tally in enumerate(tallies):
                for rejection in read_rejections(rejected[number], path, line_offset):
                    quarantine.add(rejection)
                    if len(tally.shown) < 10:
                        tally.shown.append(rejection.message())
                line_offset += part_tally.read
            tally.read = sum(part_tally.read for part_tally in tallies)
            tally.accepted = sum(part_tally.accepted for part_tally in tallies)
    return _summary(
        path,
        tally,
        quarantine,
        loaded=tally.accepted,
        relationships=stats.relationships,
        seconds=stats.total_seconds,
    )


def _summary(
    path: Path,
    tally: _Tally,
    quarantine: Quarantine,
    *,
    loaded: int,
    relationships: int,
    seconds: float,
) -> IngestSummary:
    return IngestSummary(
        path=path,
        read=tally.read,
        valid=tally.accepted,
        loaded=loaded,
        rejected=quarantine.count,
        relationships=relationships,
        seconds=seconds,
        quarantine=quarantine.path if quarantine.count else None,
        first_rejections=tuple(tally.shown),
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
    from valuegraph.graph.writer import TaxonomyRows, load_taxonomy
    from valuegraph.ingest.taxonomy_csv import ClusterRow, ValueRow, read_frequencies, read_tree

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
        from valuegraph.ingest.taxonomy_csv import FrequencyRow

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
        from valuegraph.graph.schema import apply_schema

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
