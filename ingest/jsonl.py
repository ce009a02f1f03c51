"""Streaming JSON Lines input, plain or gzip, with every rejected line quarantined.

The reader yields one result per line and never holds the file in memory.
A bad line (broken JSON, bad UTF-8, a failed validation) becomes a
:class:`Rejection` naming the file, line and field; the caller writes it to the
quarantine file beside the input, so nothing valid is lost and nothing invalid
is silently dropped.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from valuegraph.errors import InputError
from valuegraph.files import json_line, open_private

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Rejection:
    """One line that could not be used, and why."""

    path: Path
    line: int
    reason: str
    raw: str

    def message(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class Accepted(Generic[M]):
    line: int
    item: M


def open_input(path: Path) -> IO[bytes]:
    """Open a plain or gzip file for reading; a missing or unreadable one is an InputError."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    magic = handle.peek(2)[:2] if hasattr(handle, "peek") else b""
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


def describe_validation_error(error: ValidationError) -> str:
    """The first problem of a pydantic error, as 'field X: what is wrong'."""
    first = error.errors()[0]
    field_path = ".".join(str(part) for part in first["loc"]) or "record"
    kind = first["type"]
    if kind == "missing":
        return f"field '{field_path}': required but missing"
    if kind == "enum":
        expected = first.get("ctx", {}).get("expected", "")
        return f"field '{field_path}': unknown value {first['input']!r} (expected {expected})"
    if kind == "string_too_short":
        return f"field '{field_path}': must not be empty"
    if kind == "string_too_long":
        limit = first.get("ctx", {}).get("max_length")
        return f"field '{field_path}': longer than {limit} characters"
    if kind == "model_type" and not first["loc"]:
        return "a line must be a JSON object"
    return f"field '{field_path}': {first['msg']}"


@dataclass(frozen=True)
class Span:
    """The lines of a file that start at byte ``start`` or later and before ``end``."""

    start: int
    end: int | None  # None: to the end of the file


def split_lines(path: Path, parts: int, *, min_bytes: int = 1) -> list[Span]:
    """Cut ``path`` into up to ``parts`` spans of whole lines, about equal in bytes and none
    much shorter than ``min_bytes``.

    A gzip file cannot be entered in the middle, so it is always one span (``end`` None).
    """
    with open_input(path) as handle:
        if isinstance(handle, gzip.GzipFile):
            return [Span(0, None)]
        size = handle.seek(0, 2)
        parts = max(1, min(parts, size // max(min_bytes, 1)))
        starts = [0]
        for part in range(1, parts):
            handle.seek(max(part * size // parts - 1, starts[-1]))
            handle.readline()  # to the start of the next whole line
            if handle.tell() >= size:
                break
            if handle.tell() > starts[-1]:
                starts.append(handle.tell())
    return [Span(start, end) for start, end in zip(starts, [*starts[1:], size], strict=True)]


def read_jsonl(
    path: Path,
    parse: Callable[[Any], M],
    parse_json: Callable[[bytes], M] | None = None,
    *,
    span: Span | None = None,
) -> Iterator[Accepted[M] | Rejection]:
    """Yield each line of ``path`` parsed by ``parse`` (a model's validator), or its rejection.

    ``parse_json`` (a model's ``model_validate_json``) is tried first when given: it parses and
    validates in one step, in Rust, several times faster. A line it refuses goes through
    ``json.loads`` and ``parse`` as well, so what is accepted, and every rejection's reason,
    are those of the plain path.

    With ``span`` only those lines are read, and line numbers count from the span's first.
    """
    with open_input(path) as handle:
        lines: Iterable[bytes] = handle
        if span is not None:
            handle.seek(span.start)
            if span.end is not None:
                lines = _lines_before(handle, span.end - span.start)
        line_no = 0
        try:
            for line_no, raw_bytes in enumerate(lines, start=1):
                if parse_json is not None:
                    try:
                        yield Accepted(line_no, parse_json(raw_bytes))
                        continue
                    except ValueError:  # pydantic's ValidationError is a ValueError
                        pass
                yield _parse_line(path, line_no, raw_bytes, parse)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise InputError(
                f"{path}:{line_no + 1}: the gzip stream is broken ({exc}); "
                f"the {line_no} lines before it were read"
            ) from None


def _lines_before(handle: IO[bytes], length: int) -> Iterator[bytes]:
    """The lines of ``handle`` that start within its next ``length`` bytes."""
    read = 0
    for line in handle:
        if read >= length:
            return
        read += len(line)
        yield line


def _parse_line(
    path: Path, line_no: int, raw_bytes: bytes, parse: Callable[[Any], M]
) -> Accepted[M] | Rejection:
    try:
        raw = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = raw_bytes.decode("utf-8", errors="replace")
        return Rejection(path, line_no, f"invalid UTF-8 at byte {exc.start}", shown.rstrip("\n"))
    text = raw.strip()
    if not text:
        return Rejection(path, line_no, "empty line", "")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Rejection(path, line_no, f"broken JSON: {exc.msg} at column {exc.colno}", text)
    except RecursionError:  # Python's parser gives up past about a thousand levels
        return Rejection(path, line_no, "JSON nested too deeply", text)
    try:
        return Accepted(line_no, parse(data))
    except ValidationError as exc:
        return Rejection(path, line_no, describe_validation_error(exc), text)


class Quarantine:
    """The quarantine file beside an input: one JSON line per rejection, private (mode 0600)."""

    def __init__(self, source: Path, *, path: Path | None = None) -> None:
        self.path = path or quarantine_path(source)
        self.count = 0
        self._handle: IO[str] | None = None

    def add(self, rejection: Rejection) -> None:
        if self._handle is None:
            self._handle = open_private(self.path, "w", encoding="utf-8")
        entry = {"line": rejection.line, "reason": rejection.reason, "raw": rejection.raw}
        self._handle.write(json_line(entry) + "\n")
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        elif self.path.exists():
            # A clean re-run: the previous quarantine no longer describes this input.
            self.path.unlink()

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_rejections(quarantined: Path, source: Path, line_offset: int = 0) -> Iterator[Rejection]:
    """The rejections a :class:`Quarantine` wrote to ``quarantined`` (if it did), as lines of
    ``source`` counted ``line_offset`` lines further on."""
    if not quarantined.exists():
        return
    with quarantined.open("rb") as handle:
        for line in handle:
            entry = json.loads(line)
            yield Rejection(source, entry["line"] + line_offset, entry["reason"], entry["raw"])


def quarantine_path(source: Path) -> Path:
    name = source.name
    for suffix in (".gz", ".jsonl", ".json", ".csv"):
        name = name.removesuffix(suffix)
    return source.with_name(f"{name}.quarantine.jsonl")
