// ai_value_units: how many conversations express each AI value, or any value of each cluster.
// Returns one row per AI value ($value_level = 0) or per value cluster at level $value_level
// (1-3): key (value key or cluster id), name, conversations (distinct), expressions
// (AI_EXPRESSED edges into the value or the cluster). Units no conversation expresses are absent.
// The scan hint makes the planner filter each conversation once, not once per value it expresses.
// Parameters: $value_level, $value_cluster_kind ('ai_value'), $model, $response_type.
MATCH (c:Conversation)-[:AI_EXPRESSED]->(v:AIValue)
USING SCAN c:Conversation
WHERE $value_level = 0
  AND ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
WITH v, count(*) AS conversations
RETURN v.key AS key, v.name AS name, conversations, conversations AS expressions
UNION ALL
MATCH (a:Cluster)<-[:IN_CLUSTER*1..3]-(v:AIValue)
WHERE $value_level > 0 AND a.level = $value_level AND a.kind = $value_cluster_kind
WITH a, collect(v) AS members
CALL (members) {
  UNWIND members AS v
  MATCH (v)<-[:AI_EXPRESSED]-(c:Conversation)
  WHERE ($model IS NULL OR c.model = $model)
    AND ($response_type IS NULL OR c.response_type = $response_type)
  RETURN count(DISTINCT c) AS conversations, count(*) AS expressions
}
WITH a, conversations, expressions WHERE conversations > 0
RETURN a.id AS key, a.name AS name, conversations, expressions
