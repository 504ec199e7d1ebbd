"""What the Build page draws: the parameters to learn, with and without convolution."""

import plotly.graph_objects as go

from lesson.parts import pictures


@pictures.drawn_once  # a class building the lesson's network: the same figure, built once
def parameters_figure(rows: list, plain: list) -> tuple[go.Figure, dict[str, int]]:
    """Stacked bars of each layer's parameters: the learner's network and one without
    convolution (`rows` and `plain`, rows of `step3_network.layer_table`); and both totals."""
    networks = {"your network": rows, "without convolution": plain}
    fig = go.Figure()
    for kind in ("Conv2D", "Dense"):
        for name in dict.fromkeys(r.name for t in networks.values() for r in t if r.kind == kind):
            counts = [next((r.params for r in t if r.name == name), 0) for t in networks.values()]
            fig.add_trace(
                go.Bar(
                    y=list(networks), x=counts, name=name, orientation="h",
                    marker_color=pictures.LAYER_COLOURS[kind],
                    marker_line={"color": "white", "width": 1},
                    hovertemplate=f"{name}: %{{x:,}} parameters<extra></extra>",
                )
            )  # fmt: skip
    totals = {label: sum(r.params for r in t) for label, t in networks.items()}
    for label, n in totals.items():
        fig.add_annotation(
            x=n, y=label, text=f" {n:,}", showarrow=False, xanchor="left", font={"size": 14}
        )
    fig.update_layout(
        title="Parameters to learn, layer by layer",
        barmode="stack",
        height=260,
        xaxis_title="parameters",
        yaxis_title="network",
        yaxis_autorange="reversed",
        legend={"traceorder": "normal"},
        showlegend=False,
        xaxis_range=[0, max(totals.values()) * 1.18],
        margin=pictures.MARGIN,  # as chart() sets it: shown, never changed
    )
    return fig, totals
