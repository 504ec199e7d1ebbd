"""How many runs one server trains at once: read by the run queue (runs.py) and the pool."""

import os

MAX_TRAININGS_VARIABLE = "CNN_LESSON_MAX_TRAININGS"


def max_trainings() -> int:
    """How many runs this server trains at once: $CNN_LESSON_MAX_TRAININGS, default 2."""
    try:
        return max(1, int(os.environ.get(MAX_TRAININGS_VARIABLE, "2")))
    except ValueError:
        return 2
