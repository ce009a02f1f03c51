// Catalog: taxonomy clusters, optionally only one level, only the children of one parent, or
// only the given ids. Ordered from the top level down, then by name.
// Parameters: $level (or null), $parent (a Cluster id, or null), $ids (a list, or null)
// Returns: id, name, description, level, kind, publishedPct, parent
MATCH (c:Cluster)
WHERE ($level IS NULL OR c.level = $level)
  AND ($ids IS NULL OR c.id IN $ids)
  AND ($parent IS NULL OR EXISTS { (c)-[:IN_CLUSTER]->(:Cluster {id: $parent}) })
OPTIONAL MATCH (c)-[:IN_CLUSTER]->(p:Cluster)
RETURN c.id AS id, c.name AS name, c.description AS description, c.level AS level,
       c.kind AS kind, c.pct_total_occurrences AS publishedPct, p.id AS parent
ORDER BY level DESC, name, id
