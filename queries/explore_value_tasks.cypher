// A value's tasks: the tasks in which the AI value $value is expressed, most conversations first,
// with the materialised adjusted residual where `valuegraph analyze materialize` wrote one.
// Returns the value and task nodes (Browser draws the ASSOCIATED_WITH edges between them).
// Parameters: $value (a value name; case and outer spaces do not matter), $top,
// $min_conversations (k: pairs resting on fewer conversations are suppressed and counted).
MATCH (v:AIValue {key: toLower(trim($value))})<-[:AI_EXPRESSED]-(c:Conversation)-[:ABOUT]->(t:Task)
WITH v, t, count(DISTINCT c) AS conversations
WITH v, collect({task: t, conversations: conversations}) AS rows
WITH v, rows, size([r IN rows WHERE r.conversations < $min_conversations]) AS suppressed
UNWIND rows AS row
WITH v, row, suppressed
WHERE row.conversations >= $min_conversations
WITH v, row.task AS t, row.conversations AS conversations, suppressed
OPTIONAL MATCH (v)-[a:ASSOCIATED_WITH]->(t)
RETURN v AS value, t AS task, t.name AS task_name, conversations,
       a.adjusted_residual AS adjusted_residual, suppressed
ORDER BY conversations DESC, task_name
LIMIT toInteger($top)
