// value_response_pairs: co-occurrence counts of AI values and response types.
// Returns one row per response type: b_key (the response type) and two parallel lists, a_keys
// (AI value keys) and counts (conversations of that type expressing the value).
// Parameters: $model (null = all).
MATCH (c:Conversation)-[:AI_EXPRESSED]->(a:AIValue)
WHERE c.response_type IS NOT NULL AND ($model IS NULL OR c.model = $model)
WITH c.response_type AS b_key, a, count(*) AS together
WITH b_key, collect(a.key) AS a_keys, collect(together) AS counts
RETURN b_key, a_keys, counts
