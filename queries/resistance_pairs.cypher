// resistance_pairs: what the AI answers a user's value with, in the response types given.
// Returns one row per response type in $response_types: response_type, pairs (a list of maps
// {human_key, human_value, ai_key, ai_value, conversations}, most frequent first, for every
// (human value, different AI value) pair in at least $min_conversations conversations) and
// suppressed (how many pairs rest on fewer; the aggregation threshold is applied here so the
// rare pairs never leave the server).
// Parameters: $response_types (list), $model (null = all), $min_conversations (k).
MATCH (c:Conversation)
WHERE c.response_type IN $response_types
  AND ($model IS NULL OR c.model = $model)
MATCH (c)-[:HUMAN_EXPRESSED]->(h:HumanValue), (c)-[:AI_EXPRESSED]->(a:AIValue)
WHERE a.key <> h.key
WITH c.response_type AS response_type, h, a, count(*) AS conversations
ORDER BY conversations DESC, h.key, a.key
WITH response_type,
     collect(CASE WHEN conversations >= $min_conversations THEN {
       human_key: h.key, human_value: h.name, ai_key: a.key, ai_value: a.name,
       conversations: conversations
     } END) AS pairs,
     count(CASE WHEN conversations < $min_conversations THEN 1 END) AS suppressed
RETURN response_type, pairs, suppressed
ORDER BY response_type
