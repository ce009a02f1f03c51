// mirroring_rates: how often the AI expresses a value the user stated, per response type.
// Returns one row per response type: response_type, with_human_values (conversations of that
// type stating at least one human value) and mirrored (those of them where some AI value has
// the same key as a human value).
// Parameters: $model, $response_type (null = all).
MATCH (c:Conversation)
WHERE ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
  AND EXISTS { (c)-[:HUMAN_EXPRESSED]->() }
WITH c, EXISTS {
  MATCH (c)-[:HUMAN_EXPRESSED]->(h:HumanValue), (c)-[:AI_EXPRESSED]->(a:AIValue)
  WHERE a.key = h.key
} AS mirrored
RETURN c.response_type AS response_type,
       count(c) AS with_human_values,
       count(CASE WHEN mirrored THEN c END) AS mirrored
ORDER BY response_type
