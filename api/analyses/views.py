"""The rows the analyses' GraphQL types resolve from: plain records, no graphene.

An association row may come from an analysis result or from a link materialised in the graph;
both become an :class:`AssociationView`, so one ``Association`` type resolves either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from valuegraph.queries.catalog import Link
from valuegraph.queries.results import AIHumanAssociation, ValueTaskAssociation

DEFAULT_TOP = 10

# The enums' values, as plain strings (what resolvers receive and compare).
VALUE_TASK, AI_HUMAN, VALUE_RESPONSE = "value-task", "ai-human", "value-response"
RESIDUAL, COUNT = "RESIDUAL", "COUNT"
MATERIALIZED, COMPUTED = "MATERIALIZED", "COMPUTED"
ACROSS_TASKS, ACROSS_HUMAN_VALUES = "task", "human-value"


@dataclass(frozen=True)
class AssociationView:
    """One association row, whichever analysis row or materialised link it came from."""

    kind: str
    value: str
    value_key: str
    partner: str
    partner_key: str
    observed: int
    expected: float
    chi2: float
    p_value: float
    p_adjusted: float
    adjusted_residual: float
    value_level: int = 0


@dataclass(frozen=True)
class AssociationPage:
    """Rows ready to resolve; ``details`` (the analysis' envelope) is fetched only if asked."""

    kind: str
    rows: tuple[AssociationView, ...]
    source: str
    generation: str | None
    value_level: int
    task_level: int
    details: Callable[[], Any]


def view_of_row(kind: str, row: Any, value_level: int) -> AssociationView:
    if isinstance(row, ValueTaskAssociation):
        partner, partner_key = row.task, row.task_key
    elif isinstance(row, AIHumanAssociation):
        partner, partner_key = row.human_value, row.human_value_key
    else:
        partner, partner_key = row.response_type, row.response_type
    return AssociationView(
        kind=kind,
        value=row.value,
        value_key=row.value_key,
        partner=partner,
        partner_key=partner_key,
        observed=row.observed,
        expected=row.expected,
        chi2=row.chi2,
        p_value=row.p_value,
        p_adjusted=row.p_adjusted,
        adjusted_residual=row.adjusted_residual,
        value_level=value_level,
    )


def view_of_link(
    kind: str, link: Link, own_key: str, own_name: str, from_value: bool
) -> AssociationView:
    value, value_key = (own_name, own_key) if from_value else (link.name, link.key)
    partner, partner_key = (link.name, link.key) if from_value else (own_name, own_key)
    return AssociationView(
        kind=kind,
        value=value,
        value_key=value_key,
        partner=partner,
        partner_key=partner_key,
        observed=link.observed,
        expected=link.expected,
        chi2=link.chi2,
        p_value=link.p_value,
        p_adjusted=link.p_adjusted,
        adjusted_residual=link.adjusted_residual,
    )


def ordered(
    rows: Iterable[AssociationView], order: str, min_residual: float | None, first: int | None
) -> tuple[AssociationView, ...]:
    """The analysis' rows (sorted by residual) filtered and re-sorted as the client asked."""
    kept = [r for r in rows if min_residual is None or r.adjusted_residual >= min_residual]
    if order == COUNT:
        kept.sort(key=lambda r: -r.observed)  # stable: residual order breaks the ties
    return tuple(kept[:first] if first is not None else kept)
