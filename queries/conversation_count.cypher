// conversation_count: how many conversations a table is taken over, and whether the tasks and
// the response types each split them into disjoint groups.
// Returns one row: conversations (matching the filters), with_one_task (those with exactly one
// ABOUT edge) and with_response_type (those with a response type). When these equal
// conversations, a value's conversations are the sum of its counts over tasks (or response
// types), and no separate pass over the values is needed.
// Parameters: $model, $response_type (null = all).
MATCH (c:Conversation)
WHERE ($model IS NULL OR c.model = $model)
  AND ($response_type IS NULL OR c.response_type = $response_type)
RETURN count(c) AS conversations,
       count(CASE WHEN COUNT { (c)-[:ABOUT]->() } = 1 THEN c END) AS with_one_task,
       count(c.response_type) AS with_response_type
