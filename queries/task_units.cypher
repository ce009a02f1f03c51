// task_units: how many conversations are about each task, or about any task of each task cluster.
// Returns one row per task ($task_level = 0) or per task cluster at level $task_level
// ((:Task)-[:IN_CLUSTER]->(:Cluster {kind: $task_cluster_kind})): key (task key or cluster id),
// name, conversations, expressions (the same number). Units with no conversation are absent.
// Parameters: $task_level, $task_cluster_kind ('task'), $model, $response_type.
MATCH (b:Task)<-[:ABOUT]-(c:Conversation)
WHERE $task_level = 0
  AND ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
WITH b, count(c) AS conversations
RETURN b.key AS key, b.name AS name, conversations, conversations AS expressions
UNION ALL
MATCH (b:Cluster)<-[:IN_CLUSTER*1..3]-(:Task)<-[:ABOUT]-(c:Conversation)
WHERE $task_level > 0 AND b.level = $task_level AND b.kind = $task_cluster_kind
  AND ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
WITH b, count(DISTINCT c) AS conversations
RETURN b.id AS key, b.name AS name, conversations, conversations AS expressions
