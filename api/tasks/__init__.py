"""Tasks: the ``Task`` type and its connection (``types``), the root fields (``resolvers``)."""
