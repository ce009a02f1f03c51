"""Old home of ``Cluster``, kept for ``api/types/analyses.py`` until it moves (api/taxonomy/)."""

from valuegraph.api.taxonomy.types import Cluster

__all__ = ["Cluster"]
