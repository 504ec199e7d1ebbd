"""What the Mistakes page draws: the confusion matrix, accuracy per digit, a saliency map.

Each figure is built once for the same numbers (`pictures.drawn_once`) and never changed after:
a class looking at one model asks for the same figures again and again.
"""

import numpy as np
import plotly.graph_objects as go

from lesson.parts import pictures
from lesson.parts.inside_charts import outline

TICKS = [0, 1, 10, 100, 1000]


@pictures.drawn_once
def confusion_figure(matrix: np.ndarray, true_digit: int, pred_digit: int) -> go.Figure:
    """The 10×10 counts on a log colour scale, the chosen cell outlined; cells take clicks."""
    # The diagonal holds ~1000, the mistakes ~1–20: a log scale shows both.
    counts_scale = np.log10(matrix + 1)
    rr, cc = np.mgrid[0:10, 0:10]
    fig = go.Figure(
        [
            go.Heatmap(
                z=counts_scale, text=matrix, texttemplate="%{text}", textfont={"size": 11},
                colorscale="Blues", zmin=0, zmax=np.log10(1001), hoverinfo="skip",
                # Below the matrix, not beside it: on a phone the cells keep the width for "1135".
                colorbar={"title": {"text": "images", "side": "top"}, "orientation": "h",
                          "thickness": 12, "len": 0.8, "y": -0.22, "yanchor": "top",
                          "tickvals": np.log10(np.array(TICKS) + 1),
                          "ticktext": [str(t) for t in TICKS]},
            ),
            # Heatmaps send no click events in Streamlit: invisible markers on the cells take them.
            go.Scatter(
                x=cc.ravel(), y=rr.ravel(), mode="markers", showlegend=False,
                marker={"size": 36, "symbol": "square", "opacity": 0},
                customdata=np.stack([rr.ravel(), cc.ravel(), matrix.ravel()], axis=1),
                hovertemplate="true %{customdata[0]}, predicted %{customdata[1]}: "
                "%{customdata[2]} images<extra>click to see them</extra>",
            ),
        ],
        layout={
            "title": "Confusion matrix: 10,000 test images",
            "xaxis": {"title": "predicted digit", "dtick": 1, "range": [-0.5, 9.5],
                      "constrain": "domain", "showgrid": False},
            "yaxis": {"title": "true digit", "dtick": 1, "range": [9.5, -0.5],
                      "scaleanchor": "x", "showgrid": False, "constrain": "domain"},
            "height": 640, "clickmode": "event+select", "dragmode": False,
            "margin": {"l": 50, "r": 10, "t": 60, "b": 130},
        },
    )  # fmt: skip
    outline(fig, true_digit, pred_digit, 1)
    return fig


@pictures.drawn_once
def per_digit_figure(per_digit: np.ndarray) -> go.Figure:
    """Bars of the share of each digit's test images predicted right."""
    low = max(0.0, float(per_digit.min()) * 100 - 3)
    return go.Figure(
        go.Bar(
            x=list(range(10)), y=per_digit * 100, marker_color="#0072b2",
            text=[f"{a:.1%}" for a in per_digit], textposition="inside",
            insidetextanchor="end",  # inside the bar's top: the axis stops at 100 %
            hovertemplate="digit %{x}: %{y:.2f} %<extra></extra>",
        ),
        layout={
            "title": "Share of each digit's test images predicted right",
            "xaxis": {"title": "true digit", "dtick": 1},
            "yaxis": {"title": "accuracy (%)", "range": [low, 100]},
            "height": 380, "margin": pictures.MARGIN,
        },
    )  # fmt: skip


@pictures.drawn_once
def saliency_figure(gradient: np.ndarray, of: str, digit: int) -> go.Figure:
    """The gradient of the winning digit's `of` for each pixel, blue up, red down."""
    scale = pictures.symmetric(gradient)
    return go.Figure(
        go.Heatmap(
            z=gradient, colorscale=pictures.DIVERGING, zmin=-scale, zmax=scale, zmid=0,
            colorbar={"title": "gradient"},
            hovertemplate="row %{y}, column %{x}: %{z:.3g}<extra></extra>",
        ),
        layout={
            "title": f"Saliency: gradient of {of} of “{digit}”",
            "xaxis": {"title": "column", "showgrid": False, "constrain": "domain"},
            "yaxis": {"title": "row", "autorange": "reversed", "scaleanchor": "x",
                      "showgrid": False, "constrain": "domain"},
            "height": 420, "margin": pictures.MARGIN,
        },
    )  # fmt: skip
