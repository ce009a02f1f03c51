"""The report's SVG charts and HTML shell, as pure functions (no database, no browser)."""

from __future__ import annotations

import itertools
import json
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from valuegraph.report.charts import (
    LABEL_GAP,
    Axis,
    Bar,
    Grid,
    Group,
    Point,
    Series,
    StackedRow,
    TreeNode,
    bar_chart,
    diverging_color,
    grouped_bars,
    heatmap,
    label_rows,
    nice_ticks,
    percent,
    scatter,
    stacked_bars,
    sunburst,
)
from valuegraph.report.page import Figure, ReportPage, Reproduce, Table, render_page, tree_html

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quotes"'


def parse(svg: str) -> ET.Element:
    """The chart as XML: it must be well-formed on its own, as the page inlines it."""
    return ET.fromstring(svg)


def marks(svg: str) -> list[ET.Element]:
    return [g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == "mark"]


def child(element: ET.Element, path: str) -> ET.Element:
    """The first match of ``path`` (SVG tags without their namespace), which must exist."""
    found = element.find(
        "/".join(f"{SVG}{tag}" if tag[0].isalpha() else tag for tag in path.split("/"))
    )
    assert found is not None, f"no {path}"
    return found


def attr(element: ET.Element, path: str, name: str) -> str:
    value = child(element, path).get(name)
    assert value is not None, f"{path} has no {name}"
    return value


def text(element: ET.Element, path: str) -> str:
    return child(element, path).text or ""


def tips(svg: str) -> list[str]:
    return [text(mark, "title") for mark in marks(svg)]


# --- scales and colours ----------------------------------------------------------------------


@given(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False))
def test_nice_ticks_cover_the_largest_value_in_round_steps(largest: float) -> None:
    ticks = nice_ticks(largest)
    assert ticks[0] == 0 and ticks[-1] >= largest * (1 - 1e-9)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5, 10))
    assert 2 <= len(ticks) <= 11


def test_nice_ticks_of_nothing_is_a_unit_axis() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(float("nan")) == [0.0, 1.0]


def test_diverging_colour_is_white_at_zero_red_above_blue_below() -> None:
    assert diverging_color(0, 10) == "#ffffff"
    red, blue = diverging_color(10, 10), diverging_color(-10, 10)
    assert int(red[1:3], 16) > int(red[5:7], 16)
    assert int(blue[5:7], 16) > int(blue[1:3], 16)
    assert diverging_color(50, 10) == red  # saturates


def test_percent_keeps_small_shares_readable() -> None:
    assert percent(0.23359) == "23.4%"
    assert percent(0.0004) == "0.04%"


# --- the charts ------------------------------------------------------------------------------


def test_bar_chart_has_one_mark_per_bar_with_its_exact_value() -> None:
    svg = bar_chart("b", "Top values", [Bar("helpfulness", 0.2336), Bar("clarity", 0.1658)])
    assert tips(svg) == ["helpfulness: 23.4%", "clarity: 16.6%"]
    widths = [float(attr(m, "rect", "width")) for m in marks(svg)]
    assert widths[0] > widths[1] > 0
    assert math.isclose(widths[0] / widths[1], 0.2336 / 0.1658, rel_tol=0.01)


def test_every_chart_escapes_names_from_the_corpus() -> None:
    charts = [
        bar_chart("a", HOSTILE, [Bar(HOSTILE, 1)]),
        stacked_bars("b", "t", [Series(HOSTILE, "#000")], [StackedRow(HOSTILE, (1.0,))]),
        grouped_bars("c", "t", [Series(HOSTILE, "#000")], [Group(HOSTILE, (1.0,))]),
        heatmap("d", "t", Grid((HOSTILE,), (HOSTILE,), ((2.0,),))),
        scatter("e", "t", [Point(HOSTILE, 1, 1, "x")], Axis("x"), Axis("y"), [Series("x", "#000")]),
        sunburst("f", "t", [TreeNode(HOSTILE, 1, (TreeNode(HOSTILE, 1),))]),
    ]
    for svg in charts:
        assert "<script" not in svg
        parse(svg)  # still well-formed
        assert any("alert" in tip for tip in tips(svg))


def test_empty_inputs_give_a_chart_that_says_so() -> None:
    for svg in (
        bar_chart("a", "t", []),
        stacked_bars("b", "t", [], []),
        grouped_bars("c", "t", [], []),
        heatmap("d", "t", Grid((), (), ())),
        scatter("e", "t", [], Axis("x", log=True), Axis("y")),
        sunburst("f", "t", []),
    ):
        assert "No " in svg and "to show" in svg
        parse(svg)


def test_stacked_bars_split_each_row_in_proportion() -> None:
    series = [Series("support", "#0a0"), Series("resistance", "#a00")]
    svg = stacked_bars("s", "t", series, [StackedRow("overall", (0.75, 0.25))])
    first, second = (float(attr(m, "rect", "width")) for m in marks(svg))
    assert math.isclose(first / second, 3, rel_tol=0.01)
    assert tips(svg) == ["overall, support: 75.0%", "overall, resistance: 25.0%"]


def test_stacked_bars_refuse_rows_that_do_not_match_the_series() -> None:
    with pytest.raises(ValueError, match="one share per series"):
        stacked_bars("s", "t", [Series("a", "#000")], [StackedRow("r", (0.5, 0.5))])


def test_grouped_bars_mark_suppressed_values() -> None:
    series = [Series("model a", "#000"), Series("model b", "#111")]
    svg = grouped_bars("g", "t", series, [Group("honesty", (0.1, None))])
    assert tips(svg) == ["honesty, model a: 10.0%", "honesty, model b: suppressed"]


def test_heatmap_colours_cells_by_sign_and_greys_missing_ones() -> None:
    grid = Grid(("v1", "v2"), ("t1", "t2"), ((12.0, -3.0), (None, 0.0)))
    svg = heatmap("h", "t", grid)
    fills = {tip: attr(m, "rect", "fill") for tip, m in zip(tips(svg), marks(svg))}
    assert fills["v1 x t1: 12.0"] == diverging_color(12, 12)
    assert fills["v1 x t2: -3.0"] == diverging_color(-3, 12)
    assert fills["v2 x t1: not shown"] == "#f0f1f3"
    assert fills["v2 x t2: 0.0"] == "#ffffff"


def test_heatmap_needs_a_full_matrix() -> None:
    with pytest.raises(ValueError):
        Grid(("a",), ("b", "c"), ((1.0,),))


def test_scatter_on_a_log_axis_drops_what_it_cannot_place_and_labels_highlights() -> None:
    points = [
        Point("common", 0.2, 0.5, "invariant"),
        Point("rare", 0.001, 3.0),
        Point("never", 0.0, 1.0),  # cannot sit on a log axis
        Point("undefined", 0.1, float("nan")),
    ]
    svg = scatter(
        "p", "t", points, Axis("share", log=True), Axis("cv"), [Series("invariant", "#00f")]
    )
    assert len(marks(svg)) == 2
    labelled = [m for m in marks(svg) if m.find(f"{SVG}text") is not None]
    assert [text(m, "text") for m in labelled] == ["common"]
    at = {
        text(m, "title").split(":")[0]: (
            float(attr(m, "circle", "cx")),
            float(attr(m, "circle", "cy")),
        )
        for m in marks(svg)
    }
    assert at["common"][0] > at["rare"][0]
    assert at["common"][1] > at["rare"][1]  # a lower cv sits lower


@given(st.lists(st.tuples(st.floats(0, 400), st.floats(20, 380)), min_size=1, max_size=10))
def test_point_labels_never_overlap_on_one_side_and_stay_in_the_plot(
    points: list[tuple[float, float]],
) -> None:
    rows = label_rows(points, 300, 20, 380)
    for right_side in (False, True):
        side = sorted(r for r, (x, _) in zip(rows, points) if (x > 300) == right_side)
        assert all(b - a >= LABEL_GAP - 1e-9 for a, b in itertools.pairwise(side))
        assert all(20 <= r <= 380 for r in side)


def test_sunburst_draws_every_node_and_a_single_root_as_a_whole_ring() -> None:
    tree = TreeNode("Practical", 3, (TreeNode("efficiency", 2), TreeNode("pragmatism", 1)))
    svg = sunburst("t", "taxonomy", [tree])
    assert [tip.split(":")[0] for tip in tips(svg)] == ["Practical", "efficiency", "pragmatism"]
    paths = [attr(m, "path", "d") for m in marks(svg)]
    assert all(re.fullmatch(r"M[-\d., ]+A[-\d., ]+L[-\d., ]+A[-\d., ]+Z", d) for d in paths)


# --- the HTML shell --------------------------------------------------------------------------


def page_with(data: object, notice: str | None = None) -> str:
    figure = Figure(
        id="top-values",
        title="Top values",
        reading="helpfulness leads",
        charts=(bar_chart("c", "t", [Bar("helpfulness", 0.2)]),),
        tables=(Table(("value", "share"), (("helpfulness", "20.0%"),), (False, True)),),
        reproduce=Reproduce(cli="valuegraph analyze frequencies", graphql="{ stats { x } }"),
        notes=("2 rows suppressed",),
        tree=(TreeNode("Practical", 1.0, (TreeNode("efficiency", 1.0),)),),
        data=data,
    )
    page = ReportPage("Report", (("conversations", "10"),), (figure,), notice=notice, meta={})
    return render_page(page)


def embedded(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert match
    return json.loads(match.group(1))


def test_the_page_embeds_its_data_as_json_that_cannot_close_the_script_element() -> None:
    data = {"rows": [{"value": "</script><script>alert(1)</script>", "share": 0.2}]}
    html = page_with(data)
    assert html.count("</script>") == 1
    assert embedded(html)["figures"]["top-values"] == data


def test_the_page_turns_nan_into_null() -> None:
    assert embedded(page_with({"cv": float("nan")}))["figures"]["top-values"] == {"cv": None}


def test_the_page_forbids_itself_every_request_and_loads_nothing() -> None:
    html = page_with({})
    assert "default-src 'none'" in html
    assert not re.search(r"<script(?![^>]*application/json)", html)
    assert not re.search(r"\b(src|href)=\"(?!#)", html)  # only in-page links
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}


def test_the_page_shows_figure_parts_and_a_notice() -> None:
    html = page_with({}, notice="The graph holds no conversations.")
    for text in (
        "The graph holds no conversations.",
        "helpfulness leads",
        "2 rows suppressed",
        "valuegraph analyze frequencies",
        'data-figure="top-values"',
        '<td class="num">20.0%</td>',
    ):
        assert text in html


def test_long_tables_start_folded() -> None:
    rows = tuple((str(i),) for i in range(40))
    figure = Figure(id="f", title="F", reading="r", tables=(Table(("n",), rows),))
    html = render_page(ReportPage("R", (), (figure,)))
    assert '<details class="numbers">' in html and "(40 rows)" in html


def test_tree_html_nests_children_under_their_parent() -> None:
    html = tree_html([TreeNode("Social", 2, (TreeNode("empathy", 1), TreeNode("care", 1)))])
    root = ET.fromstring(html)
    summary = root.find("./ul/li/details/summary/span")
    assert summary is not None and summary.text == "Social"
    leaves = root.findall("./ul/li/details/ul/li")
    assert [leaf.findtext("div/span") for leaf in leaves] == ["empathy", "care"]
