// human_value_units: how many conversations state each human value.
// Returns one row per human value: key, name, conversations, expressions (the same number: a
// conversation states a value once). Parameters: $model, $response_type (null = all).
MATCH (h:HumanValue)<-[:HUMAN_EXPRESSED]-(c:Conversation)
WHERE ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
WITH h, count(*) AS conversations
RETURN h.key AS key, h.name AS name, conversations, conversations AS expressions
