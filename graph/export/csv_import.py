"""CSV in the format of ``neo4j-admin database import``: a folder (or a zip) of files.

One nodes file per label combination and one relationships file per type. Headers
use the import tool's typed columns: ``:ID`` (the element id; it is not stored as a
property), ``name:string``, ``level:long``, ``score:double``, ``explicit:boolean``,
``created_at:datetime``, ``tags:string[]``; relationships start with ``:START_ID``,
``:END_ID`` and ``:TYPE``. An empty field is no property; strings are always quoted,
so an empty string stays one. Array elements are separated by U+001F.

``import.args`` beside the files holds the import tool's arguments, so the whole
export loads with::

    cd EXPORT_DIR && neo4j-admin database import full neo4j @import.args

Each file is produced by its own streaming query (one label combination or type at
a time), so a file is written whole before the next begins: that is what lets the
same files stream into a zip, to stdout or over HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from valuegraph.graph.export.model import STRING_COLUMN, ColumnType, GroupSchema, changed_if_missing
from valuegraph.graph.export.reader import SubgraphReader
from valuegraph.graph.export.values import ARRAY_DELIMITER, csv_field

ARGS_FILE = "import.args"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class CsvFile:
    """One file of the export: its name and its text, produced lazily."""

    name: str
    chunks: Iterator[str]


def _file_name(prefix: str, index: int, group: GroupSchema) -> str:
    readable = _UNSAFE_FILENAME.sub("_", "_".join(group.labels))[:60] or "unnamed"
    return f"{prefix}-{index:02d}-{readable}.csv"


def _header_field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if any(c in name for c in ',"\n') else name


def _header(fixed: list[str], properties: tuple[tuple[str, ColumnType], ...]) -> str:
    columns = fixed + [_header_field(f"{key}:{column.import_name}") for key, column in properties]
    return ",".join(columns) + "\n"


def _node_rows(reader: SubgraphReader, group: GroupSchema) -> Iterator[str]:
    columns = dict(group.properties)
    yield _header([":ID"], group.properties)
    for node in reader.nodes(group.labels):
        for key in node.properties:
            changed_if_missing(columns, key)
        fields = [csv_field(node.id, STRING_COLUMN)]
        fields += [csv_field(node.properties.get(key), column) for key, column in group.properties]
        yield ",".join(fields) + "\n"


def _relationship_rows(reader: SubgraphReader, group: GroupSchema) -> Iterator[str]:
    columns = dict(group.properties)
    yield _header([":START_ID", ":END_ID", ":TYPE"], group.properties)
    for rel in reader.relationships(group.labels[0]):
        for key in rel.properties:
            changed_if_missing(columns, key)
        fields = [
            csv_field(rel.start, STRING_COLUMN),
            csv_field(rel.end, STRING_COLUMN),
            csv_field(rel.type, STRING_COLUMN),
        ]
        fields += [csv_field(rel.properties.get(key), column) for key, column in group.properties]
        yield ",".join(fields) + "\n"


def import_arguments(
    node_files: list[tuple[GroupSchema, str]], relationship_files: list[tuple[GroupSchema, str]]
) -> str:
    """The text of ``import.args`` (picocli argument file: one argument a line, # comments)."""
    lines = [
        "# Arguments for: neo4j-admin database import full <database> @import.args",
        "# (run it in this folder; the paths below are relative to it)",
        f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
        "--multiline-fields=true",
        "--id-type=string",
    ]
    lines += [f"--nodes={group.name}={name}" for group, name in node_files]
    lines += [f"--relationships={group.name}={name}" for group, name in relationship_files]
    return "\n".join(lines) + "\n"


def csv_files(reader: SubgraphReader) -> Iterator[CsvFile]:
    """The files of the export, in order; the last is ``import.args``."""
    schema = reader.schema
    node_files = [
        (group, _file_name("nodes", index, group))
        for index, group in enumerate(schema.node_groups, start=1)
    ]
    relationship_files = [
        (group, _file_name("relationships", index, group))
        for index, group in enumerate(schema.relationship_groups, start=1)
    ]
    for group, name in node_files:
        yield CsvFile(name, _node_rows(reader, group))
    for group, name in relationship_files:
        yield CsvFile(name, _relationship_rows(reader, group))
    yield CsvFile(ARGS_FILE, iter([import_arguments(node_files, relationship_files)]))
