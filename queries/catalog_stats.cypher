// Catalog: the size of the graph in one row. Node and relationship counts come from Neo4j's
// count store (constant time); models carry their conversation counts (a degree lookup each);
// the date range reads the two ends of the created_at index.
// Returns: conversations, tasks, aiValues, humanValues, clusters, modelCount, about, aiExpressed,
//          humanExpressed, byModel, inCluster, models [{name, conversations}], datedConversations,
//          firstAt, lastAt
CALL () { MATCH (n:Conversation) RETURN count(n) AS conversations }
CALL () { MATCH (n:Task) RETURN count(n) AS tasks }
CALL () { MATCH (n:AIValue) RETURN count(n) AS aiValues }
CALL () { MATCH (n:HumanValue) RETURN count(n) AS humanValues }
CALL () { MATCH (n:Cluster) RETURN count(n) AS clusters }
CALL () { MATCH (n:Model) RETURN count(n) AS modelCount }
CALL () { MATCH ()-[r:ABOUT]->() RETURN count(r) AS about }
CALL () { MATCH ()-[r:AI_EXPRESSED]->() RETURN count(r) AS aiExpressed }
CALL () { MATCH ()-[r:HUMAN_EXPRESSED]->() RETURN count(r) AS humanExpressed }
CALL () { MATCH ()-[r:BY_MODEL]->() RETURN count(r) AS byModel }
CALL () { MATCH ()-[r:IN_CLUSTER]->() RETURN count(r) AS inCluster }
CALL () {
  MATCH (m:Model)
  RETURN collect({name: m.name, conversations: COUNT { (m)<-[:BY_MODEL]-() }}) AS models
}
CALL () {
  MATCH (c:Conversation) WHERE c.created_at IS NOT NULL
  RETURN count(c) AS datedConversations
}
CALL () {
  MATCH (c:Conversation) WHERE c.created_at IS NOT NULL
  WITH c.created_at AS at ORDER BY at ASC LIMIT 1
  RETURN collect(at) AS firsts
}
CALL () {
  MATCH (c:Conversation) WHERE c.created_at IS NOT NULL
  WITH c.created_at AS at ORDER BY at DESC LIMIT 1
  RETURN collect(at) AS lasts
}
RETURN conversations, tasks, aiValues, humanValues, clusters, modelCount,
       about, aiExpressed, humanExpressed, byModel, inCluster, models, datedConversations,
       firsts[0] AS firstAt, lasts[0] AS lastAt
