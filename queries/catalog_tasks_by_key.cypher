// Catalog: tasks by key, with their frequency (conversations about them).
// Parameters: $keys
// Returns: key, name, frequency
UNWIND $keys AS key
MATCH (t:Task {key: key})
RETURN key, t.name AS name, COUNT { (t)<-[:ABOUT]-() } AS frequency
