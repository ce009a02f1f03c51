"""Neo4j Browser assets served by the API: the guide (``guide.md``) and the style (``style.grass``).

``routes.py`` serves them; the two files ship beside it as package data.
"""
