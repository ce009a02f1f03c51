// response_type_counts: conversations by model and response type.
// Returns one row per (model, response_type): model (null for conversations without one),
// response_type, conversations, with_human_values (those stating at least one human value).
// Parameters: $model, $response_type (null = all).
MATCH (c:Conversation)
WHERE ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
RETURN c.model AS model,
       c.response_type AS response_type,
       count(c) AS conversations,
       count(CASE WHEN EXISTS { (c)-[:HUMAN_EXPRESSED]->() } THEN c END) AS with_human_values
ORDER BY model, response_type
