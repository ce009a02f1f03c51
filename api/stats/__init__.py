"""Stats: the ``Stats`` type (``types``) and the root ``stats`` field (``resolvers``)."""
