// Catalog: the child clusters of each cluster, by name.
// Parameters: $ids
// Returns: id, children [{id, name, description, level, kind, publishedPct, parent}]
UNWIND $ids AS id
MATCH (p:Cluster {id: id})
RETURN id, COLLECT {
  MATCH (p)<-[:IN_CLUSTER]-(c:Cluster)
  RETURN c {.id, .name, .description, .level, .kind, publishedPct: c.pct_total_occurrences,
            parent: p.id} AS child
  ORDER BY c.name, c.id
} AS children
