"""Conversations: the ``Conversation`` type and its connection (``types``), the root field."""
