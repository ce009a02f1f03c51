// cluster_human_pairs: co-occurrence counts of AI value clusters and human values.
// Returns one row per value cluster at level $value_level: a_key (cluster id) and two parallel
// lists, b_keys (human value keys) and counts (conversations stating the human value with at
// least one AI value in the cluster).
// Parameters: $value_level (1-3), $value_cluster_kind ('ai_value'), $model, $response_type.
MATCH (a:Cluster)<-[:IN_CLUSTER*1..3]-(v:AIValue)
WHERE a.level = $value_level AND a.kind = $value_cluster_kind
WITH a, collect(v) AS members
CALL (members) {
  UNWIND members AS v
  MATCH (v)<-[:AI_EXPRESSED]-(c:Conversation)
  WHERE ($model IS NULL OR c.model = $model)
    AND ($response_type IS NULL OR c.response_type = $response_type)
  WITH DISTINCT c
  MATCH (c)-[:HUMAN_EXPRESSED]->(b:HumanValue)
  WITH b, count(*) AS together
  RETURN collect(b.key) AS b_keys, collect(together) AS counts
}
WITH a, b_keys, counts WHERE size(b_keys) > 0
RETURN a.id AS a_key, b_keys, counts
