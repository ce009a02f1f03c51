// models_list: the models the graph knows, for checking a --model argument.
// Returns one row per (:Model): name.
MATCH (m:Model)
RETURN m.name AS name
ORDER BY name
