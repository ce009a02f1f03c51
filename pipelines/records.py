"""Records files into the graph: the transactional path and the offline bulk path.

``ingest_records`` validates a file and writes it in ``UNWIND`` batches (or only validates,
given no graph). ``bulk_ingest_records`` builds the empty local database offline: it has
every part of the file written as the importer's CSV files, stops the server, imports, starts
it again, and writes the last record of each repeated conversation transactionally.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from valuegraph.domain import ExtractedRecord
from valuegraph.errors import ServerError
from valuegraph.graph.bulk import (
    ID_DRAWS,
    IdCollision,
    ImportFiles,
    Part,
    combine_parts,
    delete_conversations,
    ensure_bulk_target,
    graph_size,
    last_records,
    run_import,
    write_part,
)
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.graph.writer import LoadStats, load_records
from valuegraph.ingest.jsonl import Quarantine, Span
from valuegraph.ingest.load import (
    PartTally,
    RecordTally,
    gather_part_rejections,
    record_spans,
    valid_records,
)
from valuegraph.settings import Settings

Say = Callable[[str], None]


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


def ingest_records(
    path: Path,
    graph: Graph | None,
    *,
    batch_size: int = 5000,
    workers: int = 2,
    store_text: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Load every valid line of ``path``; with ``graph=None`` only validate (dry run)."""
    tally = RecordTally()
    with Quarantine(path) as quarantine:
        valid = valid_records(path, quarantine, tally, on_progress)
        if graph is None:
            stats = LoadStats()
            for _ in valid:
                pass
        else:
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


@dataclass(frozen=True)
class BulkStats:
    """What the bulk path wrote, and how long its phases took."""

    conversations: int
    relationships: int
    duplicates: int
    csv_seconds: float
    import_seconds: float
    total_seconds: float
    parts: int = 1


def bulk_ingest_records(
    path: Path, settings: Settings, *, on_phase: Say | None = None
) -> IngestSummary:
    """Load ``path`` into the empty local database with ``neo4j-admin database import``.

    A plain file is read by several processes at once, each from its own span of lines.
    """
    processes = settings.bulk_processes or len(os.sched_getaffinity(0))
    spans = record_spans(path, processes)
    tallies: list[PartTally] = []
    tally = RecordTally()
    with (
        Quarantine(path) as quarantine,
        tempfile.TemporaryDirectory(prefix="valuegraph-bulk-") as scratch,
    ):
        rejected = [Path(scratch) / f"rejected.{number}.jsonl" for number in range(len(spans))]
        try:
            stats = _bulk_load(
                _PartJobs(path, spans, rejected, tallies), settings, on_phase or (lambda _: None)
            )
        finally:
            gather_part_rejections(path, rejected, tallies, quarantine, tally)
    return _summary(
        path,
        tally,
        quarantine,
        loaded=tally.accepted,
        relationships=stats.relationships,
        seconds=stats.total_seconds,
    )


@dataclass(frozen=True)
class _PartJobs:
    """The input's spans, where each part's rejections go, and what each part read."""

    path: Path
    spans: list[Span]
    rejected: list[Path]
    # Filled in by write(): what the last draw of ids read, gathered even when the load fails.
    tallies: list[PartTally]

    def write(self, folder: Path, salt: int, say: Say) -> list[Part]:
        """Every part's files in ``folder``: one process per part when there are several."""
        alone = len(self.spans) == 1
        jobs = [
            (self.path, span, folder, n, salt, self.rejected[n], alone)
            for n, span in enumerate(self.spans)
        ]
        if len(jobs) == 1:
            done = [_write_bulk_part(*jobs[0])]
        else:
            say(f"{len(jobs)} processes, each writing the files of its part of {self.path}")
            # Spawned, not forked: the parent holds driver threads and open sockets.
            with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
                done = list(pool.map(_write_bulk_part, *zip(*jobs, strict=True)))
        self.tallies[:] = [part_tally for _, part_tally in done]
        return [part for part, _ in done]


def _write_bulk_part(
    path: Path, span: Span, folder: Path, number: int, salt: int, rejected: Path, alone: bool
) -> tuple[Part, PartTally]:
    """One process's part of the bulk path's files; its rejections go to ``rejected``, with
    line numbers counted from the part's first line."""
    tally = RecordTally()
    with Quarantine(path, path=rejected) as quarantine:
        records = valid_records(path, quarantine, tally, span=span)
        part = write_part(records, folder, number, salt, alone=alone)
    return part, PartTally(tally.read, tally.accepted)


def _bulk_load(jobs: _PartJobs, settings: Settings, say: Say) -> BulkStats:
    """Write the importer's files, import them offline, then put the schema and the last
    record of each repeated conversation in place."""
    started = time.perf_counter()
    server = ensure_bulk_target(settings)
    folder = server.import_dir / "bulk"
    say("writing CSV files for neo4j-admin import")
    try:
        files = _write_import_files(jobs, folder, say)
        repeated = _repeated_records(jobs.path, files)
        csv_done = time.perf_counter()
        run_import(server, folder, settings.neo4j_database, files, say)
        import_done = time.perf_counter()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    conversations, relationships = files.conversations, files.relationships
    with Graph.connect(settings) as graph:
        if repeated:
            # Before the schema: a conversation two parts wrote is two nodes with one id.
            say(f"removing {len(repeated)} repeated conversation(s), to load their last record")
            delete_conversations(graph, repeated)
        say("creating constraints and indexes")
        apply_schema(graph)
        if repeated:
            load_records(graph, repeated.values(), batch_size=settings.batch_size)
            conversations, relationships = graph_size(graph)
    return BulkStats(
        conversations=conversations,
        relationships=relationships,
        duplicates=len(repeated),
        csv_seconds=csv_done - started,
        import_seconds=import_done - csv_done,
        total_seconds=time.perf_counter() - started,
        parts=files.parts,
    )


def _write_import_files(jobs: _PartJobs, folder: Path, say: Say) -> ImportFiles:
    """The parts and their shared files, drawing the import ids again while two collide."""
    for salt in range(ID_DRAWS):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        try:
            return combine_parts(jobs.write(folder, salt, say), folder, salt)
        except IdCollision as collision:
            say(f"two keys drew one import id ({collision}); drawing the ids again")
    raise ServerError(f"import ids collided under {ID_DRAWS} salts; please report this")


def _repeated_records(path: Path, files: ImportFiles) -> dict[str, ExtractedRecord]:
    """The last record of each repeated conversation id; the file is read again only if any."""
    if not (files.duplicates or files.across_parts):
        return {}
    return last_records(valid_records(path, None, RecordTally()), files)


def _summary(
    path: Path,
    tally: RecordTally,
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
