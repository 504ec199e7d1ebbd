"""Number boxes that never turn an emptied box into another number without a word."""

import streamlit as st


def _kept(key: str, label: str) -> None:
    """Before the page runs: an emptied box gets its last number back, and a note says so."""
    if st.session_state.get(key) is None:
        last = st.session_state.get(f"{key}_last")
        st.session_state[key] = last
        st.session_state[f"{key}_refused"] = (
            f":material/undo: An empty box is not a number: **{label}** stays {last:,}."
        )


def number_box(where, label: str, low: int, high: int, key: str, default: int | None = None,
               **options) -> int:  # fmt: skip
    """A whole-number input from `low` to `high`. Emptied, it keeps its last number and says so
    (a plain number_input puts its minimum back without a word)."""
    if default is not None:
        st.session_state.setdefault(key, default)
    value = where.number_input(
        label, low, high, value=None, step=1, key=key, on_change=_kept, args=(key, label),
        **options,
    )  # fmt: skip
    if note := st.session_state.pop(f"{key}_refused", None):
        where.caption(note)
    if value is None:  # never set before this run (a key written to None elsewhere)
        value = st.session_state.get(f"{key}_last", low if default is None else default)
    st.session_state[f"{key}_last"] = value
    return value
