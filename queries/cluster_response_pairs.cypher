// cluster_response_pairs: co-occurrence counts of AI value clusters and response types.
// Returns one row per value cluster at level $value_level: a_key (cluster id) and two parallel
// lists, b_keys (response types) and counts (conversations of that type with at least one value
// in the cluster).
// Parameters: $value_level (1-3), $value_cluster_kind ('ai_value'), $model.
MATCH (a:Cluster)<-[:IN_CLUSTER*1..3]-(v:AIValue)
WHERE a.level = $value_level AND a.kind = $value_cluster_kind
WITH a, collect(v) AS members
CALL (members) {
  UNWIND members AS v
  MATCH (v)<-[:AI_EXPRESSED]-(c:Conversation)
  WHERE c.response_type IS NOT NULL AND ($model IS NULL OR c.model = $model)
  WITH DISTINCT c
  WITH c.response_type AS b, count(*) AS together
  RETURN collect(b) AS b_keys, collect(together) AS counts
}
WITH a, b_keys, counts WHERE size(b_keys) > 0
RETURN a.id AS a_key, b_keys, counts
