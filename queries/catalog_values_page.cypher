// Catalog: one page of AI or human values with their frequency (the number of conversations
// that express them), keyset-paginated. Rows under the floor (the privacy threshold k, or a
// larger minFrequency) are left out. Frequency is a degree lookup, so a page costs one pass over
// the value nodes, not over the conversations.
// Parameters: $label ('AIValue' | 'HumanValue'), $search (substring of the key, or null),
//   $cluster (a Cluster id the value must fall under, or null), $floor, $order ('FREQUENCY' |
//   'NAME'), $afterFrequency and $afterKey (the last row of the previous page, or null), $limit
// Returns: key, name, frequency; ordered by frequency descending then key, or by key
MATCH (v:AIValue|HumanValue)
WHERE $label IN labels(v)
  AND ($search IS NULL OR v.key CONTAINS $search)
  AND ($cluster IS NULL OR EXISTS { (v)-[:IN_CLUSTER*1..4]->(:Cluster {id: $cluster}) })
WITH v, COUNT { (v)<-[:AI_EXPRESSED|HUMAN_EXPRESSED]-() } AS frequency
WHERE frequency >= $floor
  AND ($afterKey IS NULL
       OR ($order = 'NAME' AND v.key > $afterKey)
       OR ($order = 'FREQUENCY'
           AND (frequency < $afterFrequency OR (frequency = $afterFrequency AND v.key > $afterKey))))
RETURN v.key AS key, v.name AS name, frequency
ORDER BY CASE $order WHEN 'FREQUENCY' THEN -frequency ELSE 0 END, key
LIMIT $limit
