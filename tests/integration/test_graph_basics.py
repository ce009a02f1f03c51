from valuegraph.graph.connection import Graph


def test_read_write_roundtrip(empty_graph: Graph) -> None:
    empty_graph.write("CREATE (:Model {name: $name})", {"name": "m"})
    assert empty_graph.read("MATCH (m:Model) RETURN m.name AS name") == [{"name": "m"}]
