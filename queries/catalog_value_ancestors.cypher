// Catalog: the clusters above each AI value in the taxonomy, nearest first (its own cluster, then
// up to the top-level category).
// Parameters: $keys
// Returns: key, ancestors [{id, name, description, level, kind, publishedPct, parent}]
UNWIND $keys AS key
MATCH (v:AIValue {key: key})
RETURN key, COLLECT {
  MATCH (v)-[:IN_CLUSTER*1..4]->(c:Cluster)
  OPTIONAL MATCH (c)-[:IN_CLUSTER]->(p:Cluster)
  RETURN c {.id, .name, .description, .level, .kind, publishedPct: c.pct_total_occurrences,
            parent: p.id} AS cluster
  ORDER BY c.level
} AS ancestors
