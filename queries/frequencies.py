"""Frequencies of values and clusters, and the distribution of response types: the compute halves.

Each analysis is a question (its arguments, checked when made) and a pure function from the
counts read for it (``queries.counting``) to its result; :class:`queries.session.AnalysisSession`
joins the two.

A value's row rests on the conversations that express it; a response type's row on the
conversations of that type in the population. Rows resting on fewer than k conversations are
suppressed and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from valuegraph.domain import RESPONSE_TYPES
from valuegraph.errors import InputError
from valuegraph.queries.counting import ConversationFilter, Levels, Margins, ResponseTypeCount
from valuegraph.queries.privacy import count_suppressed
from valuegraph.queries.results import (
    AnalysisResult,
    FrequencyRow,
    Population,
    ResponseTypeRow,
    Role,
)

ROLES: tuple[Role, ...] = ("ai", "human")


def _check_top(top: int | None) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InputError(f"top must be a positive integer, got {top!r}")


_SIDES: Mapping[Role, str] = {"ai": "ai_value", "human": "human_value"}


@dataclass(frozen=True)
class FrequencyQuestion:
    """The arguments of :func:`queries.analyses.frequencies`, checked when made."""

    role: Role | None = None
    model: str | None = None
    response_type: str | None = None
    top: int | None = None
    level: int = 0

    def __post_init__(self) -> None:
        _check_top(self.top)
        if self.role is not None and self.role not in ROLES:
            raise InputError(f"unknown role {self.role!r} (one of: {', '.join(ROLES)})")
        Levels(value_level=self.level)  # checks the level
        if self.level > 0 and self.role == "human":
            raise InputError("human values have no taxonomy clusters; use level 0 for role human")
        ConversationFilter(model=self.model, response_type=self.response_type)  # checks the type

    @property
    def where(self) -> ConversationFilter:
        return ConversationFilter(model=self.model, response_type=self.response_type)

    @property
    def levels(self) -> Levels:
        return Levels(value_level=self.level)

    @property
    def roles(self) -> tuple[Role, ...]:
        if self.level > 0:
            return ("ai",)
        return (self.role,) if self.role else ROLES

    @property
    def sides(self) -> tuple[str, ...]:
        """What to read: the margins of these sides (``queries.counting.read_units``)."""
        return tuple(_SIDES[role] for role in self.roles)


def frequency_table(
    margins: Margins, question: FrequencyQuestion, min_conversations: int
) -> AnalysisResult[FrequencyRow]:
    """The share of conversations expressing each AI value and each human value (pure).

    At ``level`` 1-3 the rows are the taxonomy's clusters of AI values: the share of
    conversations with any value in the cluster, and the share of all value expressions that
    fall in it. Rows are sorted most frequent first; ``top`` keeps that many per role.
    """
    k = min_conversations
    level, totals = question.level, margins.totals
    rows: list[FrequencyRow] = []
    suppressed = 0
    notes: list[str] = []
    for current in question.roles:
        units = margins.sides[_SIDES[current]]
        expressions_total = totals.ai_expressions if current == "ai" else totals.human_expressions
        if level > 0 and not len(units) and totals.ai_expressions:
            raise InputError(
                f"no value clusters at level {level}: load a taxonomy first "
                "(valuegraph ingest taxonomy)"
            )
        if level > 0:
            unclustered = expressions_total - int(units.expressions.sum())
            if unclustered > 0:
                notes.append(
                    f"{unclustered} AI value expressions fall in no level-{level} cluster "
                    "and are in no row"
                )
        suppressed += count_suppressed(units.conversations, k)
        shown = np.flatnonzero(units.conversations >= k)
        order = shown[np.lexsort((np.array(units.keys)[shown], -units.conversations[shown]))]
        rows.extend(
            FrequencyRow(
                value=units.names[i],
                role=current,
                conversations=int(units.conversations[i]),
                pct_convos=_pct(int(units.conversations[i]), totals.conversations),
                key=units.keys[i],
                level=level,
                expressions=int(units.expressions[i]),
                pct_expressions=_pct(int(units.expressions[i]), expressions_total),
            )
            for i in order[: question.top].tolist()
        )
    return AnalysisResult(
        analysis="frequencies",
        rows=tuple(rows),
        suppressed=suppressed,
        min_conversations=k,
        conversations=totals.conversations,
        notes=tuple(notes),
    )


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


_POPULATIONS: Mapping[bool | None, tuple[Population, ...]] = {
    None: ("all", "with_human_values"),
    True: ("with_human_values",),
    False: ("without_human_values",),
}


@dataclass(frozen=True)
class ResponseTypeQuestion:
    """The arguments of :func:`queries.analyses.response_types`."""

    model: str | None = None
    human_values_present: bool | None = None

    @property
    def where(self) -> ConversationFilter:
        return ConversationFilter(model=self.model)


def response_type_table(
    counts: Sequence[ResponseTypeCount], question: ResponseTypeQuestion, min_conversations: int
) -> AnalysisResult[ResponseTypeRow]:
    """The distribution of response types: overall, among conversations with human values, and
    per model (``model=None`` rows are all models together). Pure.

    ``human_values_present`` picks the population: None gives all conversations and those with
    human values; True only the latter; False those without human values.
    """
    k = min_conversations
    groups: dict[str | None, list[ResponseTypeCount]] = defaultdict(list)
    for count in counts:
        if question.model is None:
            groups[None].append(count)
        if count.model is not None:
            groups[count.model].append(count)
    rows: list[ResponseTypeRow] = []
    suppressed = 0
    for group in sorted(groups, key=lambda name: (name is not None, name or "")):
        for population in _POPULATIONS[question.human_values_present]:
            by_type = _population_counts(groups[group], population)
            total = sum(by_type.values())
            suppressed += count_suppressed(list(by_type.values()), k)
            rows.extend(
                ResponseTypeRow(
                    response_type=response_type,
                    conversations=count,
                    pct=_pct(count, total),
                    population=population,
                    model=group,
                )
                for response_type, count in by_type.items()
                if count >= k
            )
    return AnalysisResult(
        analysis="response-types",
        rows=tuple(rows),
        suppressed=suppressed,
        min_conversations=k,
        conversations=sum(count.conversations for count in counts),
    )


def _population_counts(
    counts: Sequence[ResponseTypeCount], population: Population
) -> dict[str, int]:
    """Conversations per response type (in the study's order) within one population."""
    by_type = dict.fromkeys(RESPONSE_TYPES, 0)
    for count in counts:
        everyone, with_human = count.conversations, count.with_human_values
        by_type[count.response_type] += {
            "all": everyone,
            "with_human_values": with_human,
            "without_human_values": everyone - with_human,
        }[population]
    return {t: n for t, n in by_type.items() if n > 0}
