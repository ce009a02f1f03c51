"""Inline-SVG charts: pure functions from typed rows to an ``<svg>`` string.

No JavaScript and no network: every chart is one self-contained SVG element that the report
inlines. Each mark carries a ``<title>`` child, so hovering shows its exact number without a
script, and each chart has ``role="img"`` with a title for screen readers. Text is escaped here,
so names from the user's corpus cannot break out of the markup.

The charts:

- :func:`bar_chart` - horizontal bars (top values, shares, rates)
- :func:`stacked_bars` - 100% stacked horizontal bars (response-type distributions)
- :func:`grouped_bars` - one bar per series within each category (models side by side)
- :func:`heatmap` - a diverging heatmap of signed numbers (adjusted residuals)
- :func:`scatter` - points on a log or linear x axis, some of them labelled (invariance)
- :func:`sunburst` - a tree as rings of arcs (the taxonomy)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

# --- shared look ---------------------------------------------------------------------------

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 12
# An average glyph of the font at FONT_SIZE; enough to size margins without measuring text.
CHAR_WIDTH = 6.6
MAX_LABEL_CHARS = 34
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
EMPTY_CELL = "#f0f1f3"

# Colour-blind-safe categorical colours (Okabe & Ito, 2008), deepened where pale ones vanish on
# white.
CATEGORICAL: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#8C7B00",
    "#6A3D9A",
    "#999999",
)

Format = Callable[[float], str]


def percent(value: float) -> str:
    """0.2336 -> '23.4%'; shares below 1% keep two decimals so they do not all read '0.0%'."""
    scaled = value * 100
    return f"{scaled:.2f}%" if abs(scaled) < 1 else f"{scaled:.1f}%"


def tick_percent(value: float) -> str:
    """A round share on an axis: 0.05 -> '5%', 0.002 -> '0.2%'."""
    return f"{value * 100:.3g}%"


def _tick_format(value_format: Format) -> Format:
    """Axis ticks are round numbers: they read better without the values' fixed decimals."""
    return tick_percent if value_format is percent else value_format


def number(value: float) -> str:
    """Thousands separated, integers without decimals, others with at most two."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _text(value: str) -> str:
    """Escape for element content and attribute values alike."""
    return escape(value, quote=True)


def _short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _f(value: float) -> str:
    """A coordinate with at most one decimal, which keeps big charts small."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def _label_width(labels: Sequence[str], limit: int = MAX_LABEL_CHARS) -> float:
    longest = max((len(_short(label, limit)) for label in labels), default=0)
    return longest * CHAR_WIDTH + 12


def _open_svg(chart_id: str, title: str, width: float, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{_text(chart_id)}" class="chart" '
        f'role="img" aria-labelledby="{_text(chart_id)}-title" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" height="{_f(height)}" '
        f'font-family="{_text(FONT)}" font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{_text(chart_id)}-title">{_text(title)}</title>',
    ]


def _empty_chart(chart_id: str, title: str, message: str, width: float = 480) -> str:
    parts = _open_svg(chart_id, title, width, 48)
    parts.append(f'<text x="8" y="28" fill="{MUTED}">{_text(message)}</text></svg>')
    return "".join(parts)


def nice_ticks(largest: float, count: int = 5) -> list[float]:
    """Round tick positions from 0 to at least ``largest``: steps of 1, 2 or 5 times 10^n."""
    if largest <= 0 or not math.isfinite(largest):
        return [0.0, 1.0]
    raw = largest / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    steps = math.ceil(largest / step - 1e-9)
    return [round(i * step, 12) for i in range(steps + 1)]


# --- horizontal bars -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length, and an optional colour (a category's)."""

    label: str
    value: float
    color: str | None = None


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    value_format: Format = percent,
    width: float = 860,
    bar_height: float = 18,
    axis_label: str = "",
) -> str:
    """Horizontal bars, top to bottom in the order given, with each value printed at its end."""
    if not bars:
        return _empty_chart(chart_id, title, "No rows to show.")
    left = _label_width([bar.label for bar in bars])
    right = 64.0
    top, gap = (42.0 if axis_label else 28.0), 6.0
    plot_width = max(width - left - right, 120)
    ticks = nice_ticks(max(bar.value for bar in bars))
    scale = plot_width / ticks[-1]
    height = top + len(bars) * (bar_height + gap) + 8
    parts = _open_svg(chart_id, title, width, height)
    parts += _vertical_grid(ticks, scale, left, top, height - 8, _tick_format(value_format))
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = max(bar.value, 0) * scale
        tip = f"{bar.label}: {value_format(bar.value)}"
        parts.append(
            f'<g class="mark"><title>{_text(tip)}</title>'
            f'<text x="{_f(left - 8)}" y="{_f(y + bar_height / 2)}" text-anchor="end" '
            f'dominant-baseline="central">{_text(_short(bar.label))}</text>'
            f'<rect x="{_f(left)}" y="{_f(y)}" width="{_f(length)}" height="{_f(bar_height)}" '
            f'fill="{bar.color or CATEGORICAL[0]}" rx="2"/>'
            f'<text x="{_f(left + length + 4)}" y="{_f(y + bar_height / 2)}" '
            f'dominant-baseline="central" fill="{MUTED}">{_text(value_format(bar.value))}</text>'
            "</g>"
        )
    if axis_label:
        parts.append(
            f'<text x="{_f(left)}" y="12" fill="{MUTED}" font-size="11">{_text(axis_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _vertical_grid(
    ticks: Sequence[float], scale: float, left: float, top: float, bottom: float, fmt: Format
) -> list[str]:
    parts = []
    for tick in ticks:
        x = left + tick * scale
        parts.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top - 4)}" y2="{_f(bottom)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{_f(x)}" y="{_f(top - 8)}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="10">{_text(fmt(tick))}</text>'
        )
    return parts


# --- legends -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """A named series (a response type, a model) with its colour."""

    name: str
    color: str


def _legend(series: Sequence[Series], left: float, top: float, width: float) -> tuple[str, float]:
    """Swatches in rows that wrap at ``width``; returns the markup and the height it took."""
    parts, x, y = [], left, top
    for item in series:
        item_width = 18 + len(item.name) * CHAR_WIDTH + 14
        if x + item_width > left + width and x > left:
            x, y = left, y + 18
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y)}" width="12" height="12" fill="{item.color}" rx="2"/>'
            f'<text x="{_f(x + 17)}" y="{_f(y + 10)}">{_text(item.name)}</text>'
        )
        x += item_width
    return "".join(parts), y - top + 18


# --- stacked bars --------------------------------------------------------------------------


@dataclass(frozen=True)
class StackedRow:
    """One 100% bar: its label and its segments' shares, in the order of the series."""

    label: str
    shares: tuple[float, ...]


def stacked_bars(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    rows: Sequence[StackedRow],
    *,
    width: float = 860,
    bar_height: float = 26,
) -> str:
    """Each row a bar split into its series' shares, with the share printed where it fits."""
    if not rows:
        return _empty_chart(chart_id, title, "No rows to show.")
    if any(len(row.shares) != len(series) for row in rows):
        raise ValueError("every row needs one share per series")
    left = _label_width([row.label for row in rows])
    plot_width = max(width - left - 16, 120)
    legend, legend_height = _legend(series, left, 6, plot_width)
    top, gap = 14 + legend_height, 10.0
    height = top + len(rows) * (bar_height + gap)
    parts = _open_svg(chart_id, title, width, height)
    parts.append(legend)
    for index, row in enumerate(rows):
        y = top + index * (bar_height + gap)
        total = sum(row.shares) or 1.0
        parts.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + bar_height / 2)}" text-anchor="end" '
            f'dominant-baseline="central">{_text(_short(row.label))}</text>'
        )
        x = left
        for item, share in zip(series, row.shares, strict=True):
            segment = share / total * plot_width
            parts.append(_segment(item, row.label, share, x, y, segment, bar_height))
            x += segment
    parts.append("</svg>")
    return "".join(parts)


def _segment(
    item: Series, row_label: str, share: float, x: float, y: float, length: float, height: float
) -> str:
    tip = f"{row_label}, {item.name}: {percent(share)}"
    label = percent(share)
    inside = ""
    if length >= len(label) * CHAR_WIDTH * 0.85 + 6:
        inside = (
            f'<text x="{_f(x + length / 2)}" y="{_f(y + height / 2)}" text-anchor="middle" '
            f'dominant-baseline="central" fill="#fff" font-size="11">{_text(label)}</text>'
        )
    return (
        f'<g class="mark"><title>{_text(tip)}</title><rect x="{_f(x)}" y="{_f(y)}" '
        f'width="{_f(length)}" height="{_f(height)}" fill="{item.color}"/>{inside}</g>'
    )


# --- grouped bars --------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A category (a value) and one number per series (a model); ``None`` where suppressed."""

    label: str
    values: tuple[float | None, ...]


def grouped_bars(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    groups: Sequence[Group],
    *,
    value_format: Format = percent,
    width: float = 860,
    bar_height: float = 10,
    missing: str = "suppressed",
) -> str:
    """Within each category one thin bar per series, so series compare value by value;
    ``missing`` says what a ``None`` value means."""
    if not groups:
        return _empty_chart(chart_id, title, "No rows to show.")
    if any(len(group.values) != len(series) for group in groups):
        raise ValueError("every group needs one value per series")
    left = _label_width([group.label for group in groups])
    plot_width = max(width - left - 64, 120)
    legend, legend_height = _legend(series, left, 6, plot_width)
    top = 34 + legend_height
    group_height = len(series) * bar_height + 10
    height = top + len(groups) * group_height + 4
    largest = max((v for g in groups for v in g.values if v is not None), default=0.0)
    ticks = nice_ticks(largest)
    scale = plot_width / ticks[-1]
    parts = _open_svg(chart_id, title, width, height)
    parts.append(legend)
    parts += _vertical_grid(ticks, scale, left, top, height - 4, _tick_format(value_format))
    for index, group in enumerate(groups):
        y = top + index * group_height
        parts.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + len(series) * bar_height / 2)}" '
            f'text-anchor="end" dominant-baseline="central">{_text(_short(group.label))}</text>'
        )
        for offset, (item, value) in enumerate(zip(series, group.values, strict=True)):
            shown = missing if value is None else value_format(value)
            length = 0.0 if value is None else max(value, 0) * scale
            parts.append(
                f'<g class="mark"><title>{_text(f"{group.label}, {item.name}: {shown}")}</title>'
                f'<rect x="{_f(left)}" y="{_f(y + offset * bar_height)}" width="{_f(length)}" '
                f'height="{_f(bar_height - 1)}" fill="{item.color}"/></g>'
            )
    parts.append("</svg>")
    return "".join(parts)


# --- heatmap -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A matrix of signed numbers with its row and column labels; ``None`` marks no number."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[float | None, ...], ...]

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.rows) or any(
            len(row) != len(self.columns) for row in self.cells
        ):
            raise ValueError("cells must be len(rows) x len(columns)")


def diverging_color(value: float, limit: float) -> str:
    """Blue below zero, red above, white at zero; saturates at +/- ``limit``.

    The depth of colour follows log(1 + |value|): adjusted residuals span orders of magnitude
    (from about 2 to several hundred), and on a linear scale everything but the strongest
    cell would look white.
    """
    if limit <= 0 or value == 0:
        return "#ffffff"
    weight = min(1.0, math.log1p(abs(value)) / math.log1p(limit))
    end = (178, 24, 43) if value > 0 else (33, 102, 172)  # ColorBrewer RdBu ends
    channels = (round(255 + (c - 255) * weight) for c in end)
    return "#{:02x}{:02x}{:02x}".format(*channels)


def _signed(value: float) -> str:
    rounded = round(value)
    return f"{rounded:+d}" if rounded else "0"


def _scale_value(position: float, limit: float) -> float:
    """The value at ``position`` (-1 to 1) of the legend, the inverse of the colour scale."""
    return math.copysign(math.expm1(abs(position) * math.log1p(limit)), position)


def heatmap(
    chart_id: str,
    title: str,
    grid: Grid,
    *,
    cell: float = 30,
    value_format: Format = lambda v: f"{v:.1f}",
    legend_title: str = "adjusted residual",
) -> str:
    """Rows by columns, each cell coloured by its sign and size and labelled with its number."""
    if not grid.rows or not grid.columns:
        return _empty_chart(chart_id, title, "No rows to show.")
    left = _label_width(grid.rows)
    column_chars = max(len(_short(c, 28)) for c in grid.columns)
    top = column_chars * CHAR_WIDTH * 0.72 + 20  # column labels run at -45 degrees
    present = [abs(v) for row in grid.cells for v in row if v is not None]
    limit = max(present, default=1.0)
    width = left + len(grid.columns) * cell + top * 0.72 + 10
    height = top + len(grid.rows) * cell + 56
    parts = _open_svg(chart_id, title, max(width, left + 260), height)
    for j, column in enumerate(grid.columns):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({_f(x)},{_f(top - 6)}) rotate(-45)" font-size="11">'
            f"<title>{_text(column)}</title>{_text(_short(column, 28))}</text>"
        )
    for i, row in enumerate(grid.rows):
        y = top + i * cell
        parts.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + cell / 2)}" text-anchor="end" '
            f'dominant-baseline="central">{_text(_short(row))}</text>'
        )
        for j, value in enumerate(grid.cells[i]):
            parts.append(
                _heat_cell(
                    row, grid.columns[j], value, left + j * cell, y, cell, limit, value_format
                )
            )
    parts.append(
        _heat_legend(chart_id, left, top + len(grid.rows) * cell + 14, limit, legend_title)
    )
    parts.append("</svg>")
    return "".join(parts)


def _heat_cell(
    row: str,
    column: str,
    value: float | None,
    x: float,
    y: float,
    size: float,
    limit: float,
    fmt: Format,
) -> str:
    if value is None:
        return (
            f'<g class="mark"><title>{_text(f"{row} x {column}: not shown")}</title>'
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(size - 1)}" height="{_f(size - 1)}" '
            f'fill="{EMPTY_CELL}"/></g>'
        )
    color = diverging_color(value, limit)
    ink = "#fff" if abs(value) > limit * 0.55 else INK
    label = fmt(value)
    text = ""
    if len(label) * CHAR_WIDTH * 0.8 <= size - 2:
        text = (
            f'<text x="{_f(x + size / 2)}" y="{_f(y + size / 2)}" text-anchor="middle" '
            f'dominant-baseline="central" font-size="9" fill="{ink}">{_text(label)}</text>'
        )
    return (
        f'<g class="mark"><title>{_text(f"{row} x {column}: {label}")}</title>'
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(size - 1)}" height="{_f(size - 1)}" '
        f'fill="{color}"/>{text}</g>'
    )


def _heat_legend(chart_id: str, left: float, top: float, limit: float, title: str) -> str:
    gradient = f"{_text(chart_id)}-scale"
    stops = "".join(
        f'<stop offset="{_f(i * 10)}%" '
        f'stop-color="{diverging_color(_scale_value((i - 5) / 5, limit), limit)}"/>'
        for i in range(11)
    )
    labels = "".join(
        f'<text x="{_f(left + 100 + position * 100)}" y="{_f(top + 24)}" font-size="10" '
        f'fill="{MUTED}" text-anchor="middle">{_signed(_scale_value(position, limit))}</text>'
        for position in (-1, -0.5, 0, 0.5, 1)
    )
    return (
        f'<defs><linearGradient id="{gradient}">{stops}</linearGradient></defs>'
        f'<rect x="{_f(left)}" y="{_f(top)}" width="200" height="10" fill="url(#{gradient})"/>'
        f"{labels}"
        f'<text x="{_f(left + 212)}" y="{_f(top + 9)}" font-size="11" fill="{MUTED}">'
        f"{_text(title)} (log scale)</text>"
    )


# --- scatter -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A point; ``highlight`` names the group it stands out in (drawn in colour and labelled)."""

    label: str
    x: float
    y: float
    highlight: str | None = None


@dataclass(frozen=True)
class Axis:
    title: str
    log: bool = False
    value_format: Format = field(default=number)


def scatter(
    chart_id: str,
    title: str,
    points: Sequence[Point],
    x_axis: Axis,
    y_axis: Axis,
    highlights: Sequence[Series] = (),
    *,
    width: float = 860,
    height: float = 420,
) -> str:
    """Points in grey, highlighted ones in their group's colour with their label beside them."""
    drawable = [p for p in points if _plottable(p.x, x_axis) and _plottable(p.y, y_axis)]
    if not drawable:
        return _empty_chart(chart_id, title, "No points to show.")
    left, right, bottom = 64.0, 24.0, 48.0
    legend, legend_height = _legend(highlights, left, 6, width - left - right)
    top = 16 + legend_height
    to_x = _axis_scale(x_axis, [p.x for p in drawable], left, width - right)
    to_y = _axis_scale(y_axis, [p.y for p in drawable], height - bottom, top)
    parts = _open_svg(chart_id, title, width, height)
    parts.append(legend)
    parts += _axes(x_axis, y_axis, to_x, to_y, left, width - right, top, height - bottom)
    colors = {item.name: item.color for item in highlights}
    ordered = sorted(drawable, key=lambda p: p.highlight is not None)  # highlights on top
    # Labels sit right of their point, except in the plot's last quarter, where they sit left.
    split = left + 0.75 * (width - right - left)
    placed = [(to_x.at(p.x), to_y.at(p.y)) for p in ordered]
    rows = iter(
        label_rows(
            [xy for xy, p in zip(placed, ordered, strict=True) if p.highlight],
            split,
            top,
            height - bottom,
        )
    )
    for (x, y), p in zip(placed, ordered, strict=True):
        tip = f"{p.label}: {x_axis.title} {x_axis.value_format(p.x)}, "
        tip += f"{y_axis.title} {y_axis.value_format(p.y)}"
        color = colors.get(p.highlight or "", "#9aa5b1")
        radius = 4.5 if p.highlight else 2.5
        label = _point_label(p.label, x, y, next(rows), split) if p.highlight else ""
        parts.append(
            f'<g class="mark"><title>{_text(tip)}</title><circle cx="{_f(x)}" cy="{_f(y)}" '
            f'r="{radius}" fill="{color}" fill-opacity="0.85"/>{label}</g>'
        )
    parts.append("</svg>")
    return "".join(parts)


LABEL_GAP = 13.0  # px between the baselines of two point labels


def label_rows(
    points: Sequence[tuple[float, float]], split: float, top: float, bottom: float
) -> list[float]:
    """Where each point's label sits vertically (in the order given), moved just enough that
    labels on one side never overlap and none leaves the plot. Labels go right of their point,
    or left of it for points right of ``split``."""
    rows = [0.0] * len(points)
    for right_side in (False, True):
        side = sorted(
            (i for i, (x, _) in enumerate(points) if (x > split) == right_side),
            key=lambda i: points[i][1],
        )
        lowest = -math.inf
        for i in side:  # downwards, pushing each label below the one above it
            lowest = max(points[i][1], lowest + LABEL_GAP, top + 6)
            rows[i] = lowest
        highest = math.inf
        for i in reversed(side):  # then upwards, pulling back what went past the bottom
            highest = min(rows[i], highest - LABEL_GAP, bottom - 6)
            rows[i] = highest
    return rows


def _point_label(label: str, x: float, y: float, row: float, split: float) -> str:
    anchor = "end" if x > split else "start"
    dx = 8 if anchor == "start" else -8
    leader = ""
    if abs(row - y) > 2:  # moved away from its point: draw a thin line back to it
        leader = (
            f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + dx * 0.8)}" y2="{_f(row)}" '
            f'stroke="{MUTED}" stroke-width="0.6"/>'
        )
    return (
        f'{leader}<text x="{_f(x + dx)}" y="{_f(row + 4)}" text-anchor="{anchor}" '
        f'font-size="11">{_text(_short(label, 26))}</text>'
    )


def _plottable(value: float, axis: Axis) -> bool:
    return math.isfinite(value) and (value > 0 if axis.log else True)


@dataclass(frozen=True)
class _Scale:
    """Maps data onto pixels; ``ticks`` are in data units."""

    low: float
    high: float
    start: float
    end: float
    log: bool
    ticks: tuple[float, ...]

    def at(self, value: float) -> float:
        transform = math.log10 if self.log else float
        lo, hi = transform(self.low), transform(self.high)
        fraction = 0.5 if hi == lo else (transform(value) - lo) / (hi - lo)
        return self.start + fraction * (self.end - self.start)


def _axis_scale(axis: Axis, values: Sequence[float], start: float, end: float) -> _Scale:
    if axis.log:
        low = 10 ** math.floor(math.log10(min(values)))
        high = 10 ** math.ceil(math.log10(max(values)))
        if high == low:
            high = low * 10
        exponents = range(round(math.log10(low)), round(math.log10(high)) + 1)
        ticks = tuple(10.0**e for e in exponents)
        return _Scale(low, high, start, end, True, ticks)
    ticks = tuple(nice_ticks(max(values)))
    return _Scale(0.0, ticks[-1], start, end, False, ticks)


def _axes(
    x_axis: Axis,
    y_axis: Axis,
    to_x: _Scale,
    to_y: _Scale,
    left: float,
    right: float,
    top: float,
    bottom: float,
) -> list[str]:
    parts = []
    for tick in to_x.ticks:
        x = to_x.at(tick)
        parts.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(bottom)}" stroke="{GRID}"/>'
            f'<text x="{_f(x)}" y="{_f(bottom + 14)}" text-anchor="middle" font-size="10" '
            f'fill="{MUTED}">{_text(x_axis.value_format(tick))}</text>'
        )
    for tick in to_y.ticks:
        y = to_y.at(tick)
        parts.append(
            f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{GRID}"/>'
            f'<text x="{_f(left - 6)}" y="{_f(y)}" text-anchor="end" dominant-baseline="central" '
            f'font-size="10" fill="{MUTED}">{_text(y_axis.value_format(tick))}</text>'
        )
    middle_y = (top + bottom) / 2
    parts.append(
        f'<text x="{_f((left + right) / 2)}" y="{_f(bottom + 36)}" text-anchor="middle">'
        f"{_text(x_axis.title)}</text>"
        f'<text transform="translate(16,{_f(middle_y)}) rotate(-90)" text-anchor="middle">'
        f"{_text(y_axis.title)}</text>"
    )
    return parts


# --- sunburst ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeNode:
    """A node of a tree to draw; its arc is proportional to ``value``."""

    name: str
    value: float
    children: tuple[TreeNode, ...] = ()


def sunburst(
    chart_id: str,
    title: str,
    roots: Sequence[TreeNode],
    *,
    size: float = 640,
    value_format: Format = percent,
) -> str:
    """The roots as the inner ring, their children around them, and so on outwards.

    Each root gets a colour that its descendants inherit, paler the deeper they sit; arcs wide
    enough carry their name.
    """
    total = sum(max(root.value, 0) for root in roots)
    if total <= 0:
        return _empty_chart(chart_id, title, "No taxonomy to show.")
    depth = max(_depth(root) for root in roots)
    centre = size / 2
    ring = (size / 2 - 8) / (depth + 0.6)  # the hole in the middle is 0.6 of a ring
    parts = _open_svg(chart_id, title, size, size)
    angle = 0.0
    for index, root in enumerate(roots):
        sweep = max(root.value, 0) / total * 2 * math.pi
        color = CATEGORICAL[index % len(CATEGORICAL)]
        parts += _arcs(root, angle, sweep, 0, color, centre, ring, value_format, total)
        angle += sweep
    parts.append("</svg>")
    return "".join(parts)


def _depth(node: TreeNode) -> int:
    return 1 + max((_depth(child) for child in node.children), default=0)


def _arcs(
    node: TreeNode,
    start: float,
    sweep: float,
    level: int,
    color: str,
    centre: float,
    ring: float,
    fmt: Format,
    total: float,
) -> list[str]:
    inner = ring * (0.6 + level)
    outer = inner + ring - 1
    fill = _paler(color, level * 0.22)
    tip = f"{node.name}: {fmt(node.value / total)}"
    parts = [
        f'<g class="mark"><title>{_text(tip)}</title>'
        f'<path d="{_arc_path(centre, inner, outer, start, sweep)}" fill="{fill}" '
        f'stroke="#fff" stroke-width="0.6"/>'
        f"{_arc_label(node.name, centre, inner, outer, start, sweep, _ink_on(fill))}</g>"
    ]
    children_total = sum(max(c.value, 0) for c in node.children)
    angle = start
    for child in node.children:
        # Children share their parent's arc in proportion to their own values.
        child_sweep = sweep * max(child.value, 0) / children_total if children_total else 0.0
        if child_sweep > 0.002:
            parts += _arcs(child, angle, child_sweep, level + 1, color, centre, ring, fmt, total)
        angle += child_sweep
    return parts


def _arc_path(centre: float, inner: float, outer: float, start: float, sweep: float) -> str:
    # A whole ring cannot be one arc command (its ends coincide), so it is drawn just short.
    sweep = min(sweep, 2 * math.pi - 1e-4)
    end = start + sweep
    large = 1 if sweep > math.pi else 0

    def point(radius: float, angle: float) -> str:
        return f"{_f(centre + radius * math.sin(angle))},{_f(centre - radius * math.cos(angle))}"

    return (
        f"M{point(outer, start)}A{_f(outer)},{_f(outer)} 0 {large} 1 {point(outer, end)}"
        f"L{point(inner, end)}A{_f(inner)},{_f(inner)} 0 {large} 0 {point(inner, start)}Z"
    )


def _ink_on(fill: str) -> str:
    """White text on dark fills, dark text on pale ones (by the fill's luminance)."""
    red, green, blue = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#fff" if 0.299 * red + 0.587 * green + 0.114 * blue < 150 else INK


def _arc_label(
    name: str, centre: float, inner: float, outer: float, start: float, sweep: float, ink: str
) -> str:
    middle = (inner + outer) / 2
    room = sweep * middle  # arc length at the middle of the ring
    if room < 14:
        return ""
    # Labels run along the radius, so they are limited by the ring's width, not the arc's.
    chars = int((outer - inner - 6) / (CHAR_WIDTH * 0.85))
    if chars < 4:
        return ""
    angle = start + sweep / 2
    x = centre + middle * math.sin(angle)
    y = centre - middle * math.cos(angle)
    degrees = math.degrees(angle) - 90
    if 90 < math.degrees(angle) < 270:
        degrees += 180  # keep text upright on the left half
    return (
        f'<text transform="translate({_f(x)},{_f(y)}) rotate({_f(degrees)})" '
        f'text-anchor="middle" dominant-baseline="central" font-size="10" fill="{ink}">'
        f"{_text(_short(name, chars))}</text>"
    )


def _paler(color: str, amount: float) -> str:
    """Mix ``color`` with white; ``amount`` 0 keeps it, 1 is white."""
    amount = max(0.0, min(amount, 0.85))
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#{:02x}{:02x}{:02x}".format(*(round(c + (255 - c) * amount) for c in rgb))
