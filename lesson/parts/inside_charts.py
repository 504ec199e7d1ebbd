"""What the Inside page draws besides pictures: plotly maps with clickable cells, number tables."""

import numpy as np
import plotly.graph_objects as go

from lesson.parts import pictures
from lesson.parts.pictures import DIVERGING, GREY, HIGHLIGHT, SEQUENTIAL, cell_colours, symmetric


def tiles_figure(
    grids: list[dict], title: str, per_row: int, numbers: bool = True, cell_px: int = 60,
    gap: float = 1.0, text_size: int = 11, width_px: int = 640,
) -> go.Figure:  # fmt: skip
    """Small heatmaps side by side on one pair of axes (fast: no subplots), each titled.

    Each grid is a dict with z, title and optionally colorscale, zmin, zmax.
    """
    h, w = grids[0]["z"].shape
    cols = min(per_row, len(grids))
    rows = -(-len(grids) // cols)
    traces, notes = [], []
    for i, g in enumerate(grids):
        r, c = divmod(i, cols)
        x0, y0 = c * (w + gap), r * (h + gap + 0.6)
        scale = g.get("colorscale", DIVERGING)
        z = g["z"]
        tidy = np.where(np.abs(z) < 0.005, 0, z)  # no "-0.00"
        traces.append(
            go.Heatmap(
                z=z, x0=x0, y0=y0, text=np.char.mod("%.2f", tidy) if numbers else None,
                texttemplate="%{text}" if numbers else None, textfont={"size": text_size},
                colorscale=scale, zmin=g.get("zmin"), zmax=g.get("zmax"),
                zmid=0 if scale == DIVERGING else None, showscale=i == 0,
                colorbar={"title": "value", "len": 0.9},
                customdata=np.stack(np.mgrid[0:h, 0:w], axis=-1),
                hovertemplate=f"{g['title']}, row %{{customdata[0]}}, column %{{customdata[1]}}: "
                "%{z:.4f}<extra></extra>",
            )
        )  # fmt: skip
        notes.append(
            {"x": x0 + (w - 1) / 2, "y": y0 - 0.55, "text": g["title"], "showarrow": False,
             "yanchor": "bottom", "font": {"size": 12}}
        )  # fmt: skip
    fig = go.Figure(traces, layout={"annotations": notes, "title": title})
    square_cells(fig)
    fig.update_layout(
        height=int(120 + rows * (h + gap + 0.6) * min(cell_px, width_px / (cols * (w + gap)))),
        xaxis_showgrid=False, yaxis_showgrid=False,
        xaxis_zeroline=False, yaxis_zeroline=False,
    )  # fmt: skip
    return fig


@pictures.drawn_once  # a class looking at one model: the same figure again, not built again
def small_maps(
    maps: list[np.ndarray], titles: list[str], title: str, numbers: bool = True,
    zmax: float | None = None, per_row: int = 8,
) -> go.Figure:  # fmt: skip
    """Small k×k heatmaps of weights side by side, each with its numbers, on one scale around 0."""
    m = zmax or symmetric(np.stack(maps))
    grids = [{"z": z, "title": t, "zmin": -m, "zmax": m} for z, t in zip(maps, titles, strict=True)]
    fig = tiles_figure(grids, title, per_row, numbers=numbers)
    return fig.update_layout(margin=pictures.MARGIN)  # as chart() sets it: shown, not changed


@pictures.drawn_once  # a class looking at one model: the same figure again, not built again
def weights_figure(w: np.ndarray, title: str) -> go.Figure:
    """A conv layer's (k, k, in, out) weights as a grid of k×k heatmaps: filters across, input
    channels down."""
    kk, _, channels, outs = w.shape
    tiles = np.stack([w[:, :, c, f] for c in range(channels) for f in range(outs)])
    fig = maps_figure(tiles, title, [], per_row=outs, colorscale=DIVERGING)
    fig.update_xaxes(
        showticklabels=True, title="filter",
        tickvals=[f * (kk + 1) + (kk - 1) / 2 for f in range(outs)],
        ticktext=[str(f + 1) for f in range(outs)],
    )  # fmt: skip
    fig.update_yaxes(
        showticklabels=True, title="input channel (feature map of the layer before)",
        tickvals=[c * (kk + 1) + (kk - 1) / 2 for c in range(channels)],
        ticktext=[str(c + 1) for c in range(channels)],
    )  # fmt: skip
    return fig.update_layout(margin=pictures.MARGIN)  # as chart() sets it: shown, not changed


def mosaic(maps: np.ndarray, per_row: int, row_gap: int = 1) -> tuple[np.ndarray, int, int]:
    """Tile (n, h, w) maps into one 2-D array with blank cells between them."""
    n, h, w = maps.shape
    cols = min(per_row, n)
    rows = -(-n // cols)
    z = np.full((rows * (h + row_gap) - row_gap, cols * (w + 1) - 1), np.nan, dtype="float32")
    for i in range(n):
        r, c = divmod(i, cols)
        z[r * (h + row_gap) : r * (h + row_gap) + h, c * (w + 1) : c * (w + 1) + w] = maps[i]
    return z, rows, cols


def maps_figure(
    maps: np.ndarray, title: str, labels: list[str], per_row: int = 8,
    colorscale: str | None = None, width_px: int = 640,
) -> go.Figure:  # fmt: skip
    """Many (h, w) maps as one tiled heatmap, each labelled; one shared colour scale."""
    n, h, w = maps.shape
    cols = min(per_row, n)
    unit = min(12, width_px / (cols * (w + 1)))  # pixels per cell
    gap = max(1, int(np.ceil(18 / unit))) if labels else 1  # room for the labels between rows
    z, rows, cols = mosaic(maps, per_row, gap)
    negative = float(np.nanmin(maps)) < 0
    colorscale = colorscale or (DIVERGING if negative else SEQUENTIAL)
    m = symmetric(maps)
    notes = [
        {"x": (i % cols) * (w + 1) + (w - 1) / 2, "y": (i // cols) * (h + gap) - 0.6,
         "text": label, "showarrow": False, "yanchor": "bottom", "font": {"size": 12}}
        for i, label in enumerate(labels)
    ]  # fmt: skip
    heatmap = go.Heatmap(
        z=z, colorscale=colorscale, zmin=-m if negative else 0, zmax=m,
        zmid=0 if negative else None, colorbar={"title": "value"}, hoverinfo="skip",
    )  # fmt: skip
    fig = go.Figure(
        heatmap,
        layout={
            "title": title, "annotations": notes,
            "height": int(130 + rows * (h + gap) * unit),
        },
    )  # fmt: skip
    square_cells(fig)
    fig.update_layout(
        xaxis_showgrid=False, yaxis_showgrid=False, xaxis_zeroline=False, yaxis_zeroline=False
    )
    return fig


@pictures.drawn_once  # the same map, cell and version again: the same figure, not built again
def cell_map(
    z: np.ndarray, title: str, mark: tuple[int, int], colorscale: str, version: int = 0
) -> go.Figure:
    """One (h, w) map whose cells can be clicked; the cell at mark (row, col) is outlined.

    `version` goes into the layout's meta: a new version makes the browser draw the chart again.

    A clickable map marks its cell by selecting it: a click then marks the new cell in the
    browser at once, and the page need not send (and plotly redraw) the chart again.
    """
    h, w = z.shape
    rr, cc = np.mgrid[0:h, 0:w]
    negative = float(z.min()) < 0
    m = symmetric(z)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=colorscale,
            zmin=-m if negative else 0,
            zmax=m,
            zmid=0 if negative else None,
            colorbar={"title": "value"},
            hoverinfo="skip",  # the markers below say the values
        )
    )
    fig.update_yaxes(
        range=[h - 0.5, -0.5], scaleanchor="x", title="row", showgrid=False, constrain="domain"
    )
    fig.update_xaxes(range=[-0.5, w - 0.5], title="column", showgrid=False, constrain="domain")
    fig.update_layout(title=title, height=420)
    # Plotly heatmaps send no selection events, so a square marker on every cell takes the
    # click. Only the selected one is drawn: an orange outline.
    fig.add_trace(
        go.Scatter(
            x=cc.ravel(),
            y=rr.ravel(),
            mode="markers",
            marker={"size": max(4, 300 // max(h, w)), "symbol": "square-open", "opacity": 0,
                    "color": HIGHLIGHT, "line": {"width": 3}},
            selectedpoints=[mark[0] * w + mark[1]],
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 0}},
            customdata=np.stack([rr.ravel(), cc.ravel(), z.ravel()], axis=1),
            hovertemplate="row %{customdata[0]}, column %{customdata[1]}: "
            "%{customdata[2]:.3f}<extra>click to choose</extra>",
            showlegend=False,
        )
    )  # fmt: skip
    # Streamlit would otherwise set these in the browser and draw the chart a second time.
    fig.update_layout(clickmode="event+select", hovermode="closest", dragmode="pan")
    fig.layout.margin, fig.layout.meta = pictures.MARGIN, {"version": version}  # see chart()
    return fig


def outline(fig: go.Figure, row: int, col: int, size: int, **where) -> None:
    """Draw an orange box around size×size cells starting at (row, col)."""
    fig.add_shape(
        type="rect", x0=col - 0.5, x1=col + size - 0.5, y0=row - 0.5, y1=row + size - 0.5,
        line={"color": HIGHLIGHT, "width": 3}, **where,
    )  # fmt: skip


def picked_cell(event) -> tuple[int, int] | None:
    """The (row, column) of the clicked cell marker of a plotly selection event, if any."""
    try:
        point = event["selection"]["points"][0]
        return int(point["y"]), int(point["x"])  # the markers sit at (column, row)
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def number_table(
    z: np.ndarray, title: str, scale: str, low: float, high: float, rows: list, cols: list
) -> str:
    """One small grid of numbers as an HTML table, each cell coloured by its value."""
    th = 'style="font-weight:400;font-size:0.8rem;opacity:0.75;padding:0 0.3rem"'
    td = "width:3.3rem;height:2.4rem;text-align:center;border:2px solid #fff;font-size:0.95rem"
    head = "".join(f"<th scope='col' {th}>{c}</th>" for c in cols)
    body = "".join(
        f"<tr><th scope='row' {th}>{rows[i]}</th>"
        + "".join(
            f"<td style='{td};{cell_colours(v, scale, low, high)}'>{v:.3f}</td>"
            for v in np.where(np.abs(line) < 5e-4, 0.0, line)  # no "-0.000"
        )
        + "</tr>"
        for i, line in enumerate(z)
    )
    return (
        "<table style='border-collapse:collapse;margin:0'>"
        f"<caption style='caption-side:top;font-weight:600;text-align:left'>{title}</caption>"
        f"<tr><th></th>{head}</tr>{body}</table>"
    )


def arithmetic_html(
    patch: np.ndarray, weights: np.ndarray, products: np.ndarray, f: int, first: tuple[int, int]
) -> str:
    """The input patch, the filter and their element-wise products as three coloured tables.

    Tables, not a chart: they are their own text equivalent and cost the browser almost nothing
    to redraw, so a click updates them at once. `first` is the patch's top-left image pixel.
    """
    k = patch.shape[0]
    rows = [f"row {first[0] + i}" if 0 <= first[0] + i < 28 else "pad" for i in range(k)]
    cols = [f"col {first[1] + j}" if 0 <= first[1] + j < 28 else "pad" for j in range(k)]
    own = [f"{i + 1}" for i in range(k)]
    m, p = symmetric(weights), symmetric(products)
    sign = "<span aria-hidden='true' style='font-size:1.8rem;padding:1.2rem 0.4rem 0'>{}</span>"
    unit = "<div style='display:flex;align-items:center'>{}{}</div>"  # a sign stays by its table
    return (
        "<div style='display:flex;flex-wrap:wrap;align-items:center;gap:0.4rem 0.3rem;"
        "font-variant-numeric:tabular-nums;margin-bottom:0.5rem'>"
        + number_table(patch, "input patch (pixels)", GREY, 0.0, 1.0, rows, cols)
        + unit.format(
            sign.format("×"),
            number_table(weights, f"filter {f + 1} (weights)", DIVERGING, -m, m, own, own),
        )
        + unit.format(
            sign.format("="),
            number_table(products, "patch × filter, cell by cell", DIVERGING, -p, p, rows, cols),
        )
        + "</div>"
    )


def square_cells(fig: go.Figure) -> None:
    """Rows down and columns across, with square pixels and no tick numbers."""
    fig.update_yaxes(
        autorange="reversed", scaleanchor="x", showticklabels=False, title="row",
        constrain="domain",
    )  # fmt: skip
    fig.update_xaxes(showticklabels=False, title="column", constrain="domain")
