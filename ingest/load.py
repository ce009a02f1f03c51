"""A records file read for loading: its valid records, its rejections quarantined and counted,
and its cut into spans that processes read side by side.

Nothing here writes to the graph; :mod:`valuegraph.pipelines.records` joins this to the
graph's writers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from valuegraph.domain import ExtractedRecord
from valuegraph.ingest.jsonl import (
    Accepted,
    Quarantine,
    Rejection,
    Span,
    read_jsonl,
    read_rejections,
    split_lines,
)

# A part of the input smaller than this is not worth a process of its own.
MIN_PART_BYTES = 32 << 20
# Rejections shown to the user; the rest are in the quarantine file.
SHOWN_REJECTIONS = 10


@dataclass
class RecordTally:
    """Lines read and accepted so far, and the first rejections' messages."""

    read: int = 0
    accepted: int = 0
    shown: list[str] = field(default_factory=list)

    def show(self, rejection: Rejection) -> None:
        if len(self.shown) < SHOWN_REJECTIONS:
            self.shown.append(rejection.message())


def valid_records(
    path: Path,
    quarantine: Quarantine | None,
    tally: RecordTally,
    on_progress: Callable[[int], None] | None = None,
    *,
    span: Span | None = None,
) -> Iterator[ExtractedRecord]:
    """The valid records of ``path`` (or of its ``span``); rejections go to ``quarantine``
    (None: a later pass, which counts nothing)."""
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
                tally.show(result)  # type: ignore[arg-type]
        if isinstance(result, Accepted):
            yield result.item


def record_spans(path: Path, processes: int) -> list[Span]:
    """``path`` cut into at most ``processes`` spans of whole lines, none below MIN_PART_BYTES."""
    return split_lines(path, processes, min_bytes=MIN_PART_BYTES)


@dataclass(frozen=True)
class PartTally:
    """What one process read of its span."""

    read: int
    accepted: int


def gather_part_rejections(
    path: Path,
    rejected: list[Path],
    tallies: list[PartTally],
    quarantine: Quarantine,
    tally: RecordTally,
) -> None:
    """Move each part's rejections into ``path``'s quarantine, in input order, and add the
    parts' counts to ``tally``; each part's line numbers move on by the lines before it."""
    line_offset = 0
    for number, part_tally in enumerate(tallies):
        for rejection in read_rejections(rejected[number], path, line_offset):
            quarantine.add(rejection)
            tally.show(rejection)
        line_offset += part_tally.read
    tally.read = sum(part_tally.read for part_tally in tallies)
    tally.accepted = sum(part_tally.accepted for part_tally in tallies)
