"""Old home of ``Task``, kept for ``api/types/analyses.py`` until it moves (see api/tasks/)."""

from valuegraph.api.core.entries import visible_task
from valuegraph.api.tasks.types import Task

__all__ = ["Task", "visible_task"]
