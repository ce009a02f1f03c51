"""Files the tool writes: private ones owner-only, JSON Lines ones splittable on any reader."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

PRIVATE_MODE = 0o600

# json.dumps(ensure_ascii=False) leaves these three as they are, and Python's str.splitlines()
# breaks lines at them, so one record would read as two.
_LINE_BREAKS_JSON_KEEPS = str.maketrans(
    {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def json_line(value: Any, **options: Any) -> str:
    """``value`` as one line of JSON Lines, readable text kept as text, without the newline."""
    return json.dumps(value, ensure_ascii=False, **options).translate(_LINE_BREAKS_JSON_KEEPS)


def open_private(path: Path, mode: str = "w", **options: Any) -> IO[Any]:
    """Open ``path`` for writing (truncated), owner-only whatever the umask.

    ``O_CREAT`` applies its mode only to a new file; a file that was already there (an older
    run's, or one copied in) keeps its own, so the mode is set on the open descriptor too.
    """
    if not set(mode) <= {"w", "b", "t"} or "w" not in mode:
        raise ValueError(f"open_private writes only, not mode {mode!r}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)
        return os.fdopen(fd, mode, **options)
    except BaseException:
        os.close(fd)
        raise
