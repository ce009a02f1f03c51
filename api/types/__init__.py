"""The GraphQL types, one module per part of the schema; ``api/schema.py`` assembles them."""
