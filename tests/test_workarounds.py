"""The library patches (parts/ and machinery/workarounds.py): still needed, possible, applied."""

import ast
import inspect
import subprocess
import sys
import threading
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner

from lesson.machinery import workarounds as python_workarounds
from lesson.parts import workarounds
from tests.load.client import run_sync


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
    python_workarounds.parse_one_at_a_time()
    python_workarounds.parse_one_at_a_time()  # a second call (every page run) wraps nothing again
    assert ast.parse.__wrapped__.__module__ == "ast"
    done = threading.Event()
    with ast.parse.lock:  # another thread is parsing
        t = threading.Thread(target=lambda: (ast.parse("x = 1"), done.set()))
        t.start()
        assert not done.wait(0.3)  # waits its turn
    assert done.wait(10)
    t.join()


# A finalizer that the garbage collector runs in the middle of a parse and that formats a
# traceback (Python 3.11 parses the failing line to underline it): a parse inside a parse.
NESTED = """
import ast, gc, sys, traceback
sys.path.insert(0, {root!r})
if {patched}:
    from lesson.machinery import workarounds
    workarounds.parse_one_at_a_time()

ran = []

class Cycle:
    def __init__(self):
        self.me = self  # only the cyclic garbage collector frees it, whenever it runs

    def __del__(self):
        try:
            1 / 0
        except ZeroDivisionError as err:
            ran.append("".join(traceback.format_exception(err)))

source = "\\n".join(f"x{{i}} = [a + b * c for a in range(3) for b in d if e]" for i in range(2000))
gc.set_threshold(50)
failed = 0
for _ in range(10):
    for _ in range(200):
        Cycle()
    try:
        ast.parse(source)
    except SystemError:
        failed += 1
print(failed, len(ran), "ZeroDivisionError" in ran[-1])
"""


def run_nested(tmp_path, patched: bool) -> str:
    script = tmp_path / f"nested_{patched}.py"  # a file: tracebacks quote its lines
    script.write_text(
        NESTED.format(root=str(Path(workarounds.__file__).parents[2]), patched=patched)
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_parse_inside_a_parse_is_refused_not_waited_for(tmp_path):
    """Without the patch every parse with a finalizer in its middle fails; with it none does,
    the finalizers' tracebacks are still written (without underlines), and nothing hangs."""
    failed, finalizers, written = run_nested(tmp_path, patched=False)
    assert int(failed) > 0, "gh-106905 is fixed in this Python: the patch may go"
    failed, finalizers, written = run_nested(tmp_path, patched=True)
    assert (failed, written) == ("0", "True")
    assert int(finalizers) > 1000


def test_app_applies_both_before_any_page():
    text = (Path(workarounds.__file__).parents[2] / "app.py").read_text()
    assert text.index("workarounds.apply()") < text.index("st.navigation(")


def _server_side_nodelay() -> int:
    """TCP_NODELAY of the server's end of a connection to a socket made as Streamlit makes it."""
    import asyncio
    import socket

    async def run() -> int:
        listener = socket.socket(family=socket.AF_INET)  # as Streamlit's server: proto 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        accepted = asyncio.get_running_loop().create_future()
        server = await asyncio.start_server(
            lambda r, w: accepted.set_result(w), sock=listener
        )  # fmt: skip
        _, client = await asyncio.open_connection(*listener.getsockname())
        theirs = await accepted
        nodelay = theirs.get_extra_info("socket").getsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY
        )  # fmt: skip
        for w in (client, theirs):
            w.close()
        server.close()
        return nodelay

    return run_sync(run())  # in a thread of its own: another test may have left a loop running


def test_answer_without_delay_turns_nagle_off_where_asyncio_leaves_it_on(monkeypatch):
    from asyncio import base_events

    now = base_events._set_nodelay  # patched already if an AppTest ran app.py
    monkeypatch.setattr(base_events, "_set_nodelay", getattr(now, "replaced", now))
    assert _server_side_nodelay() == 0  # still needed: asyncio's own leaves Nagle on
    assert workarounds.answer_without_delay()
    assert _server_side_nodelay() != 0


def test_answer_without_delay_says_so_when_asyncio_renamed_it(monkeypatch, caplog):
    from asyncio import base_events

    monkeypatch.delattr(base_events, "_set_nodelay")
    assert not workarounds.answer_without_delay()
    assert "no longer has" in caplog.text


def _plotlys_own(monkeypatch) -> None:
    """plotly's own functions in place of the patches, for this test (undone after)."""
    import plotly.io
    import plotly.tools

    for module, name in (
        (plotly.tools, "return_figure_from_figure_or_data"),
        (plotly.io, "to_json"),
    ):
        now = getattr(module, name)  # patched already if an AppTest ran app.py
        monkeypatch.setattr(module, name, getattr(now, "replaced", now))


def _sent(figure) -> str:
    """The JSON text st.plotly_chart puts into its message for `figure`, made as it makes it."""
    import plotly.io
    import plotly.tools

    encoded = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return plotly.io.to_json(encoded, validate=False)


def test_streamlit_still_encodes_plotly_charts_through_what_encode_once_replaces():
    from streamlit.elements.plotly_chart import PlotlyMixin

    source = inspect.getsource(PlotlyMixin.plotly_chart)
    assert "plotly.tools.return_figure_from_figure_or_data(" in source
    assert "plotly.io.to_json(figure, validate=False)" in source


def test_a_figure_drawn_once_is_copied_and_encoded_once_and_sent_as_plotly_would(monkeypatch):
    import numpy as np
    import plotly.graph_objects as go

    from lesson.parts import inside_charts, pictures

    _plotlys_own(monkeypatch)
    z = np.random.default_rng().random((6, 6))  # numbers no other test drew
    fig = inside_charts.cell_map(z, "a map", (1, 2), pictures.SEQUENTIAL)  # drawn once: marked
    expected = _sent(fig)
    copies = []
    copy = go.Figure.to_dict
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: copies.append(1) or copy(self))
    assert workarounds.encode_shared_figures_once()
    assert [_sent(fig) for _ in range(3)] == [expected] * 3
    assert len(copies) == 1


def test_a_figure_not_drawn_once_is_encoded_at_every_send(monkeypatch):
    import plotly.graph_objects as go

    _plotlys_own(monkeypatch)
    assert workarounds.encode_shared_figures_once()
    fig = go.Figure(go.Bar(y=[1, 2]))
    first = _sent(fig)
    fig.update_layout(title="changed since")
    assert "changed since" in _sent(fig) and "changed since" not in first


def test_a_collected_figure_leaves_no_mark_for_a_new_one_with_its_id():
    import gc

    import plotly.graph_objects as go

    fig = go.Figure()
    workarounds.encode_once(fig)
    key = id(fig)
    assert key in workarounds._ENCODED
    del fig
    gc.collect()
    assert key not in workarounds._ENCODED


def test_encode_once_says_so_when_plotly_renamed_what_it_replaces(monkeypatch, caplog):
    import plotly.tools

    monkeypatch.delattr(plotly.tools, "return_figure_from_figure_or_data")
    assert not workarounds.encode_shared_figures_once()
    assert "no longer has" in caplog.text
