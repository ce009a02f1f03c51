// value_human_pairs: co-occurrence counts of AI values and human values, over conversations.
// Returns one row per human value: b_key (human value key) and two parallel lists, a_keys (AI
// value keys) and counts (conversations stating the human value and expressing the AI value).
// Parameters: $model, $response_type (null = all).
MATCH (b:HumanValue)<-[:HUMAN_EXPRESSED]-(c:Conversation)-[:AI_EXPRESSED]->(a:AIValue)
WHERE ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
WITH b, a, count(*) AS together
WITH b, collect(a.key) AS a_keys, collect(together) AS counts
RETURN b.key AS b_key, a_keys, counts
