// cluster_task_pairs: co-occurrence counts of AI value clusters and tasks, over conversations.
// Returns one row per value cluster at level $value_level: a_key (cluster id) and two parallel
// lists, b_keys (task keys, or task cluster ids at level $task_level) and counts (conversations
// about the task with at least one value in the cluster). Each cluster's conversations are made
// distinct once, then followed to their task: cheaper than de-duplicating (conversation,
// cluster) pairs across the whole graph.
// Parameters: $value_level (1-3), $value_cluster_kind ('ai_value'), $task_level,
// $task_cluster_kind ('task'), $model, $response_type.
MATCH (a:Cluster)<-[:IN_CLUSTER*1..3]-(v:AIValue)
WHERE a.level = $value_level AND a.kind = $value_cluster_kind
WITH a, collect(v) AS members
CALL (members) {
  UNWIND members AS v
  MATCH (v)<-[:AI_EXPRESSED]-(c:Conversation)
  WHERE ($model IS NULL OR c.model = $model)
    AND ($response_type IS NULL OR c.response_type = $response_type)
  WITH DISTINCT c
  CALL (c) {
    MATCH (c)-[:ABOUT]->(b:Task) WHERE $task_level = 0 RETURN b
    UNION ALL
    MATCH (c)-[:ABOUT]->(:Task)-[:IN_CLUSTER*1..3]->(b:Cluster)
    WHERE $task_level > 0 AND b.level = $task_level AND b.kind = $task_cluster_kind
    RETURN b
  }
  WITH b, count(*) AS together
  RETURN collect(coalesce(b.key, b.id)) AS b_keys, collect(together) AS counts
}
WITH a, b_keys, counts WHERE size(b_keys) > 0
RETURN a.id AS a_key, b_keys, counts
