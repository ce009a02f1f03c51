// materialized_links: the associations `valuegraph analyze materialize` last wrote, strongest first.
// Returns one row per link: link (ASSOCIATED_WITH to a task, CO_OCCURS_WITH to a human value),
// value, partner, adjusted_residual, observed, expected, p_adjusted, generation. Each set is
// replaced in one transaction and its links share the generation that
// (:Materialization {name: 'associations'}) records.
// The generation filter keeps a query that runs while a new set is being committed to one set.
// Parameters: $limit (e.g. 50). In Neo4j Browser: :param limit => 50
MATCH (m:Materialization {name: 'associations'})
MATCH (v:AIValue)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->(partner)
WHERE r.generation = m.generation
RETURN type(r) AS link,
       v.name AS value,
       partner.name AS partner,
       r.adjusted_residual AS adjusted_residual,
       r.observed AS observed,
       r.expected AS expected,
       r.p_adjusted AS p_adjusted,
       r.generation AS generation
ORDER BY adjusted_residual DESC
LIMIT $limit
