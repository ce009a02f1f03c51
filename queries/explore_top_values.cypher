// Top values overall: the AI values expressed in the most conversations, with their share of all
// conversations. Returns the value nodes too, so Neo4j Browser can draw them.
// Parameters: $top (how many rows, e.g. 25), $min_conversations (k: values expressed in fewer
// conversations are suppressed; `suppressed` says how many were).
MATCH (c:Conversation)
WITH count(c) AS total
MATCH (v:AIValue)
WITH total, v, COUNT { (v)<-[:AI_EXPRESSED]-(:Conversation) } AS conversations
WHERE conversations > 0
WITH total, collect({value: v, conversations: conversations}) AS rows
WITH total, rows, size([r IN rows WHERE r.conversations < $min_conversations]) AS suppressed
UNWIND rows AS row
WITH total, row, suppressed
WHERE row.conversations >= $min_conversations
RETURN row.value AS value, row.value.name AS name, row.conversations AS conversations,
       round(100.0 * row.conversations / total, 2) AS pct_convos, suppressed
ORDER BY conversations DESC, name
LIMIT toInteger($top)
