"""The class board: every posted run of the class, live, with charts; the instructor's controls."""

import datetime
import time
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lesson.machinery import classes
from lesson.machinery import store as storage
from lesson.parts import board, board_charts, classroom, instructor, workspace
from lesson.parts.common import chart, prose
from lesson.tools import words

PAGE = "p8_board"
SHOWN = "board_class"  # the class the instructor is looking at
OPENED = "board_opened"  # (name, when, class id) of the class this session opened last
REFRESH = 2  # seconds between looks at the board (a posted run shows within 5 s)
# Column formats (printf style, as st.column_config takes them). No pandas Styler: styling 300
# rows cost ~0.1 s of the server's one Python lock on every refresh of every board.
FORMATS = {"Parameters": "localized", "Epochs": "%d", "Batch size": "%d",
           "Learning rate": "%g", "Training images": "localized", "Time (s)": "%.1f",
           "Test accuracy (%)": "%.2f"}  # fmt: skip


def store() -> storage.Store:
    return workspace.store()


def shown_class():
    """The class on the board: the instructor's pick (open or closed), or the learner's class."""
    if instructor.active():
        try:
            every = classes.all_classes(store())
        except storage.StoreError:
            return None
        wanted = st.session_state.get(SHOWN)
        return next((c for c in every if c.id == wanted), every[0] if every else None)
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
    """The board as a table, newest run first: the columns a class reads first on the left."""
    base = board.app_url()
    df = pd.DataFrame(
        [
            {
                "Who": row["who"],
                "Test accuracy (%)": None if row["accuracy"] is None else 100 * row["accuracy"],
                "Learning rate": row["learning_rate"],
                "Batch size": row["batch_size"],
                "Epochs": row["epochs"],
                "Optimizer": row["optimizer"],
                "Network": row["network"],
                "Parameters": row["parameters"],
                "Training images": row["train_images"],
                "Time (s)": row["seconds"],
                "Posted": _when(row["posted"]),
                "Experiment": f"{base}/train?{urlencode(row['experiment'])}",
            }
            for row in reversed(table)
        ]
    )
    return df


BEST_MARK = "★ best"  # a text star (not an emoji): readable in any font, and the word says it


def _mark_best(df: pd.DataFrame, best_index) -> pd.DataFrame:
    """A first column that marks the best run's row with a star and the word "best"."""
    marks = [BEST_MARK if i == best_index else "" for i in range(len(df))]
    return df.assign(Best=marks)[["Best", *df.columns]]


def posted_words(count: int) -> str:
    return f"{words.plural(count, 'run')} posted"


@st.fragment(run_every=REFRESH)
def live_board(info, workspace_id: str | None) -> None:
    """The posted runs, the charts and the progress table, read again every few seconds.

    `workspace_id` is None for the instructor (everyone's progress), else the learner's own.
    """
    try:
        posts = classes.board(store(), info.id)
        names_hidden = classes.get_class(store(), info.id).names_hidden
    except (storage.StoreError, AttributeError) as err:
        st.warning(f"The board cannot be read now ({err}); it tries again by itself.")
        return
    table = classes.rows(posts, hidden(info.id) if names_hidden else None)
    st.caption(f"{posted_words(len(table))} · updated {_when(time.time())}")
    if not table:
        st.info("No run posted yet: runs appear here as soon as they finish.")
    else:
        _runs(table)
    _progress(info, workspace_id, names_hidden)


def _g(value) -> str:
    """A posted number as the board writes it; "?" for one the post does not hold."""
    return "?" if value is None else f"{value:g}"


def _runs(table: list[dict]) -> None:
    top = classes.best(table)
    df = frame(table)
    best_index = None if top is None else len(table) - 1 - table.index(top)  # newest first
    st.dataframe(
        _mark_best(df, best_index),
        hide_index=True,
        key="board_table",
        height=min(36 + 35 * len(df), 400),  # several rows on a 720-pixel projector, no more
        column_config={
            "Best": st.column_config.TextColumn(width=64),
            "Who": st.column_config.TextColumn(width=150),
            **{name: st.column_config.NumberColumn(format=f) for name, f in FORMATS.items()},
            "Test accuracy (%)": st.column_config.NumberColumn(format="%.2f", width=130),
            # A fixed width: a network that differs in many settings is a long text, and the
            # columns after it must still fit a projector (the whole text shows in the cell).
            "Network": st.column_config.TextColumn(width=220),
            "Experiment": st.column_config.LinkColumn(
                display_text="Open", help="This run's network and hyperparameters, on Train"
            ),
        },
    )
    if top is not None:
        st.success(
            f"**Best run: {board._plain(top['who'])}**, {100 * top['accuracy']:.2f} % test "
            f"accuracy ({top['network']}; learning rate {_g(top['learning_rate'])}, batch "
            f"{_g(top['batch_size'])}, {top['optimizer']}).",
            icon=":material/trophy:",
        )
    latest = [
        f"{board._plain(r['who'])}, run {r['run']}: "
        + ("no test score" if r["accuracy"] is None else f"{100 * r['accuracy']:.2f} %")
        for r in table[::-1][:5]
    ]
    st.caption("Latest runs: " + "; ".join(latest) + ".")  # the table's newest rows, as text
    prose(PAGE, "charts")
    columns = st.columns(2)
    for index, (x, label, ticks) in enumerate(board_charts.CHARTS):
        with columns[index % 2]:
            fig, alt = board_charts.scatter(table, x, label, ticks)
            chart(fig, alt)


def _progress(info, workspace_id: str | None, names_hidden: bool) -> None:
    prose(PAGE, "progress")
    try:
        table = classes.progress(store(), info.id, workspace_id)
    except storage.StoreError as err:
        st.warning(f"Progress cannot be read now ({err}).")
        return
    if not table:
        st.caption("No learner has joined yet.")
        return
    names = hidden(info.id) if names_hidden else {}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Learner": (names.get(p.workspace_id, "A learner") if names_hidden else p.name),
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
        if done:
            st.session_state["board_done"] = done
    except storage.StoreError as err:
        st.session_state["board_done"] = f"Not done: {err}."


def _open_class() -> None:
    """Open a class from the form; the same click again (a double click) opens no second one."""
    name = classes.clean_name(st.session_state.get("board_new_name", ""), classes.CLASS_NAME_LENGTH)
    st.session_state["board_new_name"] = ""  # the field is empty for the next class
    last = st.session_state.get(OPENED)  # (name, when) of the class this session opened last
    if last and name in (last[0], "") and time.monotonic() - last[1] < classes.REPEAT_WINDOW:
        st.session_state[SHOWN] = last[2]
        st.session_state["board_done"] = "The class is open."
        return

    def work():
        info = classes.open_class(store(), name)
        st.session_state[SHOWN] = info.id
        st.session_state[OPENED] = (name, time.monotonic(), info.id)

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
            f"Undo clear ({words.plural(last[1], 'run')}, cleared at {_when(last[0])})",
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
                f"({_when(rows[i]['posted'])})",
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
            c.id: f"{c.name} ({c.code})" if c.is_open else f"{c.name} (closed {_day(c.closed)})"
            for c in every
        }
        if st.session_state.get(SHOWN) not in ids:
            st.session_state[SHOWN] = ids[0]
        pick.selectbox("Class on the board", ids, key=SHOWN, format_func=names.get)
    with new.form("board_open", border=False):
        name, button = st.columns([3, 2], vertical_alignment="bottom")
        name.text_input("New class name", key="board_new_name", max_chars=60)
        button.form_submit_button("Open a class", on_click=_open_class)


def _day(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds).strftime("%d %b %H:%M")


def join_header(info) -> None:
    """The join code in large type (to read off a projector) and the join link; or, for a
    closed class, that its code no longer works."""
    code_column, link_column = st.columns([2, 3], vertical_alignment="center")
    with code_column.container(key="board_code_shown"):
        label = f"Join code · {board._plain(info.name)}"
        if not info.is_open:
            label = f"Closed class · {board._plain(info.name)}"
        st.metric(label, info.code)
    if info.is_open:
        link_column.markdown("**Join link**")
        link_column.code(board.join_link(info.code), language=None, wrap_lines=True)
    else:
        link_column.info(
            f"This class was closed on {_day(info.closed)}: its code no longer works. Its "
            "board stays, with all its runs.",
            icon=":material/lock:",
        )


# The projected board: a code legible from the back of the room; less empty space above it.
PROJECTOR_STYLE = """<style>
.st-key-board_code_shown [data-testid=stMetricValue],
.st-key-board_code_shown [data-testid=stMetricValue] * {
  font-size: clamp(2.75rem, 4.6vw, 5.5rem); font-family: "Source Code Pro", monospace;
  font-weight: 700; letter-spacing: 0.08em; line-height: 1.1; overflow: visible;
  text-overflow: clip;
}
.st-key-board_code_shown [data-testid=stMetricLabel] p { font-size: 1.1rem; }
[data-testid=stMainBlockContainer] { padding-top: 3rem; }
</style>"""


st.html(PROJECTOR_STYLE)
st.title("Class board")
if done := st.session_state.pop("board_done", None):
    st.toast(done)
every = []
if instructor.active():
    try:
        every = classes.all_classes(store())
    except storage.StoreError as err:
        st.warning(f"The classes cannot be read now ({err}).")
info = shown_class()
if info is None:
    prose(PAGE, "intro")
    prose(PAGE, "no-class")  # no st.stop(): the sidebar (where one joins) comes after the page
else:
    join_header(info)
    ws = st.session_state.get(workspace.WORKSPACE)
    live_board(info, None if instructor.active() else (ws.id if ws else ""))
    prose(PAGE, "intro")
if instructor.active():
    with st.expander(
        "Classes (instructor)", expanded=info is None, icon=":material/co_present:"
    ):  # fmt: skip
        class_picker(every)
    if info is not None:
        controls(info)
