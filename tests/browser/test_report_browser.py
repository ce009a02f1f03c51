"""The report in headless Chromium with the network blocked: it asks for nothing, logs no error,
and draws every chart. A screenshot of each figure goes to ``tests/screenshots/report-<id>.png``
(git-ignored; ``make screenshots`` copies the README's into ``docs/images``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import SCREENSHOTS
from tests.support.report_browser import Browser, Visit, browser_available
from tests.support.synthetic_corpus import Corpus
from valuegraph.report.build import FIGURES, build_report, render_report
from valuegraph.report.page import ReportPage, render_page

pytestmark = pytest.mark.skipif(
    not browser_available(),
    reason="Chromium is not installed (apt-get install -y chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(width=1100, height=1000) as opened:
        yield opened


@pytest.fixture(scope="module")
def report_file(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = build_report(corpus.graph, corpus.settings, top=15)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(page), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def visit(browser: Browser, report_file: Path) -> Visit:
    return browser.open(report_file.as_uri())


def test_the_page_requests_nothing_but_itself(visit: Visit, report_file: Path) -> None:
    others = [url for url in visit.requests if url != report_file.as_uri()]
    assert others == [], f"the report asked for {others}"


def test_the_page_logs_no_console_error(visit: Visit) -> None:
    assert visit.console_errors == ()


def test_every_chart_is_drawn_with_a_size(visit: Visit, browser: Browser) -> None:
    sizes = browser.script(
        "return [...document.querySelectorAll('svg.chart')].map(svg => {"
        "  const box = svg.getBoundingClientRect();"
        "  return [svg.id, box.width, box.height, svg.querySelectorAll('.mark').length];"
        "});"
    )
    assert len(sizes) >= len(FIGURES)
    for chart_id, width, height, marks in sizes:
        assert width > 100 and height > 40, chart_id
        assert marks > 0, f"{chart_id} draws nothing"


def test_a_screenshot_of_each_figure(visit: Visit, browser: Browser) -> None:
    for spec in FIGURES:
        path = browser.screenshot(
            f'section[data-figure="{spec.id}"]', SCREENSHOTS / f"report-{spec.id}.png"
        )
        assert path.stat().st_size > 5_000, f"{path} looks empty"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_empty_report_renders_cleanly_too(browser: Browser, tmp_path: Path) -> None:
    notice = "The graph holds no conversations, so there is nothing to draw yet."
    path = tmp_path / "empty.html"
    path.write_text(render_page(ReportPage("Empty", (), (), notice=notice)), encoding="utf-8")
    visit = browser.open(path.as_uri())
    assert [url for url in visit.requests if url != path.as_uri()] == []
    assert visit.console_errors == ()
    assert browser.script("return document.querySelector('.notice').textContent") == notice
