"""Instructor mode: keyed in through the link (`?instructor=KEY`) or the sidebar, per browser.

The right key gives this session instructor mode and the browser a cookie holding a signed,
expiring instructor session (lesson/machinery/keys.py): a reload or a new tab of that browser
stays in instructor mode until "Leave instructor mode", the session's expiry or a new key. The
key never stays in the address bar and never reaches a share link or the board. Wrong keys are
limited per browser and per address, with a growing wait; never for the whole server.
"""

import json
import math
import os

import streamlit as st

from lesson.machinery import keys
from lesson.machinery import store as storage
from lesson.parts import classroom, workspace
from lesson.tools import words

LINK_KEY = "instructor"  # ?instructor=KEY
COOKIE = "cnn_lesson_instructor"  # the signed instructor session
COOKIE_PENDING = "instructor_cookie"  # a session to write to the browser ("" clears it), once
COOKIE_READ = "instructor_cookie_read"  # this session has looked at its page load's cookie
LEFT = "instructor_left"  # this session left instructor mode: its page load's cookie is old
REFUSAL = "instructor_refusal"  # what to tell the person who keyed it in, once
WELCOME = "instructor_welcome"
WRONG = "That is not the instructor key."


def too_many(seconds: float) -> str:
    """The refusal while a browser (or its address) waits after too many wrong keys."""
    wait = words.plural(max(1, math.ceil(seconds)), "second")
    return f"Too many wrong keys from this browser: wait {wait}, then try again."


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


def address() -> str | None:
    """The client's address: its connection's, or (from a proxy on this machine) the proxy's
    X-Forwarded-For; None when unknown (then only the browser's own limit applies)."""
    if ip := st.context.ip_address:
        return ip
    forwarded = (st.context.headers or {}).get("X-Forwarded-For", "")
    return forwarded.split(",")[-1].strip() or None  # the hop the local proxy added


def clients() -> dict[str, str | None]:
    """Who is keying in: this browser (its workspace, kept by its cookie) and its address."""
    ws = st.session_state.get(workspace.WORKSPACE)
    return {"browser": ws.id if ws is not None else None, "address": address()}


def _enter() -> None:
    st.session_state[classroom.INSTRUCTOR] = True
    st.session_state.pop(LEFT, None)


def attempt(candidate) -> bool:
    """Check one keyed-in key for this browser; a refusal says no more than that."""
    who = clients()
    if (left := keys.wait_left(who)) > 0:
        st.session_state[REFUSAL] = too_many(left)
        return False
    if keys.matches(candidate, key()):
        keys.succeeded(who)
        _enter()
        st.session_state[COOKIE_PENDING] = keys.session_value(key())
        st.session_state[WELCOME] = True
        st.session_state.pop(REFUSAL, None)
        return True
    keys.failed(who)
    st.session_state[REFUSAL] = WRONG
    return False


def _from_cookie() -> None:
    """A page load with a valid signed session in its cookie is in instructor mode again."""
    if active() or st.session_state.get(LEFT) or st.session_state.get(COOKIE_READ):
        return
    st.session_state[COOKIE_READ] = True  # the page load's cookies stay as they came: once
    value = st.context.cookies.get(COOKIE)
    if not value:
        return
    if keys.session_valid(value, key()):
        _enter()
    else:
        st.session_state[COOKIE_PENDING] = ""  # expired, or signed with an old key: gone


def read_link() -> None:
    """Before the page: a key in the link is checked and leaves the address bar at once."""
    key()  # a generated key is made (and its link printed) when the server first serves
    _from_cookie()
    if LINK_KEY in st.query_params:
        candidate = st.query_params.get(LINK_KEY)
        del st.query_params[LINK_KEY]
        if not active():
            attempt(candidate)
    if message := st.session_state.pop(REFUSAL, None):
        st.error(message, icon=":material/block:")
    if st.session_state.pop(WELCOME, False):
        st.toast("Instructor mode is on in this browser.", icon=":material/school:")


def _form_submitted() -> None:
    attempt(st.session_state.get("instructor_key_input", ""))
    st.session_state["instructor_key_input"] = ""


def leave() -> None:
    """End instructor mode in this browser (its cookie too); what the class sees stays."""
    for name in (classroom.INSTRUCTOR, classroom.REVEAL, classroom.REVEAL_ON):
        st.session_state.pop(name, None)
    st.session_state[LEFT] = True
    st.session_state[COOKIE_PENDING] = ""


def _cookie_script(value: str) -> None:
    """Write the signed session to the browser's cookie (or, with "", clear it)."""
    age = int(keys.SESSION_HOURS * 3600) if value else 0
    script = f"""(() => {{
  const secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = `{COOKIE}=${{{json.dumps(value)}}}; path=/; max-age={age}; samesite=strict`
    + secure;
}})();"""
    st.html(
        f"<script>{script}</script><style>.st-key-instructor_cookie {{display: none}}</style>",
        unsafe_allow_javascript=True,
    )


def sidebar() -> None:
    """The sidebar's way in (a key) and out ("Leave instructor mode")."""
    with st.sidebar:
        if active():
            st.caption(
                ":material/school: Instructor mode, in this browser until you leave it (at "
                f"most {keys.SESSION_HOURS:g} hours)."
            )
            st.button("Leave instructor mode", key="instructor_leave", on_click=leave)
        else:
            with st.expander("For the teacher"), st.form("instructor_form", border=False):
                st.text_input("Instructor key", type="password", key="instructor_key_input")
                st.form_submit_button("Enter instructor mode", on_click=_form_submitted)
        # Last in the sidebar: an element that comes and goes here shifts nothing after it.
        if (value := st.session_state.pop(COOKIE_PENDING, None)) is not None:
            with st.container(key="instructor_cookie"):
                _cookie_script(value)
