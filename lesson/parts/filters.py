"""The Inside page's filters: the first layer's (replayed epoch by epoch) and the deeper grids."""

import numpy as np
import streamlit as st

from lesson import step6_inside
from lesson.parts import facts, pictures, session
from lesson.parts import inside_charts as charts
from lesson.parts.common import LEARNER_MODEL, chart, clamped, prose, show_code, table
from lesson.tools import words

PAGE = "p6_inside"  # whose prose the filters tell


@st.fragment  # the epoch slider redraws only the filters
def section(net) -> None:
    """The first layer's filters (per epoch of the last run) and the deeper layers' grids."""
    runs = st.session_state.get(session.RUNS) or []
    run = next((r for r in reversed(runs) if getattr(r, "model", None) is net), None)
    snapshots = list(getattr(run, "snapshots", None) or []) if run is not None else []
    shapes = [k.shape for k in step6_inside.filters(net)]
    if snapshots and [np.shape(k) for k in snapshots[-1]] != shapes:
        snapshots = []  # never expected: the snapshots come from this very model
    if snapshots:  # the run that trained the model on show: every section shows that model
        prose(PAGE, "epochs")
        epoch = 0
        if len(snapshots) > 1:  # a slider needs two ends: the run has finished an epoch
            clamped("inside_epoch", len(snapshots) - 1, default=len(snapshots) - 1)
            epoch = st.slider("After epoch", 0, len(snapshots) - 1, key="inside_epoch")
        history = snapshots
        when = f"{step6_inside.snapshot_label(epoch, len(run.epochs))}, {run.name}"
    else:
        history, epoch, when = [step6_inside.filters(net)], 0, "now"
        mine = st.session_state.get(LEARNER_MODEL)
        if mine is not None and net is not mine:
            st.caption(
                ":material/info: These are the pre-trained model's filters. The epoch slider "
                "replays your own runs: choose your model above."
            )
        else:
            st.caption(
                ":material/info: No training run to replay yet, so these are the model's current "
                "filters. Train your own network and the slider here replays its epochs."
            )
    training_now = next((r for r in runs if not getattr(r, "finished", True)), None)
    if training_now is not None:
        st.caption(
            f":material/hourglass_top: {training_now.name} is still training: once it "
            "finishes it becomes your model, and its epochs can be replayed here."
        )
    kernels = history[epoch]  # one (k, k, in, out) array per conv layer

    first = kernels[0]
    k, _, _, n = first.shape
    scale = pictures.symmetric(np.concatenate([h[0].ravel() for h in history]))  # every epoch
    fig = charts.small_maps(
        [first[:, :, 0, f] for f in range(n)],
        [f"filter {f + 1}" for f in range(n)],
        f"Layer 1: {'the ' * (n > 1)}{words.plural(n, 'filter')} ({k}×{k}) {when}",
        numbers=k <= 5 and n <= 8,
        zmax=scale,
        per_row=3 if n <= 6 else 8,
    )
    chart(
        fig,
        f"{words.plural(n, 'heatmap')} of {k}×{k} weights {when}; blue is positive, red negative, "
        f"white 0. The weights range from {first.min():.2f} to {first.max():.2f}; the table "
        "below lists them.",
    )
    with st.expander("The first layer's weights as a table"):
        weights = [
            {"filter": f + 1}
            | {f"row {r}, col {c}": f"{first[r, c, 0, f]:.3f}" for r in range(k) for c in range(k)}
            for f in range(n)
        ]
        st.markdown(table(weights, right=tuple(weights[0])))

    if len(kernels) > 1:
        prose(PAGE, "deeper", **facts.deeper(net))
        names = [f"layer {i + 1} ({words.plural(w.shape[3], 'filter')} × "
                 f"{words.plural(w.shape[2], 'input channel')})"
                 for i, w in enumerate(kernels)][1:]  # fmt: skip
        which = 1
        if len(kernels) > 2:
            which = 1 + names.index(st.selectbox("Layer", names, key="inside_deep_layer"))
        w = kernels[which]  # (k, k, in, out)
        kk, _, channels, outs = w.shape
        title = (
            f"Layer {which + 1}: {words.plural(outs, 'filter')} × "
            f"{words.plural(channels, 'input channel')} {when}"
        )
        fig = charts.weights_figure(w, title)
        chart(
            fig,
            f"A grid of {outs} × {channels} small {kk}×{kk} heatmaps: column = filter, row = the "
            f"input channel it reads; weights from {w.min():.2f} to {w.max():.2f}.",
        )
    show_code(step6_inside.filters)
