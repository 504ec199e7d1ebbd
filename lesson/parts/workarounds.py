"""The library patches the server needs, applied by app.py before anything else runs.

Each one checks that the library still has what it patches and says so loudly if not
(tests/test_workarounds.py fails on such a library version before any learner sees it).
"""

import contextlib
import gc
import logging
import socket
import weakref

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


def answer_without_delay() -> bool:
    """Send every message of an answer at once: Nagle's algorithm off (TCP_NODELAY), as browsers do.

    Streamlit listens on a socket made without proto=IPPROTO_TCP, and asyncio turns Nagle off
    only for sockets made with it. So an answer's last small message waited for the browser's
    delayed ACK: +40 ms on every answer here, whatever the page (up to 200 ms on Windows).
    """
    from asyncio import base_events, selector_events

    if not hasattr(base_events, "_set_nodelay"):
        LOG.error("asyncio no longer has base_events._set_nodelay: Nagle stays on")
        return False
    if base_events._set_nodelay is not _no_delay:
        _no_delay.replaced = base_events._set_nodelay  # for the tests
        base_events._set_nodelay = _no_delay  # every connection from now on
        for found in gc.get_objects():  # and the ones already open (once per process)
            if isinstance(found, selector_events._SelectorSocketTransport):
                _no_delay(found.get_extra_info("socket"))
    return True


def _no_delay(sock) -> None:
    """asyncio's _set_nodelay, for a TCP socket whichever way it was made."""
    tcp = sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6)
    if tcp and sock.type == socket.SOCK_STREAM:
        with contextlib.suppress(OSError):  # a socket closing meanwhile
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Encoded(dict):
    """A figure as the dict st.plotly_chart makes of it, with that dict's JSON text."""

    text: str


_ENCODED: dict[int, _Encoded | None] = {}  # id(figure) -> its encoding, made when first sent


def encode_once(figure) -> None:
    """Mark a figure that is never changed again: st.plotly_chart encodes it only once.

    For the figures drawn once and shared by the class (pictures.drawn_once). The mark goes
    with the figure: when it is collected its id may be reused, so the entry is dropped then.
    """
    if id(figure) not in _ENCODED:
        _ENCODED[id(figure)] = None
        weakref.finalize(figure, _ENCODED.pop, id(figure), None)


def _figure_or_data(figure_or_data, validate_figure):
    """plotly.tools.return_figure_from_figure_or_data, but once per marked figure."""
    if id(figure_or_data) not in _ENCODED:
        return _figure_or_data.replaced(figure_or_data, validate_figure)
    encoded = _ENCODED.get(id(figure_or_data))
    if encoded is None:  # two pages may both get here first: both make the same text
        encoded = _Encoded(_figure_or_data.replaced(figure_or_data, validate_figure))
        encoded.text = _to_json.replaced(encoded, validate=False)
        _ENCODED[id(figure_or_data)] = encoded
    return encoded


def _to_json(figure, *args, **kwargs):
    """plotly.io.to_json, which gives a marked figure's text as it was made."""
    if isinstance(figure, _Encoded):
        return figure.text
    return _to_json.replaced(figure, *args, **kwargs)


def encode_shared_figures_once() -> bool:
    """Let st.plotly_chart send a figure marked with encode_once without encoding it again.

    At every run it copies the figure into a dict (`to_dict`, a deep copy) and writes that as
    JSON: 2–3 ms for one of the Inside page's maps, for every chart of every learner's page.
    A figure drawn once is the same for everyone, so its text is too.
    """
    import plotly.io
    import plotly.tools

    found = hasattr(plotly.tools, "return_figure_from_figure_or_data")
    if not found or not hasattr(plotly.io, "to_json"):
        LOG.error("plotly no longer has tools.return_figure_from_figure_or_data or io.to_json")
        return False
    if plotly.tools.return_figure_from_figure_or_data is not _figure_or_data:
        _figure_or_data.replaced = plotly.tools.return_figure_from_figure_or_data
        plotly.tools.return_figure_from_figure_or_data = _figure_or_data
    if plotly.io.to_json is not _to_json:
        _to_json.replaced = plotly.io.to_json
        plotly.io.to_json = _to_json
    return True


def apply() -> None:
    """Every patch, idempotent: app.py calls this first on every run."""
    keep_keras_state()
    answer_without_delay()
    encode_shared_figures_once()
    python_workarounds.parse_one_at_a_time()
