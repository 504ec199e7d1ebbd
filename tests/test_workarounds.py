"""The two library patches of lesson/pages/workarounds.py: still needed, still possible, applied."""

import ast
import inspect
import threading
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner

from lesson.pages import workarounds


def test_streamlit_still_has_and_calls_what_keep_keras_state_replaces():
    assert hasattr(script_runner, "_clean_problem_modules")
    runner = inspect.getsource(script_runner.ScriptRunner)
    assert "(_clean_problem_modules)" in runner  # the script runner still calls it after a run


def test_keep_keras_state_stops_the_clear_session_after_each_run(monkeypatch):
    import keras

    cleared = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: cleared.append(1))
    now = script_runner._clean_problem_modules  # patched already if an AppTest ran app.py
    streamlits_own = getattr(now, "replaced", now)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", streamlits_own)  # undone after
    script_runner._clean_problem_modules()  # Streamlit's own: clears Keras's state
    assert cleared == [1]
    assert workarounds.keep_keras_state()
    script_runner._clean_problem_modules()
    assert cleared == [1]


def test_keep_keras_state_says_so_when_streamlit_renamed_it(monkeypatch, caplog):
    monkeypatch.delattr(script_runner, "_clean_problem_modules")
    assert not workarounds.keep_keras_state()
    assert "no longer has" in caplog.text


def test_syntax_trees_are_built_one_thread_at_a_time(monkeypatch):
    """CPython 3.11 gh-106905: parsing in two threads at once (autograph in a training thread,
    a page run) raised SystemError under load; the patch makes a parse wait for the other."""
    monkeypatch.setattr(ast, "parse", ast.parse)  # undone after the test
    workarounds.parse_one_at_a_time()
    workarounds.parse_one_at_a_time()  # a second call (every page run) wraps nothing again
    assert ast.parse.__wrapped__.__module__ == "ast"
    done = threading.Event()
    with ast.parse.lock:  # another thread is parsing
        t = threading.Thread(target=lambda: (ast.parse("x = 1"), done.set()))
        t.start()
        assert not done.wait(0.3)  # waits its turn
    assert done.wait(10)
    t.join()


def test_app_applies_both_before_any_page():
    text = (Path(workarounds.__file__).parents[2] / "app.py").read_text()
    assert text.index("workarounds.apply()") < text.index("st.navigation(")
