"""``valuegraph analyze NAME``: the analyses of "Values in the Wild" as tables or JSON.

Every subcommand asks one analysis of a session of its own (``queries.session.AnalysisSession``,
the same the API and the report ask) and prints a readable table (rich) or, with ``--json``, a
JSON list of records with the analysis's field names. How many rows the privacy threshold
suppressed always goes to stderr, so that ``--json`` output stays a clean list and nothing is
hidden silently.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any, cast

import click
from rich.console import Console
from rich.table import Table

from valuegraph.domain import RESPONSE_TYPES
from valuegraph.graph.connection import Graph
from valuegraph.queries.associations import DEFAULT_MIN_COUNT
from valuegraph.queries.invariance import DEFAULT_MIN_CONTEXT_CONVERSATIONS, DEFAULT_MIN_SUPPORT
from valuegraph.queries.materialize import DEFAULT_ALPHA, DEFAULT_MAX_LINKS, materialize
from valuegraph.queries.results import (
    ASSOCIATION_KINDS,
    CONTEXTS,
    AnalysisResult,
    AssociationKind,
    Context,
    Role,
)
from valuegraph.queries.session import AnalysisSession
from valuegraph.settings import Settings, load_settings

# Off a terminal (pipes, CI logs) rich would wrap tables at 80 columns; give them room.
stdout = Console(width=None if sys.stdout.isatty() else 200)

model_option = click.option("--model", default=None, help="Only conversations of this model.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print a JSON list of records.")
response_type_choice = click.Choice(RESPONSE_TYPES)


def _top_option(default: int) -> Callable[[Any], Any]:
    return click.option(
        "--top",
        type=click.IntRange(min=0),
        default=default,
        show_default=True,
        help="How many rows to keep (0: all).",
    )


def _connect() -> tuple[Settings, Graph]:
    # Without a taxonomy the graph has no IN_CLUSTER relationships, and Neo4j warns about the
    # unknown type on every query that names it. The queries are right; keep the console clean.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    settings = load_settings()
    return settings, Graph.connect(settings)


@contextmanager
def _session() -> Iterator[AnalysisSession]:
    """An analysis session over the configured graph, with the configured k; closed after."""
    settings, graph = _connect()
    with graph:
        yield AnalysisSession(graph, settings.min_conversations)


def _emit(tables: Sequence[AnalysisResult[Any]], as_json: bool, columns: dict[str, str]) -> None:
    """Print the first table as JSON, or every table with rich; report suppression on stderr."""
    if as_json:
        click.echo(json.dumps(tables[0].records(), indent=2, default=str))
    else:
        for table in tables:
            stdout.print(_rich_table(table, columns))
    for table in tables:
        for note in table.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(
            f"{table.analysis}: {len(table.rows)} rows over {table.conversations:,} conversations; "
            f"{table.suppressed:,} rows suppressed (fewer than {table.min_conversations} "
            "conversations each)",
            err=True,
        )


def _rich_table(result: AnalysisResult[Any], columns: dict[str, str]) -> Table:
    """A table of the fields named in ``columns`` (field -> format spec), in that order."""
    table = Table(title=result.analysis, title_justify="left")
    fields = [f for f in columns if not result.rows or f in asdict(result.rows[0])]
    for name in fields:
        table.add_column(name, justify="left" if columns[name] == "" else "right")
    for row in result.rows:
        values = asdict(row)
        table.add_row(*(_format(values[name], columns[name]) for name in fields))
    return table


def _format(value: object, spec: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    if spec and isinstance(value, int | float) and not isinstance(value, bool):
        return format(value, spec)
    return str(value)


@click.group("analyze")
def analyze_group() -> None:
    """The analyses of "Values in the Wild" (rows under VALUEGRAPH_MIN_CONVERSATIONS are
    suppressed and counted)."""


@analyze_group.command("frequencies")
@click.option("--role", type=click.Choice(["ai", "human"]), default=None, help="Default: both.")
@model_option
@click.option("--response-type", type=response_type_choice, default=None)
@click.option(
    "--level",
    type=click.IntRange(0, 3),
    default=0,
    show_default=True,
    help="0: values; 1-3: taxonomy clusters of AI values.",
)
@_top_option(20)
@json_option
def frequencies_command(
    role: str | None,
    model: str | None,
    response_type: str | None,
    level: int,
    top: int,
    as_json: bool,
) -> None:
    """The share of conversations expressing each value (or any value of a cluster)."""
    with _session() as session:
        result = session.frequencies(
            role=cast(Role | None, role),
            model=model,
            response_type=response_type,
            top=top or None,
            level=level,
        )
    _emit(
        [result],
        as_json,
        {
            "value": "",
            "role": "",
            "conversations": ",d",
            "pct_convos": ".3f",
            "pct_expressions": ".3f",
        },
    )


@analyze_group.command("response-types")
@model_option
@click.option(
    "--human-values",
    type=click.Choice(["present", "absent"]),
    default=None,
    help="Only conversations with (or without) human values; default: all, and with.",
)
@json_option
def response_types_command(model: str | None, human_values: str | None, as_json: bool) -> None:
    """The distribution of response types: overall, with human values, per model."""
    present = None if human_values is None else human_values == "present"
    with _session() as session:
        result = session.response_types(
            model=model,
            human_values_present=present,
        )
    _emit(
        [result],
        as_json,
        {"model": "", "population": "", "response_type": "", "conversations": ",d", "pct": ".2f"},
    )


@analyze_group.command("associations")
@click.option("--kind", type=click.Choice(ASSOCIATION_KINDS), required=True)
@click.option(
    "--value-level",
    type=click.IntRange(0, 3),
    default=0,
    show_default=True,
    help="0: values; 1-3: taxonomy clusters.",
)
@click.option(
    "--task-level",
    type=click.IntRange(0, 3),
    default=0,
    show_default=True,
    help="0: tasks; 1-3: task clusters (value-task only).",
)
@model_option
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=DEFAULT_MIN_COUNT,
    show_default=True,
    help="Co-occurrences a pair needs to be tested.",
)
@click.option("--value", default=None, help="Only this value's (or cluster's) partners.")
@click.option("--task", default=None, help="Only this task's values (value-task).")
@click.option("--human-value", default=None, help="Only this human value's AI values (ai-human).")
@click.option(
    "--response-type",
    type=response_type_choice,
    default=None,
    help="Only this response type's values (value-response).",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="Only pairs with Bonferroni-adjusted p at or below this.",
)
@_top_option(20)
@json_option
def associations_command(
    kind: str,
    value_level: int,
    task_level: int,
    model: str | None,
    min_count: int,
    value: str | None,
    task: str | None,
    human_value: str | None,
    response_type: str | None,
    alpha: float | None,
    top: int,
    as_json: bool,
) -> None:
    """Chi-square tests of every pair, sorted by adjusted residual."""
    with _session() as session:
        result = session.associations(
            kind=cast(AssociationKind, kind),
            value_level=value_level,
            task_level=task_level,
            model=model,
            min_count=min_count,
            value=value,
            task=task,
            human_value=human_value,
            response_type=response_type,
            alpha=alpha,
            top=top or None,
        )
    _emit(
        [result],
        as_json,
        {
            "value": "",
            "task": "",
            "human_value": "",
            "response_type": "",
            "observed": ",d",
            "expected": ",.1f",
            "chi2": ",.1f",
            "p_value": ".2e",
            "p_adjusted": ".2e",
            "adjusted_residual": ".1f",
        },
    )
    click.echo(f"{result.tests:,} pairs tested (the Bonferroni family)", err=True)


@analyze_group.command("mirroring")
@click.option("--response-type", type=response_type_choice, default=None)
@model_option
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--table",
    "which",
    type=click.Choice(["rates", "values", "resistance"]),
    default="rates",
    show_default=True,
    help="Which table --json prints.",
)
@json_option
def mirroring_command(
    response_type: str | None, model: str | None, top: int, which: str, as_json: bool
) -> None:
    """Mirroring rates by response type, the values most mirrored, what resists what."""
    with _session() as session:
        result = session.mirroring(
            response_type=response_type,
            model=model,
            top=top,
        )
    tables: dict[str, AnalysisResult[Any]] = {
        "rates": result.rates,
        "values": result.values,
        "resistance": result.resistance,
    }
    ordered = [tables[which], *(t for name, t in tables.items() if name != which)]
    _emit(
        ordered if not as_json else [tables[which]],
        as_json,
        {
            "response_type": "",
            "human_value": "",
            "ai_value": "",
            "value": "",
            "with_human_values": ",d",
            "mirrored": ",d",
            "mirroring_rate": ".3f",
            "conversations": ",d",
            "pct": ".2f",
        },
    )


@analyze_group.command("invariance")
@click.option("--across", type=click.Choice(CONTEXTS), default="task", show_default=True)
@click.option("--value-level", type=click.IntRange(0, 3), default=0, show_default=True)
@model_option
@click.option(
    "--min-support",
    type=click.IntRange(min=1),
    default=DEFAULT_MIN_SUPPORT,
    show_default=True,
    help="Conversations a value needs to be ranked.",
)
@click.option(
    "--min-context-conversations",
    type=click.IntRange(min=1),
    default=DEFAULT_MIN_CONTEXT_CONVERSATIONS,
    show_default=True,
    help="Conversations a task (or human value) needs to count as a context.",
)
@_top_option(10)
@json_option
def invariance_command(
    across: str,
    value_level: int,
    model: str | None,
    min_support: int,
    min_context_conversations: int,
    top: int,
    as_json: bool,
) -> None:
    """The most context-invariant values (lowest coefficient of variation) and the most
    context-dependent ones."""
    with _session() as session:
        result = session.invariance(
            across=cast(Context, across),
            value_level=value_level,
            model=model,
            min_support=min_support,
            min_context_conversations=min_context_conversations,
            top=top or None,
        )
    _emit(
        [result],
        as_json,
        {
            "value": "",
            "conversations": ",d",
            "contexts": ",d",
            "mean_frequency": ".4f",
            "coefficient_of_variation": ".3f",
        },
    )


@analyze_group.command("models")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--response-type", type=response_type_choice, default=None)
@click.option(
    "--table",
    "which",
    type=click.Choice(["values", "overlap", "response-types"]),
    default="values",
    show_default=True,
    help="Which table --json prints.",
)
@json_option
def models_command(top: int, response_type: str | None, which: str, as_json: bool) -> None:
    """Per model: top values, the overlap of top lists, response-type rates."""
    with _session() as session:
        result = session.models(
            top=top,
            response_type=response_type,
        )
    tables: dict[str, AnalysisResult[Any]] = {
        "values": result.top_values,
        "overlap": result.overlap,
        "response-types": result.response_types,
    }
    ordered = [tables[which], *(t for name, t in tables.items() if name != which)]
    _emit(
        ordered if not as_json else [tables[which]],
        as_json,
        {
            "model": "",
            "other_model": "",
            "rank": "d",
            "value": "",
            "population": "",
            "response_type": "",
            "conversations": ",d",
            "pct_convos": ".2f",
            "pct": ".2f",
            "shared": "d",
            "jaccard": ".2f",
            "shared_values": "",
        },
    )


@analyze_group.command("findings")
@json_option
def findings_command(as_json: bool) -> None:
    """Three findings in plain words."""
    with _session() as session:
        sentences = session.findings()
    if as_json:
        click.echo(json.dumps([{"finding": s} for s in sentences], indent=2))
    else:
        for number, sentence in enumerate(sentences, start=1):
            click.echo(f"{number}. {sentence}")


@analyze_group.command("materialize")
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True),
    default=DEFAULT_ALPHA,
    show_default=True,
    help="Bonferroni-adjusted p a link must be at or below.",
)
@click.option(
    "--min-count", type=click.IntRange(min=1), default=DEFAULT_MIN_COUNT, show_default=True
)
@model_option
@click.option(
    "--max-links",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_LINKS,
    show_default=True,
    help="Strongest links kept per relationship type.",
)
@json_option
def materialize_command(
    alpha: float, min_count: int, model: str | None, max_links: int, as_json: bool
) -> None:
    """Write significant positive associations as ASSOCIATED_WITH / CO_OCCURS_WITH links,
    replacing the previous set in one transaction."""
    settings, graph = _connect()
    with graph:
        summary = materialize(
            graph,
            alpha=alpha,
            min_count=min_count,
            model=model,
            max_links=max_links,
            min_conversations=settings.min_conversations,
        )
    if as_json:
        click.echo(json.dumps([asdict(summary)], indent=2))
        return
    click.echo(
        f"materialized generation {summary.generation}: {summary.associated_with:,} "
        f"ASSOCIATED_WITH and {summary.co_occurs_with:,} CO_OCCURS_WITH links "
        f"(replaced {summary.removed:,}; {summary.truncated:,} beyond --max-links; "
        f"{summary.suppressed:,} pairs under {settings.min_conversations} conversations "
        f"suppressed) in {summary.seconds:.1f} s"
    )


def register(cli: click.Group) -> None:
    cli.add_command(analyze_group)
