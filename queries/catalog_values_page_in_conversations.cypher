// Catalog: one page of AI or human values counted only in the conversations of one model and/or
// one response type, keyset-paginated. The same page as catalog_values_page.cypher, but the
// frequency depends on each conversation, so the query starts from the conversations (through
// the model index, or the response-type index when no model is given) and counts their edges.
// Parameters: as catalog_values_page.cypher, plus $model and $responseType (at least one set)
// Returns: key, name, frequency
CALL () {
  WITH * WHERE $model IS NOT NULL
  MATCH (c:Conversation {model: $model})
  WHERE $responseType IS NULL OR c.response_type = $responseType
  RETURN c
  UNION
  WITH * WHERE $model IS NULL
  MATCH (c:Conversation {response_type: $responseType})
  RETURN c
}
MATCH (c)-[:AI_EXPRESSED|HUMAN_EXPRESSED]->(v)
WITH v, count(c) AS frequency
WHERE frequency >= $floor
  AND $label IN labels(v)
  AND ($search IS NULL OR v.key CONTAINS $search)
  AND ($cluster IS NULL OR EXISTS { (v)-[:IN_CLUSTER*1..4]->(:Cluster {id: $cluster}) })
  AND ($afterKey IS NULL
       OR ($order = 'NAME' AND v.key > $afterKey)
       OR ($order = 'FREQUENCY'
           AND (frequency < $afterFrequency OR (frequency = $afterFrequency AND v.key > $afterKey))))
RETURN v.key AS key, v.name AS name, frequency
ORDER BY CASE $order WHEN 'FREQUENCY' THEN -frequency ELSE 0 END, key
LIMIT $limit
