// Catalog: how many tasks a tasks query matches (at least the floor), and how many the privacy
// threshold k hid (those resting on 1 to k-1 conversations).
// Parameters: $search, $floor, $k
// Returns: total, suppressed
MATCH (t:Task)
WHERE $search IS NULL OR t.key CONTAINS $search
WITH COUNT { (t)<-[:ABOUT]-() } AS frequency
RETURN count(CASE WHEN frequency >= $floor THEN 1 END) AS total,
       count(CASE WHEN 0 < frequency < $k THEN 1 END) AS suppressed
