"""The export's pure parts: type widening, value spelling per format, option parsing."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest
from neo4j.time import Date, DateTime, Duration

from valuegraph.errors import InputError, QueryError
from valuegraph.graph.export import (
    Around,
    Associations,
    ClusterBranch,
    ExportFormat,
    UserQuery,
    format_for_path,
    parse_around,
)
from valuegraph.graph.export.csv_import import import_arguments
from valuegraph.graph.export.display import association_weight, display_label, renamed
from valuegraph.graph.export.model import (
    ColumnType,
    ExportNode,
    ExportRelationship,
    GroupSchema,
    PropertyType,
    SchemaBuilder,
    parse_value_type,
    python_value_type,
    widen,
)
from valuegraph.graph.export.selection import selection_from_options
from valuegraph.graph.export.values import (
    ARRAY_DELIMITER,
    as_text,
    csv_field,
    cypher_identifier,
    cypher_literal,
    cypher_map,
    plain,
    xml_text,
)

LONG = ColumnType(PropertyType.LONG)
DOUBLE = ColumnType(PropertyType.DOUBLE)
STRING = ColumnType(PropertyType.STRING)
MIXED = ColumnType(PropertyType.STRING, mixed=True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("STRING NOT NULL", STRING),
        ("INTEGER NOT NULL", LONG),
        ("FLOAT", DOUBLE),
        ("BOOLEAN NOT NULL", ColumnType(PropertyType.BOOLEAN)),
        ("ZONED DATETIME NOT NULL", ColumnType(PropertyType.DATETIME)),
        ("LOCAL DATETIME NOT NULL", ColumnType(PropertyType.LOCALDATETIME)),
        ("DATE NOT NULL", ColumnType(PropertyType.DATE)),
        ("LIST<STRING NOT NULL> NOT NULL", ColumnType(PropertyType.STRING, is_list=True)),
        ("LIST<INTEGER NOT NULL | FLOAT NOT NULL> NOT NULL", ColumnType(PropertyType.DOUBLE, True)),
        ("LIST<STRING NOT NULL | INTEGER NOT NULL> NOT NULL", MIXED),
        ("MAP NOT NULL", MIXED),
        ("NULL", None),
    ],
)
def test_value_types_from_cypher(name: str, expected: ColumnType | None) -> None:
    assert parse_value_type(name) == expected


def test_widening() -> None:
    assert widen([LONG, LONG]) == LONG
    assert widen([LONG, DOUBLE]) == DOUBLE
    assert widen([LONG, STRING]) == MIXED
    assert widen([ColumnType(PropertyType.STRING, True), STRING]) == MIXED
    assert widen([]) == STRING


def test_python_value_types() -> None:
    assert python_value_type(True) == ColumnType(PropertyType.BOOLEAN)
    assert python_value_type(3) == LONG
    assert python_value_type(2.5) == DOUBLE
    assert python_value_type([1, 2.0]) == ColumnType(PropertyType.DOUBLE, is_list=True)
    assert python_value_type(None) is None


def test_schema_builder_groups_and_widens() -> None:
    builder = SchemaBuilder("relationship")
    builder.add_element(("ASSOCIATED_WITH",), {"observed": 5, "computed": True})
    builder.add_element(("ASSOCIATED_WITH",), {"observed": 5.5})
    (group,) = builder.groups()
    assert group == GroupSchema(
        kind="relationship",
        labels=("ASSOCIATED_WITH",),
        count=2,
        properties=(("computed", ColumnType(PropertyType.BOOLEAN)), ("observed", DOUBLE)),
    )


def test_plain_values() -> None:
    moment = DateTime.from_native(datetime(2025, 2, 17, 10, tzinfo=UTC))
    assert plain(moment).startswith("2025-02-17T10:00:00")
    assert plain([Date(2025, 1, 2), 1]) == ["2025-01-02", 1]
    assert plain(float("nan")) == "NaN"


def test_text_by_column_type() -> None:
    assert as_text(True, ColumnType(PropertyType.BOOLEAN)) == "true"
    assert as_text(3, DOUBLE) == "3.0"
    assert as_text(["a", "b"], ColumnType(PropertyType.STRING, is_list=True)) == '["a", "b"]'
    assert as_text(4, MIXED) == "4"
    assert json.loads(as_text({"a": 1}, MIXED)) == {"a": 1}


def test_xml_text_escapes_and_replaces_forbidden_code_points() -> None:
    assert xml_text('a<b & "c">') == "a&lt;b &amp; &quot;c&quot;&gt;"
    assert xml_text("bell\x07") == "bell\ufffd"


def test_csv_fields() -> None:
    assert csv_field(None, STRING) == ""
    assert csv_field("", STRING) == '""'
    assert csv_field('say "hi"', STRING) == '"say ""hi"""'
    assert csv_field(7, LONG) == "7"
    assert csv_field(False, ColumnType(PropertyType.BOOLEAN)) == "false"
    assert csv_field(["a", "b;c"], ColumnType(PropertyType.STRING, True)) == (
        f'"a{ARRAY_DELIMITER}b;c"'
    )
    with pytest.raises(QueryError):
        csv_field([f"x{ARRAY_DELIMITER}y"], ColumnType(PropertyType.STRING, True))


def test_cypher_literals() -> None:
    assert cypher_literal('line\nbreak "quoted" \\') == r'"line\nbreak \"quoted\" \\"'
    assert cypher_literal(1.5) == "1.5"
    assert cypher_literal(float("nan")) == "(0.0 / 0.0)"
    assert cypher_literal([1, "a", True, None]) == '[1, "a", true, null]'
    assert cypher_literal(Duration(days=1)) == 'duration("P1D")'
    local = DateTime(2025, 1, 1, 9, 0, 0)
    assert cypher_literal(local).startswith('localdatetime("2025-01-01T09:00:00')
    assert cypher_identifier("we`ird") == "`we``ird`"
    assert cypher_map({"a b": 1, "gone": None}) == "{`a b`: 1}"


def test_display_label_and_weight() -> None:
    assert display_label(ExportNode("4:x:1", ("AIValue",), {"name": "empathy"})) == "empathy"
    assert display_label(ExportNode("4:x:2", ("Conversation",), {"id": "c1"})) == "c1"
    assert display_label(ExportNode("4:x:3", ("Model",), {})) == "Model"
    association = ExportRelationship("r", "ASSOCIATED_WITH", "a", "b", {"adjusted_residual": 3})
    counted = ExportRelationship("r", "CO_OCCURS_WITH", "a", "b", {"observed": 7})
    other = ExportRelationship("r", "ABOUT", "a", "b", {"adjusted_residual": 3})
    assert association_weight(association) == 3.0
    assert association_weight(counted) == 7.0
    assert association_weight(other) is None
    assert renamed({"id": 1, "x": 2}, frozenset({"id"})) == {"_id": 1, "x": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('value:"healthy boundaries"', Around("value", "healthy boundaries")),
        ("task:relationship advice", Around("task", "relationship advice")),
        ("cluster:ai_values:l1:abc", Around("cluster", "ai_values:l1:abc")),
        ("human-value:'honesty'", Around("human-value", "honesty")),
    ],
)
def test_parse_around(text: str, expected: Around) -> None:
    assert parse_around(text) == expected


@pytest.mark.parametrize(
    ("text", "depth", "top_k"),
    [
        ("healthy boundaries", 2, 10),
        ("colour:red", 2, 10),
        ('value:""', 2, 10),
        ("value:x", 9, 10),
        ("value:x", 2, 0),
    ],
)
def test_parse_around_rejects(text: str, depth: int, top_k: int) -> None:
    with pytest.raises(InputError):
        parse_around(text, depth=depth, top_k=top_k)


def test_exactly_one_selection() -> None:
    def select(around: str | None, cluster: str | None, associations: bool, cypher: str | None):
        return selection_from_options(
            around, cluster, associations, cypher, depth=2, top_k=10, min_residual=1.5
        )

    assert select(None, "c1", False, None) == ClusterBranch("c1")
    assert select(None, None, True, None) == Associations(1.5)
    assert select(None, None, False, "MATCH (n) RETURN n") == UserQuery("MATCH (n) RETURN n")
    with pytest.raises(InputError, match="exactly one"):
        select("value:x", "c1", False, None)
    with pytest.raises(InputError, match="got none"):
        select(None, None, False, None)


def test_format_from_output_name() -> None:
    assert format_for_path("out/x.GraphML") is ExportFormat.GRAPHML
    assert format_for_path("x.json") is ExportFormat.JSON
    assert format_for_path("x.zip") is ExportFormat.CSV
    assert format_for_path("x.cypher") is ExportFormat.CYPHER
    assert format_for_path("x.txt") is None


def test_import_arguments_name_every_file() -> None:
    nodes = GroupSchema("node", ("AIValue",), 3, ())
    rels = GroupSchema("relationship", ("IN_CLUSTER",), 2, ())
    text = import_arguments([(nodes, "nodes-01-AIValue.csv")], [(rels, "rels.csv")])
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert "--nodes=AIValue=nodes-01-AIValue.csv" in lines
    assert "--relationships=IN_CLUSTER=rels.csv" in lines
    assert "--array-delimiter=U+001F" in lines


def test_non_finite_weights_stay_text() -> None:
    assert math.isnan(float(as_text(float("nan"), DOUBLE)))
