// ai_value_names: the display names of AI values, or of value clusters at one level.
// Returns one row per AI value ($value_level = 0) or per value cluster at level $value_level:
// key (value key or cluster id) and name.
// Parameters: $value_level, $value_cluster_kind ('ai_value').
MATCH (v:AIValue)
WHERE $value_level = 0
RETURN v.key AS key, v.name AS name
UNION ALL
MATCH (a:Cluster)
WHERE $value_level > 0 AND a.level = $value_level AND a.kind = $value_cluster_kind
RETURN a.id AS key, a.name AS name
