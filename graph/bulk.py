"""The bulk path: records into an empty local database through ``neo4j-admin database import``.

The offline importer writes the store files directly, which is as fast as Neo4j
allows, but it only builds a new database. So this path refuses anything but the
empty database of the local server valuegraph runs. It streams the records into
CSV files in the importer's header format, stops the server, imports, starts the
server again, and creates the schema.

A conversation id that appears twice is imported once (``--skip-duplicate-nodes``
keeps the first node) with the relationships of both records; its last record is
then written through the transactional loader, which replaces them, so the later
record wins here as it does on the UNWIND path.
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

# (file stem, importer argument, header row). The ID spaces keep keys of different labels apart.
NODE_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "conversations",
        "Conversation",
        (
            "id:ID(Conversation)",
            "model",
            "created_at:datetime",
            "subjective:boolean",
            "response_type",
            "language",
            "source",
            "text",
        ),
    ),
    ("tasks", "Task", ("key:ID(Task)", "name")),
    ("ai_values", "AIValue", ("key:ID(AIValue)", "name")),
    ("human_values", "HumanValue", ("key:ID(HumanValue)", "name")),
    ("models", "Model", ("name:ID(Model)",)),
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


def write_import_csvs(
    records: Iterable[ExtractedRecord], folder: Path
) -> tuple[int, int, set[str]]:
    """Stream ``records`` into the importer's CSV files.

    Returns the number of distinct conversations, of relationships, and the ids seen twice.
    """
    folder.mkdir(parents=True, exist_ok=True)
    seen: dict[str, set[str]] = {stem: set() for stem, _, _ in NODE_FILES}
    duplicates: set[str] = set()
    relationships = 0
    with ExitStack() as stack:
        out = {}
        for stem, _, header in (*NODE_FILES, *RELATIONSHIP_FILES):
            handle = stack.enter_context((folder / f"{stem}.csv").open("w", newline=""))
            out[stem] = csv.writer(handle)
            out[stem].writerow(header)

        def node(stem: str, key: str, *cells: object) -> None:
            if key not in seen[stem]:
                seen[stem].add(key)
                out[stem].writerow((key, *cells))

        for record in records:
            cid = record.conversation_id
            if cid in seen["conversations"]:
                duplicates.add(cid)
            node("conversations", cid, *_conversation_cells(record))
            task_key = normalise_key(record.task)
            node("tasks", task_key, record.task)
            out["about"].writerow((cid, task_key))
            ai_values = record.ai_value_keys()
            for key, (name, explicit) in ai_values.items():
                node("ai_values", key, name)
                out["ai_expressed"].writerow((cid, "true" if explicit else "false", key))
            human_values = record.human_value_keys()
            for key, name in human_values.items():
                node("human_values", key, name)
                out["human_expressed"].writerow((cid, key))
            relationships += 1 + len(ai_values) + len(human_values)
            if record.model is not None:
                node("models", record.model)
                out["by_model"].writerow((cid, record.model))
                relationships += 1
    return len(seen["conversations"]), relationships, duplicates


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


def run_import(server: LocalServer, folder: Path, database: str) -> None:
    """Stop the server, import the CSV files into ``database``, start the server again."""
    # The database name goes first: --nodes takes several values and would swallow it.
    arguments = [
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        "--multiline-fields=true",
        "--skip-duplicate-nodes=true",
        "--high-parallel-io=on",
        f"--report-file={folder / 'import.report'}",
    ]
    arguments += [f"--nodes={label}={folder / f'{stem}.csv'}" for stem, label, _ in NODE_FILES]
    arguments += [
        f"--relationships={rel_type}={folder / f'{stem}.csv'}"
        for stem, rel_type, _ in RELATIONSHIP_FILES
    ]
    server.stop()
    done = server.admin(*arguments)
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
        conversations, relationships, duplicates = write_import_csvs(records(), folder)
        csv_done = time.perf_counter()
        say("importing (the server is stopped meanwhile)")
        run_import(server, folder, settings.neo4j_database)
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
