"""The app's own URL paths, which the view, the gates and the app factory all name."""

GRAPHQL_PATH = "/graphql"
HEALTH_PATH = "/healthz"
