"""Values: the ``Value`` type and its connection (``types``), the root fields (``resolvers``)."""
