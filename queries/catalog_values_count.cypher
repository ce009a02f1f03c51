// Catalog: how many values a values query matches (at least the floor), and how many the privacy
// threshold k hid: those resting on at least one conversation but fewer than k (a value of the
// taxonomy that no conversation expresses has nothing to hide). Same filters as
// catalog_values_page.cypher; a degree lookup per value.
// Parameters: $label, $search, $cluster, $floor, $k
// Returns: total, suppressed
MATCH (v:AIValue|HumanValue)
WHERE $label IN labels(v)
  AND ($search IS NULL OR v.key CONTAINS $search)
  AND ($cluster IS NULL OR EXISTS { (v)-[:IN_CLUSTER*1..4]->(:Cluster {id: $cluster}) })
WITH COUNT { (v)<-[:AI_EXPRESSED|HUMAN_EXPRESSED]-() } AS frequency
RETURN count(CASE WHEN frequency >= $floor THEN 1 END) AS total,
       count(CASE WHEN 0 < frequency < $k THEN 1 END) AS suppressed
