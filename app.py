"""The CNN lesson app: `streamlit run app.py`."""

import streamlit as st

from lesson.machinery import workarounds

workarounds.apply()  # before any page runs: see lesson/machinery/workarounds.py

from lesson.pages import access, board, instructor, workspace  # noqa: E402

st.set_page_config(page_title="CNNs with Keras", page_icon=":material/neurology:", layout="wide")

# (script in lesson/pages, title, icon, url path), in the lesson's order.
LESSON = [
    ("data_page.py", "1 · The data", "grid_on", "data"),
    ("onehot_page.py", "2 · One-hot labels", "looks_one", "one-hot"),
    ("build_page.py", "3 · Build the network", "stacks", "build"),
    ("train_page.py", "4 · Train", "model_training", "train"),
    ("draw_page.py", "5 · Draw a digit", "draw", "draw"),
    ("inside_page.py", "6 · Filters & feature maps", "filter_alt", "inside"),
    ("mistakes_page.py", "7 · Mistakes", "report", "mistakes"),
    ("board_page.py", "Class board", "leaderboard", "board"),
]
workspace.open_workspace()  # the learner's saved work, back after a reload or a restart
workspace.keep_cookie()
workspace.runs()
solved = st.session_state.get("pages_solved", set())  # pages whose exercises are all right
pages = [
    st.Page(
        f"lesson/pages/{script}",
        title=f"{title} ✓" if path in solved else title,
        icon=f":material/{icon}:",
        url_path=path,
        default=index == 0,
    )
    for index, (script, title, icon, path) in enumerate(LESSON)
]
access.focus_style()
# One flat list: a section heading would put a <div> inside the navigation's <ul> (axe: list).
page = st.navigation(pages)
workspace.remember_page(page.url_path, {p.url_path: p for p in pages})
workspace.banner()
instructor.read_link()  # ?instructor=KEY: checked, then gone from the address bar
board.read_link()  # ?join=CODE, and the class's challenge
page.run()
workspace.sidebar()
board.sidebar()
instructor.sidebar()
