"""Neo4j Browser assets served by the API: the guide (``guide.md``) and the style (``style.grass``).

A package only so that the two files ship as package data; ``api/browser_routes.py`` serves them.
"""
