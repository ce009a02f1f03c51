// One cluster's values: a cluster (any level; by id or by name) and the AI values beneath it,
// the most frequent first, as a tree. Values expressed in fewer than k conversations are left
// out (taxonomy values that no conversation expresses are shown).
// Parameters: $cluster (a cluster id or name), $top, $min_conversations (k).
MATCH (root:Cluster)
WHERE root.id = $cluster OR toLower(root.name) = toLower(trim($cluster))
MATCH path = (v:AIValue)-[:IN_CLUSTER*1..3]->(root)
WITH path, v, COUNT { (v)<-[:AI_EXPRESSED]-(:Conversation) } AS conversations
WHERE conversations = 0 OR conversations >= $min_conversations
RETURN path
ORDER BY conversations DESC, v.name
LIMIT toInteger($top)
