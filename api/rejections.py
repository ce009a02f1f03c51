"""The one error the API raises for a request it refuses, with a machine-readable code.

Guards raise it before execution, resolvers while checking their arguments; the error policy
(``api/public_errors.py``) shows its message and code to the client as they are.
"""

from __future__ import annotations

from valuegraph.errors import QueryError


class RequestRejected(QueryError):
    """A guard refused the request; ``code`` says which one."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
