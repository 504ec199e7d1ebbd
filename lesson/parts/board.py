"""The class on every page: join by code or link (sidebar), and the class's challenge applied.

A learner who joined a class posts each run they finish or stop to its board (the Saver does it,
lesson/machinery/workspaces.py). A challenge locks the class's settings with the locks of
lesson/parts/classroom.py.
"""

import time
from urllib.parse import urlsplit

import streamlit as st

from lesson.machinery import classes
from lesson.machinery import store as storage
from lesson.parts import classroom, common, workspace

JOIN_KEY = "join"  # ?join=CODE: the join link
PENDING = "board_join_code"  # a code from the link, waiting for a display name
MEMBERSHIP = "board_membership"  # (checked at, (ClassInfo, name) or None)
CHALLENGE = "board_challenge"  # the id of the challenge whose locks this session applied
NOTE = "board_note"  # what to tell the learner about joining, once
CHECK_EVERY = 5.0  # seconds between looks at the class (a new challenge, a closed class)


def app_url() -> str:
    """The app's address without a page or query: scheme, host and the path it is served at."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    path = parts.path.rsplit("/", 1)[0] if parts.path.count("/") > 1 else ""
    return f"{parts.scheme}://{parts.netloc}{path}"


def join_link(code: str) -> str:
    return f"{app_url()}/board?{JOIN_KEY}={code}"


def membership(fresh: bool = False):
    """(ClassInfo, display name) of this learner's class, or None; looked up every few seconds."""
    ws = st.session_state.get(workspace.WORKSPACE)
    if ws is None:
        return None
    checked = st.session_state.get(MEMBERSHIP)
    if fresh or checked is None or time.monotonic() - checked[0] > CHECK_EVERY:
        try:
            found = classes.membership(workspace.store(), ws.id)
        except storage.StoreError:
            found = checked[1] if checked else None
        st.session_state[MEMBERSHIP] = checked = (time.monotonic(), found)
    return checked[1]


def _apply_challenge(info) -> None:
    """The class's challenge fixes what it locks for this learner; its end gives those back."""
    challenge = info.challenge if info is not None else None
    applied = st.session_state.get(CHALLENGE)
    if challenge and challenge.get("id") != applied:
        common.import_keras()  # settings imports Keras: only when a challenge applies
        classroom.start_challenge(challenge)
        st.session_state[CHALLENGE] = challenge.get("id")
    elif not challenge and (applied or workspace.state().get(classroom.BEFORE_CHALLENGE)):
        common.import_keras()  # (it ended while this learner was away, too)
        classroom.end_challenge()
        st.session_state.pop(CHALLENGE, None)
    if challenge:
        st.info(f"**Class challenge:** {_plain(challenge.get('text', ''))}", icon=":material/flag:")


def _plain(text: str) -> str:
    """Text for st.markdown that shows as typed: no markup, no HTML."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", str(text))


def read_link() -> None:
    """Before the page: a join code in the link waits for a name; the class's challenge holds."""
    if JOIN_KEY in st.query_params:
        st.session_state[PENDING] = classes.clean_code(st.query_params.get(JOIN_KEY))
        del st.query_params[JOIN_KEY]
    joined = membership()
    if not st.session_state.get(classroom.INSTRUCTOR):
        _apply_challenge(joined[0] if joined else None)


def _join() -> None:
    ws = st.session_state.get(workspace.WORKSPACE)
    code = st.session_state.get("board_code", "")
    name = st.session_state.get("board_name", "")
    whole = classes.clean_name(name, limit=classes.PASTE_LENGTH)
    try:
        info = classes.join(workspace.store(), ws.id, code, name)
        st.session_state.pop(PENDING, None)
        said = f"You joined {_plain(info.name)}."
        if len(whole) > classes.NAME_LENGTH:  # a pasted name, say: cut, not dropped
            said += (
                f" Names on the board have at most {classes.NAME_LENGTH} characters, so yours "
                f"is **{_plain(classes.clean_name(whole))}**."
            )
        st.session_state[NOTE] = ("success", said)
    except classes.ClassError as err:
        st.session_state[NOTE] = ("error", str(err))
    except storage.StoreError as err:
        st.session_state[NOTE] = ("error", f"Joining is not possible now: {err}.")
    membership(fresh=True)


def _leave() -> None:
    ws = st.session_state.get(workspace.WORKSPACE)
    joined = membership(fresh=True)
    if joined is not None:
        try:
            classes.leave(workspace.store(), ws.id, joined[0].id)
        except storage.StoreError as err:
            st.session_state[NOTE] = ("error", f"Leaving is not possible now: {err}.")
    membership(fresh=True)


def sidebar() -> None:
    """Join a class (code and display name), or see the class joined and leave it."""
    with st.sidebar:
        st.markdown("**Class**")
        if note := st.session_state.pop(NOTE, None):
            (st.success if note[0] == "success" else st.error)(note[1])
        joined = membership()
        if joined is not None:
            info, name = joined
            st.caption(
                f"In class **{_plain(info.name)}** as **{_plain(name)}**: your finished runs go "
                "to its board."
            )
            st.button("Leave the class", key="board_leave", on_click=_leave)
            return
        if PENDING in st.session_state and "board_code" not in st.session_state:
            st.session_state["board_code"] = st.session_state[PENDING]
        with st.form("board_join", border=False):
            st.text_input("Join code", key="board_code", max_chars=16, placeholder="ABC234")
            st.text_input(
                "Your name on the board",
                key="board_name",
                max_chars=classes.PASTE_LENGTH,  # a longer paste is cut, and the learner told
                placeholder="blank: an animal name",
            )
            st.form_submit_button("Join the class", on_click=_join)
