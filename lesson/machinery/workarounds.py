"""A patch for Python itself, applied explicitly: by app.py (through lesson/parts/workarounds.py)
before anything else runs, by every training worker, and by the tests' own process.

It checks what it needs and is tested (tests/test_workarounds.py fails on a Python where the
patch is no longer needed or no longer possible).
"""

import ast
import functools
import threading


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
