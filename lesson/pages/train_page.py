"""Page 4: compile and train the learner's network live, evaluate it, compare the runs."""

import functools
import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import lesson
from lesson.pages import access, classroom, session, workspace
from lesson.pages.boxes import number_box
from lesson.pages.common import (
    LEARNER_MODEL,
    LEARNER_MODEL_NAME,
    adopt,
    chart,
    mnist,
    now,
    pretrained_model,
    prose,
    show_code,
)
from lesson.tools import exercises as ex
from lesson.tools import limits, settings, words

PAGE = "train_page"
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000")
METRICS = {"loss": "loss", "accuracy": "accuracy"}
# How each optimizer of training.OPTIMIZERS changes a parameter, for the compile step's text.
RULES = {
    "adam": "gradient descent that adapts its step size for every parameter on its own",
    "sgd": "plain gradient descent: each parameter moves against its gradient, the learning "
    "rate times the gradient",
    "rmsprop": "gradient descent that divides each parameter's step by the recent size of its "
    "gradients",
}


st.title(lesson.title(4))
prose(PAGE, "intro")
m = mnist()
with st.spinner("Loading Keras…"):  # the first page that needs it pays its import once
    from lesson import step3_network, step4_training
    from lesson.machinery import store as storage
    from lesson.machinery import workers
    from lesson.machinery.runs import LIMITER, measured_seconds
    from lesson.tools import export, settings
workers.warm()  # the training processes start while the learner reads: none waits for them
classroom.setup()  # the experiment in the link, the teacher's locks, presets

config = st.session_state.get(session.NETWORK, step3_network.LESSON)
runs: list = workspace.runs()  # the workspace's runs: stored ones and the one training now
current = runs[-1] if runs else None
active = current is not None and not current.finished
away = workspace.elsewhere(current)  # queued or training in another app process

# Hyperparameter -> widget key; the widgets start at the quick run.
KEYS = {"epochs": "train_epochs", "batch_size": "train_batch_size", "optimizer": "train_optimizer",
        "learning_rate": "train_learning_rate", "validation_split": "train_validation_split",
        "train_images": "train_images", "seed": "train_seed"}  # fmt: skip


AUGMENT, STRENGTH = "train_augment", "train_augmentation"  # the switch and its strength
EPOCHS = range(limits.EPOCH_RANGE[0], limits.EPOCH_RANGE[1] + 1)  # as links and presets allow


def use(hp) -> None:
    """Set every hyperparameter widget to `hp`."""
    for name, key in KEYS.items():
        st.session_state[key] = getattr(hp, name)
    st.session_state[AUGMENT] = hp.augmentation > 0
    st.session_state[STRENGTH] = hp.augmentation or 0.5


def chosen() -> "step4_training.Hyperparameters":
    """The hyperparameters on screen; no augmentation while its switch is off."""
    strength = st.session_state[STRENGTH] if st.session_state[AUGMENT] else 0.0
    return step4_training.Hyperparameters(
        **{name: st.session_state[key] for name, key in KEYS.items()}, augmentation=strength
    )


for name, key in KEYS.items():  # the widgets start at the learner's experiment
    st.session_state.setdefault(key, getattr(classroom.current().hp, name))
st.session_state.setdefault(AUGMENT, classroom.current().hp.augmentation > 0)
st.session_state.setdefault(STRENGTH, classroom.current().hp.augmentation or 0.5)


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


def start_run() -> None:
    """Train a new run with the hyperparameters on screen; it belongs to the workspace."""
    asked = classroom.holding(settings.Settings(config, chosen()))  # what is locked holds
    if workspace.start_run(m, asked.hp, asked.network) is None:  # a double click, another tab
        st.session_state["train_busy"] = True


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


@st.cache_data(show_spinner=False, max_entries=64)
def variants(index: int, strength: float, draw: int):
    """A training image and random variants of it: 0..1 arrays (the same for the same draw)."""
    from lesson import step4_augmentation

    return step4_augmentation.variants(m.x_train[index], strength, 5, seed=draw)


def another_draw() -> None:
    """The gallery shows another image and new random variants."""
    st.session_state.train_augment_draw = st.session_state.get("train_augment_draw", 0) + 1


def augmentation_section(disabled: bool) -> None:
    """Fit, augmented: what augmentation does to a digit, and the switch with its strength."""
    from lesson import step4_augmentation

    prose(PAGE, "augmentation")
    a1, a2 = st.columns([1, 2])
    a1.toggle(
        "Augment the training images",
        bool(now(AUGMENT)),
        key=AUGMENT,
        disabled=disabled,
        wrap=True,
    )
    a1.select_slider(
        "Strength",
        limits.AUGMENTATIONS[1:],
        now(STRENGTH, limits.AUGMENTATIONS[1:]),
        key=STRENGTH,
        disabled=disabled,  # set it before switching on, too (a greyed label is hard to read)
        help="1: turned up to ±20°, shifted up to ±3 pixels, zoomed ±20 %, strokes ±0.8 pixel; "
        "used when augmentation is switched on",
    )
    a1.button("Other variants", icon=":material/casino:", key="train_augment_again",
              on_click=another_draw)  # fmt: skip
    strength = st.session_state[STRENGTH] if st.session_state[AUGMENT] else 0.5
    draw = st.session_state.get("train_augment_draw", 0)
    index = draw % 100  # one of the first 100 training images, a new one on each press
    pictures = variants(index, strength, draw)
    with a2:
        st.image(
            [m.x_train[index]] + [p for p in pictures],
            caption=[f"x_train[{index}], a {m.y_train[index]}"]
            + [f"variant {i + 1}" for i in range(len(pictures))],
            width=84,
            clamp=True,
            alt=[f"Training image {index}, a handwritten {m.y_train[index]}"]
            + [f"Random variant {i + 1} of training image {index}" for i in range(len(pictures))],
        )
        a = step4_augmentation
        st.caption(
            f"The same training image and {len(pictures)} random variants at strength "
            f"{strength:g}: turned up to ±{a.MAX_DEGREES * strength:.0f}°, shifted up to "
            f"±{a.MAX_SHIFT * 28 * strength:.1f} pixels, zoomed up to "
            f"±{a.MAX_ZOOM * strength:.0%}, strokes thicker or thinner."
        )
    show_code(a.augmenter, a.RandomTurnZoomShift, a.RandomStrokeWidth,
              label="Show the code: augmentation")  # fmt: skip


# --- Compile --------------------------------------------------------------------------------------
optimizer = st.session_state[KEYS["optimizer"]]  # the choice below, which compile will use
prose(PAGE, "compile", optimizer=optimizer, rule=RULES[optimizer],
      learning_rate=f"{st.session_state[KEYS['learning_rate']]:g}")  # fmt: skip
show_code(step4_training.compile_model, label="Show the code: compile")

# --- Fit: the hyperparameters ---------------------------------------------------------------------
prose(PAGE, "hyperparameters")
st.markdown(
    f"Network: **{step3_network.describe(config)}**, "
    f"{step3_network.total_parameters(config):,} parameters (change it on the Build page)."
)
# The quick run's time as this server measured it for this network; no number until it has.
quick_seconds = measured_seconds(config, step4_training.QUICK)
presets = st.container(horizontal=True)  # buttons as wide as their labels; wraps
presets.button(
    "Quick run" + (f" (≈ {quick_seconds:.0f} s here)" if quick_seconds else ""),
    on_click=use,
    args=(step4_training.QUICK,),
    icon=":material/bolt:",
    disabled=active,
    key="train_quick",
    help="3 epochs, batch 64: enough for about 98 % in class",
)
presets.button(
    "The lesson's recipe",
    on_click=use,
    args=(step4_training.RECIPE,),
    icon=":material/menu_book:",
    disabled=active,
    key="train_recipe",
    help="10 epochs, batch 32, adam, all 60,000 images: the notebook's model.fit",
)
if kept := classroom.kept_by_lock(step4_training.QUICK, step4_training.RECIPE):
    st.caption(f":material/lock: Locked, so both buttons keep {kept}.")
c1, c2, c3 = st.columns(3)
c1.slider(
    "Epochs", *limits.EPOCH_RANGE, now(KEYS["epochs"], EPOCHS), key=KEYS["epochs"], disabled=active
)
c1.select_slider(
    "Batch size",
    limits.BATCH_SIZES,
    now(KEYS["batch_size"], limits.BATCH_SIZES),
    key=KEYS["batch_size"],
    disabled=active,
)
c2.segmented_control(
    "Optimizer",
    list(step4_training.OPTIMIZERS),
    default=now(KEYS["optimizer"], step4_training.OPTIMIZERS),
    required=True,
    key=KEYS["optimizer"],
    disabled=active,
)  # required: a second click on the chosen one keeps it (no rerun writing the key)
c2.select_slider(
    "Learning rate",
    limits.LEARNING_RATES,
    now(KEYS["learning_rate"], limits.LEARNING_RATES),
    format_func=lambda v: f"{v:g}",
    key=KEYS["learning_rate"],
    disabled=active,
    help="adam's usual value is 0.001; try 10 with sgd to see a network that learns nothing",
)
c3.select_slider(
    "Training images",
    limits.TRAIN_IMAGES,
    now(KEYS["train_images"], limits.TRAIN_IMAGES),
    format_func=lambda v: f"{v:,}",
    key=KEYS["train_images"],
    disabled=active,
    help="a random subset, for quick demos",
)
c3.slider(
    "Kept for validation",
    limits.VALIDATION_SPLITS[0],
    limits.VALIDATION_SPLITS[-1],
    now(KEYS["validation_split"], limits.VALIDATION_SPLITS),
    step=0.05,
    format="%.2f",
    key=KEYS["validation_split"],
    disabled=active,
)
number_box(c3, "Random seed", *limits.SEED_RANGE, KEYS["seed"], disabled=active)
augmentation_section(active)
hp = chosen()
classroom.remember(config, hp)  # the URL is this experiment
actions = st.container(horizontal=True)
actions.button(
    "Train",
    type="primary",
    icon=":material/play_arrow:",
    on_click=start_run,
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


# --- Training, live -------------------------------------------------------------------------------
@st.fragment(run_every=None if active or away else workspace.WATCH_EVERY)
def watch() -> None:
    """An idle page shows within seconds a run that another tab of the workspace started."""
    if active or away is not None:
        return  # the page shows the run already
    try:
        number = workspace.live_number()
    except storage.StoreError:
        return  # the database cannot tell now; the next look may
    # (The run on screen has ended here: its row may say "running" until its last save lands.)
    if number is not None and number != getattr(current, "number", None):
        st.rerun()  # the whole page: the run's progress, Stop, the controls it disables


@st.fragment(run_every=0.5 if active else (workspace.WATCH_EVERY if away else None))
def live() -> None:
    """The current run: queued, training (progress, Stop, growing curves) or finished."""
    run = runs[-1] if runs else None
    workspace.watching()  # a run someone watches is not left unattended
    if away is not None:
        run = workspace.runs()[-1]  # read again: its last whole epoch, or its end
        if workspace.elsewhere(run) is None:
            st.rerun()  # it ended: the whole page shows its results
        p = run.progress()
        st.progress(
            p["fraction"],
            text=f"{run.name}: epoch {p['epoch']} of {p['epochs']} (training in another app "
            "process)",
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


watch()
live()
prose(PAGE, "live")
show_code(*step4_training.FIT_CODE, label="Show the code: fit, with live curves")

# --- Evaluate -------------------------------------------------------------------------------------
# `active`, not `current.finished` again: a run that ends during this script run shows its
# results on the next (the live fragment starts it), never beside a Stop button drawn above.
if current is not None and not active and away is None:
    adopt(current)
    access.announce(access.run_news(current), "train", once=current.name)
    if current.status == "failed":
        st.error(current.message, icon=":material/error:")
    elif current.status == "interrupted":
        st.warning(
            f"{current.name}: {current.message} Its model keeps the weights of its last whole "
            f"epoch ({len(current.epochs)} of {current.hp.epochs}).",
            icon=":material/restart_alt:",
        )
    elif current.status == "stopped":
        st.warning(
            f"{current.message} The model keeps the weights it had: "
            f"{words.stopped_after(len(current.epochs))}.",
            icon=":material/stop_circle:",
        )
    elif why := step4_training.did_not_learn(current.test, current.hp, current.config):
        st.error(f"{finished(current)} {why}", icon=":material/trending_flat:")
    else:
        st.success(finished(current), icon=":material/check_circle:")
    not_posted(current)
    if current.test:
        t = current.test
        prose(PAGE, "results")
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
        show_code(step4_training.evaluate, label="Show the code: evaluate")
    if st.session_state.get(LEARNER_MODEL) is current.model and current.usable:
        st.caption(
            f"The other pages can now use **{st.session_state[LEARNER_MODEL_NAME]}**.",
        )

# --- The runs compared ----------------------------------------------------------------------------
done = [run for run in runs if run.finished and run.batches]
if len(done) >= 1:
    prose(PAGE, "compare")
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

# --- See the difference: robustness ---------------------------------------------------------------
ROBUST_IMAGES = 1_000  # test images per changed set: about a second per model


@st.cache_data(show_spinner=False)
def changed_sets() -> dict:
    """The fixed, seeded sets of changed test images, 0..1, and their labels."""
    from lesson import step4_robustness

    pick = step4_robustness.test_sample(m.y_test, ROBUST_IMAGES)
    x = m.x_test[pick]
    return {c.name: np.clip(step4_robustness.changed(x, c.name), 0, 255) / 255 for c in
            step4_robustness.CHANGES}, m.y_test[pick]  # fmt: skip


def robustness_of(net) -> dict[str, float]:
    """A model's accuracy on each changed set."""
    from lesson import step5_prediction

    sets, labels = changed_sets()
    return {name: float((step5_prediction.probabilities(net, x).argmax(1) == labels).mean())
            for name, x in sets.items()}  # fmt: skip


def robustness_section(done: list) -> None:
    """Accuracy on the test images as they are and changed, for each run, side by side."""
    from lesson import step4_robustness

    prose(PAGE, "robustness")
    models = [(run.name + (f", augmentation {run.hp.augmentation:g}" if run.hp.augmentation
               else ", no augmentation"), run.model) for run in done if run.usable]  # fmt: skip
    if not models:
        st.info("Train a run first: its model is what gets checked.", icon=":material/lightbulb:")
        return
    models.append(("the pre-trained model (augmentation 0.5)", pretrained_model()))
    kept = st.session_state.setdefault("train_robustness", {})
    missing = [(n, net) for n, net in models if (n, id(net)) not in kept]
    if missing and st.button("Check robustness", icon=":material/shield:", key="train_robust"):
        with st.spinner(
            f"Reading {ROBUST_IMAGES:,} × {len(step4_robustness.CHANGES)} test images…"
        ):
            for name, net in missing:
                kept[(name, id(net))] = robustness_of(net)
    shown = [(n, kept[(n, id(net))]) for n, net in models if (n, id(net)) in kept]
    if not shown:
        return
    fig = go.Figure()
    for i, (name, acc) in enumerate(shown):
        fig.add_trace(
            go.Bar(
                x=list(acc),
                y=list(acc.values()),
                name=name,
                marker_color=COLOURS[i % len(COLOURS)],
                hovertemplate="%{x}: %{y:.1%}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        title=f"Test accuracy on {ROBUST_IMAGES:,} test images, as they are and changed",
        xaxis_title="the test images",
        yaxis={"title": "accuracy", "tickformat": ".0%", "range": [0, 1]},
        barmode="group",
        height=380,
        legend={"orientation": "h", "y": -0.3},
    )
    chart(
        fig,
        "Grouped bar chart of accuracy for each change to the test images. "
        + " ".join(
            f"{name}: " + ", ".join(f"{k} {v:.1%}" for k, v in acc.items()) + "."
            for name, acc in shown
        ),
    )
    st.caption(" · ".join(f"**{c.name}**: {c.says}" for c in step4_robustness.CHANGES[1:]) + ".")
    show_code(
        step4_robustness.changed, step4_robustness.affine, label="Show the code: the changed images"
    )


if done:
    robustness_section(done)

# --- Take it home ---------------------------------------------------------------------------------
prose(PAGE, "export")
experiment = settings.Settings(config, hp)
downloads = st.container(horizontal=True)
downloads.download_button(
    "Python script (.py)",
    functools.partial(export.script, experiment),  # written when clicked, not at every run
    file_name="cnn_experiment.py",
    mime="text/x-python",
    icon=":material/download:",
    key="train_export_script",
    on_click="ignore",  # a download changes nothing on the page: no rerun
)
downloads.download_button(
    "Jupyter notebook (.ipynb)",
    functools.partial(export.notebook_text, experiment),
    file_name="cnn_experiment.ipynb",
    mime="application/x-ipynb+json",
    icon=":material/download:",
    key="train_export_notebook",
    on_click="ignore",  # a download changes nothing on the page: no rerun
)
show_code(export.steps, label="Show the code that writes the script")
shown = round(current.test["accuracy"], 4) if current is not None and current.test else None
classroom.exercises("train", ex.train(0.9898 if shown != 0.9898 else 0.97, hp))  # not on show
