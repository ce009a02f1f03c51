// Catalog: for each value, one page of the conversations that express it, by id (keyset).
// Parameters: $label ('AIValue' | 'HumanValue'), $keys, $after (the last id seen, or null), $limit
// Returns: key, ids
UNWIND $keys AS key
CALL (key) {
  MATCH (v:AIValue|HumanValue {key: key})<-[:AI_EXPRESSED|HUMAN_EXPRESSED]-(c:Conversation)
  WHERE $label IN labels(v) AND ($after IS NULL OR c.id > $after)
  WITH c.id AS id ORDER BY id LIMIT $limit
  RETURN collect(id) AS ids
}
RETURN key, ids
