"""Number boxes that never turn what a learner typed into another number without a word.

The browser's number box reads the text itself ("1e9" reaches the server as 1, an emptied box
as its minimum). These are text boxes the server reads (lesson/tools/numbers.py): a number it cannot
take keeps the last one and says why beside the box. The number lives under the box's key in
st.session_state, as before; the text under `text_key(key)`. Code that sets the number (a
preset, a link, a lock, a restored workspace) is shown in the box on the next run.
"""

import re

import streamlit as st

from lesson.tools import numbers


def text_key(key: str) -> str:
    """The key of the text box that shows the number under `key`."""
    return f"{key}_text"


def _shown_key(key: str) -> str:
    return f"{key}_shown"  # the number the text box shows now


def _note_key(key: str) -> str:
    return f"{key}_note"  # what the box said about the last text typed in it


def _safe(text: str) -> str:
    """Text a learner typed, as markdown that shows it as typed (no bold, links or LaTeX)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~<>$:=])", r"\\\1", text)


def _typed(key: str, low, high, whole: bool) -> None:
    """On a new text in the box: take the number it says, or keep the last one and say why."""
    s = st.session_state
    text = s.get(text_key(key), "")
    last = s.get(key, s.get(_shown_key(key)))
    try:
        value = numbers.read(text, low, high, whole)
    except numbers.Refused as why:
        s[_note_key(key)] = f":material/undo: {_safe(str(why))}; kept {numbers.shown(last)}."
        s[text_key(key)] = numbers.plain(last)
        return
    s[key] = s[_shown_key(key)] = value
    s[text_key(key)] = numbers.plain(value)
    if re.sub(r"[\s,'’_]", "", text) != numbers.plain(value):  # 2e3, 60.000, 0,95, +5
        s[_note_key(key)] = f":material/check: {_safe(numbers.quoted(text))} read as " + (
            f"{numbers.shown(value)}."
        )
    else:
        s.pop(_note_key(key), None)


def number_box(where, label: str, low: int, high: int, key: str, default: int | None = None,
               **options) -> int:  # fmt: skip
    """A number from `low` to `high` (whole unless a bound is a float); no such number, kept."""
    s = st.session_state
    if default is not None:
        s.setdefault(key, default)
    value = s.get(key)
    if value is None:  # never set, or written to None elsewhere
        value = s.get(_shown_key(key), low if default is None else default)
    s[key] = value
    if s.get(_shown_key(key)) != value or text_key(key) not in s:  # set by code: show it
        s[text_key(key)] = numbers.plain(value)
        s[_shown_key(key)] = value
        s.pop(_note_key(key), None)  # about a number no longer there
    whole = not isinstance(low, float) and not isinstance(high, float)
    # The container carries the key's CSS class, which a teacher's lock hides (classroom.py).
    with where.container(key=key):
        st.text_input(
            label, s[text_key(key)], key=text_key(key), on_change=_typed,
            args=(key, low, high, whole),
            placeholder=f"{numbers.shown(low)} to {numbers.shown(high)}", **options,
        )  # fmt: skip
        if note := s.get(_note_key(key)):
            st.caption(note)
    return value
