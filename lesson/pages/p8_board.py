"""The class board: every posted run of the class, live, with charts; the instructor's controls."""

import streamlit as st

from lesson.machinery import classes
from lesson.machinery import store as storage
from lesson.parts import board_controls, board_view, instructor, workspace
from lesson.parts.common import prose

PAGE = "p8_board"

st.html(board_view.PROJECTOR_STYLE)
st.title("Class board")
if done := st.session_state.pop("board_done", None):
    st.toast(done)
every = []
if instructor.active():
    try:
        every = classes.all_classes(board_view.store())
    except storage.StoreError as err:
        st.warning(f"The classes cannot be read now ({err}).")
info = board_view.shown_class()
if info is None:
    prose(PAGE, "intro")
    prose(PAGE, "no-class")  # no st.stop(): the sidebar (where one joins) comes after the page
else:
    board_view.join_header(info)
    ws = st.session_state.get(workspace.WORKSPACE)
    board_view.live_board(info, None if instructor.active() else (ws.id if ws else ""))
    prose(PAGE, "intro")
if instructor.active():
    with st.expander(
        "Classes (instructor)", expanded=info is None, icon=":material/co_present:"
    ):  # fmt: skip
        board_controls.class_picker(every)
    if info is not None:
        board_controls.controls(info)
