"""What every page shares: the cached MNIST arrays, the prose files and 'Show the code'."""

import functools
import gc
import importlib
import inspect
import re
import sys
import time
from pathlib import Path

import streamlit as st

from lesson import step1_data
from lesson.parts import pictures, session, workspace

PAGES = Path(__file__).resolve().parent.parent / "pages"  # each page's prose lies beside it


_SECTION = re.compile(r"^<!--\s*section:\s*([\w-]+)\s*-->\s*$", re.MULTILINE)


@st.cache_resource(show_spinner="Loading MNIST…")
def _mnist(path: str) -> step1_data.MNIST:
    """One read-only copy of MNIST per server process, shared by every learner."""
    return step1_data.load_mnist(path)


def mnist() -> step1_data.MNIST:
    """MNIST, or a clear message (and the page stops) if the file is missing or broken."""
    try:
        return _mnist(str(step1_data.mnist_path()))
    except step1_data.DataFileError as err:  # not cached, so fixing the file and reloading works
        st.error(f"**The MNIST data could not be loaded.** {err}", icon=":material/error:")
        st.stop()


KERAS_AFTER = 1.5  # seconds: the browser fetches the scripts that draw the page meanwhile


@st.cache_resource(show_spinner=False)
def import_keras() -> None:
    """Import Keras once per process, in one thread: the others wait until it is whole."""
    # Two threads importing Keras (and TensorFlow under it) at once can deadlock on Python's
    # module locks, and Python then hands one of them a half-initialised module. app.py calls
    # this before every page but the first, which calls warm_up_keras when it has painted.
    importlib.import_module("keras")
    keep_out_of_collections()


def keep_out_of_collections() -> None:
    """Leave every object loaded so far out of later garbage collections (once per load)."""
    # Keras, TensorFlow and the models live as long as the server: ~400,000 objects that each
    # full collection walked, holding the interpreter 0.1–0.4 s while every answer waited.
    gc.collect()  # garbage now is not kept for ever
    gc.freeze()


@st.cache_resource(show_spinner=False)
def warm_up_keras() -> None:
    """Import Keras after the first page has painted, so the next pages open at once."""
    # The pause first lets the browser fetch the page's scripts: the import holds the
    # interpreter for seconds, and the server's answers to those fetches waited behind it (a
    # 1.6 s first paint took up to 3 s).
    if "keras" not in sys.modules:  # another page may have needed it first
        time.sleep(KERAS_AFTER)
    import_keras()


@st.cache_resource(show_spinner="Loading the pre-trained model…")
def _pretrained(path: str):
    """The bundled model, loaded once per process and frozen: shared, so nobody may train it."""
    from lesson import step3_network  # imports Keras: only pages that show a model pay for it

    net = step3_network.load_trained(path)
    net.trainable = False
    keep_out_of_collections()
    return net


def pretrained_model():
    """The pre-trained model, or a clear message (and the page stops) if it cannot be loaded."""
    from lesson import step3_network

    try:
        return _pretrained(str(step3_network.pretrained_path()))
    except step3_network.ModelFileError as err:
        st.error(f"**The pre-trained model could not be loaded.** {err}", icon=":material/error:")
        st.stop()


# The learner's own model lives in their session: set by the training page, read by the others.
LEARNER_MODEL = "learner_model"  # a keras.Model
LEARNER_MODEL_NAME = "learner_model_name"  # e.g. "your model (run 2, 3 epochs)"
PRETRAINED_NAME = "the pre-trained model (trained with augmentation, 99.46 % test accuracy)"


def adopt(run) -> None:
    """Make a finished or stopped run's model the learner's model on every other page."""
    if run is None or not run.usable or st.session_state.get(LEARNER_MODEL) is run.model:
        return
    if st.session_state.get(session.ADOPTED) == run.name:
        return  # already offered once; the learner may have chosen another since
    epochs = len(run.epochs)
    score = f", {run.test['accuracy']:.2%} test accuracy" if run.test else ""
    st.session_state[LEARNER_MODEL] = run.model
    st.session_state[LEARNER_MODEL_NAME] = (
        f"your model ({run.name}, {epochs} epoch{'s' if epochs != 1 else ''}{score})"
    )
    st.session_state[session.ADOPTED] = run.name
    if workspace.state().get(workspace.ADOPTED) != run.name:
        workspace.adopted(run.name)


def learner_model():
    """The learner's model: in this session, or rebuilt from their workspace after a reload."""
    if LEARNER_MODEL not in st.session_state:
        name = st.session_state.get(session.ADOPTED)
        run = next((r for r in workspace.runs() if r.name == name), None)
        if run is not None and run.usable:
            st.session_state.pop(session.ADOPTED)
            adopt(run)
        elif run is not None and getattr(run, "load_error", None):
            st.warning(
                f"Your model ({run.name}) could not be loaded: {run.load_error}. The "
                "pre-trained model answers instead; train again to get a model of your own.",
                icon=":material/warning:",
            )
    return st.session_state.get(LEARNER_MODEL)


def model_picker(key: str):
    """Let the learner choose their own model or the pre-trained one; always say which answers.

    Returns (model, name).
    """
    mine = learner_model()
    runs = workspace.runs()
    if runs and getattr(runs[-1], "finished", False):  # it may have ended on another page
        adopt(runs[-1])
    mine = st.session_state.get(LEARNER_MODEL)
    if mine is None:
        net = pretrained_model()  # first: a damaged file stops here, before its name is shown
        st.caption(f"Model: **{PRETRAINED_NAME}**. Train your own on the training page.")
        return net, PRETRAINED_NAME
    choice = st.radio(
        "Which model?",
        ["mine", "pretrained"],
        format_func={
            "mine": st.session_state[LEARNER_MODEL_NAME],
            "pretrained": PRETRAINED_NAME,
        }.get,
        horizontal=True,
        key=key,
    )
    if choice == "pretrained":
        return pretrained_model(), PRETRAINED_NAME
    return mine, st.session_state[LEARNER_MODEL_NAME]


@functools.cache
def _sections(page: str) -> dict[str, str]:
    """The sections of a page's markdown file, by name."""
    text = (PAGES / f"{page}.md").read_text(encoding="utf-8")
    parts = _SECTION.split(text)  # ["", name1, body1, name2, body2, ...]
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def prose(page: str, section: str, **facts) -> None:
    """Show one section of the teaching text that lives beside the page, `facts` filled in."""
    text = _sections(page)[section]
    # Only a section given facts has {placeholders}; any other may hold braces of its own.
    st.markdown(text.format_map(facts) if facts else text)


@functools.cache
def source(obj) -> str:
    """The source of a function or class, read once per process (the files do not change)."""
    return inspect.getsource(obj)


def show_code(*objects, label: str = "Show the code") -> None:
    """An expander with the source of the lesson functions that just ran."""
    with st.expander(label, icon=":material/code:"):
        for obj in objects:
            st.code(source(obj), language="python")


def chart(fig, alt: str) -> None:
    """A plotly chart with its text equivalent for screen readers and the projector's back row."""
    if fig.layout.margin.to_plotly_json() != pictures.MARGIN:  # figures drawn once have it
        # Assigned, not update_layout(margin=…), which costs about 2 ms a chart.
        fig.layout.margin = pictures.MARGIN  # (never changed again: others may show them)
    st.plotly_chart(fig, config={"displaylogo": False})
    st.caption(alt)


def table(rows: list[dict], right: tuple[str, ...] = ()) -> str:
    """Rows as a markdown table (columns in `right` aligned right), for st.markdown."""
    # Not st.dataframe: a small table then needs no pandas, Arrow or Styler, which cost the
    # server more than the rest of the page (and a class opens these pages at the same time).
    columns = list(rows[0])

    def line(cells) -> str:
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

    rule = "| " + " | ".join("--:" if c in right else "---" for c in columns) + " |"
    return "\n".join([line(columns), rule, *(line(row[c] for c in columns) for row in rows)])


def clamped(key: str, high: int, default: int = 0) -> None:
    """Keep a widget's remembered value inside its range (another model may have other sizes)."""
    value = st.session_state.get(key, default)
    st.session_state[key] = min(max(int(value), 0), high)


def now(key: str, options=None):
    """A control's value now, given to it as its default: the value it shows if drawn anew.

    Streamlit sends a value set by code (a link, a preset, a restored workspace) only on the run
    that set it; a control the browser mounts again later starts from its default (for a list of
    options, the first), and the next run would take that. None: no usable value, the default.
    """
    value = st.session_state.get(key)
    if options is not None and value not in options:
        return None
    return value
