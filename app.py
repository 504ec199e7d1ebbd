"""The CNN lesson app: `cnn-lesson` (installed) or `streamlit run app.py` (a checkout)."""

import streamlit as st

import lesson
from lesson import paths
from lesson.parts import session, workarounds

workarounds.apply()  # before any page runs: see lesson/parts/workarounds.py

from lesson.parts import access, board, common, instructor, workspace  # noqa: E402

st.set_page_config(page_title="CNNs with Keras", page_icon=":material/neurology:", layout="wide")

# (script in lesson/pages, title, icon, url path), in the lesson's order.
LESSON = [  # step N is page N, titled from lesson.STEPS
    ("p1_data.py", lesson.title(1), "grid_on", "data"),
    ("p2_onehot.py", lesson.title(2), "looks_one", "one-hot"),
    ("p3_build.py", lesson.title(3), "stacks", "build"),
    ("p4_train.py", lesson.title(4), "model_training", "train"),
    ("p5_draw.py", lesson.title(5), "draw", "draw"),
    ("p6_inside.py", lesson.title(6), "filter_alt", "inside"),
    ("p7_mistakes.py", lesson.title(7), "report", "mistakes"),
    ("p8_board.py", "Class board", "leaderboard", "board"),
]


def lesson_pages(solved: frozenset) -> list:
    """The navigation's pages, titled with a ✓ where the exercises are solved."""
    pages = [
        st.Page(
            paths.PACKAGE / "pages" / script,  # found from a checkout and installed alike
            title=f"{title} ✓" if path in solved else title,
            icon=f":material/{icon}:",
            url_path=None if index == 0 else path,  # the first page is served at /
            default=index == 0,
        )
        for index, (script, title, icon, path) in enumerate(LESSON)
    ]
    # /data, the first page's name, opens it too (Streamlit serves a default page at / only).
    pages.append(st.Page(lambda: st.switch_page(pages[0]), url_path="data", visibility="hidden"))
    return pages


workspace.open_workspace()  # the learner's saved work, back after a reload or a restart
workspace.keep_cookie()
workspace.runs()
solved = frozenset(st.session_state.get(session.PAGES_SOLVED, ()))  # exercises all right
# Built again only when a ✓ changes: st.Page resolves its file's path, ~1 ms a page, every run.
# Kept per session, not shared: Streamlit marks the page that may run on the object itself.
if st.session_state.get(session.NAVIGATION, (None,))[0] != solved:
    st.session_state[session.NAVIGATION] = (solved, lesson_pages(solved))
pages = st.session_state[session.NAVIGATION][1]
access.focus_style()
# One flat list: a section heading would put a <div> inside the navigation's <ul> (axe: list).
page = st.navigation(pages)
if page.url_path not in ("", "data"):  # the first page imports Keras once it has painted
    common.import_keras()
workspace.remember_page(page.url_path, {p.url_path: p for p in pages})
workspace.banner()
instructor.read_link()  # ?instructor=KEY: checked, then gone from the address bar
board.read_link()  # ?join=CODE, and the class's challenge
page.run()
workspace.sidebar()
board.sidebar()
instructor.sidebar()
