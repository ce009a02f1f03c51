"""The local server's generated password is kept, the same on every call, and readable by its
owner only (no server is started)."""

from __future__ import annotations

from pathlib import Path

from valuegraph.graph.server import LocalServer
from valuegraph.settings import Settings


def test_generated_password_is_kept_private(tmp_path: Path) -> None:
    server = LocalServer(Settings(neo4j_password=None), home=tmp_path / "home")
    first = server.password()
    assert server.password() == first
    assert oct(server.password_file.stat().st_mode & 0o777) == oct(0o600)
