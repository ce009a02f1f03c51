"""The taxonomy files released with "Values in the Wild" (Huang et al., 2025).

``values_tree.csv``: ``cluster_id, description, name, level, parent_cluster_id,
pct_total_occurrences``. Level 0 rows are individual values (their ``cluster_id``
is the value's name); levels 1-3 are clusters with ids ``ai_values:l<level>:<uuid>``.
``values_frequencies.csv``: ``value, pct_convos`` (percent of conversations).
See ``shared/reference/values-in-the-wild.md``.

Bad rows are rejected by line, like records, and quarantined. This module is the one reader
and writer of both files: the synthetic corpus, ``taxonomy export`` and ``ingest taxonomy``
all go through it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from valuegraph.domain import MAX_VALUE_NAME, Taxonomy
from valuegraph.errors import InputError
from valuegraph.ingest.jsonl import Rejection, open_input
from valuegraph.keys import normalise_key

TREE_COLUMNS = (
    "cluster_id",
    "description",
    "name",
    "level",
    "parent_cluster_id",
    "pct_total_occurrences",
)
FREQUENCY_COLUMNS = ("value", "pct_convos")
CLUSTER_ID = re.compile(r"^[a-z_]+:l[123]:[0-9a-fA-F-]{8,}$")


@dataclass(frozen=True)
class ClusterRow:
    """A taxonomy cluster (level 1-3) and its parent (None at the top level)."""

    id: str
    name: str
    description: str
    level: int
    parent_id: str | None
    pct_total_occurrences: float | None


@dataclass(frozen=True)
class ValueRow:
    """An individual value (level 0) and its first-level cluster."""

    key: str
    name: str
    parent_id: str | None
    pct_total_occurrences: float | None


@dataclass(frozen=True)
class FrequencyRow:
    key: str
    name: str
    pct_convos: float


def _rows(path: Path, expected: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    with open_input(path) as raw:
        try:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            reader = csv.DictReader(text)
            header = tuple(reader.fieldnames or ())
            missing = [column for column in expected if column not in header]
            if missing:
                raise InputError(
                    f"{path}:1: header lacks column(s) {', '.join(missing)} "
                    f"(expected {', '.join(expected)})"
                )
            for row in reader:
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: invalid UTF-8 ({exc.reason})") from None
        except csv.Error as exc:
            raise InputError(f"{path}: broken CSV ({exc})") from None


def _percent(raw: str, field: str) -> float | None:
    if raw == "":
        return None
    value = float(raw)  # ValueError is reported by the caller with the field name
    if not 0.0 <= value <= 100.0:
        raise ValueError(f"field '{field}': {raw} is not a percentage between 0 and 100")
    return value


def read_tree(path: Path) -> Iterator[ClusterRow | ValueRow | Rejection]:
    """Each row of a ``values_tree.csv`` as a cluster, a value, or a rejection."""
    for line, row in _rows(path, TREE_COLUMNS):
        raw = ",".join(row.get(column, "") for column in TREE_COLUMNS)
        try:
            yield _tree_row(row)
        except ValueError as exc:
            reason = str(exc)
            if not reason.startswith("field"):
                reason = f"invalid number: {reason}"
            yield Rejection(path, line, reason, raw)


def _tree_row(row: dict[str, str]) -> ClusterRow | ValueRow:
    try:
        level = int(row["level"])
    except ValueError:
        raise ValueError(f"field 'level': {row['level']!r} is not 0, 1, 2 or 3") from None
    if level not in (0, 1, 2, 3):
        raise ValueError(f"field 'level': {level} is not 0, 1, 2 or 3")
    pct = _percent(row["pct_total_occurrences"], "pct_total_occurrences")
    parent = row["parent_cluster_id"] or None
    if level < 3 and parent is None:
        raise ValueError("field 'parent_cluster_id': required below the top level")
    if parent is not None and not CLUSTER_ID.match(parent):
        raise ValueError(f"field 'parent_cluster_id': {parent!r} is not a cluster id")
    if level == 0:
        name = row["name"] or row["cluster_id"]
        if not name or len(name) > MAX_VALUE_NAME:
            raise ValueError(
                f"field 'cluster_id': a value name of 1 to {MAX_VALUE_NAME} characters"
            )
        return ValueRow(normalise_key(name), name, parent, pct)
    if not CLUSTER_ID.match(row["cluster_id"]):
        raise ValueError(
            f"field 'cluster_id': {row['cluster_id']!r} is not of the form ai_values:l<level>:<id>"
        )
    if not row["name"]:
        raise ValueError("field 'name': a cluster needs a name")
    return ClusterRow(row["cluster_id"], row["name"], row["description"], level, parent, pct)


def read_frequencies(path: Path) -> Iterator[FrequencyRow | Rejection]:
    """Each row of a ``values_frequencies.csv``, or its rejection."""
    for line, row in _rows(path, FREQUENCY_COLUMNS):
        raw = f"{row.get('value', '')},{row.get('pct_convos', '')}"
        name = row["value"]
        if not name or len(name) > MAX_VALUE_NAME:
            yield Rejection(path, line, f"field 'value': 1 to {MAX_VALUE_NAME} characters", raw)
            continue
        try:
            pct = _percent(row["pct_convos"], "pct_convos")
        except ValueError as exc:
            yield Rejection(path, line, f"field 'pct_convos': {exc}", raw)
            continue
        if pct is None:
            yield Rejection(path, line, "field 'pct_convos': required but empty", raw)
            continue
        yield FrequencyRow(normalise_key(name), name, pct)


# --- writing ---------------------------------------------------------------------------------

# Decimals of a share in a taxonomy exported from the graph.
EXPORT_DECIMALS = 4


@dataclass(frozen=True)
class TreeRow:
    """One row of ``values_tree.csv``: a cluster (level 1-3) or a value (level 0)."""

    cluster_id: str
    description: str
    name: str
    level: int
    parent_cluster_id: str | None
    pct_total_occurrences: float

    def cells(self, decimals: int) -> dict[str, str]:
        return {
            "cluster_id": self.cluster_id,
            "description": self.description,
            "name": self.name,
            "level": str(self.level),
            "parent_cluster_id": self.parent_cluster_id or "",
            "pct_total_occurrences": f"{self.pct_total_occurrences:.{decimals}f}",
        }


def taxonomy_tree_rows(taxonomy: Taxonomy) -> list[TreeRow]:
    """A taxonomy's rows: clusters top level first, then the values by key."""
    shares = taxonomy.shares()
    rows = [
        TreeRow(c.id, c.description, c.name, c.level, c.parent_id, taxonomy.cluster_pct(c, shares))
        for c in sorted(taxonomy.clusters, key=lambda c: (-c.level, c.name, c.id))
    ]
    rows += [
        TreeRow(leaf.name, "", leaf.name, 0, leaf.parent_id, taxonomy.leaf_pct(leaf, shares))
        for leaf in sorted(taxonomy.leaves, key=lambda v: normalise_key(v.name))
    ]
    return rows


def tree_rows(taxonomy: Taxonomy) -> list[dict[str, str]]:
    """The cells of ``values_tree.csv`` for ``taxonomy``, as an export writes them."""
    return [row.cells(EXPORT_DECIMALS) for row in taxonomy_tree_rows(taxonomy)]


def write_tree(path: Path, rows: Iterable[TreeRow], *, decimals: int = EXPORT_DECIMALS) -> int:
    """Write ``values_tree.csv``; return the number of rows."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(TREE_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row.cells(decimals))
            count += 1
    return count


def write_tree_csv(taxonomy: Taxonomy, path: Path) -> int:
    """Write ``taxonomy`` as ``values_tree.csv``; return the number of rows."""
    return write_tree(path, taxonomy_tree_rows(taxonomy))


def write_frequencies(path: Path, rows: Iterable[tuple[str, float]], *, decimals: int) -> None:
    """Write ``values_frequencies.csv`` from (value name, percent of conversations) pairs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FREQUENCY_COLUMNS)
        for name, pct in rows:
            writer.writerow([name, f"{pct:.{decimals}f}"])
