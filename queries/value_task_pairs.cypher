// value_task_pairs: co-occurrence counts of AI values and tasks, over conversations.
// Returns one row per task ($task_level = 0) or task cluster at level $task_level: b_key (task key
// or cluster id) and two parallel lists, a_keys (AI value keys) and counts (conversations about
// the task that express the value). Pairs that never co-occur are absent. One row per task with
// lists, rather than one row per pair, because shipping 200,000 small records costs more than
// counting them. count(*) counts conversations: the writer gives a conversation one ABOUT edge
// and one AI_EXPRESSED edge per value, and task clusters form a tree (one path up).
// Parameters: $task_level, $task_cluster_kind ('task'), $model, $response_type.
CALL () {
  MATCH (b:Task) WHERE $task_level = 0 RETURN b
  UNION ALL
  MATCH (b:Cluster)
  WHERE $task_level > 0 AND b.level = $task_level AND b.kind = $task_cluster_kind
  RETURN b
}
CALL (b) {
  // A task has no incoming IN_CLUSTER edge, so at level 0 only the empty path matches.
  MATCH (b)<-[:IN_CLUSTER*0..3]-(:Task)<-[:ABOUT]-(c:Conversation)
  WHERE ($model IS NULL OR c.model = $model)
    AND ($response_type IS NULL OR c.response_type = $response_type)
  MATCH (c)-[:AI_EXPRESSED]->(a:AIValue)
  WITH a, count(*) AS together
  RETURN collect(a.key) AS a_keys, collect(together) AS counts
}
WITH b, a_keys, counts WHERE size(a_keys) > 0
RETURN coalesce(b.key, b.id) AS b_key, a_keys, counts
