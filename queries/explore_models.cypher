// One model against another: for each AI value, the share of $model_a's conversations and of
// $model_b's conversations that express it, and the difference in percentage points, largest
// differences first. Rows resting on fewer than k conversations (both models together) are
// suppressed and counted. Parameters: $model_a, $model_b (model names), $top, $min_conversations.
MATCH (m:Model)<-[:BY_MODEL]-(c:Conversation)
WHERE m.name IN [$model_a, $model_b]
WITH m.name AS model, count(c) AS total
WITH collect([model, total]) AS totals
WITH coalesce([t IN totals WHERE t[0] = $model_a | t[1]][0], 0) AS total_a,
     coalesce([t IN totals WHERE t[0] = $model_b | t[1]][0], 0) AS total_b
MATCH (m:Model)<-[:BY_MODEL]-(c:Conversation)-[:AI_EXPRESSED]->(v:AIValue)
WHERE m.name IN [$model_a, $model_b]
WITH total_a, total_b, v,
     count(DISTINCT CASE WHEN m.name = $model_a THEN c END) AS in_a,
     count(DISTINCT CASE WHEN m.name = $model_b THEN c END) AS in_b
WITH collect({value: v.name, in_a: in_a, in_b: in_b}) AS rows, total_a, total_b
WITH rows, total_a, total_b,
     size([r IN rows WHERE r.in_a + r.in_b < $min_conversations]) AS suppressed
UNWIND rows AS row
WITH row, total_a, total_b, suppressed
WHERE row.in_a + row.in_b >= $min_conversations
WITH row.value AS value,
     CASE WHEN total_a = 0 THEN null ELSE round(100.0 * row.in_a / total_a, 2) END AS pct_a,
     CASE WHEN total_b = 0 THEN null ELSE round(100.0 * row.in_b / total_b, 2) END AS pct_b,
     suppressed
RETURN value, pct_a AS pct_model_a, pct_b AS pct_model_b,
       round(coalesce(pct_a, 0.0) - coalesce(pct_b, 0.0), 2) AS difference, suppressed
ORDER BY abs(difference) DESC, value
LIMIT toInteger($top)
