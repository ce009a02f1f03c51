"""One exception hierarchy. Driver and SDK errors are translated where they enter."""


class ValuegraphError(Exception):
    """Root of the errors valuegraph raises on purpose; the CLI prints them without a traceback."""

    exit_code = 1


class ConfigError(ValuegraphError):
    """A setting is missing or invalid."""

    exit_code = 2


class InputError(ValuegraphError):
    """A user-supplied file or argument cannot be used (missing, unreadable, wrong format)."""

    exit_code = 2


class GraphUnavailable(ValuegraphError):
    """Neo4j cannot be reached, or refused the credentials."""

    exit_code = 3


class ServerError(ValuegraphError):
    """The local Neo4j server could not be assembled, started or stopped."""

    exit_code = 4


class QueryError(ValuegraphError):
    """A query was refused (write in a read-only context, guard exceeded) or failed."""

    exit_code = 5


class ExtractionError(ValuegraphError):
    """A model call failed for good, or its answer could not be validated."""

    exit_code = 6
