"""A run on the Train page: Train and Stop, its progress and live curves, its end and the runs
compared (the sentences the Train page's prose holds come from its file, p4_train.md)."""

import math

import plotly.graph_objects as go
import streamlit as st

from lesson import step3_network, step4_training
from lesson.machinery import store as storage
from lesson.machinery.runs import LIMITER
from lesson.parts import classroom, hyperparameters, workspace
from lesson.parts.common import chart, prose
from lesson.tools import settings, words

PAGE = "p4_train"  # whose prose tells a shared run
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000")
METRICS = {"loss": "loss", "accuracy": "accuracy"}
# Seconds between redraws of a training run's progress and curves: a run of a few seconds
# still grows its curves several times. Each redraw repaints the charts in the learner's
# browser (a Chromium tab used 0.55 of a core through a quick run; 0.4 at 1 s, measured here).
LIVE_EVERY = 0.5


def finished(run) -> str:
    """The line for a finished run: 'run 1 finished 3 epochs in 14 s.'"""
    return f"{run.name} finished {words.plural(run.hp.epochs, 'epoch')} in {run.seconds:.0f} s."


def status(run) -> str:
    """A run's status for the runs table, in words."""
    if run.status == "done" and step4_training.did_not_learn(run.test, run.hp, run.config):
        return "done, but did not learn"
    return run.status


def not_posted(run) -> None:
    """A plain sentence when the learner's class board did not take their run."""
    from lesson.machinery import classes

    saver = getattr(run, "saver", None)  # a run trained in this session knows its post
    if saver is not None and (
        note := classes.not_posted_words(run.name, saver.posted, saver.post_again)
    ):
        st.info(note, icon=":material/groups:")


def shared(run) -> None:
    """One sentence when the run shares its training with others (or was trained before)."""
    if not callable(getattr(run, "classmates", None)) or not (n := run.classmates()):
        return
    if getattr(run, "reused", None) is not None:
        prose(PAGE, "shared_before", runs=words.plural(n, "run"))
    else:
        everyone = "both of you" if n == 1 else f"all {n + 1:,} of you"
        trains = "trained" if run.finished else "is trained"
        prose(PAGE, "shared", classmates=words.plural(n, "classmate"), trains=trains,
              all=everyone)  # fmt: skip


def expected(run) -> str:
    """', in about 40 s' from the server's measured speed; nothing before it has measured any."""
    seconds = run.expected_start() if callable(getattr(run, "expected_start", None)) else None
    if seconds is None:
        return ""
    when = f"{seconds / 60:.0f} minutes" if seconds >= 90 else f"{max(seconds, 1):.0f} s"
    return f", in about {when} (from this server's measured speed)"


def figure(shown: list, metric: str, epochs: int) -> go.Figure:
    """Training (solid) and validation (dotted) `metric` of each run against the epoch."""
    fig = go.Figure()
    for i, run in enumerate(shown):
        colour = COLOURS[i % len(COLOURS)]
        label = f"{run.name} " if len(shown) > 1 else ""
        points, ends = list(run.batches), list(run.epochs)
        fig.add_trace(
            go.Scatter(x=[p["epoch"] for p in points], y=[p[metric] for p in points], mode="lines",
                       name=f"{label}training", line={"color": colour, "width": 2})
        )  # fmt: skip
        val = [e for e in ends if not math.isnan(e[f"val_{metric}"])]
        if val:
            fig.add_trace(
                go.Scatter(x=[e["epoch"] for e in val], y=[e[f"val_{metric}"] for e in val],
                           mode="lines+markers", name=f"{label}validation",
                           line={"color": colour, "dash": "dot", "width": 2},
                           marker={"size": 9, "symbol": "diamond"},
                           cliponaxis=False)  # the last epoch's mark sits on the right edge
            )  # fmt: skip
    fig.update_layout(
        title=f"{metric.capitalize()} while training",
        xaxis_title="epoch",
        yaxis_title=metric,
        height=340,
        legend={"orientation": "h", "y": -0.25},
    )
    fig.update_xaxes(range=[0, max(epochs, 1)])
    # An empty chart's default axis runs from -1 to 4 (accuracy "−100 % to 400 %"): accuracy
    # stays within 0–100 %, loss starts at 0 (and shows guessing's 2.30 before any point).
    if metric == "accuracy":
        fig.update_yaxes(tickformat=".0%", autorangeoptions={"minallowed": 0, "maxallowed": 1})
        if not any(run.batches for run in shown):
            fig.update_yaxes(range=[0, 1])
    else:
        fig.update_yaxes(rangemode="tozero")
        if not any(run.batches for run in shown):
            fig.update_yaxes(range=[0, 2.5])
    return fig


def summary(run, metric: str) -> str:
    """The text equivalent of one run's curve."""
    points, ends = list(run.batches), list(run.epochs)
    if not points:
        return f"{run.name}: no {metric} measured yet."
    text = f"{run.name}: training {metric} from {points[0][metric]:.3f} to {points[-1][metric]:.3f}"
    val = [e[f"val_{metric}"] for e in ends if not math.isnan(e[f"val_{metric}"])]
    if val:
        text += f"; validation {metric} after each epoch: " + ", ".join(f"{v:.3f}" for v in val)
    return text + "."


def curves(shown: list, epochs: int) -> None:
    """Loss and accuracy side by side, with their text equivalents."""
    left, right = st.columns(2)
    for column, metric in zip((left, right), METRICS, strict=True):
        with column:
            chart(
                figure(shown, metric, epochs),
                f"Line chart of {metric} against the epoch. "
                + " ".join(summary(run, metric) for run in shown),
            )


def start_run(m, config) -> None:
    """Train a new run with the hyperparameters on screen; it belongs to the workspace."""
    asked = classroom.holding(settings.Settings(config, hyperparameters.chosen()))  # locks hold
    if workspace.start_run(m, asked.hp, asked.network) is None:  # a double click, another tab
        st.session_state["train_busy"] = True


def buttons(m, config, active: bool, away) -> None:
    """Train (greyed while a run is live) and, while one is live in any process, Stop."""
    actions = st.container(horizontal=True)
    actions.button(
        "Train",
        type="primary",
        icon=":material/play_arrow:",
        on_click=start_run,
        args=(m, config),
        disabled=active or away is not None,
        key="train_start",
    )
    # Drawn once per page run, outside the polling part: every click reaches it. A run another
    # process trains stops too: the store tells that process (workspace.stop_run).
    if active or away is not None:
        actions.button(
            "Stop",
            icon=":material/stop:",
            on_click=workspace.stop_run,
            key="train_stop",
            help="The model keeps the weights it has now",
        )
    if st.session_state.pop("train_busy", False):
        st.info(
            "A run of your workspace is already training (perhaps in another tab): it is shown "
            "below. Train again when it has finished.",
            icon=":material/hourglass_top:",
        )


def watch(current, active: bool, away) -> None:
    """An idle page shows within seconds a run that another tab of the workspace started."""

    @st.fragment(run_every=None if active or away else workspace.WATCH_EVERY)
    def look() -> None:
        if active or away is not None:
            return  # the page shows the run already
        try:
            number = workspace.live_number()
        except storage.StoreError:
            return  # the database cannot tell now; the next look may
        # (The run on screen has ended here: its row may say "running" until its last save lands.)
        if number is not None and number != getattr(current, "number", None):
            st.rerun()  # the whole page: the run's progress, Stop, the controls it disables

    look()


def live(runs: list, active: bool, away) -> None:
    """The current run: queued, training (progress, Stop, growing curves) or finished."""

    @st.fragment(run_every=LIVE_EVERY if active else (workspace.WATCH_EVERY if away else None))
    def show() -> None:
        run = runs[-1] if runs else None
        workspace.watching()  # a run someone watches is not left unattended
        if away is not None:
            elsewhere(workspace.runs()[-1])  # read again: its last whole epoch, or its end
            return
        if run is None:
            st.info(
                "No run yet: choose the hyperparameters and press **Train**.",
                icon=":material/lightbulb:",
            )
            return
        if active and run.finished:
            st.rerun()  # the whole page: results, the runs compared, the learner's model
        if run.status == "queued":
            ahead = max(run.queue_position(), 1)  # 0 for the instant before it joins the line
            st.info(
                f"**{run.name} is waiting in line** (number {ahead}): the server trains at most "
                f"{words.plural(LIMITER.slots, 'run')} at once and other learners are "
                "training now. "
                f"It starts by itself{expected(run)}.",
                icon=":material/hourglass_top:",
            )
        elif run.status == "running":
            p = run.progress()
            left = "estimating time left…"
            if not math.isnan(p["seconds_left"]):
                left = f"about {p['seconds_left']:.0f} s left"
            st.progress(
                p["fraction"],
                text=f"{run.name}: epoch {p['epoch']} of {p['epochs']} · "
                f"batch {p['batch']:,} of {p['batches']:,} · {left}",
            )
        shared(run)
        if run.stopping and not run.finished:
            st.caption(":material/stop_circle: Stopping after the batches being computed now…")
        curves([run], run.hp.epochs)

    show()


def elsewhere(run) -> None:
    """A run of the workspace that another app process trains: its progress and curves."""
    if workspace.elsewhere(run) is None:
        st.rerun()  # it ended: the whole page shows its results
    p = run.progress()
    st.progress(
        p["fraction"],
        text=f"{run.name}: epoch {p['epoch']} of {p['epochs']} (training in another app process)",
    )
    st.info(
        f"**{run.name} of your workspace is training** in another tab that this server "
        "process does not serve: its curves here grow epoch by epoch, and its results show "
        "when it ends.",
        icon=":material/hourglass_top:",
    )
    if run.stopping:  # Stop was pressed: the process that trains it ends it within seconds
        st.caption(":material/stop_circle: Stopping after the batches being computed now…")
    curves([run], run.hp.epochs)


def ending(run) -> None:
    """How a run ended, in one message (and a word if the class board did not take it)."""
    if run.status == "failed":
        st.error(run.message, icon=":material/error:")
    elif run.status == "interrupted":
        st.warning(
            f"{run.name}: {run.message} Its model keeps the weights of its last whole "
            f"epoch ({len(run.epochs)} of {run.hp.epochs}).",
            icon=":material/restart_alt:",
        )
    elif run.status == "stopped":
        st.warning(
            f"{run.message} The model keeps the weights it had: "
            f"{words.stopped_after(len(run.epochs))}.",
            icon=":material/stop_circle:",
        )
    elif why := step4_training.did_not_learn(run.test, run.hp, run.config):
        st.error(f"{finished(run)} {why}", icon=":material/trending_flat:")
    else:
        st.success(finished(run), icon=":material/check_circle:")
    not_posted(run)


def scores(t: dict) -> None:
    """A run's test scores as four metrics, and what each means."""
    cols = st.columns(4)
    cols[0].metric("Test loss", f"{t['loss']:.4f}")
    cols[1].metric("Test accuracy", f"{t['accuracy']:.2%}")
    cols[2].metric("Error rate", f"{t['error_rate']:.2%}")
    cols[3].metric("5 in a row right", f"{t['five_in_a_row']:.1%}")
    st.markdown(
        f"- **Test loss {t['loss']:.4f}**: the mean cross-entropy on the 10,000 test "
        "images; lower means more confident right answers.\n"
        f"- **Test accuracy {t['accuracy']:.2%}**: {round(t['accuracy'] * 10000):,} of the "
        "10,000 test digits get their most likely digit right.\n"
        f"- **Error rate {t['error_rate']:.2%}** (1 − accuracy): about "
        f"{round(t['error_rate'] * 10000):,} digits wrong, {words.one_in(t['error_rate'])}.\n"
        f"- **5 in a row {t['five_in_a_row']:.1%}** (accuracy⁵): the chance that a 5-digit "
        "postcode is read with no mistake."
    )


def compared(done: list) -> None:
    """The finished runs in a table, what differs between them first; more than one: curves."""
    differs = settings.differences([settings.Settings(run.config, run.hp) for run in done])
    st.dataframe(
        [
            {  # what a learner compares first comes first: a 1280 px window shows it whole
                "run": run.name,
                "test accuracy": f"{run.test['accuracy']:.2%}" if run.test else "–",
                **({"what differs": differ} if len(done) > 1 else {}),
                "status": status(run)
                + (" (model dropped)" if getattr(run, "model_dropped", False) else ""),
                "network": step3_network.describe(run.config),
                "parameters": run.parameters,
                "epochs": run.hp.epochs,
                "batch size": run.hp.batch_size,
                "optimizer": run.hp.optimizer,
                "learning rate": f"{run.hp.learning_rate:g}",
                "images": run.hp.train_images,
                "augmentation": f"{run.hp.augmentation:g}" if run.hp.augmentation else "off",
                "validation": f"{run.hp.validation_split:.0%}",
                "seed": run.hp.seed,
                "time (s)": round(run.seconds, 1),
            }
            for run, differ in zip(done, differs, strict=True)
        ],
        hide_index=True,
    )
    if len(done) > 1:
        curves(done, max(run.hp.epochs for run in done))
