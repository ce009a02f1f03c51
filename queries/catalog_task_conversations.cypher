// Catalog: for each task, one page of the conversations about it, by id (keyset).
// Parameters: $keys, $after (the last id seen, or null), $limit
// Returns: key, ids
UNWIND $keys AS key
CALL (key) {
  MATCH (:Task {key: key})<-[:ABOUT]-(c:Conversation)
  WHERE $after IS NULL OR c.id > $after
  WITH c.id AS id ORDER BY id LIMIT $limit
  RETURN collect(id) AS ids
}
RETURN key, ids
