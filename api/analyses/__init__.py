"""Analyses: their types (``types``), root fields (``resolvers``), the rows both resolve from
(``views``), and the significant links other domains' fields use (``links``)."""
