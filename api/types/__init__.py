"""Only ``analyses`` still lives here, until it moves into its own domain package.

The other modules of this package are the names ``analyses.py`` imports or refers to by dotted
path, kept at their old places for it; they go with the move.
"""
