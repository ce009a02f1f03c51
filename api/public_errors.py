"""What clients see of a failure: clear messages, never a stack trace or a line of Cypher.

Driver errors are reduced to their kind; anything unexpected becomes "internal error" plus an
id that the server log carries with the details. The GraphQL view, the export download and any
other route answer failures through :func:`public_message`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from graphql import GraphQLError

from valuegraph.api.rejections import RequestRejected
from valuegraph.errors import GraphUnavailable, InputError, QueryError, ValuegraphError

log = logging.getLogger("valuegraph.api")


def public_errors(errors: Iterable[GraphQLError]) -> list[GraphQLError]:
    """The errors as a client may see them: clear messages, no Cypher, no traceback."""
    return [_public_error(error) for error in errors]


def _public_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        return error  # a syntax or validation error: its message is about the client's document
    message, code = public_message(original)
    extensions = dict(error.extensions or {})
    extensions["code"] = code
    return GraphQLError(
        message, error.nodes, error.source, error.positions, error.path, None, extensions
    )


def public_message(error: BaseException) -> tuple[str, str]:
    """A message and code fit for a client, for any exception a resolver raised."""
    if isinstance(error, RequestRejected):
        return str(error), error.code
    if isinstance(error, GraphUnavailable):
        log.warning("Neo4j is unavailable: %s", error)  # the operator's reason, not the client's
        return (
            "the graph database is not reachable right now; try again shortly",
            "DATABASE_UNAVAILABLE",
        )
    if isinstance(error, QueryError) and _from_driver(error):
        if "timed out" in str(error):
            return "the query took too long and was stopped", "QUERY_TIMEOUT"
        reference = _log_with_reference(error)
        return f"the database could not answer this query (error {reference})", "DATABASE_ERROR"
    if isinstance(error, InputError | QueryError):
        return str(error), "BAD_REQUEST"
    if isinstance(error, GraphQLError):
        # graphql-core coerces arguments as it reaches each field, so a null sent for a
        # non-null argument with a default surfaces here, about the client's request.
        return error.message, "BAD_REQUEST"
    if isinstance(error, ValuegraphError):
        return str(error), "ERROR"
    reference = _log_with_reference(error)
    return f"internal error {reference}; the server log has the details", "INTERNAL_ERROR"


def _from_driver(error: BaseException) -> bool:
    """Whether a QueryError was translated from a driver error (whose text may quote Cypher)."""
    cause = error.__cause__
    return cause is not None and type(cause).__module__.startswith("neo4j")


def _log_with_reference(error: BaseException) -> str:
    reference = uuid.uuid4().hex[:12]
    log.error("request failed (error %s)", reference, exc_info=error)
    return reference
