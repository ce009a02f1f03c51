"""The report's figures, gathered by calling the analyses of ``queries/`` on one graph.

Nothing here computes a statistic: every number on the page is a field of an analysis result
(a share, a count, a residual, a coefficient of variation), only formatted and arranged. Each
figure records the analysis calls it rests on (:class:`Source`: the function, its arguments,
the rows it shows), and the page embeds them as JSON, so a test can repeat every call and
compare. The privacy threshold k of the settings goes into every call, and each figure says
how many rows it suppressed.

:func:`build_report` runs the figures (a few at a time: each waits mostly on Neo4j) on one
analysis session (``queries.session``), so what they count is counted once per build, and
returns a :class:`ReportPage`; :func:`render_report` makes the HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, is_dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from valuegraph import __version__
from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.queries import catalog
from valuegraph.queries.session import AnalysisSession
from valuegraph.report import figures
from valuegraph.report.page import Figure, ReportPage, render_page
from valuegraph.settings import Settings

T = TypeVar("T")
# Figures run side by side; each mostly waits on Neo4j, and the machine may have few cores.
WORKERS = 2


@dataclass(frozen=True)
class Source:
    """One analysis call a figure rests on, as the page embeds it.

    ``tables`` holds each table of the result (one for most analyses; mirroring and models
    have several) with all its fields: the rows, suppressed, k, conversations, ... A table's
    ``complete`` is false where the page keeps only the rows it draws (of every tested
    value-task pair, say, only those in the heatmap).
    """

    function: str
    arguments: dict[str, Any]
    tables: dict[str, dict[str, Any]]


class FigureSources:
    """The calls one figure made, with the rows it shows of each: the figure's JSON data.

    Every figure of a build asks the build's one :class:`AnalysisSession`, so figures resting on
    the same call (mirroring and resistance) share its result, and analyses over the same
    counted table (associations and invariance over value-task) read it once.
    """

    def __init__(self, session: AnalysisSession) -> None:
        self.session = session
        self.sources: list[Source] = []

    @property
    def k(self) -> int:
        return self.session.k

    @property
    def graph(self) -> Graph:
        return self.session.graph

    def run(self, function: Callable[..., T], /, **arguments: Any) -> T:
        """``function`` (one of ``queries.analyses``) asked of the session; the call is recorded
        with its result's tables."""
        result: T = self.session.run(function, **arguments)
        self.sources.append(
            Source(
                function=_qualified_name(function),
                arguments={**arguments, "min_conversations": self.k},
                tables=result_tables(result),
            )
        )
        return result

    def show_only(self, rows: Sequence[Any], table: str = "result") -> None:
        """The page keeps only ``rows`` of the last call's ``table`` (the rows it draws)."""
        kept = self.sources[-1].tables[table]
        kept["rows"] = [_plain(row) for row in rows]
        kept["complete"] = False

    def data(self) -> dict[str, Any]:
        return {"sources": [asdict(source) for source in self.sources]}


def result_tables(result: Any) -> dict[str, dict[str, Any]]:
    """An analysis result as its tables: an AnalysisResult is one, composite results hold some."""
    if hasattr(result, "rows"):
        return {"result": _table(result)}
    return {
        name: _table(value)
        for name, value in vars(result).items()
        if hasattr(value, "rows") and is_dataclass(value)
    }


def _table(result: Any) -> dict[str, Any]:
    fields = {k: _plain(v) for k, v in vars(result).items() if k != "rows"}
    return {**fields, "rows": [_plain(row) for row in result.rows], "complete": True}


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _qualified_name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


# --- the report ------------------------------------------------------------------------------


FigureBuilder = Callable[[FigureSources, "ReportContext"], Figure]


@dataclass(frozen=True)
class ReportContext:
    """What every figure may use besides the analyses: the size of the lists, the models."""

    top: int
    models: tuple[str, ...]
    conversations: int


@dataclass(frozen=True)
class FigureSpec:
    id: str
    title: str
    build: FigureBuilder


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "values", "The values the AI expresses, and the values people state", figures.values
    ),
    FigureSpec("categories", "The taxonomy's top categories", figures.categories),
    FigureSpec("response-types", "How the AI responds to people's values", figures.response_types),
    FigureSpec("mirroring", "When the AI mirrors the user's values", figures.mirroring),
    FigureSpec("resistance", "What the AI resists, and with what", figures.resistance),
    FigureSpec("associations", "Values that go with tasks", figures.associations),
    FigureSpec("invariance", "Which values hold in every context", figures.invariance),
    FigureSpec("models", "Models side by side", figures.models),
    FigureSpec("taxonomy", "The taxonomy of AI values", figures.taxonomy),
)


def build_report(
    graph: Graph,
    settings: Settings,
    *,
    top: int = 20,
    on_figure: Callable[[str], None] | None = None,
    workers: int = WORKERS,
    session: AnalysisSession | None = None,
) -> ReportPage:
    """Every figure of the report for ``graph``, with ``settings.min_conversations`` as k.

    The figures ask one analysis session: ``session`` if given (it must be over ``graph`` with
    the same k), else a new one for this build.
    """
    k = settings.min_conversations
    if session is None:
        session = AnalysisSession(graph, k)
    if session.graph is not graph or session.k != k:
        raise ValueError("the report's session must be over its graph, with its k")
    stats = catalog.graph_stats(graph, k)
    summary = _summary(stats, k)
    meta = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "valuegraph": __version__,
        "min_conversations": k,
        "conversations": stats.conversations,
        "models": [m.name for m in stats.models],
        "top": top,
    }
    title = "Values in the wild: your corpus"
    notice = _nothing_to_show(stats.conversations, k)
    if notice is not None:
        for spec in FIGURES:  # the progress display still runs to its end
            if on_figure:
                on_figure(spec.title)
        return ReportPage(title, summary, (), notice=notice, meta=meta)

    context = ReportContext(
        top=top, models=tuple(m.name for m in stats.models), conversations=stats.conversations
    )

    def one(spec: FigureSpec) -> Figure:
        sources = FigureSources(session)
        try:
            figure = spec.build(sources, context)
        except InputError as exc:  # e.g. no taxonomy loaded: say so in place of the figure
            figure = Figure(reading=f"This figure cannot be drawn: {exc}.")
        figure = replace(figure, id=spec.id, title=spec.title, data=sources.data())
        if on_figure:
            on_figure(spec.title)
        return figure

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        built = list(pool.map(one, FIGURES))
    return ReportPage(title, summary, tuple(built), meta=meta)


def _nothing_to_show(conversations: int, k: int) -> str | None:
    """Why the report has no figures, if it has none."""
    if conversations == 0:
        return (
            "The graph holds no conversations, so there is nothing to draw yet. Load some with "
            "`valuegraph ingest records FILE` (and the taxonomy with `valuegraph ingest "
            "taxonomy`), then make the report again."
        )
    if conversations < k:
        return (
            f"The graph holds {conversations} conversations, fewer than the privacy threshold "
            f"k = {k}: every aggregate would single people out, so none is shown."
        )
    return None


def _summary(stats: catalog.GraphStats, k: int) -> tuple[tuple[str, str], ...]:
    facts = [
        ("Conversations", f"{stats.conversations:,}"),
        ("AI values", f"{stats.ai_values:,}"),
        ("Human values", f"{stats.human_values:,}"),
        ("Tasks", f"{stats.tasks:,}"),
        ("Models", ", ".join(m.name for m in stats.models) or "none shown"),
        ("Privacy threshold k", f"{k} conversations"),
    ]
    if stats.first_conversation_at and stats.last_conversation_at:
        first = stats.first_conversation_at.date().isoformat()
        last = stats.last_conversation_at.date().isoformat()
        facts.append(("Dates", first if first == last else f"{first} to {last}"))
    return tuple(facts)


def render_report(page: ReportPage) -> str:
    """The report as one HTML document."""
    return render_page(page)


def check_top(top: int) -> int:
    """The one argument users pass in: how many items a list shows."""
    if isinstance(top, bool) or not isinstance(top, int) or not 3 <= top <= 100:
        raise InputError(f"top must be an integer from 3 to 100, got {top!r}")
    return top
