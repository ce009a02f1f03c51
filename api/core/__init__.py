"""What every GraphQL domain package shares, so that the domains need not import each other.

The request context (and through it the loaders), the common enums, cursors, connection
pieces, argument checks, the records several domains resolve (a value on one side, a visible
task) and the page builders more than one domain returns.
"""
