"""The page-size limit, which the cost analysis and the resolvers both apply."""

from __future__ import annotations

from valuegraph.api.rejections import RequestRejected
from valuegraph.api.settings import ApiLimits


def check_page_size(argument: str, value: int | None, limits: ApiLimits) -> None:
    """Refuse a page size outside 0..max; resolvers call this too, as a second line."""
    if value is None:
        return
    if value < 0:
        raise RequestRejected(f"{argument} must not be negative, got {value}", "BAD_PAGE_SIZE")
    if value > limits.max_page_size:
        raise RequestRejected(
            f"{argument}: {value} is over the maximum page size {limits.max_page_size}",
            "PAGE_TOO_LARGE",
        )
