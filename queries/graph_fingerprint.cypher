// The graph's fingerprint: it changes when the graph does, so a memo of counted tables (and of
// the analyses and answers built on them) knows when to start again. Node and relationship
// counts come from the count store (constant time); the generation of the materialised
// associations changes when they are rewritten, even to the same number of links.
// Returns: counts (a list of integers), generation (or null)
CALL () { MATCH (n:Conversation) RETURN count(n) AS conversations }
CALL () { MATCH (n:Task) RETURN count(n) AS tasks }
CALL () { MATCH (n:AIValue) RETURN count(n) AS aiValues }
CALL () { MATCH (n:HumanValue) RETURN count(n) AS humanValues }
CALL () { MATCH (n:Cluster) RETURN count(n) AS clusters }
CALL () { MATCH ()-[r:ABOUT]->() RETURN count(r) AS about }
CALL () { MATCH ()-[r:AI_EXPRESSED]->() RETURN count(r) AS aiExpressed }
CALL () { MATCH ()-[r:HUMAN_EXPRESSED]->() RETURN count(r) AS humanExpressed }
CALL () { MATCH ()-[r:IN_CLUSTER]->() RETURN count(r) AS inCluster }
CALL () { MATCH ()-[r:BY_MODEL]->() RETURN count(r) AS byModel }
CALL () {
  OPTIONAL MATCH (m:Materialization {name: 'associations'})
  RETURN m.generation AS generation
}
RETURN [conversations, tasks, aiValues, humanValues, clusters, about, aiExpressed,
        humanExpressed, inCluster, byModel] AS counts, generation
