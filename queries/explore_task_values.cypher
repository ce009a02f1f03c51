// A task's values: the AI values expressed in conversations about the task $task, most
// conversations first, with the materialised adjusted residual where there is one.
// Returns the task and value nodes (Browser draws the ASSOCIATED_WITH edges between them).
// Parameters: $task (a task name; case and outer spaces do not matter), $top,
// $min_conversations (k: pairs resting on fewer conversations are suppressed and counted).
MATCH (t:Task {key: toLower(trim($task))})<-[:ABOUT]-(c:Conversation)-[:AI_EXPRESSED]->(v:AIValue)
WITH t, v, count(DISTINCT c) AS conversations
WITH t, collect({value: v, conversations: conversations}) AS rows
WITH t, rows, size([r IN rows WHERE r.conversations < $min_conversations]) AS suppressed
UNWIND rows AS row
WITH t, row, suppressed
WHERE row.conversations >= $min_conversations
WITH t, row.value AS v, row.conversations AS conversations, suppressed
OPTIONAL MATCH (v)-[a:ASSOCIATED_WITH]->(t)
RETURN t AS task, v AS value, v.name AS value_name, conversations,
       a.adjusted_residual AS adjusted_residual, suppressed
ORDER BY conversations DESC, value_name
LIMIT toInteger($top)
