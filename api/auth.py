"""The API token check: whether a request carries the configured bearer token.

``api/app.py`` applies it to every request before any GraphQL work, except the routes that are
public by design (listed there).
"""

from __future__ import annotations

import hmac


def bearer_token_matches(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries ``token``; constant-time, so timing tells nothing."""
    scheme, _, presented = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())
