"""Old home of ``Value``, kept for ``api/types/analyses.py`` until it moves (see api/values/)."""

from valuegraph.api.core.entries import entry_from_sides
from valuegraph.api.values.types import Value

__all__ = ["Value", "entry_from_sides"]
