// What the graph holds, for `valuegraph overview`: nodes of each kind and all relationships
// (count-store counts, constant time).
// Returns: one row of conversations, tasks, ai_values, human_values, clusters, models,
// relationships
CALL () { MATCH (n:Conversation) RETURN count(n) AS conversations }
CALL () { MATCH (n:Task) RETURN count(n) AS tasks }
CALL () { MATCH (n:AIValue) RETURN count(n) AS ai_values }
CALL () { MATCH (n:HumanValue) RETURN count(n) AS human_values }
CALL () { MATCH (n:Cluster) RETURN count(n) AS clusters }
CALL () { MATCH (n:Model) RETURN count(n) AS models }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN *
