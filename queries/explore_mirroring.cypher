// Mirroring triangles: conversations where the AI expresses a value that the user expressed too,
// (c)-[:AI_EXPRESSED]->(v) and (c)-[:HUMAN_EXPRESSED]->(h) with h.key = v.key. Draws up to
// $per_value conversations for each mirrored value, only for values mirrored in at least k
// conversations. Parameters: $response_type (e.g. "strong_support", or null for all),
// $per_value, $limit, $min_conversations (k).
MATCH (c:Conversation)-[:AI_EXPRESSED]->(v:AIValue)
WHERE $response_type IS NULL OR c.response_type = $response_type
MATCH (c)-[:HUMAN_EXPRESSED]->(h:HumanValue {key: v.key})
WITH v, h, collect(c) AS conversations
WHERE size(conversations) >= $min_conversations
UNWIND conversations[..toInteger($per_value)] AS c
MATCH (c)-[ai:AI_EXPRESSED]->(v)
MATCH (c)-[human:HUMAN_EXPRESSED]->(h)
RETURN c, ai, v, human, h
LIMIT toInteger($limit)
