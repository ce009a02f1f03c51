"""Argument checks the resolvers of several domains share; a bad argument is RequestRejected."""

from __future__ import annotations

from valuegraph.api.core.context import RequestContext
from valuegraph.api.rejections import RequestRejected
from valuegraph.api.validation.pages import check_page_size
from valuegraph.keys import normalise_key

MAX_SEARCH_LENGTH = 200


def page_size(argument: str, value: int | None, context: RequestContext) -> int:
    """A checked page size (the same limit the guards apply before execution)."""
    check_page_size(argument, value, context.limits)
    return value if value is not None else 0


def search_key(value: str | None, argument: str = "search") -> str | None:
    """A search string as a normalised key fragment; empty means no search."""
    if value is None:
        return None
    if len(value) > MAX_SEARCH_LENGTH:
        raise RequestRejected(
            f"{argument} is {len(value)} characters; the limit is {MAX_SEARCH_LENGTH}",
            "ARGUMENT_TOO_LONG",
        )
    return normalise_key(value) or None


def name_key(value: str, argument: str = "name") -> str:
    """A value or task name as its canonical key; a blank name is refused."""
    key = search_key(value, argument)
    if key is None:
        raise RequestRejected(f"{argument} must not be blank", "BAD_ARGUMENT")
    return key


def min_count(value: int | None, argument: str) -> int:
    if value is not None and value < 0:
        raise RequestRejected(f"{argument} must not be negative, got {value}", "BAD_ARGUMENT")
    return value or 0
