"""The HTTP and GraphQL app. Where each kind of thing lives:

- ``app.py``: the Flask app (``create_app``), which puts the rest together: ``provider.py``
  (the Neo4j driver and per-process memos), ``view.py`` (``/graphql``), ``gates.py`` (size,
  token and CORS checks around every request), ``paths.py`` and ``responses.py`` (its URLs and
  JSON answers).
- ``schema.py``: the root ``Query``, listing each domain's root fields in order.
- One package per GraphQL domain: ``values/``, ``tasks/``, ``taxonomy/``, ``conversations/``,
  ``stats/``, ``analyses/``, ``exports/``. Each holds ``types.py`` (its graphene types, with
  their field resolvers) and ``resolvers.py`` (its root fields' arguments and resolvers). A
  type names another domain's type by dotted path (``"valuegraph.api.tasks.types.Task"``), so
  domains never import each other in a circle; what several share is in ``core/`` (and the
  analyses' significant links, which values and tasks show, in ``analyses/links.py``).
- ``core/``: what the domains share: the request context (and through it the loaders), enums,
  cursors, connections, argument checks, and the records and pages several domains return.
- ``loaders.py``: the per-request batch loaders and the per-process analysis results.
- The guards, one job each: ``settings.py`` (the API's part of the one ``Settings``),
  ``auth.py`` (the token), ``validation/`` (depth, cost, page sizes: what a document may ask),
  ``rejections.py`` (the error a refused request raises), ``public_errors.py`` (what clients
  see of a failure).
- The other routes, as blueprints: ``exports/routes.py`` (``GET /export``, whose options
  ``exports/options.py`` parses), ``report_routes.py``, ``browser/routes.py`` (with its files
  in ``browser/``); GraphiQL in ``graphiql/``.
"""
