"""Old home of the shared pieces, kept for ``api/types/analyses.py`` until it moves.

They live in ``api/core/``: the context in ``context``, the enums (``ResponseType``) in
``enums``, the argument checks in ``arguments``.
"""

from valuegraph.api.core.arguments import page_size
from valuegraph.api.core.context import RequestContext, context_of
from valuegraph.api.core.enums import ResponseType, enum_value

__all__ = ["RequestContext", "ResponseType", "context_of", "enum_value", "page_size"]
