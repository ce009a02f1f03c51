"""Old home of the guards, kept for ``api/types/analyses.py`` until it moves.

The guards are split by job: ``api/settings.py`` (limits), ``api/auth.py`` (token),
``api/validation/`` (depth, cost, page sizes), ``api/rejections.py`` (RequestRejected) and
``api/public_errors.py`` (what clients see of a failure).
"""

from valuegraph.api.rejections import RequestRejected

__all__ = ["RequestRejected"]
