"""Property values as each format spells them: JSON, GraphML text, CSV fields, Cypher literals.

Pure functions over what the driver returns (str, int, float, bool, lists, and the
``neo4j.time`` / ``neo4j.spatial`` types), tested without a database.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

from valuegraph.errors import QueryError
from valuegraph.graph.export.model import ColumnType, PropertyType

# XML 1.0 cannot hold these code points at all, not even as character references.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_XML_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')

# Between the elements of an array in a CSV field; passed to neo4j-admin as --array-delimiter.
ARRAY_DELIMITER = "\x1f"  # U+001F, the unit separator: never in ordinary text


def _non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def plain(value: Any) -> Any:
    """A JSON-ready value: temporal values as ISO 8601 text, points as maps, NaN as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return _non_finite(value)
    # Before the list test: Duration and Point are tuples underneath.
    if isinstance(value, DateTime | Date | Time | Duration):
        return value.iso_format()
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def xml_text(text: str) -> str:
    """Escaped for an XML element or attribute; code points XML forbids become U+FFFD."""
    if _XML_SPECIAL.search(text) is None:  # the common case: nothing to do
        return text
    return _XML_INVALID.sub("\ufffd", text).translate(_XML_ESCAPES)


def as_text(value: Any, column: ColumnType) -> str:
    """The value as one piece of text of its column's type (GraphML data, CSV content)."""
    # Lists are JSON text (networkx's GraphML writer rejects lists, Gephi reads text).
    if column.mixed or column.is_list or isinstance(value, list):
        return json.dumps(plain(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else _non_finite(value)
    if column.base is PropertyType.DOUBLE and isinstance(value, int):
        return repr(float(value))
    if isinstance(value, str):
        return value
    rendered = plain(value)
    return rendered if isinstance(rendered, str) else json.dumps(rendered, ensure_ascii=False)


_UNQUOTED = frozenset({PropertyType.LONG, PropertyType.DOUBLE, PropertyType.BOOLEAN})


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def csv_field(value: Any, column: ColumnType) -> str:
    """One field of a ``neo4j-admin database import`` CSV: empty (unquoted) means no property."""
    if value is None:
        return ""
    if column.is_list and not column.mixed:
        items = [as_text(item, ColumnType(column.base)) for item in value]
        for item in items:
            if ARRAY_DELIMITER in item:
                raise QueryError("cannot write CSV: a list property holds the character U+001F")
        return _csv_quote(ARRAY_DELIMITER.join(items))
    text = as_text(value, column)
    if column.base in _UNQUOTED and not column.mixed:
        return text
    return _csv_quote(text)


def cypher_identifier(name: str) -> str:
    """A label, type or key, backtick-quoted (backticks doubled), so any name is safe."""
    return "`" + name.replace("`", "``") + "`"


_CYPHER_TEMPORAL = (
    (Date, "date"),
    (Duration, "duration"),
)


def cypher_literal(value: Any) -> str:
    """A Cypher literal that evaluates to ``value`` (parameter-free scripts)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "(0.0 / 0.0)"
        if math.isinf(value):
            return "(1.0 / 0.0)" if value > 0 else "(-1.0 / 0.0)"
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a valid Cypher string literal: the same escapes, \uXXXX included.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, DateTime):
        function = "localdatetime" if value.tzinfo is None else "datetime"
        return f"{function}({json.dumps(value.iso_format())})"
    if isinstance(value, Time):
        function = "localtime" if value.tzinfo is None else "time"
        return f"{function}({json.dumps(value.iso_format())})"
    for kind, function in _CYPHER_TEMPORAL:
        if isinstance(value, kind):
            return f"{function}({json.dumps(value.iso_format())})"
    if isinstance(value, Point):
        axes = ("x", "y", "z")
        coordinates = ", ".join(f"{axis}: {c!r}" for axis, c in zip(axes, value, strict=False))
        return f"point({{srid: {value.srid}, {coordinates}}})"
    if isinstance(value, list | tuple):  # after Duration and Point, which are tuples too
        return "[" + ", ".join(cypher_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return cypher_map(value)
    return json.dumps(str(value), ensure_ascii=False)


def cypher_map(properties: dict[str, Any]) -> str:
    """A map literal; null values are left out (a null property does not exist)."""
    entries = (
        f"{cypher_identifier(key)}: {cypher_literal(value)}"
        for key, value in properties.items()
        if value is not None
    )
    return "{" + ", ".join(entries) + "}"
