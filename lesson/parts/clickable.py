"""The clickable map: a plotly chart of a grid whose cells a learner clicks to choose one, and
server-drawn pictures with their text equivalents (the Filters & feature maps page)."""

import functools

import streamlit as st

from lesson.parts import inside_charts as charts
from lesson.parts import pictures


def take_click(chart_key: str, row_key: str, col_key: str) -> None:
    """A clicked cell of a map chart moves the row and column sliders there."""
    cell = charts.picked_cell(st.session_state.get(chart_key))
    if cell is not None:
        st.session_state[row_key], st.session_state[col_key] = cell
    # Either way the browser now marks another cell (or none) than the chart that was sent.
    st.session_state[f"{chart_key}_clicked"] = cell is not None
    st.session_state[f"{chart_key}_stale"] = True


def marked(chart_key: str, cell: tuple[int, int]) -> tuple[tuple[int, int], int]:
    """The cell a clickable map marks, and the chart's version: a new version is redrawn.

    After a click the browser has marked the clicked cell already: sending the chart exactly
    as before spares plotly a redraw (a click's update stays well under 0.2 s). Any other
    change marks the current cell in a new version of the chart.
    """
    state = st.session_state.setdefault(f"{chart_key}_mark", {"cell": cell, "version": 0})
    if st.session_state.pop(f"{chart_key}_clicked", False):
        return state["cell"], state["version"]
    stale = st.session_state.pop(f"{chart_key}_stale", False)
    if state["cell"] != cell or stale:
        state.update(cell=cell, version=state["version"] + 1)
    return state["cell"], state["version"]


def map_chart(fig, key: str, row_key: str, col_key: str, alt: str) -> None:
    """A map chart whose cells can be clicked (`charts.cell_map`), with its text equivalent."""
    st.plotly_chart(
        fig, key=key, selection_mode="points", config={"displaylogo": False},
        on_select=functools.partial(take_click, key, row_key, col_key),
    )  # fmt: skip
    st.caption(alt)


def picture(title: str, image, alt: str) -> None:
    """A picture drawn on the server, titled, with its text equivalent (alt and caption)."""
    st.markdown(f"**{title}**")
    st.html(pictures.picture_html(image, alt))
    st.caption(alt)
