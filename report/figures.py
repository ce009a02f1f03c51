"""One function per figure: call the analyses, draw the charts, write the reading and tables.

Each takes the figure's :class:`~valuegraph.report.build.FigureSources` (through which every
analysis call goes, so it is recorded) and the report's context, and returns a
:class:`~valuegraph.report.page.Figure` without id, title or data (the builder adds those). Shares
called ``pct*`` in the results are percentages; the charts take fractions, hence the ``/ 100``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from valuegraph.domain import RESPONSE_TYPES
from valuegraph.queries import analyses, catalog
from valuegraph.queries.associations import DEFAULT_MIN_COUNT
from valuegraph.queries.results import AnalysisResult
from valuegraph.report import reproduce
from valuegraph.report.charts import (
    CATEGORICAL,
    Axis,
    Bar,
    Grid,
    Group,
    Point,
    Series,
    StackedRow,
    TreeNode,
    bar_chart,
    grouped_bars,
    heatmap,
    number,
    percent,
    scatter,
    stacked_bars,
    sunburst,
)
from valuegraph.report.page import Figure, Table

if TYPE_CHECKING:
    from valuegraph.report.build import FigureSources, ReportContext

# Support in greens, resistance in reds, the rest in greys and a violet for reframing.
RESPONSE_COLORS: dict[str, str] = {
    "strong_support": "#1b7a4a",
    "mild_support": "#52a77a",
    "neutral": "#8a94a6",
    "reframing": "#7b5cd6",
    "mild_resistance": "#e07a3f",
    "strong_resistance": "#b3202a",
    "no_values": "#4a5568",
}
HEATMAP_PAIRS = 40  # the strongest pairs the heatmap's rows and columns are drawn from
HEATMAP_VALUES = 14
HEATMAP_TASKS = 10
HIGHLIGHTED = 5  # values named at each end of the invariance scatter
RESISTANCE_PAIRS = 10


def response_label(response_type: str) -> str:
    return response_type.replace("_", " ")


def suppressed_note(result: AnalysisResult[Any], what: str) -> tuple[str, ...]:
    """The sentence every figure carries: how many rows the privacy threshold hid, and notes."""
    notes = tuple(result.notes)
    if result.suppressed:
        one = result.suppressed == 1
        noun, verb, are = (what, "rests", "is") if one else (what + "s", "rest", "are")
        notes += (
            f"{result.suppressed:,} {noun} {verb} on fewer than {result.min_conversations} "
            f"conversations and {are} suppressed (privacy threshold).",
        )
    return notes


def _decimal(value: float) -> str:
    """One decimal for big numbers, two significant digits for small ones (0.04, not 0.0)."""
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2g}"


def pct(value: float) -> str:
    """A percentage field (0-100) as text."""
    return percent(value / 100)


# --- values and categories -------------------------------------------------------------------


def values(sources: FigureSources, context: ReportContext) -> Figure:
    ai = sources.run(analyses.frequencies, role="ai", top=context.top)
    human = sources.run(analyses.frequencies, role="human", top=context.top)
    charts = (
        bar_chart(
            "chart-ai-values",
            "AI values: share of conversations that express each",
            [Bar(r.value, r.pct_convos / 100) for r in ai.rows],
            axis_label="% of conversations",
        ),
        bar_chart(
            "chart-human-values",
            "Human values: share of conversations where the user states each",
            [Bar(r.value, r.pct_convos / 100, CATEGORICAL[1]) for r in human.rows],
            axis_label="% of conversations",
        ),
    )
    reading = "No value rests on enough conversations to be shown."
    if ai.rows:
        first = ai.rows[0]
        reading = (
            f"The AI most often expresses {first.value} ({pct(first.pct_convos)} of conversations)"
        )
        if human.rows:
            reading += (
                f"; people most often state {human.rows[0].value} ({pct(human.rows[0].pct_convos)})"
            )
        reading += "."
    return Figure(
        reading=reading,
        charts=charts,
        tables=(
            _frequency_table(ai.rows, "AI values"),
            _frequency_table(human.rows, "Human values"),
        ),
        notes=suppressed_note(ai, "AI value") + suppressed_note(human, "human value"),
        reproduce=reproduce.values(context.top),
    )


def _frequency_table(rows: Sequence[Any], caption: str) -> Table:
    return Table(
        columns=("#", "value", "conversations", "% of conversations"),
        rows=tuple(
            (str(i), r.value, number(r.conversations), pct(r.pct_convos))
            for i, r in enumerate(rows, start=1)
        ),
        numeric=(True, False, True, True),
        caption=caption,
    )


def categories(sources: FigureSources, context: ReportContext) -> Figure:
    top = sources.run(analyses.frequencies, role="ai", level=3)
    bars = [
        Bar(r.value, r.pct_expressions / 100, CATEGORICAL[i % len(CATEGORICAL)])
        for i, r in enumerate(top.rows)
    ]
    reading = "No taxonomy category rests on enough conversations to be shown."
    if top.rows:
        first = max(top.rows, key=lambda r: r.pct_expressions)
        reading = (
            f"{first.value} values make up {pct(first.pct_expressions)} of the AI's value "
            f"expressions, more than any other of the {len(top.rows)} top categories."
        )
    return Figure(
        reading=reading,
        charts=(
            bar_chart(
                "chart-categories",
                "Top categories: share of all AI value expressions",
                bars,
                axis_label="% of AI value expressions",
            ),
        ),
        tables=(
            Table(
                columns=(
                    "category",
                    "% of value expressions",
                    "conversations with any",
                    "% of conversations",
                ),
                rows=tuple(
                    (r.value, pct(r.pct_expressions), number(r.conversations), pct(r.pct_convos))
                    for r in top.rows
                ),
                numeric=(False, True, True, True),
            ),
        ),
        notes=suppressed_note(top, "category"),
        reproduce=reproduce.CATEGORIES,
    )


# --- response types --------------------------------------------------------------------------


def response_types(sources: FigureSources, context: ReportContext) -> Figure:
    result = sources.run(analyses.response_types)
    overall = [r for r in result.rows if r.model is None]
    populations = (("all", "All conversations"), ("with_human_values", "With human values"))
    series = [Series(response_label(t), RESPONSE_COLORS[t]) for t in RESPONSE_TYPES]
    rows = []
    for population, label in populations:
        shares = {r.response_type: r.pct / 100 for r in overall if r.population == population}
        rows.append(StackedRow(label, tuple(shares.get(t, 0.0) for t in RESPONSE_TYPES)))
    with_human = {r.response_type: r for r in overall if r.population == "with_human_values"}
    reading = "No response type rests on enough conversations to be shown."
    if with_human:
        most = max(with_human.values(), key=lambda r: r.pct)
        reading = (
            "When people state values, the AI's most common response is "
            f"{response_label(most.response_type)} ({pct(most.pct)})"
        )
        if "strong_resistance" in with_human:
            reading += f"; it strongly resists in {pct(with_human['strong_resistance'].pct)}"
        reading += "."
    table_rows = []
    for t in RESPONSE_TYPES:
        cells = [response_label(t)]
        for population, _ in populations:
            found = [r for r in overall if r.population == population and r.response_type == t]
            cells += [number(found[0].conversations), pct(found[0].pct)] if found else ["-", "-"]
        table_rows.append(tuple(cells))
    return Figure(
        reading=reading,
        charts=(
            stacked_bars(
                "chart-response-types",
                "Response types, overall and with human values",
                series,
                rows,
            ),
        ),
        tables=(
            Table(
                columns=(
                    "response type",
                    "conversations",
                    "% of all",
                    "with human values",
                    "% of those",
                ),
                rows=tuple(table_rows),
                numeric=(False, True, True, True, True),
            ),
        ),
        notes=suppressed_note(result, "response-type row"),
        reproduce=reproduce.RESPONSE_TYPES,
    )


# --- mirroring and resistance ----------------------------------------------------------------


def mirroring(sources: FigureSources, context: ReportContext) -> Figure:
    result = sources.run(analyses.mirroring, top=context.top)
    order = {t: i for i, t in enumerate(RESPONSE_TYPES)}
    rates = sorted(result.rates.rows, key=lambda r: order.get(r.response_type, len(order)))
    charts = (
        bar_chart(
            "chart-mirroring-rates",
            "Mirroring rate by response type",
            [
                Bar(
                    response_label(r.response_type),
                    r.mirroring_rate,
                    RESPONSE_COLORS.get(r.response_type),
                )
                for r in rates
            ],
            axis_label="share of conversations with human values where a value is mirrored",
        ),
        bar_chart(
            "chart-mirrored-values",
            "The values most often mirrored",
            [Bar(r.value, r.conversations, CATEGORICAL[2]) for r in result.values.rows],
            value_format=number,
            axis_label="conversations where the value is on both sides",
        ),
    )
    by_type = {r.response_type: r for r in rates}
    reading = "No response type has enough conversations with human values to show a rate."
    if by_type:
        highest = max(rates, key=lambda r: r.mirroring_rate)
        reading = (
            f"The AI mirrors the user's own value in {percent(highest.mirroring_rate)} of "
            f"{response_label(highest.response_type)} responses"
        )
        if "strong_resistance" in by_type and highest.response_type != "strong_resistance":
            reading += (
                f" but in only {percent(by_type['strong_resistance'].mirroring_rate)} of "
                "strong resistance"
            )
        reading += "."
    return Figure(
        reading=reading,
        charts=charts,
        tables=(
            Table(
                columns=("response type", "with human values", "mirrored", "mirroring rate"),
                rows=tuple(
                    (
                        response_label(r.response_type),
                        number(r.with_human_values),
                        number(r.mirrored),
                        percent(r.mirroring_rate),
                    )
                    for r in rates
                ),
                numeric=(False, True, True, True),
                caption="Mirroring by response type",
            ),
            Table(
                columns=("value", "conversations mirrored"),
                rows=tuple((r.value, number(r.conversations)) for r in result.values.rows),
                numeric=(False, True),
                caption="Most mirrored values",
            ),
        ),
        notes=suppressed_note(result.rates, "response type")
        + suppressed_note(result.values, "mirrored value"),
        reproduce=reproduce.mirroring(context.top),
    )


def resistance(sources: FigureSources, context: ReportContext) -> Figure:
    result = sources.run(analyses.mirroring, top=context.top)
    pairs = result.resistance.rows
    charts = []
    for response_type in ("strong_resistance", "mild_resistance"):
        chosen = [p for p in pairs if p.response_type == response_type][:RESISTANCE_PAIRS]
        charts.append(
            bar_chart(
                f"chart-{response_type.replace('_', '-')}-pairs",
                f"In {response_label(response_type)}: the user's value → the AI's value",
                [
                    Bar(
                        f"{p.human_value} → {p.ai_value}",
                        p.pct / 100,
                        RESPONSE_COLORS[response_type],
                    )
                    for p in chosen
                ],
                axis_label=f"% of {response_label(response_type)} conversations with human values",
            )
        )
    strong = [p for p in pairs if p.response_type == "strong_resistance"]
    reading = "No resistance pair rests on enough conversations to be shown."
    first = strong[0] if strong else (pairs[0] if pairs else None)
    if first is not None:
        reading = (
            f"When the AI {'strongly' if first.response_type == 'strong_resistance' else 'mildly'}"
            f" resists, it most often meets the user's {first.human_value} with "
            f"{first.ai_value} ({number(first.conversations)} conversations, {pct(first.pct)})."
        )
    return Figure(
        reading=reading,
        charts=tuple(charts),
        tables=(
            Table(
                columns=("response type", "human value", "AI value", "conversations", "%"),
                rows=tuple(
                    (
                        response_label(p.response_type),
                        p.human_value,
                        p.ai_value,
                        number(p.conversations),
                        pct(p.pct),
                    )
                    for p in pairs
                ),
                numeric=(False, False, False, True, True),
            ),
        ),
        notes=suppressed_note(result.resistance, "pair"),
        reproduce=reproduce.resistance(context.top),
    )


# --- associations ----------------------------------------------------------------------------


def associations(sources: FigureSources, context: ReportContext) -> Figure:
    result = sources.run(analyses.associations, kind="value-task")
    strongest = [r for r in result.rows[:HEATMAP_PAIRS] if r.adjusted_residual > 0]
    value_names: dict[str, str] = {}
    task_names: dict[str, str] = {}
    for row in strongest:
        # A pair enters only with both of its items, so every row and column has a strong pair.
        fits_value = row.value_key in value_names or len(value_names) < HEATMAP_VALUES
        fits_task = row.task_key in task_names or len(task_names) < HEATMAP_TASKS
        if fits_value and fits_task:
            value_names.setdefault(row.value_key, row.value)
            task_names.setdefault(row.task_key, row.task)
    cells = {
        (r.value_key, r.task_key): r
        for r in result.rows
        if r.value_key in value_names and r.task_key in task_names
    }
    grid = Grid(
        rows=tuple(value_names.values()),
        columns=tuple(task_names.values()),
        cells=tuple(
            tuple(cells[(v, t)].adjusted_residual if (v, t) in cells else None for t in task_names)
            for v in value_names
        ),
    )
    shown = sorted(cells.values(), key=lambda r: -r.adjusted_residual)
    sources.show_only(shown)
    reading = "No value-task pair rests on enough conversations to be tested."
    if strongest:
        top_pair = strongest[0]
        lift = top_pair.observed / top_pair.expected
        reading = (
            f"In {top_pair.task}, {top_pair.value} comes up {lift:.0f}x as often as chance "
            f"would give (adjusted residual {top_pair.adjusted_residual:.1f}, "
            f"{number(top_pair.observed)} conversations)."
        )
    return Figure(
        reading=reading,
        charts=(
            heatmap(
                "chart-associations",
                "Adjusted residuals of the strongest value-task pairs",
                grid,
            ),
        ),
        tables=(
            Table(
                columns=(
                    "value",
                    "task",
                    "observed",
                    "expected",
                    "observed / expected",
                    "adjusted residual",
                    "p (Bonferroni)",
                ),
                rows=tuple(
                    (
                        r.value,
                        r.task,
                        number(r.observed),
                        _decimal(r.expected),
                        f"{r.observed / r.expected:,.1f}" if r.expected else "-",
                        f"{r.adjusted_residual:.1f}",
                        f"{r.p_adjusted:.2g}",
                    )
                    for r in shown
                ),
                numeric=(False, False, True, True, True, True, True),
                caption="The pairs in the heatmap",
            ),
        ),
        notes=(
            f"{result.tests:,} value-task pairs with at least {DEFAULT_MIN_COUNT} conversations "
            "together were "
            "tested; p-values are Bonferroni-corrected over all of them. Grey cells: pairs "
            "too rare to test or to show.",
            *suppressed_note(result, "pair"),
        ),
        reproduce=reproduce.associations(HEATMAP_PAIRS),
    )


# --- invariance ------------------------------------------------------------------------------


def invariance(sources: FigureSources, context: ReportContext) -> Figure:
    result = sources.run(analyses.invariance, across="task")
    rows = result.rows
    invariant = rows[:HIGHLIGHTED]
    dependent = tuple(reversed(rows[-HIGHLIGHTED:])) if len(rows) > HIGHLIGHTED else ()
    groups = {r.value_key: "most invariant" for r in invariant}
    groups |= {r.value_key: "most context-dependent" for r in dependent}
    points = [
        Point(r.value, r.conversations, r.coefficient_of_variation, groups.get(r.value_key))
        for r in rows
    ]
    chart = scatter(
        "chart-invariance",
        "Frequency against coefficient of variation across tasks",
        points,
        Axis("conversations expressing the value (log scale)", log=True),
        Axis("coefficient of variation across tasks", value_format=lambda v: f"{v:g}"),
        [
            Series("most invariant", CATEGORICAL[2]),
            Series("most context-dependent", CATEGORICAL[5]),
        ],
    )
    reading = "No value is frequent enough to rank."
    if invariant:
        reading = (
            f"{invariant[0].value} is the most context-invariant value "
            f"(coefficient of variation {invariant[0].coefficient_of_variation:.2f})"
        )
        if dependent:
            reading += (
                f"; {dependent[0].value} is the most context-dependent "
                f"({dependent[0].coefficient_of_variation:.2f})"
            )
        reading += "."

    def table(chosen: Sequence[Any], caption: str) -> Table:
        return Table(
            columns=("value", "conversations", "coefficient of variation", "mean frequency"),
            rows=tuple(
                (
                    r.value,
                    number(r.conversations),
                    f"{r.coefficient_of_variation:.2f}",
                    percent(r.mean_frequency),
                )
                for r in chosen
            ),
            numeric=(False, True, True, True),
            caption=caption,
        )

    contexts = rows[0].contexts if rows else 0
    return Figure(
        reading=reading,
        charts=(chart,),
        tables=(
            table(rows[: context.top], "Most context-invariant"),
            table(tuple(reversed(rows[-context.top :])), "Most context-dependent"),
        ),
        notes=(
            f"{len(rows):,} values with at least {result.min_support} conversations, over "
            f"{contexts:,} tasks with at least {result.min_context_conversations} each.",
            *suppressed_note(result, "value"),
        ),
        reproduce=reproduce.INVARIANCE,
    )


# --- models ----------------------------------------------------------------------------------


def models(sources: FigureSources, context: ReportContext) -> Figure:
    if len(context.models) < 2:
        only = context.models[0] if context.models else "no model name"
        return Figure(
            reading=(
                f"The graph holds one model ({only}) with enough conversations: there is no "
                "other to compare it with."
            ),
            reproduce=reproduce.MODELS,
        )
    result = sources.run(analyses.models, top=10)
    names = sorted({r.model for r in result.top_values.rows})
    series = [Series(m, CATEGORICAL[i % len(CATEGORICAL)]) for i, m in enumerate(names)]
    share = {(r.model, r.value_key): r.pct_convos / 100 for r in result.top_values.rows}
    labels = {r.value_key: r.value for r in result.top_values.rows}
    keys = list(
        dict.fromkeys(r.value_key for r in sorted(result.top_values.rows, key=lambda r: r.rank))
    )
    groups = [Group(labels[key], tuple(share.get((m, key)) for m in names)) for key in keys]
    rt_rows = [r for r in result.response_types.rows if r.model in names and r.population == "all"]
    stacked = [
        StackedRow(
            m,
            tuple(
                next((r.pct / 100 for r in rt_rows if r.model == m and r.response_type == t), 0.0)
                for t in RESPONSE_TYPES
            ),
        )
        for m in names
    ]
    charts = (
        grouped_bars(
            "chart-model-values",
            "Each model's top values: share of its conversations",
            series,
            groups,
            missing="not in its top 10",
        ),
        stacked_bars(
            "chart-model-response-types",
            "Response types by model",
            [Series(response_label(t), RESPONSE_COLORS[t]) for t in RESPONSE_TYPES],
            stacked,
        ),
    )
    overlap = result.overlap.rows
    reading = f"{len(names)} models compared."
    if overlap:
        least = min(overlap, key=lambda r: r.jaccard)
        reading = (
            f"{least.model} and {least.other_model} share {least.shared} of their top "
            f"{result.top} values (Jaccard {least.jaccard:.2f}), the least alike of "
            f"{len(names)} models."
        )
    return Figure(
        reading=reading,
        charts=charts,
        tables=(
            Table(
                columns=("model", "#", "value", "conversations", "% of its conversations"),
                rows=tuple(
                    (r.model, str(r.rank), r.value, number(r.conversations), pct(r.pct_convos))
                    for r in result.top_values.rows
                ),
                numeric=(False, True, False, True, True),
                caption="Top values per model",
            ),
            Table(
                columns=("model", "other model", "shared", "Jaccard", "shared values"),
                rows=tuple(
                    (
                        r.model,
                        r.other_model,
                        str(r.shared),
                        f"{r.jaccard:.2f}",
                        ", ".join(r.shared_values),
                    )
                    for r in overlap
                ),
                numeric=(False, False, True, True, False),
                caption="Overlap of the top lists",
            ),
            Table(
                columns=("model", "response type", "conversations", "% of its conversations"),
                rows=tuple(
                    (
                        r.model or "",
                        response_label(r.response_type),
                        number(r.conversations),
                        pct(r.pct),
                    )
                    for r in rt_rows
                ),
                numeric=(False, False, True, True),
                caption="Response types per model",
            ),
        ),
        notes=suppressed_note(result.top_values, "model value")
        + suppressed_note(result.response_types, "response-type row"),
        reproduce=reproduce.MODELS,
    )


# --- taxonomy --------------------------------------------------------------------------------


def taxonomy(sources: FigureSources, context: ReportContext) -> Figure:
    clusters = catalog.clusters(sources.graph)
    shares: dict[str, float] = {}
    notes: tuple[str, ...] = ()
    for level in (3, 2, 1):
        result = sources.run(analyses.frequencies, role="ai", level=level)
        shares |= {r.key: r.pct_expressions / 100 for r in result.rows}
        notes += suppressed_note(result, f"level-{level} cluster")
    children: dict[str | None, list[catalog.ClusterInfo]] = {}
    for cluster in clusters:
        if cluster.id in shares:
            children.setdefault(cluster.parent if cluster.level < 3 else None, []).append(cluster)

    def node(cluster: catalog.ClusterInfo) -> TreeNode:
        below = sorted(children.get(cluster.id, []), key=lambda c: -shares[c.id])
        return TreeNode(cluster.name, shares[cluster.id], tuple(node(c) for c in below))

    roots = tuple(node(c) for c in sorted(children.get(None, []), key=lambda c: -shares[c.id]))
    level_two = [c for c in clusters if c.level == 2 and c.id in shares]
    parent_names = {c.id: c.name for c in clusters}
    reading = "No taxonomy is loaded (valuegraph ingest taxonomy), or no cluster reaches k."
    if roots:
        largest = max(level_two, key=lambda c: shares[c.id], default=None)
        reading = f"The taxonomy has {len(roots)} top categories"
        if largest is not None:
            reading += (
                f"; its largest second-level cluster is {largest.name} "
                f"({percent(shares[largest.id])} of value expressions)"
            )
        reading += "."
    return Figure(
        reading=reading,
        charts=(sunburst("chart-taxonomy", "The taxonomy, top categories in the middle", roots),),
        tree=roots,
        tables=(
            Table(
                columns=("second-level cluster", "top category", "% of value expressions"),
                rows=tuple(
                    (c.name, parent_names.get(c.parent or "", ""), percent(shares[c.id]))
                    for c in sorted(level_two, key=lambda c: -shares[c.id])
                ),
                numeric=(False, False, True),
                caption="Second-level clusters",
            ),
        ),
        notes=notes,
        reproduce=reproduce.TAXONOMY,
    )
