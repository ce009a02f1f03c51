"""The enums more than one domain of the schema uses, each made from the one Python enum."""

from __future__ import annotations

from typing import Any

import graphene

from valuegraph.domain import ResponseType as DomainResponseType
from valuegraph.queries.catalog import Order
from valuegraph.queries.catalog import Role as CatalogRole

Role = graphene.Enum.from_enum(CatalogRole, name="Role", description="Who expressed a value.")
ItemOrder = graphene.Enum.from_enum(
    Order,
    name="ItemOrder",
    description="FREQUENCY: most conversations first, ties by key. NAME: by key.",
)
ResponseType = graphene.Enum.from_enum(
    DomainResponseType,
    name="ResponseType",
    description="How the AI responded to the values the user expressed (the paper's seven "
    "categories).",
)


def enum_value(value: Any) -> Any:
    """The Python value of a graphene enum argument (graphene passes the member's value)."""
    return getattr(value, "value", value)
