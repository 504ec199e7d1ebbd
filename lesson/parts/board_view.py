"""The class board as the class sees it: the join code, the posted runs, the charts, progress."""

import datetime
import time
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lesson.machinery import classes
from lesson.machinery import store as storage
from lesson.parts import board, board_charts, instructor, workspace
from lesson.parts.common import chart, prose
from lesson.tools import words

PAGE = "p8_board"  # whose prose the board tells
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


def when(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds).strftime("%H:%M:%S")


def day(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds).strftime("%d %b %H:%M")


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
                "Posted": when(row["posted"]),
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
    st.caption(f"{posted_words(len(table))} · updated {when(time.time())}")
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
                    "Last active": when(p.last_active),
                }
                for p in table
            ]
        ),
        hide_index=True,
        key="board_progress",
        column_config={"Best test accuracy (%)": st.column_config.NumberColumn(format="%.2f")},
    )


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
            f"This class was closed on {day(info.closed)}: its code no longer works. Its "
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
