"""What the class board draws: test accuracy against one setting, a colour per optimizer."""

import plotly.graph_objects as go

from lesson.machinery import classes
from lesson.parts import pictures
from lesson.tools import limits

COLOURS = {"adam": "#0072b2", "sgd": "#e69f00", "rmsprop": "#009e73"}  # Okabe-Ito
CHARTS = [  # (row key, axis title, the app's values as ticks, or None)
    ("learning_rate", "learning rate", "LEARNING_RATES"),
    ("batch_size", "batch size", "BATCH_SIZES"),
    ("parameters", "parameters", None),
    ("train_images", "training images", "TRAIN_IMAGES"),
]


@pictures.drawn_once  # a board refreshing with no new post: the same figures, not built again
def scatter(table: list[dict], x: str, label: str, ticks: str | None) -> tuple[go.Figure, str]:
    """Test accuracy against one setting, a colour per optimizer, on a log axis; and its words."""
    fig = go.Figure()
    for optimizer, colour in COLOURS.items():
        points = [r for r in table if r["optimizer"] == optimizer and r["accuracy"] is not None]
        if not points:
            continue
        fig.add_trace(
            go.Scatter(
                x=[r[x] for r in points],
                y=[100 * r["accuracy"] for r in points],
                mode="markers",
                name=optimizer,
                marker={"color": colour, "size": 11, "line": {"width": 1, "color": "#000"}},
                text=[r["who"] for r in points],
                hovertemplate="%{text}<br>" + label + " %{x}<br>test accuracy %{y:.2f} %",
            )
        )
    xaxis = {"title": {"text": label}, "type": "log"}
    if ticks:
        values = list(getattr(limits, ticks))
        xaxis.update(tickvals=values, ticktext=[f"{v:g}" for v in values])
    fig.update_layout(
        title=f"Test accuracy against {label}",
        xaxis=xaxis,
        yaxis={"title": {"text": "test accuracy (%)"}},
        legend={"title": {"text": "optimizer"}},
        height=340,
        margin=pictures.MARGIN,  # as chart() sets it: shown, never changed
    )
    return fig, classes.trend_text(table, x, label)
