// mirrored_values: the values most often expressed on both sides of a conversation.
// Returns one row per value key found on both sides: key, name (the AI value's), conversations
// (where the user stated it and the AI expressed it).
// Parameters: $model, $response_type (null = all).
MATCH (c:Conversation)-[:HUMAN_EXPRESSED]->(h:HumanValue)
WHERE ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
MATCH (c)-[:AI_EXPRESSED]->(a:AIValue)
WHERE a.key = h.key
WITH a, count(*) AS conversations
RETURN a.key AS key, a.name AS name, conversations
ORDER BY conversations DESC, key
