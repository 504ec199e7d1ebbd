"""The Train page's robustness check: each run's accuracy on test images as they are and changed."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lesson import step4_robustness, step5_prediction
from lesson.parts.common import chart, mnist, pretrained_model
from lesson.parts.run_display import COLOURS

IMAGES = 1_000  # test images per changed set: about a second per model


@st.cache_data(show_spinner=False)
def changed_sets() -> dict:
    """The fixed, seeded sets of changed test images, 0..1, and their labels."""
    m = mnist()
    pick = step4_robustness.test_sample(m.y_test, IMAGES)
    x = m.x_test[pick]
    return {c.name: np.clip(step4_robustness.changed(x, c.name), 0, 255) / 255 for c in
            step4_robustness.CHANGES}, m.y_test[pick]  # fmt: skip


def robustness_of(net) -> dict[str, float]:
    """A model's accuracy on each changed set."""
    sets, labels = changed_sets()
    return {name: float((step5_prediction.probabilities(net, x).argmax(1) == labels).mean())
            for name, x in sets.items()}  # fmt: skip


def check(done: list) -> bool:
    """The runs' models and the pre-trained one, checked at a press, side by side in a chart.

    Returns whether the chart is shown.
    """
    models = [(run.name + (f", augmentation {run.hp.augmentation:g}" if run.hp.augmentation
               else ", no augmentation"), run.model) for run in done if run.usable]  # fmt: skip
    if not models:
        st.info("Train a run first: its model is what gets checked.", icon=":material/lightbulb:")
        return False
    models.append(("the pre-trained model (augmentation 0.5)", pretrained_model()))
    kept = st.session_state.setdefault("train_robustness", {})
    missing = [(n, net) for n, net in models if (n, id(net)) not in kept]
    if missing and st.button("Check robustness", icon=":material/shield:", key="train_robust"):
        with st.spinner(f"Reading {IMAGES:,} × {len(step4_robustness.CHANGES)} test images…"):
            for name, net in missing:
                kept[(name, id(net))] = robustness_of(net)
    shown = [(n, kept[(n, id(net))]) for n, net in models if (n, id(net)) in kept]
    if not shown:
        return False
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
        title=f"Test accuracy on {IMAGES:,} test images, as they are and changed",
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
    return True
