// Catalog: values by key, on both sides: the AI value and the human value that share a key, each
// with its frequency (conversations expressing it, a degree lookup). A side that does not exist
// has a null name and frequency 0.
// Parameters: $keys (normalised keys)
// Returns: key, aiName, aiFrequency, humanName, humanFrequency
UNWIND $keys AS key
OPTIONAL MATCH (a:AIValue {key: key})
OPTIONAL MATCH (h:HumanValue {key: key})
RETURN key,
       a.name AS aiName,
       CASE WHEN a IS NULL THEN 0 ELSE COUNT { (a)<-[:AI_EXPRESSED]-() } END AS aiFrequency,
       h.name AS humanName,
       CASE WHEN h IS NULL THEN 0 ELSE COUNT { (h)<-[:HUMAN_EXPRESSED]-() } END AS humanFrequency
