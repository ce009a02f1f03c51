// What the AI resists with what: in conversations where the AI resisted the user (strong or mild
// resistance), the pairs of a human value the user expressed and an AI value the AI expressed,
// most frequent first. Parameters: $top, $min_conversations (k: pairs resting on fewer
// conversations are suppressed; `suppressed` says how many were).
MATCH (c:Conversation)-[:HUMAN_EXPRESSED]->(h:HumanValue)
WHERE c.response_type IN ['strong_resistance', 'mild_resistance']
MATCH (c)-[:AI_EXPRESSED]->(v:AIValue)
WITH h, v, count(DISTINCT c) AS conversations,
     count(DISTINCT CASE WHEN c.response_type = 'strong_resistance' THEN c END) AS strong
WITH collect({human: h, ai: v, conversations: conversations, strong: strong}) AS rows
WITH rows, size([r IN rows WHERE r.conversations < $min_conversations]) AS suppressed
UNWIND rows AS row
WITH row, suppressed
WHERE row.conversations >= $min_conversations
RETURN row.human.name AS human_value, row.ai.name AS ai_value, row.conversations AS conversations,
       row.strong AS strong_resistance, suppressed
ORDER BY conversations DESC, human_value, ai_value
LIMIT toInteger($top)
