"""The bulk path: records into an empty local database through ``neo4j-admin database import``.

The offline importer writes the store files directly, which is as fast as Neo4j
allows, but it only builds a new database. So this path refuses anything but the
empty database of the local server valuegraph runs. It streams the records into
CSV files in the importer's header format, stops the server, imports, starts the
server again, and creates the schema.

The CSV files are written by several processes at once, one part of the input
each (:func:`write_part`). Each part writes its own conversation and relationship
files; the tasks, values and models every part met are gathered and written once
(:func:`combine_parts`). The parts never ask each other for an import id: a
conversation's is its part's number and its place in the part, and a task's,
value's or model's is a hash of its key (:func:`import_id`).

A conversation id that appears twice may be imported as one node or as two (from
two parts). Either way its nodes are deleted after the import (:func:`delete_conversations`),
and its last record is written through the transactional loader, so the later record wins
here as it does on the UNWIND path. The steps are put together by
:mod:`valuegraph.pipelines.records`; each is a function here.

The cells come from :mod:`graph.rows`, the mapping the transactional writer uses too.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from valuegraph.domain import ExtractedRecord, Label, RelType
from valuegraph.errors import InputError, ServerError
from valuegraph.graph import statements
from valuegraph.graph.connection import Graph
from valuegraph.graph.rows import CONVERSATION_PROPERTIES, conversation_cells, record_rows
from valuegraph.graph.server import LocalServer
from valuegraph.settings import Settings

# (file stem, importer argument, header row). Every node gets an integer import id (the
# unnamed :ID column, not stored) and keeps its own key as a property: the importer maps
# integers far faster than strings (``--id-type=integer``), and the ID spaces keep the numbers
# of different labels apart.
CONVERSATIONS = (
    "conversations",
    Label.CONVERSATION.value,
    (
        f":ID({Label.CONVERSATION})",
        *(f"{name}:{kind}" if kind else name for name, kind in CONVERSATION_PROPERTIES),
    ),
)
# Nodes named by the records' values rather than one per record: a few thousand at most.
DICTIONARY_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("tasks", Label.TASK.value, (f":ID({Label.TASK})", "key", "name")),
    ("ai_values", Label.AI_VALUE.value, (f":ID({Label.AI_VALUE})", "key", "name")),
    ("human_values", Label.HUMAN_VALUE.value, (f":ID({Label.HUMAN_VALUE})", "key", "name")),
    ("models", Label.MODEL.value, (f":ID({Label.MODEL})", "name")),
)
NODE_FILES = (CONVERSATIONS, *DICTIONARY_FILES)
_FROM_CONVERSATION = f":START_ID({Label.CONVERSATION})"
RELATIONSHIP_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("about", RelType.ABOUT.value, (_FROM_CONVERSATION, f":END_ID({Label.TASK})")),
    (
        "ai_expressed",
        RelType.AI_EXPRESSED.value,
        (_FROM_CONVERSATION, "explicit:boolean", f":END_ID({Label.AI_VALUE})"),
    ),
    (
        "human_expressed",
        RelType.HUMAN_EXPRESSED.value,
        (_FROM_CONVERSATION, f":END_ID({Label.HUMAN_VALUE})"),
    ),
    ("by_model", RelType.BY_MODEL.value, (_FROM_CONVERSATION, f":END_ID({Label.MODEL})")),
)
# The files every part writes its own piece of.
PART_STEMS = ("conversations", *(stem for stem, _, _ in RELATIONSHIP_FILES))
# The importer takes integer ids from 0 to 2^56 - 1. A conversation's id is its part's number
# above PART_BITS and its place in the part below: 2^16 parts of 2^40 conversations each.
ID_BITS = 56
PART_BITS = 40
# Each draw of task, value and model ids uses a new salt. With a million keys of one label a
# draw collides once in 10^5; a third draw is needed once in 10^10.
ID_DRAWS = 3


def import_id(key: str, salt: int = 0) -> int:
    """The import id of the task, value or model keyed ``key``: a salted 56-bit BLAKE2b hash.

    Every part computes the same id for the same key without asking the others. Two keys of
    one label may still draw the same id; :func:`combine_parts` then raises
    :class:`IdCollision` before the import, and the ids are drawn again under the next salt.
    """
    digest = hashlib.blake2b(
        key.encode("utf-8", "surrogatepass"),
        digest_size=ID_BITS // 8,
        salt=salt.to_bytes(16, "big"),
    ).digest()
    return int.from_bytes(digest, "big")


def conversation_digest(conversation_id: str) -> bytes:
    """Eight bytes that tell conversation ids apart, for finding one written by two parts."""
    encoded = conversation_id.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(encoded, digest_size=8).digest()


class IdCollision(Exception):
    """Two keys of one label drew the same import id under this salt."""


def ensure_bulk_target(settings: Settings) -> LocalServer:
    """The local server, if its database is empty; otherwise a clear refusal."""
    if not settings.uses_local_server or settings.neo4j_home is not None:
        raise InputError(
            "--bulk builds a new database offline, so it only works on the local server "
            "valuegraph runs (unset NEO4J_URI and NEO4J_HOME); use the default loader instead"
        )
    server = LocalServer(settings)
    server.start()
    with Graph.connect(settings) as graph:
        if graph.read(statements.DATABASE_USED)[0]["used"]:
            raise InputError(
                f"--bulk needs an empty database, and {settings.neo4j_database} has data; "
                "run `valuegraph neo4j start --fresh` to wipe it, or load without --bulk"
            )
    return server


class _BlockFile:
    """One of the importer's files, its rows collected and written a block at a time."""

    BLOCK = 8192

    def __init__(self, stack: ExitStack) -> None:
        # Registered after the subclass opened its file, so the last block is written first.
        self._rows: list[Any] = []
        self.add = self._rows.append
        stack.callback(self.flush)

    def flush(self) -> None:
        raise NotImplementedError

    def flush_if_full(self) -> None:
        if len(self._rows) >= self.BLOCK:
            self.flush()


class _CsvFile(_BlockFile):
    """Rows as tuples, through one ``writerows`` call into the C writer per block."""

    def __init__(self, stack: ExitStack, path: Path) -> None:
        self._writer = csv.writer(stack.enter_context(path.open("w", newline="")))
        super().__init__(stack)

    def flush(self) -> None:
        self._writer.writerows(self._rows)
        self._rows.clear()


class _NumbersFile(_BlockFile):
    """Rows of import ids and booleans, which need no quoting: formatted as lines by the
    caller, which is several times cheaper than the CSV writer."""

    def __init__(self, stack: ExitStack, path: Path) -> None:
        self._handle = stack.enter_context(path.open("w"))
        super().__init__(stack)

    def flush(self) -> None:
        self._handle.write("".join(self._rows))
        self._rows.clear()


def _breaks_a_line(*cells: object) -> bool:
    return any(isinstance(cell, str) and ("\n" in cell or "\r" in cell) for cell in cells)


@dataclass(frozen=True)
class Part:
    """What one part of the input wrote: its piece of the conversation and relationship
    files, and the tasks, values and models it met, whose files are written once for all."""

    conversations: int  # distinct within the part
    relationships: int
    repeated: frozenset[str]  # conversation ids that appear twice within the part
    digests: bytes  # the conversation_digest of each of its conversations, end to end
    # Dictionary file stem -> key -> display name, in the order first met.
    names: dict[str, dict[str, str]]
    multiline: bool  # a conversation cell holds a line break


def write_part(
    records: Iterable[ExtractedRecord],
    folder: Path,
    number: int = 0,
    salt: int = 0,
    *,
    alone: bool = False,
) -> Part:
    """Stream ``records`` into part ``number`` of the conversation and relationship files.

    A part written ``alone`` (the input in one piece) shares no conversation with another, so
    it keeps no digests.
    """
    if not 0 <= number < 1 << (ID_BITS - PART_BITS):
        raise ValueError(f"part {number} is out of range")
    names: dict[str, dict[str, str]] = {stem: {} for stem, _, _ in DICTIONARY_FILES}
    ids: dict[str, dict[str, int]] = {stem: {} for stem in names}

    def new_id(stem: str, key: str, name: str) -> int:
        names[stem][key] = name
        ids[stem][key] = import_id(key, salt)
        return ids[stem][key]

    # The loop looks each key up itself and calls new_id only for a new one: a part meets a
    # few thousand keys millions of times, and every call costs.
    task_ids, ai_value_ids, human_value_ids, model_ids = ids.values()
    first_id = number << PART_BITS
    conversations: dict[str, int] = {}
    digests: list[bytes] = []
    repeated: set[str] = set()
    relationships = 0
    multiline = False
    with ExitStack() as stack:
        conversation_file = _CsvFile(stack, folder / f"conversations.{number}.csv")
        relationship_files = [
            _NumbersFile(stack, folder / f"{stem}.{number}.csv") for stem in PART_STEMS[1:]
        ]
        files: list[_BlockFile] = [conversation_file, *relationship_files]
        conversation_row = conversation_file.add
        about, ai_expressed, human_expressed, by_model = (f.add for f in relationship_files)
        for count, record in enumerate(records, start=1):
            # Raw text is never bulk-imported.
            rows = record_rows(record, store_text=False)
            cid = record.conversation_id
            conversation = conversations.get(cid)
            if conversation is None:
                conversation = conversations[cid] = first_id + len(conversations)
                if not alone:
                    digests.append(conversation_digest(cid))
                conversation_row((conversation, *conversation_cells(rows)))
                if not multiline:
                    # The other cells are a timestamp, an enum and a boolean; the model's name
                    # is checked with the Model nodes.
                    free_text = f"{cid}|{record.language}|{record.source}"
                    multiline = "\n" in free_text or "\r" in free_text
            else:
                # One node, with the relationships of every record of it, replaced later.
                repeated.add(cid)
            task = rows.task_key
            if (task_id := task_ids.get(task)) is None:
                task_id = new_id("tasks", task, rows.task_name)
            about(f"{conversation},{task_id}\n")
            expressed = rows.ai_values
            for key, (name, explicit) in expressed.items():
                if (value := ai_value_ids.get(key)) is None:
                    value = new_id("ai_values", key, name)
                ai_expressed(f"{conversation},{'true' if explicit else 'false'},{value}\n")
            stated = rows.human_values
            for key, name in stated.items():
                if (value := human_value_ids.get(key)) is None:
                    value = new_id("human_values", key, name)
                human_expressed(f"{conversation},{value}\n")
            relationships += 1 + len(expressed) + len(stated)
            if (model := rows.model) is not None:
                if (model_id := model_ids.get(model)) is None:
                    model_id = new_id("models", model, model)
                by_model(f"{conversation},{model_id}\n")
                relationships += 1
            if count % 1024 == 0:
                for file in files:
                    file.flush_if_full()
    return Part(
        conversations=len(conversations),
        relationships=relationships,
        repeated=frozenset(repeated),
        digests=b"".join(digests),
        names=names,
        multiline=multiline,
    )


@dataclass(frozen=True)
class ImportFiles:
    """The importer's files in a folder, once every part is written (:func:`combine_parts`)."""

    parts: int
    conversations: int  # nodes: distinct within each part
    relationships: int
    duplicates: frozenset[str]  # conversation ids that appear twice within one part
    # Digests of conversation ids that more than one part wrote, each as a node of its own.
    # A digest can also be shared by two different ids: :func:`last_records` tells them apart.
    across_parts: frozenset[bytes] = field(default_factory=frozenset)
    # Whether any field holds a line break: the importer must then read each file in one
    # thread (--multiline-fields), which makes it several times slower.
    multiline: bool = False


def combine_parts(parts: list[Part], folder: Path, salt: int = 0) -> ImportFiles:
    """Write the header files and the task, value and model files for ``parts``."""
    for stem, _, header in (*NODE_FILES, *RELATIONSHIP_FILES):
        with (folder / f"{stem}.header.csv").open("w", newline="") as handle:
            csv.writer(handle).writerow(header)
    multiline = any(part.multiline for part in parts)
    for stem, _, header in DICTIONARY_FILES:
        merged: dict[str, str] = {}
        for part in parts:  # in input order, so a key keeps the name it was first met with
            for key, name in part.names[stem].items():
                merged.setdefault(key, name)
        numbers = {key: import_id(key, salt) for key in merged}
        if len(set(numbers.values())) < len(numbers):
            raise IdCollision(stem)
        with (folder / f"{stem}.csv").open("w", newline="") as handle:
            # A Model's only column is its name, which is its key.
            rows = ((numbers[key], key, name)[: len(header)] for key, name in merged.items())
            csv.writer(handle).writerows(rows)
        multiline = multiline or _breaks_a_line(*merged, *merged.values())
    digests = np.concatenate([np.frombuffer(part.digests, dtype="<u8") for part in parts])
    distinct, copies = np.unique(digests, return_counts=True)
    shared = distinct[copies > 1].tobytes()
    return ImportFiles(
        parts=len(parts),
        conversations=sum(part.conversations for part in parts),
        relationships=sum(part.relationships for part in parts),
        duplicates=frozenset().union(*(part.repeated for part in parts)),
        across_parts=frozenset(shared[at : at + 8] for at in range(0, len(shared), 8)),
        multiline=multiline,
    )


def last_records(
    records: Iterable[ExtractedRecord], files: ImportFiles
) -> dict[str, ExtractedRecord]:
    """The last record of each conversation id that appears more than once."""
    last: dict[str, ExtractedRecord] = {}
    met: dict[str, int] = {}  # times met, for ids whose digest several parts wrote
    for record in records:
        cid = record.conversation_id
        if cid in files.duplicates:
            last[cid] = record
        elif files.across_parts and conversation_digest(cid) in files.across_parts:
            last[cid] = record
            met[cid] = met.get(cid, 0) + 1
    # An id met once shares its digest with another id by chance: it is no repeat.
    return {cid: record for cid, record in last.items() if met.get(cid, 2) > 1}


def run_import(
    server: LocalServer,
    folder: Path,
    database: str,
    files: ImportFiles,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    """Stop the server, import the CSV files into ``database``, start the server again."""

    def group(stem: str) -> str:
        # The header file, then the data: the importer reads a group as one file.
        if stem in PART_STEMS:
            data = [f"{stem}.{part}.csv" for part in range(files.parts)]
        else:
            data = [f"{stem}.csv"]
        return ",".join(str(folder / name) for name in (f"{stem}.header.csv", *data))

    # The database name goes first: --nodes takes several values and would swallow it.
    arguments = [
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        f"--multiline-fields={'true' if files.multiline else 'false'}",
        "--id-type=integer",
        "--high-parallel-io=on",
        f"--threads={import_threads()}",
        f"--report-file={folder / 'import.report'}",
    ]
    arguments += [f"--nodes={label}={group(stem)}" for stem, label, _ in NODE_FILES]
    arguments += [f"--relationships={kind}={group(stem)}" for stem, kind, _ in RELATIONSHIP_FILES]
    say("stopping the server")
    server.stop()
    say("importing (neo4j-admin database import)")
    done = server.admin(*arguments)
    say("starting the server")
    server.start()
    if done.returncode != 0:
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        meaningful = [line for line in lines if not line.lstrip().startswith("at ")]
        raise ServerError("neo4j-admin database import failed:\n" + "\n".join(meaningful[-15:]))


def import_threads() -> int:
    """The importer's worker threads: at least 16, however few the CPUs.

    Its stages wait on reading and writing files as much as on the CPU, so threads beyond
    the CPUs still pay: on 2 CPUs, 3M conversations import in 25 s with 16 threads and in
    34 s with the default of one per CPU.
    """
    return max(16, os.cpu_count() or 1)


def delete_conversations(graph: Graph, ids: Iterable[str]) -> None:
    """Delete the conversations ``ids`` with their relationships (every node of a repeated id)."""
    graph.run_autocommit(statements.DELETE_CONVERSATIONS, {"ids": sorted(ids)})


def graph_size(graph: Graph) -> tuple[int, int]:
    """(conversations, relationships) in the graph."""
    conversations = graph.read(statements.COUNT_CONVERSATIONS)[0]["n"]
    relationships = graph.read(statements.COUNT_RELATIONSHIPS)[0]["n"]
    return int(conversations), int(relationships)
