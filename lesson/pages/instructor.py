"""Instructor mode: keyed in through the link (`?instructor=KEY`) or the sidebar, per session.

Rights live in this browser session only: a new tab, a reload or "Leave instructor mode" ends
them. The key never stays in the address bar and never reaches a share link or the board.
"""

import os

import streamlit as st

from lesson.machinery import keys
from lesson.machinery import store as storage
from lesson.pages import classroom

LINK_KEY = "instructor"  # ?instructor=KEY
TRIES = "instructor_tries"  # wrong keys this session
REFUSAL = "instructor_refusal"  # what to tell the person who keyed it in, once
WELCOME = "instructor_welcome"
WRONG = "That is not the instructor key."
TOO_MANY = "Too many wrong keys: instructor mode cannot be entered now."


def active() -> bool:
    """Is this browser session in instructor mode?"""
    return bool(st.session_state.get(classroom.INSTRUCTOR))


def _secret() -> str | None:
    """The key in `.streamlit/secrets.toml`, if there is such a file and such a key."""
    try:
        if st.secrets.load_if_toml_exists():
            value = st.secrets.get(keys.SECRET_NAME)
            return value if isinstance(value, str) else None
    except Exception:  # a broken secrets file is the administrator's, not the learner's
        return None
    return None


def _announce(key: str) -> None:
    base = (st.context.url or "http://localhost:8501").split("?")[0].rstrip("/")
    folder = os.environ.get(storage.DATA_VARIABLE) or storage.DATA_FOLDER
    keys.tell_teacher(f"{base}/?{LINK_KEY}={key}", storage.Path(folder))


def key() -> str:
    """The instructor key of this server."""
    return keys.configured(_secret()) or keys.generated(_announce)


def attempt(candidate) -> bool:
    """Check one keyed-in key for this session; a refusal says no more than that."""
    tries = st.session_state.get(TRIES, 0)
    if tries >= keys.SESSION_ATTEMPTS or keys.process_blocked():
        st.session_state[REFUSAL] = TOO_MANY
        return False
    if keys.matches(candidate, key()):
        st.session_state[classroom.INSTRUCTOR] = True
        st.session_state[WELCOME] = True
        st.session_state.pop(REFUSAL, None)
        return True
    st.session_state[TRIES] = tries + 1
    keys.failed()
    st.session_state[REFUSAL] = WRONG
    return False


def read_link() -> None:
    """Before the page: a key in the link is checked and leaves the address bar at once."""
    key()  # a generated key is made (and its link printed) when the server first serves
    if LINK_KEY in st.query_params:
        candidate = st.query_params.get(LINK_KEY)
        del st.query_params[LINK_KEY]
        if not active():
            attempt(candidate)
    if message := st.session_state.pop(REFUSAL, None):
        st.error(message, icon=":material/block:")
    if st.session_state.pop(WELCOME, False):
        st.toast("Instructor mode is on for this browser tab.", icon=":material/school:")


def _form_submitted() -> None:
    attempt(st.session_state.get("instructor_key_input", ""))
    st.session_state["instructor_key_input"] = ""


def leave() -> None:
    """End instructor mode in this session; what the class sees stays as it is."""
    for name in (classroom.INSTRUCTOR, classroom.REVEAL, classroom.REVEAL_ON):
        st.session_state.pop(name, None)


def sidebar() -> None:
    """The sidebar's way in (a key) and out ("Leave instructor mode")."""
    with st.sidebar:
        if active():
            st.caption(":material/school: Instructor mode (this tab only).")
            st.button("Leave instructor mode", key="instructor_leave", on_click=leave)
            return
        with st.expander("For the teacher"), st.form("instructor_form", border=False):
            st.text_input("Instructor key", type="password", key="instructor_key_input")
            st.form_submit_button("Enter instructor mode", on_click=_form_submitted)
