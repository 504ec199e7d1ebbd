"""Two library patches, applied explicitly: by app.py before anything else runs, by every
training worker (the syntax trees) and by the tests' own process (the same).

Each one checks that the library still has what it patches and says so loudly if not
(tests/test_workarounds.py fails on such a library version before any learner sees it).
"""

import ast
import functools
import logging
import threading

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


def parse_one_at_a_time() -> bool:
    """Let only one thread at a time build a Python syntax tree (ast.parse), and never nest one.

    Python 3.11 keeps the syntax-tree builder's depth count in one place for the whole process,
    so two parses that overlap break each other: "SystemError: AST constructor recursion depth
    mismatch" (CPython gh-106905). They overlap when two threads parse (a training thread's
    autograph and a page run did, under load with 30 learners), and on one thread when the
    garbage collector runs a finalizer in the middle of a parse and the finalizer logs a
    traceback (3.11 parses the failing line to underline it). The first case waits its turn; the
    second is refused with a SyntaxError, which the traceback code takes as "no underline"
    (waiting would wait for itself forever: the lock alone hung the thread).
    """
    if getattr(ast.parse, "lock", None) is not None:
        return True  # applied already (app.py runs on every page run)
    parse, lock, here = ast.parse, threading.Lock(), threading.local()

    @functools.wraps(parse)
    def locked_parse(*args, **kwargs):
        if getattr(here, "parsing", False):
            raise SyntaxError("not parsed: a parse on this thread is under way (gh-106905)")
        with lock:
            here.parsing = True
            try:
                return parse(*args, **kwargs)
            finally:
                here.parsing = False

    locked_parse.lock = lock
    ast.parse = locked_parse
    return True


def apply() -> None:
    """Both patches, idempotent: app.py calls this first on every run."""
    keep_keras_state()
    parse_one_at_a_time()
