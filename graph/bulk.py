"""The bulk path: records into an empty local database through ``neo4j-admin database import``.

The offline importer writes the store files directly, which is as fast as Neo4j
allows, but it only builds a new database. So this path refuses anything but the
empty database of the local server valuegraph runs. It streams the records into
CSV files in the importer's header format, stops the server, imports, starts the
server again, and creates the schema.

A conversation id that appears twice is imported once, with the relationships of
both records; its last record is then written through the transactional loader,
which replaces them, so the later record wins here as it does on the UNWIND path.
"""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from graph.connection import Graph
from graph.schema import apply_schema
from graph.server import LocalServer
from ingest.records import ExtractedRecord
from valuegraph.errors import InputError, ServerError
from valuegraph.keys import normalise_key
from valuegraph.settings import Settings

# (file stem, importer argument, header row). Every node gets an integer import id (the
# unnamed :ID column, not stored) and keeps its own key as a property: the importer maps
# integers far faster than strings (``--id-type=integer``), and the ID spaces keep the numbers
# of different labels apart.
NODE_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "conversations",
        "Conversation",
        (
            ":ID(Conversation)",
            "id",
            "model",
            "created_at:datetime",
            "subjective:boolean",
            "response_type",
            "language",
            "source",
            "text",
        ),
    ),
    ("tasks", "Task", (":ID(Task)", "key", "name")),
    ("ai_values", "AIValue", (":ID(AIValue)", "key", "name")),
    ("human_values", "HumanValue", (":ID(HumanValue)", "key", "name")),
    ("models", "Model", (":ID(Model)", "name")),
)
RELATIONSHIP_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("about", "ABOUT", (":START_ID(Conversation)", ":END_ID(Task)")),
    (
        "ai_expressed",
        "AI_EXPRESSED",
        (":START_ID(Conversation)", "explicit:boolean", ":END_ID(AIValue)"),
    ),
    ("human_expressed", "HUMAN_EXPRESSED", (":START_ID(Conversation)", ":END_ID(HumanValue)")),
    ("by_model", "BY_MODEL", (":START_ID(Conversation)", ":END_ID(Model)")),
)


@dataclass(frozen=True)
class BulkStats:
    conversations: int
    relationships: int
    duplicates: int
    csv_seconds: float
    import_seconds: float
    total_seconds: float


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
        if graph.read("MATCH (n) RETURN count(n) > 0 AS used")[0]["used"]:
            raise InputError(
                f"--bulk needs an empty database, and {settings.neo4j_database} has data; "
                "run `valuegraph neo4j start --fresh` to wipe it, or load without --bulk"
            )
    return server


class _CsvFile:
    """One of the importer's files, its rows collected and written a block at a time by
    ``writerows``, one call into the C writer per block rather than per row."""

    BLOCK = 8192

    def __init__(self, stack: ExitStack, path: Path, header: tuple[str, ...]) -> None:
        self._writer = csv.writer(stack.enter_context(path.open("w", newline="")))
        self._writer.writerow(header)
        self._rows: list[tuple[object, ...]] = []
        self.add = self._rows.append
        stack.callback(self.flush)

    def flush(self) -> None:
        self._writer.writerows(self._rows)
        self._rows.clear()

    def flush_if_full(self) -> None:
        if len(self._rows) >= self.BLOCK:
            self.flush()


class _Nodes(_CsvFile):
    """A node file, and the integer import id of each key written to it."""

    def __init__(self, stack: ExitStack, path: Path, header: tuple[str, ...]) -> None:
        super().__init__(stack, path, header)
        self.ids: dict[str, int] = {}
        self.multiline = False
        # Conversations are new on nearly every record: the loop checks their few free-text
        # cells itself rather than paying for a scan of every cell.
        self.scans_new_rows = True

    def id_of(self, key: str, *cells: object) -> int:
        """The import id of ``key``; its row is written the first time it is seen."""
        number = self.ids.get(key)
        if number is None:
            number = self.ids[key] = len(self.ids)
            self.add((number, key, *cells))
            if self.scans_new_rows and not self.multiline:
                self.multiline = _breaks_a_line(key, *cells)
        return number


def _breaks_a_line(*cells: object) -> bool:
    return any(isinstance(cell, str) and ("\n" in cell or "\r" in cell) for cell in cells)


@dataclass(frozen=True)
class ImportFiles:
    """What :func:`write_import_csvs` wrote."""

    conversations: int  # distinct
    relationships: int
    duplicates: set[str]  # conversation ids seen more than once
    # Whether any field holds a line break: the importer must then read each file in one
    # thread (--multiline-fields), which makes it several times slower.
    multiline: bool


def write_import_csvs(records: Iterable[ExtractedRecord], folder: Path) -> ImportFiles:
    """Stream ``records`` into the importer's CSV files."""
    folder.mkdir(parents=True, exist_ok=True)
    duplicates: set[str] = set()
    relationships = 0
    with ExitStack() as stack:
        nodes = {stem: _Nodes(stack, folder / f"{stem}.csv", h) for stem, _, h in NODE_FILES}
        edges = {
            stem: _CsvFile(stack, folder / f"{stem}.csv", h) for stem, _, h in RELATIONSHIP_FILES
        }
        files = [*nodes.values(), *edges.values()]
        node_stems = ("conversations", "tasks", "ai_values", "human_values", "models")
        conversations, tasks, ai_values, human_values, models = (nodes[s] for s in node_stems)
        conversations.scans_new_rows = False
        about, ai_expressed, human_expressed, by_model = (
            edges[stem].add for stem in ("about", "ai_expressed", "human_expressed", "by_model")
        )
        for count, record in enumerate(records, start=1):
            cid = record.conversation_id
            if cid in conversations.ids:
                # Imported once, with the relationships of every record of it; the caller
                # then writes its last record over them.
                duplicates.add(cid)
            conversation = conversations.id_of(cid, *_conversation_cells(record))
            if not conversations.multiline:
                # The other cells are a timestamp, an enum and a boolean; the model is a node.
                free_text = f"{cid}{record.language}{record.source}"
                conversations.multiline = "\n" in free_text or "\r" in free_text
            about((conversation, tasks.id_of(normalise_key(record.task), record.task)))
            expressed = record.ai_value_keys()
            for key, (name, explicit) in expressed.items():
                value = ai_values.id_of(key, name)
                ai_expressed((conversation, "true" if explicit else "false", value))
            stated = record.human_value_keys()
            for key, name in stated.items():
                human_expressed((conversation, human_values.id_of(key, name)))
            relationships += 1 + len(expressed) + len(stated)
            if record.model is not None:
                by_model((conversation, models.id_of(record.model)))
                relationships += 1
            if count % 1024 == 0:
                for file in files:
                    file.flush_if_full()
        multiline = any(file.multiline for file in nodes.values())
        distinct = len(conversations.ids)
    return ImportFiles(distinct, relationships, duplicates, multiline)


def _conversation_cells(record: ExtractedRecord) -> tuple[object, ...]:
    """The conversation row after its id; raw text is never bulk-imported."""
    created = record.created_at.isoformat() if record.created_at else None
    subjective = "true" if record.subjective else "false"
    return (
        record.model,
        created,
        subjective,
        record.response_type.value,
        record.language,
        record.source,
        None,
    )


def run_import(
    server: LocalServer,
    folder: Path,
    database: str,
    say: Callable[[str], None] = lambda _: None,
    *,
    multiline: bool = True,
) -> None:
    """Stop the server, import the CSV files into ``database``, start the server again."""
    # The database name goes first: --nodes takes several values and would swallow it.
    arguments = [
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        f"--multiline-fields={'true' if multiline else 'false'}",
        "--id-type=integer",
        "--high-parallel-io=on",
        f"--report-file={folder / 'import.report'}",
    ]
    arguments += [f"--nodes={label}={folder / f'{stem}.csv'}" for stem, label, _ in NODE_FILES]
    arguments += [
        f"--relationships={rel_type}={folder / f'{stem}.csv'}"
        for stem, rel_type, _ in RELATIONSHIP_FILES
    ]
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


def bulk_load(
    settings: Settings,
    records: Callable[[], Iterable[ExtractedRecord]],
    *,
    on_phase: Callable[[str], None] | None = None,
) -> BulkStats:
    """Load ``records()`` into the empty local database offline. ``records`` is called twice
    only when an id repeats (to find each repeated id's last record)."""
    say = on_phase or (lambda _: None)
    started = time.perf_counter()
    server = ensure_bulk_target(settings)
    folder = server.import_dir / "bulk"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        say("writing CSV files for neo4j-admin import")
        written = write_import_csvs(records(), folder)
        conversations, relationships, duplicates = (
            written.conversations,
            written.relationships,
            written.duplicates,
        )
        csv_done = time.perf_counter()
        run_import(server, folder, settings.neo4j_database, say, multiline=written.multiline)
        import_done = time.perf_counter()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    say("creating constraints and indexes")
    with Graph.connect(settings) as graph:
        apply_schema(graph)
        if duplicates:
            from graph.writer import load_records

            say(f"replacing {len(duplicates)} repeated conversation(s) with their last record")
            last = {r.conversation_id: r for r in records() if r.conversation_id in duplicates}
            load_records(graph, last.values(), batch_size=settings.batch_size)
            relationships = graph.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return BulkStats(
        conversations=conversations,
        relationships=relationships,
        duplicates=len(duplicates),
        csv_seconds=csv_done - started,
        import_seconds=import_done - csv_done,
        total_seconds=time.perf_counter() - started,
    )
