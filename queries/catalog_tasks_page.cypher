// Catalog: one page of tasks with their frequency (conversations about them, a degree lookup),
// keyset-paginated; tasks under the floor (k, or a larger minFrequency) are left out.
// Parameters: $search (substring of the key, or null), $floor, $order ('FREQUENCY' | 'NAME'),
//   $afterFrequency and $afterKey (the last row of the previous page, or null), $limit
// Returns: key, name, frequency
MATCH (t:Task)
WHERE $search IS NULL OR t.key CONTAINS $search
WITH t, COUNT { (t)<-[:ABOUT]-() } AS frequency
WHERE frequency >= $floor
  AND ($afterKey IS NULL
       OR ($order = 'NAME' AND t.key > $afterKey)
       OR ($order = 'FREQUENCY'
           AND (frequency < $afterFrequency OR (frequency = $afterFrequency AND t.key > $afterKey))))
RETURN t.key AS key, t.name AS name, frequency
ORDER BY CASE $order WHEN 'FREQUENCY' THEN -frequency ELSE 0 END, key
LIMIT $limit
