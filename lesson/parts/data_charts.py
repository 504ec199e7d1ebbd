"""What the data page draws: one image as 28 × 28 numbers, and the images per digit."""

import numpy as np
import plotly.graph_objects as go

from lesson.parts import pictures


@pictures.drawn_once  # a class on the same image and row: the same figure, built once
def pixels_figure(image: np.ndarray, index: int, label: int, row: int) -> go.Figure:
    """A training image's 784 values as a grey heatmap with its numbers, one row outlined."""
    return go.Figure(
        go.Heatmap(
            z=image,
            text=image,
            texttemplate="%{text}",
            textfont={"size": 9},
            colorscale="gray",
            zmin=0,
            zmax=255,
            hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>",
        ),
        layout={  # one dict, not update_layout() calls: each of those costs the server ~2 ms
            "title": f"Training image {index} (label {label}) as 28 × 28 numbers",
            "height": 760,
            "xaxis": {"title": "column", "dtick": 1, "tickfont_size": 9},
            "yaxis": {
                "title": "row",
                "dtick": 1,
                "tickfont_size": 9,
                "autorange": "reversed",
                "scaleanchor": "x",
            },
            "shapes": [
                {
                    "type": "rect",
                    "x0": -0.5,
                    "x1": 27.5,
                    "y0": row - 0.5,
                    "y1": row + 0.5,
                    "line_color": pictures.HIGHLIGHT,
                }
            ],
            "margin": pictures.MARGIN,  # as chart() sets it: shown, never changed
        },
    )


@pictures.drawn_once
def counts_figure(train_counts: np.ndarray, test_counts: np.ndarray) -> go.Figure:
    """Grouped bars: how many training and test images show each digit."""
    return go.Figure(
        [
            go.Bar(name="training set", x=list(range(10)), y=train_counts, marker_color="#0072b2"),
            go.Bar(name="test set", x=list(range(10)), y=test_counts, marker_color="#e69f00"),
        ],
        layout={
            "title": "Images per digit",
            "barmode": "group",
            "xaxis": {"title": "digit", "dtick": 1},
            "yaxis": {"title": "images"},
            "height": 380,
            "margin": pictures.MARGIN,
        },
    )
