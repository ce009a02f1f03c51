// The neighbourhood of a conversation: the conversation $conversation, its task, the AI values and
// human values it expressed, its model, and the taxonomy cluster of each AI value. One
// conversation is one person's: the node shows raw text only if it was ingested with
// --store-text. Parameters: $conversation (a conversation id).
MATCH (c:Conversation {id: $conversation})-[r:ABOUT|AI_EXPRESSED|HUMAN_EXPRESSED|BY_MODEL]->(x)
OPTIONAL MATCH (x:AIValue)-[in_cluster:IN_CLUSTER]->(cluster:Cluster)
RETURN c, r, x, in_cluster, cluster
