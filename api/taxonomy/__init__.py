"""The taxonomy tree: the ``Cluster`` type (``types``), the root fields (``resolvers``)."""
