"""The library patches the server needs, applied by app.py before anything else runs.

Each one checks that the library still has what it patches and says so loudly if not
(tests/test_workarounds.py fails on such a library version before any learner sees it).
"""

import logging

from lesson.machinery import workarounds as python_workarounds

LOG = logging.getLogger(__name__)


def keep_keras_state() -> bool:
    """Stop Streamlit calling keras.backend.clear_session() after every script run.

    It resets Keras's state for every thread of the server, so a learner's training thread could
    get two layers with the same name; and its garbage collection holds Python's lock ~0.2 s each
    time, starving training threads while a page polls twice a second.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if not hasattr(script_runner, "_clean_problem_modules"):
        LOG.error("Streamlit no longer has script_runner._clean_problem_modules: not patched")
        return False
    if script_runner._clean_problem_modules is not _keep_modules:
        _keep_modules.replaced = script_runner._clean_problem_modules  # for the tests
        script_runner._clean_problem_modules = _keep_modules
    return True


def _keep_modules() -> None:
    """Instead of Streamlit's clean-up of Keras and matplotlib state: nothing."""


def apply() -> None:
    """Both patches, idempotent: app.py calls this first on every run."""
    keep_keras_state()
    python_workarounds.parse_one_at_a_time()
