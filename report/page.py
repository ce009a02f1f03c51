"""The report as one self-contained HTML file: inline CSS, inline SVG, no script, no network.

:func:`render_page` turns a :class:`ReportPage` (figures already drawn, tables already
formatted) into the HTML text. The page forbids itself any request through its Content
Security Policy, so even a stray URL in a value name could not make it fetch anything. Its
numbers are also embedded as JSON in ``<script type="application/json" id="report-data">``,
which browsers never execute; tests and other tools read the figures' numbers from there.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from valuegraph.report.charts import TreeNode, percent

# Nothing may be fetched: no scripts at all, styles only inline, images only as data: URLs.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
INTRO = (
    "The figures of the Values in the Wild study (Huang et al., 2025), computed from the "
    "graph this report was made from. Each figure gives its numbers in a table, a reading in "
    "plain words, and the command or GraphQL query that reproduces it."
)
# Tables longer than this start folded, so the figures stay close together.
FOLD_ROWS = 15


@dataclass(frozen=True)
class Table:
    """Formatted cells under their column headings; ``numeric`` columns align right."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Reproduce:
    """How to get the same numbers outside the report."""

    cli: str | None = None
    graphql: str | None = None


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One section of the report: charts, a reading, tables and how to reproduce them.

    ``charts`` hold SVG made by :mod:`valuegraph.report.charts` (already escaped); ``notes`` are
    plain sentences such as "3 rows suppressed"; ``data`` is what the JSON block carries for it.
    A figure function leaves ``id``, ``title`` and ``data`` to the report builder.
    """

    id: str = ""
    title: str = ""
    reading: str
    charts: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    reproduce: Reproduce = Reproduce()
    notes: tuple[str, ...] = ()
    tree: tuple[TreeNode, ...] = ()
    data: Any = None


@dataclass(frozen=True)
class ReportPage:
    """Everything the page shows, in order."""

    title: str
    summary: tuple[tuple[str, str], ...]  # (label, value) facts about the corpus
    figures: tuple[Figure, ...]
    notice: str | None = None  # a page-wide message (an empty graph)
    meta: dict[str, Any] = field(default_factory=dict)


def render_page(page: ReportPage) -> str:
    """The whole HTML document."""
    body = [
        f'<header><h1>{_text(page.title)}</h1><p class="intro">{_text(INTRO)}</p>'
        f"{_summary(page.summary)}</header>",
    ]
    if page.notice:
        body.append(f'<p class="notice" role="status">{_text(page.notice)}</p>')
    if page.figures:
        body.append(_contents(page.figures))
    body += [_figure(figure) for figure in page.figures]
    body.append(
        "<footer>Made by valuegraph from the graph it was pointed at; every number rests on "
        "at least the privacy threshold of conversations. Hover a mark for its exact value."
        "</footer>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(page.title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main>"
        f'<script type="application/json" id="report-data">{embed_json(page)}</script>'
        "</body></html>\n"
    )


def embed_json(page: ReportPage) -> str:
    """The figures' data as JSON that is safe inside a script element."""
    data = {
        "meta": page.meta,
        "figures": {figure.id: figure.data for figure in page.figures},
    }
    text = json.dumps(_json_safe(data), ensure_ascii=False, sort_keys=True)
    # "</script>" or "<!--" in a value name must not end the element early.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json_safe(value: Any) -> Any:
    """NaN and infinities are not JSON; they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _summary(facts: Sequence[tuple[str, str]]) -> str:
    if not facts:
        return ""
    items = "".join(f"<div><dt>{_text(k)}</dt><dd>{_text(v)}</dd></div>" for k, v in facts)
    return f'<dl class="summary">{items}</dl>'


def _contents(figures: Sequence[Figure]) -> str:
    links = "".join(f'<li><a href="#{_text(f.id)}">{_text(f.title)}</a></li>' for f in figures)
    return f'<nav aria-label="Figures"><ol>{links}</ol></nav>'


def _figure(figure: Figure) -> str:
    parts = [
        f'<section class="figure" id="{_text(figure.id)}" data-figure="{_text(figure.id)}">',
        f"<h2>{_text(figure.title)}</h2>",
        f'<p class="reading">{_text(figure.reading)}</p>',
    ]
    parts += [f'<div class="chart-box">{chart}</div>' for chart in figure.charts]
    if figure.tree:
        parts.append(tree_html(figure.tree))
    parts += [f'<p class="note">{_text(note)}</p>' for note in figure.notes]
    parts += [_table(table) for table in figure.tables]
    parts.append(_reproduce(figure.reproduce))
    parts.append("</section>")
    return "".join(parts)


def _table(table: Table) -> str:
    numeric = table.numeric or tuple(False for _ in table.columns)
    head = "".join(
        f'<th scope="col"{_align(n)}>{_text(c)}</th>'
        for c, n in zip(table.columns, numeric, strict=True)
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td{_align(n)}>{_text(cell)}</td>" for cell, n in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in table.rows
    )
    caption = table.caption or "The numbers"
    summary = f"{caption} ({len(table.rows)} row{'s' if len(table.rows) != 1 else ''})"
    opened = " open" if len(table.rows) <= FOLD_ROWS else ""
    return (
        f'<details class="numbers"{opened}><summary>{_text(summary)}</summary>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>"
    )


def _align(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def _reproduce(reproduce: Reproduce) -> str:
    blocks = []
    if reproduce.cli:
        blocks.append(f"<h3>Command line</h3><pre><code>{_text(reproduce.cli)}</code></pre>")
    if reproduce.graphql:
        blocks.append(f"<h3>GraphQL</h3><pre><code>{_text(reproduce.graphql)}</code></pre>")
    if not blocks:
        return ""
    return (
        '<details class="reproduce"><summary>Reproduce these numbers</summary>'
        f"{''.join(blocks)}</details>"
    )


def tree_html(roots: Sequence[TreeNode], value_format: Callable[[float], str] = percent) -> str:
    """The tree as nested lists that fold (``<details>``), each node with its share as a bar."""
    total = sum(max(root.value, 0) for root in roots) or 1.0
    items = "".join(_tree_item(root, total, value_format) for root in roots)
    return f'<div class="tree"><ul>{items}</ul></div>'


def _tree_item(node: TreeNode, total: float, fmt: Callable[[float], str]) -> str:
    share = node.value / total
    line = (
        f'<span class="name">{_text(node.name)}</span>'
        f'<span class="share"><span class="bar" style="width:{min(share, 1) * 100:.2f}%">'
        f'</span></span><span class="num">{_text(fmt(share))}</span>'
    )
    if not node.children:
        return f'<li><div class="leaf">{line}</div></li>'
    children = "".join(_tree_item(child, total, fmt) for child in node.children)
    return f"<li><details><summary>{line}</summary><ul>{children}</ul></details></li>"


STYLE = """
:root { --ink:#1f2933; --muted:#616e7c; --rule:#e4e7eb; --accent:#0072B2; --paper:#fff; }
* { box-sizing: border-box; }
body { margin:0; background:#f7f8fa; color:var(--ink);
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 8px 0 12px; }
h2 { font-size: 20px; margin: 0 0 6px; }
h3 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
.intro { color: var(--muted); margin: 0 0 14px; max-width: 760px; }
.summary { display:flex; flex-wrap:wrap; gap: 8px 28px; margin: 0 0 16px; }
.summary dt { font-size: 12px; color: var(--muted); }
.summary dd { margin: 0; font-size: 18px; font-weight: 600; }
.notice { background:#fff4e5; border-left: 4px solid #E69F00; padding: 10px 14px; }
nav ol { columns: 2; margin: 0 0 20px; padding-left: 20px; }
nav a { color: var(--accent); }
.figure { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px;
  padding: 20px 22px; margin: 0 0 22px; }
.reading { font-size: 16px; margin: 0 0 12px; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0; }
.chart-box { overflow-x: auto; margin: 8px 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
details { margin: 10px 0 0; }
summary { cursor: pointer; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin-top: 6px; width: 100%; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
th { font-weight: 600; background: #f7f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f5f7fa; border: 1px solid var(--rule); padding: 8px 10px; overflow-x: auto;
  font-size: 12px; margin: 0; }
.tree ul { list-style: none; padding-left: 18px; margin: 0; }
.tree > ul { padding-left: 0; }
.tree summary, .tree .leaf { display: grid; grid-template-columns: minmax(0, 1fr) 160px 64px;
  gap: 8px; align-items: center; color: var(--ink); font-size: 13px; padding: 1px 0; }
.tree .leaf { padding-left: 16px; }
.tree details > summary .name::before { content: "▸ "; color: var(--muted); }
.tree details[open] > summary .name::before { content: "▾ "; }
.tree .share { background: #eef1f4; height: 8px; border-radius: 4px; overflow: hidden; }
.tree .bar { display: block; height: 100%; background: var(--accent); }
.tree .num { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
@media print { body { background: #fff; } .figure { break-inside: avoid; border: none; } }
"""
