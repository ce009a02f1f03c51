// model_value_counts: how many conversations of each model express each AI value.
// Returns one row per model: model (null for conversations without one) and two parallel lists,
// a_keys (AI value keys) and counts (the model's conversations expressing the value).
// Parameters: $response_type (null = all).
MATCH (c:Conversation)-[:AI_EXPRESSED]->(a:AIValue)
WHERE $response_type IS NULL OR c.response_type = $response_type
WITH c.model AS model, a, count(*) AS conversations
WITH model, collect(a.key) AS a_keys, collect(conversations) AS counts
RETURN model, a_keys, counts
ORDER BY model
