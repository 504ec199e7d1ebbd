"""The class board: every posted run of the class, live, with charts; the instructor's controls."""

import datetime
import time
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lesson.machinery import classes
from lesson.machinery import store as storage
from lesson.pages import board, board_charts, classroom, instructor, workspace
from lesson.pages.common import chart, prose

PAGE = "board_page"
SHOWN = "board_class"  # the class the instructor is looking at
REFRESH = 2  # seconds between looks at the board (a posted run shows within 5 s)
# Column formats (printf style, as st.column_config takes them). No pandas Styler: styling 300
# rows cost ~0.1 s of the server's one Python lock on every refresh of every board.
FORMATS = {"Parameters": "localized", "Epochs": "%d", "Batch size": "%d",
           "Learning rate": "%g", "Training images": "localized", "Time (s)": "%.1f",
           "Test accuracy (%)": "%.2f"}  # fmt: skip


def store() -> storage.Store:
    return workspace.store()


def shown_class():
    """The class on the board: the instructor's pick, or the class the learner joined."""
    if instructor.active():
        try:
            open_ = classes.open_classes(store())
        except storage.StoreError:
            return None
        wanted = st.session_state.get(SHOWN)
        return next((c for c in open_ if c.id == wanted), open_[0] if open_ else None)
    joined = board.membership()
    return joined[0] if joined else None


def hidden(class_id: str) -> dict[str, str]:
    """The class's aliases ("Learner 1"…), or none if they cannot be read now."""
    try:
        return classes.aliases(store(), class_id)
    except storage.StoreError:
        return {}


def _when(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds).strftime("%H:%M:%S")


def frame(table: list[dict]) -> pd.DataFrame:
    """The board as a table: the columns the class reads, newest run first."""
    base = board.app_url()
    df = pd.DataFrame(
        [
            {
                "Who": row["who"],
                "Network": row["network"],
                "Parameters": row["parameters"],
                "Epochs": row["epochs"],
                "Batch size": row["batch_size"],
                "Learning rate": row["learning_rate"],
                "Optimizer": row["optimizer"],
                "Training images": row["train_images"],
                "Time (s)": row["seconds"],
                "Test accuracy (%)": None if row["accuracy"] is None else 100 * row["accuracy"],
                "Posted": _when(row["posted"]),
                "Experiment": f"{base}/train?{urlencode(row['experiment'])}",
            }
            for row in reversed(table)
        ]
    )
    return df


def _mark_best(df: pd.DataFrame, best_index) -> pd.DataFrame:
    """A first column that marks the best run's row with a trophy and the word "best"."""
    marks = ["🏆 best" if i == best_index else "" for i in range(len(df))]
    return df.assign(Best=marks)[["Best", *df.columns]]


@st.fragment(run_every=REFRESH)
def live_board(class_id: str, names_hidden: bool) -> None:
    """The posted runs and the charts, read again every few seconds."""
    try:
        posts = classes.board(store(), class_id)
    except storage.StoreError as err:
        st.warning(f"The board cannot be read now ({err}); it tries again by itself.")
        return
    table = classes.rows(posts, hidden(class_id) if names_hidden else None)
    st.caption(f"{len(table)} runs posted · updated {_when(time.time())}")
    if not table:
        st.info("No run posted yet: runs appear here as soon as they finish.")
        return
    latest = [
        f"{board._plain(r['who'])}, run {r['run']}: "
        + ("no test score" if r["accuracy"] is None else f"{100 * r['accuracy']:.2f} %")
        for r in table[::-1][:5]
    ]
    st.caption("Latest runs: " + "; ".join(latest) + ".")  # the table's newest rows, as text
    top = classes.best(table)
    df = frame(table)
    best_index = None
    if top is not None:
        best_index = len(table) - 1 - table.index(top)  # the frame is newest first
        st.success(
            f"**Best run: {board._plain(top['who'])}**, {100 * top['accuracy']:.2f} % test "
            f"accuracy ({top['network']}; learning rate {top['learning_rate']:g}, batch "
            f"{top['batch_size']:g}, {top['optimizer']}).",
            icon=":material/trophy:",
        )
    st.dataframe(
        _mark_best(df, best_index),
        hide_index=True,
        key="board_table",
        column_config={
            **{name: st.column_config.NumberColumn(format=f) for name, f in FORMATS.items()},
            "Experiment": st.column_config.LinkColumn(
                display_text="Open", help="This run's network and hyperparameters, on Train"
            ),
        },
    )
    prose(PAGE, "charts")
    columns = st.columns(2)
    for index, (x, label, ticks) in enumerate(board_charts.CHARTS):
        with columns[index % 2]:
            fig, alt = board_charts.scatter(table, x, label, ticks)
            chart(fig, alt)


def _progress(info, workspace_id: str | None) -> None:
    prose(PAGE, "progress")
    try:
        table = classes.progress(store(), info.id, workspace_id)
    except storage.StoreError as err:
        st.warning(f"Progress cannot be read now ({err}).")
        return
    if not table:
        st.caption("No learner has joined yet.")
        return
    names = hidden(info.id) if info.names_hidden else {}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Learner": (
                        names.get(p.workspace_id, "A learner") if info.names_hidden else p.name
                    ),
                    "Pages solved": len(p.pages_solved),
                    "Which": ", ".join(p.pages_solved),
                    "Runs": p.runs,
                    "Best test accuracy (%)": (
                        None if p.best_accuracy is None else 100 * p.best_accuracy
                    ),
                    "Last active": _when(p.last_active),
                }
                for p in table
            ]
        ),
        hide_index=True,
        key="board_progress",
        column_config={"Best test accuracy (%)": st.column_config.NumberColumn(format="%.2f")},
    )


# --- the instructor's controls ------------------------------------------------------------------


def _act(work, done: str) -> None:
    try:
        work()
        st.session_state["board_done"] = done
    except storage.StoreError as err:
        st.session_state["board_done"] = f"Not done: {err}."


def _open_class() -> None:
    def work():
        info = classes.open_class(store(), st.session_state.get("board_new_name", ""))
        st.session_state[SHOWN] = info.id

    _act(work, "The class is open.")


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


def controls(info) -> None:
    """Instructor only: the class's settings, the board's entries, the challenge."""
    from lesson.tools import settings

    with st.expander("Class controls (instructor)", expanded=True, icon=":material/school:"):
        left, right = st.columns(2)
        with left:
            st.toggle(
                "Hide names", value=info.names_hidden, key=f"board_hide_{info.id}",
                on_change=lambda: _act(
                    lambda: classes.hide_names(
                        store(), info.id, st.session_state[f"board_hide_{info.id}"]
                    ), "Done.",
                ),
            )  # fmt: skip
            st.button(
                "Clear the board", key="board_clear",
                on_click=lambda: _act(lambda: classes.clear(store(), info.id), "Board cleared."),
            )  # fmt: skip
            st.button(
                "Close the class", key="board_close",
                on_click=lambda: _act(
                    lambda: classes.close_class(store(), info.id), "The class is closed."
                ),
            )  # fmt: skip
        with right:
            try:
                posts = classes.board(store(), info.id)
            except storage.StoreError:
                posts = []
            names = hidden(info.id) if info.names_hidden else None
            rows = {r["id"]: r for r in classes.rows(posts, names)}
            chosen = st.selectbox(
                "Remove one entry", list(rows), index=None, key="board_remove_pick",
                format_func=lambda i: f"{rows[i]['who']}, run {rows[i]['run']} "
                f"({_when(rows[i]['posted'])})",
                placeholder="Choose a run…",
            )  # fmt: skip
            st.button(
                "Remove it", key="board_remove", disabled=chosen is None,
                on_click=lambda: _act(
                    lambda: classes.remove_post(store(), info.id, chosen), "Entry removed."
                ),
            )  # fmt: skip
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


def instructor_header():
    """The instructor picks (or opens) the class the board shows."""
    try:
        open_ = classes.open_classes(store())
    except storage.StoreError as err:
        st.warning(f"The classes cannot be read now ({err}).")
        return None
    pick, new = st.columns(2, vertical_alignment="bottom")
    if open_:
        ids = [c.id for c in open_]
        names = {c.id: f"{c.name} ({c.code})" for c in open_}
        if st.session_state.get(SHOWN) not in ids:
            st.session_state[SHOWN] = ids[0]
        pick.selectbox("Class on the board", ids, key=SHOWN, format_func=names.get)
    with new.form("board_open", border=False):
        name, button = st.columns([3, 2], vertical_alignment="bottom")
        name.text_input("New class name", key="board_new_name", max_chars=60)
        button.form_submit_button("Open a class", on_click=_open_class)
    return shown_class()


st.title("Class board")
prose(PAGE, "intro")
if done := st.session_state.pop("board_done", None):
    st.toast(done)
info = instructor_header() if instructor.active() else shown_class()
if info is None:
    prose(PAGE, "no-class")  # no st.stop(): the sidebar (where one joins) comes after the page
else:
    code_column, link_column = st.columns([1, 2])
    code_column.metric(f"Join code · {board._plain(info.name)}", info.code)
    link_column.markdown("**Join link**")
    link_column.code(board.join_link(info.code), language=None, wrap_lines=True)
    live_board(info.id, info.names_hidden)
    if instructor.active():
        controls(info)
        _progress(info, None)
    else:
        ws = st.session_state.get(workspace.WORKSPACE)
        _progress(info, ws.id if ws else "")
