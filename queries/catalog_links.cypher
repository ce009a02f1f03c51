// Catalog: for each AI value, task or human value, its strongest materialised association links,
// the ones `valuegraph analyze materialize` wrote: (:AIValue)-[:ASSOCIATED_WITH]->(:Task) and
// (:AIValue)-[:CO_OCCURS_WITH]->(:HumanValue), each a significant positive association.
// Strongest adjusted residual first (ties: more conversations, then the partner's key), or with
// $order 'COUNT' the most conversations first (ties: the residual).
// Parameters: $label ('AIValue' | 'Task' | 'HumanValue'), $type ('ASSOCIATED_WITH' |
//   'CO_OCCURS_WITH'), $keys, $floor (fewest conversations a link must rest on), $limit,
//   $order ('RESIDUAL' | 'COUNT')
// Returns: key, links [{key, name, observed, expected, chi2, p_value, p_adjusted,
//          adjusted_residual}]
// Only the links of the set the pointer names: while a new set is committed, never a mix.
OPTIONAL MATCH (m:Materialization {name: 'associations'})
WITH m.generation AS generation
UNWIND $keys AS key
MATCH (n:AIValue|Task|HumanValue {key: key})
WHERE $label IN labels(n)
RETURN key, COLLECT {
  MATCH (n)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]-(partner)
  WHERE type(r) = $type AND r.observed >= $floor AND r.generation = generation
  RETURN {key: partner.key, name: partner.name, observed: r.observed, expected: r.expected,
          chi2: r.chi2, p_value: r.p_value, p_adjusted: r.p_adjusted,
          adjusted_residual: r.adjusted_residual} AS link
  ORDER BY CASE $order WHEN 'COUNT' THEN r.observed ELSE 0 END DESC,
           r.adjusted_residual DESC, r.observed DESC, partner.key
  LIMIT $limit
} AS links
