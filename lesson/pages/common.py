"""What every page shares: the cached MNIST arrays, the prose files and 'Show the code'."""

import functools
import inspect
import re
from pathlib import Path

import streamlit as st

from lesson import data

HERE = Path(__file__).resolve().parent
_SECTION = re.compile(r"^<!--\s*section:\s*([\w-]+)\s*-->\s*$", re.MULTILINE)


@st.cache_resource(show_spinner="Loading MNIST…")
def _mnist(path: str) -> data.MNIST:
    """One read-only copy of MNIST per server process, shared by every learner."""
    return data.load_mnist(path)


def mnist() -> data.MNIST:
    """MNIST, or a clear message (and the page stops) if the file is missing or broken."""
    try:
        return _mnist(str(data.mnist_path()))
    except data.DataFileError as err:  # not cached, so fixing the file and reloading works
        st.error(f"**The MNIST data could not be loaded.** {err}", icon=":material/error:")
        st.stop()


@functools.cache
def _sections(page: str) -> dict[str, str]:
    """The sections of a page's markdown file, by name."""
    text = (HERE / f"{page}.md").read_text(encoding="utf-8")
    parts = _SECTION.split(text)  # ["", name1, body1, name2, body2, ...]
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def prose(page: str, section: str) -> None:
    """Show one section of the teaching text that lives beside the page."""
    st.markdown(_sections(page)[section])


def show_code(*objects, label: str = "Show the code") -> None:
    """An expander with the source of the lesson functions that just ran."""
    with st.expander(label, icon=":material/code:"):
        for obj in objects:
            st.code(inspect.getsource(obj), language="python")


def chart(fig, alt: str) -> None:
    """A plotly chart with its text equivalent for screen readers and the projector's back row."""
    fig.update_layout(margin={"l": 60, "r": 20, "t": 60, "b": 50})
    st.plotly_chart(fig, config={"displaylogo": False})
    st.caption(alt)
