// Taxonomy drill-down from a top category: the category $category (level 3, e.g. "Practical"),
// its second-level clusters and their first-level clusters, as a tree. The style sheet sizes
// clusters by level. To go further down, run explore_cluster_values.cypher with a cluster id.
// Parameters: $category (the top category's name, any case).
MATCH (top:Cluster {level: 3})
WHERE toLower(top.name) = toLower(trim($category))
MATCH path = (cluster:Cluster)-[:IN_CLUSTER*0..2]->(top)
RETURN path
