"""The instructor's controls on the class board: pick or open a class, clear, close, a challenge."""

import time

import streamlit as st

from lesson.machinery import classes
from lesson.machinery import store as storage
from lesson.parts import board, classroom
from lesson.parts.board_view import SHOWN, day, hidden, store, when
from lesson.tools import words

OPENED = "board_opened"  # (name, when, class id) of the class this session opened last


def _act(work, done: str) -> None:
    try:
        work()
        if done:
            st.session_state["board_done"] = done
    except storage.StoreError as err:
        st.session_state["board_done"] = f"Not done: {err}."


def _open_class() -> None:
    """Open a class from the form; the same click again (a double click) opens no second one."""
    name = classes.clean_name(st.session_state.get("board_new_name", ""), classes.CLASS_NAME_LENGTH)
    st.session_state["board_new_name"] = ""  # the field is empty for the next class
    last = st.session_state.get(OPENED)  # (name, when, class id or None, wall clock)
    if last and name in (last[0], "") and time.monotonic() - last[1] < classes.REPEAT_WINDOW:
        shown = last[2] or _opened_since(last[0], last[3])
        if shown is not None:
            st.session_state[SHOWN] = shown
            st.session_state["board_done"] = "The class is open."
            return
        name = name or last[0]  # the first click's run was cut short before the store had it
    # Marked before the store is asked: a second click may interrupt this run after the class
    # is stored and before its id is kept here; that click must find the mark, not open another.
    st.session_state[OPENED] = (name, time.monotonic(), None, time.time())

    def work():
        info = classes.open_class(store(), name)
        st.session_state[SHOWN] = info.id
        st.session_state[OPENED] = (name, time.monotonic(), info.id, time.time())

    _act(work, "The class is open.")
    if st.session_state[OPENED][2] is None:  # it failed: the next click tries again
        del st.session_state[OPENED]


def _opened_since(name: str, since: float) -> str | None:
    """The id of the newest class called `name` (any, if empty) opened since `since`."""
    found = [c for c in classes.all_classes(store()) if c.created >= since - 1 and
             (not name or c.name == name)]  # fmt: skip
    return max(found, key=lambda c: c.created).id if found else None


def _post_challenge(info) -> None:
    import uuid

    from lesson.tools import settings

    lock = list(st.session_state.get("board_challenge_lock", []))
    challenge = {
        "id": uuid.uuid4().hex,
        "text": st.session_state.get("board_challenge_text", "")[:300],
        "experiment": settings.to_query(classroom.current(), full=True),
        "lock": lock,
    }
    _act(lambda: classes.set_challenge(store(), info.id, challenge), "The challenge is posted.")


def _clear(info) -> None:
    st.session_state["board_clear_sure"] = False

    def work():
        count = classes.clear(store(), info.id)
        st.session_state["board_done"] = (
            f"Board cleared ({words.plural(count, 'run')}): Undo clear brings "
            f"{'it' if count == 1 else 'them'} back."
        )

    _act(work, "")


def _close(info) -> None:
    st.session_state["board_close_sure"] = False
    _act(lambda: classes.close_class(store(), info.id), "The class is closed; its board stays.")


def _undo_clear(info) -> None:
    _act(lambda: classes.undo_clear(store(), info.id), "The cleared runs are back on the board.")


def _board_tools(info) -> None:
    """Clear (asked first, undone by "Undo clear") and close (asked first)."""
    # No count here: the board above refreshes by itself, these controls only with the page.
    sure = st.checkbox("Yes, clear every run from the board", key="board_clear_sure")
    st.button(
        "Clear the board", key="board_clear", disabled=not sure, on_click=_clear, args=(info,),
        icon=":material/clear_all:",
    )  # fmt: skip
    try:
        last = classes.last_clear(store(), info.id)
    except storage.StoreError:
        last = None
    if last is not None:
        st.button(
            f"Undo clear ({words.plural(last[1], 'run')}, cleared at {when(last[0])})",
            key="board_undo_clear", on_click=_undo_clear, args=(info,), icon=":material/undo:",
        )  # fmt: skip
    if info.is_open:
        sure = st.checkbox(
            "Yes, close the class: its code stops working", key="board_close_sure"
        )  # fmt: skip
        st.button(
            "Close the class", key="board_close", disabled=not sure, on_click=_close,
            args=(info,), icon=":material/lock:",
        )  # fmt: skip


def controls(info) -> None:
    """Instructor only, below the board: the class's settings, its entries, the challenge."""
    from lesson.tools import settings

    with st.expander("Class controls (instructor)", icon=":material/school:"):
        left, right = st.columns(2)
        try:
            posts = classes.board(store(), info.id)
        except storage.StoreError:
            posts = []
        with left:
            st.toggle(
                "Hide names", value=info.names_hidden, key=f"board_hide_{info.id}",
                on_change=lambda: _act(
                    lambda: classes.hide_names(
                        store(), info.id, st.session_state[f"board_hide_{info.id}"]
                    ), "Done.",
                ),
            )  # fmt: skip
            _board_tools(info)
        with right:
            names = hidden(info.id) if info.names_hidden else None
            rows = {r["id"]: r for r in classes.rows(posts, names)}
            chosen = st.selectbox(
                "Remove one entry", list(rows), index=None, key="board_remove_pick",
                format_func=lambda i: f"{rows[i]['who']}, run {rows[i]['run']} "
                f"({when(rows[i]['posted'])})",
                placeholder="Choose a run…",
            )  # fmt: skip
            st.button(
                "Remove it", key="board_remove", disabled=chosen is None,
                on_click=lambda: _act(
                    lambda: classes.remove_post(store(), info.id, chosen), "Entry removed."
                ),
            )  # fmt: skip
        if not info.is_open:
            return
        st.markdown("**Class challenge**")
        if info.challenge:
            st.caption(f"Now: {board._plain(info.challenge.get('text', ''))}")
            st.button(
                "End the challenge", key="board_challenge_end",
                on_click=lambda: _act(
                    lambda: classes.set_challenge(store(), info.id, None), "Challenge ended."
                ),
            )  # fmt: skip
        st.text_input(
            "Challenge", key="board_challenge_text", max_chars=300,
            placeholder="Everyone: pick a learning rate, 3 epochs",
        )  # fmt: skip
        st.multiselect(
            "Fixed for the class (at your current values on Build and Train)",
            settings.KEYS, key="board_challenge_lock",
            format_func=lambda name: name.replace("_", " "),
        )  # fmt: skip
        st.button(
            "Post the challenge", key="board_challenge_post", on_click=_post_challenge,
            args=(info,),
        )  # fmt: skip


def class_picker(every: list) -> None:
    """The instructor picks the class on the board (a closed one too), or opens a new one."""
    pick, new = st.columns(2, vertical_alignment="bottom")
    if every:
        ids = [c.id for c in every]
        names = {
            c.id: f"{c.name} ({c.code})" if c.is_open else f"{c.name} (closed {day(c.closed)})"
            for c in every
        }
        if st.session_state.get(SHOWN) not in ids:
            st.session_state[SHOWN] = ids[0]
        pick.selectbox("Class on the board", ids, key=SHOWN, format_func=names.get)
    with new.form("board_open", border=False):
        name, button = st.columns([3, 2], vertical_alignment="bottom")
        name.text_input("New class name", key="board_new_name", max_chars=60)
        button.form_submit_button("Open a class", on_click=_open_class)
