"""From a request to bytes: plan the selection, learn its schema, stream the chosen format.

The command line and the HTTP route both go through :func:`prepare_export`, so they
share every option and guard. :meth:`PreparedExport.chunks` yields ``bytes`` of about
64 KiB as the subgraph streams from Neo4j; a CSV export is a zip in that case.
:meth:`PreparedExport.write_csv_directory` writes the CSV files into a folder instead.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

from valuegraph.errors import InputError
from valuegraph.files import open_private
from valuegraph.graph.connection import Graph
from valuegraph.graph.export.csv_import import csv_files
from valuegraph.graph.export.cypher_script import cypher_chunks
from valuegraph.graph.export.graphml import graphml_chunks
from valuegraph.graph.export.json_formats import JsonStyle, json_chunks
from valuegraph.graph.export.model import SubgraphSchema
from valuegraph.graph.export.reader import SubgraphReader
from valuegraph.graph.export.selection import Privacy, Selection, plan

CHUNK_BYTES = 1 << 16


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    JSON = "json"
    CSV = "csv"
    CYPHER = "cypher"


CONTENT_TYPES = {
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.JSON: "application/json",
    ExportFormat.CSV: "application/zip",
    ExportFormat.CYPHER: "text/plain; charset=utf-8",
}
# The file name a download gets; CSV streams as a zip of the import files.
EXTENSIONS = {
    ExportFormat.GRAPHML: ".graphml",
    ExportFormat.JSON: ".json",
    ExportFormat.CSV: ".zip",
    ExportFormat.CYPHER: ".cypher",
}


def format_for_path(path: str) -> ExportFormat | None:
    """The format an output name implies (``x.graphml`` -> GraphML), if any."""
    lowered = path.lower()
    for suffix, fmt in (
        (".graphml", ExportFormat.GRAPHML),
        (".json", ExportFormat.JSON),
        (".cypher", ExportFormat.CYPHER),
        (".cyp", ExportFormat.CYPHER),
        (".zip", ExportFormat.CSV),
    ):
        if lowered.endswith(suffix):
            return fmt
    return None


def resolve_format(output: str, fmt: str | None) -> ExportFormat:
    """The format given, else the one ``output``'s name implies; a folder is CSV."""
    if fmt is not None:
        return ExportFormat(fmt)
    implied = format_for_path(output)
    if implied is not None:
        return implied
    if output != "-" and (Path(output).is_dir() or output.endswith(os.sep)):
        return ExportFormat.CSV
    raise InputError(
        f"-o {output}: cannot tell the format from the name; give --format "
        f"({', '.join(f.value for f in ExportFormat)})"
    )


@dataclass(frozen=True)
class ExportRequest:
    """Everything that decides an export's content (the same from the CLI and over HTTP)."""

    selection: Selection
    format: ExportFormat
    json_style: JsonStyle = JsonStyle.CYTOSCAPE
    include_conversations: bool = False


@dataclass(frozen=True)
class ExportSummary:
    description: str
    nodes: int
    relationships: int
    excluded_conversations: int
    suppressed_nodes: int
    suppressed_pairs: int
    excluded_relationships: int
    bytes_written: int
    seconds: float


class PreparedExport:
    """A planned export: its schema is one call away, its content a stream."""

    def __init__(self, request: ExportRequest, reader: SubgraphReader) -> None:
        self.request = request
        self.reader = reader
        self.bytes_written = 0
        self._started = time.perf_counter()

    @property
    def schema(self) -> SubgraphSchema:
        return self.reader.schema

    @property
    def total(self) -> int:
        """Elements to write (nodes and relationships), for a progress bar."""
        return self.schema.node_count + self.schema.relationship_count

    def chunks(self) -> Iterator[bytes]:
        """The export's bytes (a zip of the import files for CSV), about 64 KiB at a time."""
        fmt = self.request.format
        pieces = self._zip() if fmt is ExportFormat.CSV else _encoded(self._text())
        for piece in pieces:
            self.bytes_written += len(piece)
            yield piece

    def _text(self) -> Iterator[str]:
        fmt = self.request.format
        if fmt is ExportFormat.GRAPHML:
            return graphml_chunks(self.reader)
        if fmt is ExportFormat.JSON:
            return json_chunks(self.reader, self.request.json_style)
        return cypher_chunks(self.reader)

    def _zip(self) -> Iterator[bytes]:
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for csv_file in csv_files(self.reader):
                with archive.open(csv_file.name, "w", force_zip64=True) as entry:
                    for piece in _encoded(csv_file.chunks):
                        entry.write(piece)
                        if sink.size >= CHUNK_BYTES:
                            yield sink.drain()
        yield sink.drain()

    def open_output(self, path: Path) -> IO[bytes]:
        """A file of this export for writing: owner-only when it holds conversations."""
        if self.request.include_conversations:
            return open_private(path, "wb")
        return path.open("wb")

    def write_csv_directory(self, folder: Path) -> list[Path]:
        """Write the CSV files (and ``import.args``) into ``folder``, which must be empty."""
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise InputError(f"-o {folder}: for CSV give a new or empty folder (or a .zip name)")
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for csv_file in csv_files(self.reader):
            path = folder / csv_file.name
            with self.open_output(path) as handle:
                for piece in _encoded(csv_file.chunks):
                    handle.write(piece)
                    self.bytes_written += len(piece)
            written.append(path)
        return written

    def write_to(self, target: Path) -> None:
        """Write the export to ``target``: CSV into a folder unless the name is a .zip, any
        other format into one file."""
        fmt = self.request.format
        if fmt is ExportFormat.CSV and format_for_path(str(target)) is not ExportFormat.CSV:
            self.write_csv_directory(target)
            return
        # Written beside the target and renamed at the end: a failed export leaves no half file.
        partial = target.with_name(target.name + ".partial")
        try:
            with self.open_output(partial) as handle:
                for piece in self.chunks():
                    handle.write(piece)
            partial.replace(target)
        except OSError as exc:
            raise InputError(f"-o {target}: cannot write ({exc.strerror})") from None
        finally:
            with suppress(OSError):  # a name the system refused cannot be there to remove
                partial.unlink(missing_ok=True)

    def summary(self) -> ExportSummary:
        schema = self.schema
        return ExportSummary(
            description=self.reader.plan.description,
            nodes=self.reader.nodes_read,
            relationships=self.reader.relationships_read,
            excluded_conversations=schema.excluded_conversations,
            suppressed_nodes=schema.suppressed_nodes,
            suppressed_pairs=self.reader.plan.suppressed_pairs,
            excluded_relationships=schema.excluded_relationships,
            bytes_written=self.bytes_written,
            seconds=time.perf_counter() - self._started,
        )


def prepare_export(
    graph: Graph,
    request: ExportRequest,
    *,
    min_conversations: int,
    on_progress: Callable[[int], None] | None = None,
) -> PreparedExport:
    """Check and plan ``request`` (reads the graph; refuses write queries before they run)."""
    privacy = Privacy(request.include_conversations, min_conversations)
    subgraph = plan(graph, request.selection, privacy)
    return PreparedExport(request, SubgraphReader(graph, subgraph, on_progress))


def _encoded(chunks: Iterator[str], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """UTF-8 bytes in pieces of about ``size``, so writes are few and large."""
    pending: list[str] = []
    pending_chars = 0
    for chunk in chunks:
        pending.append(chunk)
        pending_chars += len(chunk)
        if pending_chars >= size:
            yield "".join(pending).encode("utf-8")
            pending.clear()
            pending_chars = 0
    if pending:
        yield "".join(pending).encode("utf-8")


class _Sink(io.RawIOBase):
    """A write-only, unseekable buffer: zipfile streams into it, :meth:`drain` empties it."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        piece = bytes(data)
        self._parts.append(piece)
        self.size += len(piece)
        return len(piece)

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return out
