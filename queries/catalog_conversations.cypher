// Catalog: conversations by id, with their task and the values expressed on both sides. The
// raw text, where stored, is never returned.
// Parameters: $ids
// Returns: id, model, createdAt, responseType, language, subjective, source, taskKey, taskName,
//          aiValues [{key, name, explicit}], humanValues [{key, name}]
UNWIND $ids AS id
MATCH (c:Conversation {id: id})
OPTIONAL MATCH (c)-[:ABOUT]->(t:Task)
RETURN c.id AS id, c.model AS model, c.created_at AS createdAt,
       c.response_type AS responseType, c.language AS language, c.subjective AS subjective,
       c.source AS source, t.key AS taskKey, t.name AS taskName,
       COLLECT {
         MATCH (c)-[e:AI_EXPRESSED]->(v:AIValue)
         RETURN {key: v.key, name: v.name, explicit: e.explicit} AS value ORDER BY v.key
       } AS aiValues,
       COLLECT {
         MATCH (c)-[:HUMAN_EXPRESSED]->(h:HumanValue)
         RETURN {key: h.key, name: h.name} AS value ORDER BY h.key
       } AS humanValues
