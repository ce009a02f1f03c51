"""How to get each figure's numbers without the report: a command line and a GraphQL query.

The commands are ``valuegraph analyze ...`` (the same functions the report calls); the queries
run against ``valuegraph serve``'s ``/graphql``. Tests parse every command with the real command
line and run every query through the real API, so these cannot drift from the code.
"""

from __future__ import annotations

from valuegraph.report.page import Reproduce


def values(top: int) -> Reproduce:
    return Reproduce(
        cli=f"valuegraph analyze frequencies --top {top}",
        graphql=(
            "{\n"
            f"  ai: values(role: AI, orderBy: FREQUENCY, first: {top}) {{\n"
            "    suppressed edges { node { name frequency share } }\n"
            "  }\n"
            f"  human: values(role: HUMAN, orderBy: FREQUENCY, first: {top}) {{\n"
            "    suppressed edges { node { name frequency share } }\n"
            "  }\n"
            "}"
        ),
    )


CATEGORIES = Reproduce(
    cli="valuegraph analyze frequencies --role ai --level 3",
    graphql="{\n  clusters(level: 3) { name share expressions conversations conversationShare }\n}",
)

RESPONSE_TYPES = Reproduce(
    cli="valuegraph analyze response-types",
    graphql=(
        "{\n  responseTypes {\n    suppressed\n"
        "    rows { responseType population model conversations share }\n  }\n}"
    ),
)


def mirroring(top: int) -> Reproduce:
    return Reproduce(
        cli=f"valuegraph analyze mirroring --top {top}",
        graphql=(
            f"{{\n  mirroring(top: {top}) {{\n    suppressed\n"
            "    rates { responseType withHumanValues mirrored mirroringRate }\n"
            "    values { value conversations }\n  }\n}"
        ),
    )


def resistance(top: int) -> Reproduce:
    return Reproduce(
        cli=f"valuegraph analyze mirroring --top {top}",
        graphql=(
            f"{{\n  mirroring(top: {top}) {{\n    suppressed\n"
            "    resistance { responseType humanValue aiValue conversations share }\n  }\n}"
        ),
    )


def associations(pairs: int) -> Reproduce:
    return Reproduce(
        cli=f"valuegraph analyze associations --kind value-task --top {pairs}",
        graphql=(
            f"{{\n  associations(kind: VALUE_TASK, first: {pairs}) {{\n    tests suppressed\n"
            "    rows { value partner observed expected adjustedResidual pAdjusted }\n  }\n}"
        ),
    )


INVARIANCE = Reproduce(
    cli="valuegraph analyze invariance --across task --top 0",
    graphql=(
        "{\n  invariance(across: TASK) {\n    suppressed\n"
        "    rows { value conversations contexts meanFrequency coefficientOfVariation }\n"
        "  }\n}"
    ),
)

MODELS = Reproduce(cli="valuegraph analyze models --top 10")

TAXONOMY = Reproduce(
    cli="valuegraph analyze frequencies --role ai --level 2 --top 0",
    graphql=(
        "{\n  clusters(level: 3) {\n    name share\n"
        "    children { name share children { name share } }\n  }\n}"
    ),
)

# Every query above, by figure, for the tests.
ALL: tuple[Reproduce, ...] = (
    values(20),
    CATEGORIES,
    RESPONSE_TYPES,
    mirroring(20),
    resistance(20),
    associations(40),
    INVARIANCE,
    MODELS,
    TAXONOMY,
)
