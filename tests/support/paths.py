"""Places in the checkout the tests and benchmarks share."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Screenshots the browser tests take on every run: git-ignored, so a test run changes no
# tracked file. `make screenshots` copies the README's pictures from here into docs/images.
SCREENSHOTS = REPO / "tests" / "screenshots"
