// Catalog: the clusters above each cluster, nearest first, up to the top-level category.
// Parameters: $ids
// Returns: id, ancestors [{id, name, description, level, kind, publishedPct, parent}]
UNWIND $ids AS id
MATCH (c:Cluster {id: id})
RETURN id, COLLECT {
  MATCH (c)-[:IN_CLUSTER*1..3]->(a:Cluster)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(p:Cluster)
  RETURN a {.id, .name, .description, .level, .kind, publishedPct: a.pct_total_occurrences,
            parent: p.id} AS ancestor
  ORDER BY a.level
} AS ancestors
