// totals: the base every share is taken over.
// Returns one row: conversations (matching the filters), with_human_values (those with at least
// one human value), ai_expressions and human_expressions (AI_EXPRESSED / HUMAN_EXPRESSED edges).
// Parameters: $model, $response_type (null = all).
MATCH (c:Conversation)
WHERE ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
RETURN count(c) AS conversations,
       count(CASE WHEN EXISTS { (c)-[:HUMAN_EXPRESSED]->() } THEN c END) AS with_human_values,
       sum(COUNT { (c)-[:AI_EXPRESSED]->() }) AS ai_expressions,
       sum(COUNT { (c)-[:HUMAN_EXPRESSED]->() }) AS human_expressions
