// Catalog: how many values a values query restricted to one model and/or response type matches,
// and how many the privacy threshold k hid. Same filters and the same starting point as
// catalog_values_page_in_conversations.cypher. A value never expressed in those conversations
// does not count as suppressed: it has nothing to hide.
// Parameters: $label, $search, $cluster, $floor, $k, $model, $responseType
// Returns: total, suppressed
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
WHERE $label IN labels(v)
  AND ($search IS NULL OR v.key CONTAINS $search)
  AND ($cluster IS NULL OR EXISTS { (v)-[:IN_CLUSTER*1..4]->(:Cluster {id: $cluster}) })
RETURN count(CASE WHEN frequency >= $floor THEN 1 END) AS total,
       count(CASE WHEN frequency < $k THEN 1 END) AS suppressed
