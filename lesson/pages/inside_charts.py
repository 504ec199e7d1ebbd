"""What the look-inside pages draw: plotly maps with clickable cells, pictures, number tables."""

import base64
import functools
import html
import io

import numpy as np
import plotly.colors
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

DIVERGING = "RdBu"  # blue = positive, red = negative, white = 0; readable for colour-blind eyes
SEQUENTIAL = "Viridis"
HIGHLIGHT = "#e69f00"  # Okabe-Ito orange
GREY = "gray"


def symmetric(values) -> float:
    """The largest absolute value, so a diverging scale can run from −m to +m around 0."""
    m = float(np.nanmax(np.abs(values))) if np.size(values) else 1.0
    return m if m > 0 else 1.0


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


def small_maps(
    maps: list[np.ndarray], titles: list[str], title: str, numbers: bool = True,
    zmax: float | None = None, per_row: int = 8,
) -> go.Figure:  # fmt: skip
    """Small k×k heatmaps of weights side by side, each with its numbers, on one scale around 0."""
    m = zmax or symmetric(np.stack(maps))
    grids = [{"z": z, "title": t, "zmin": -m, "zmax": m} for z, t in zip(maps, titles, strict=True)]
    return tiles_figure(grids, title, per_row, numbers=numbers)


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


def cell_map(z: np.ndarray, title: str, mark: tuple[int, int], colorscale: str) -> go.Figure:
    """One (h, w) map whose cells can be clicked; the cell at mark (row, col) is outlined.

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
    return fig


def outline(fig: go.Figure, row: int, col: int, size: int, **where) -> None:
    """Draw an orange box around size×size cells starting at (row, col)."""
    fig.add_shape(
        type="rect", x0=col - 0.5, x1=col + size - 0.5, y0=row - 0.5, y1=row + size - 0.5,
        line={"color": HIGHLIGHT, "width": 3}, **where,
    )  # fmt: skip


def image_figure(image: np.ndarray, title: str, height: int = 420) -> go.Figure:
    """A 28×28 image in grey, 0 black to 1 white."""
    fig = go.Figure(
        go.Heatmap(
            z=image, colorscale=GREY, zmin=0, zmax=1, showscale=False,
            hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_yaxes(
        autorange="reversed", scaleanchor="x", title="row", showgrid=False, constrain="domain"
    )
    fig.update_xaxes(title="column", showgrid=False, constrain="domain")
    fig.update_layout(title=title, height=height)
    return fig


INK, PAPER = (31, 41, 51), (251, 250, 247)  # the app theme's text and background colours


def grid_picture(
    z: np.ndarray, box: tuple[int, int, int] | None = None, scale: str = GREY,
    low: float = 0.0, high: float = 1.0, px: int = 11,
) -> Image.Image:  # fmt: skip
    """One (h, w) grid as a picture with row and column numbers, and an orange box on it.

    `box` is (row, column, size): size×size cells from there. A picture, not a plotly chart:
    it repaints at once when the box moves or the grid changes.
    """
    left, top = 46, 44
    h, w = z.shape
    canvas = Image.new("RGB", (left + w * px + 8, top + h * px + 8), PAPER)
    rgb = coloured(z, scale, low, high).repeat(px, axis=0).repeat(px, axis=1)
    canvas.paste(Image.fromarray(rgb), (left, top))
    draw, font = ImageDraw.Draw(canvas), ImageFont.load_default(size=13)
    draw.text((left + w * px / 2, 2), "column", fill=INK, font=font, anchor="ma")
    draw.text((4, 2), "row", fill=INK, font=font)
    step = 5 if max(h, w) > 15 else 2
    for t in range(0, max(h, w), step):
        if t < w:
            draw.text((left + (t + 0.5) * px, top - 4), str(t), fill=INK, font=font, anchor="ms")
        if t < h:
            draw.text((left - 6, top + (t + 0.5) * px), str(t), fill=INK, font=font, anchor="rm")
    if box is not None:
        row, col, k = box
        edges = [
            left + col * px - 1,
            top + row * px - 1,
            left + (col + k) * px,
            top + (row + k) * px,
        ]
        draw.rectangle(edges, outline=HIGHLIGHT, width=3)
    return canvas


def coloured(z: np.ndarray, scale: str, low: float, high: float) -> np.ndarray:
    """Values → (..., 3) RGB bytes on a colour scale, `low` at one end and `high` at the other."""
    t = np.clip((np.nan_to_num(z, nan=low) - low) / ((high - low) or 1.0), 0, 1)
    return palette(scale)[np.round(t * 255).astype(int)].astype("uint8")


def maps_picture(maps: np.ndarray, labels: list[str], per_row: int = 8, width: int = 780):
    """Many (h, w) maps as one picture: tiles with their labels, one colour bar, axis words.

    A picture, not a plotly chart: a new digit repaints it in a few milliseconds.
    """
    n, h, w = maps.shape
    negative = float(maps.min()) < 0
    scale, high = (DIVERGING, symmetric(maps)) if negative else (SEQUENTIAL, symmetric(maps))
    low = -high if negative else 0.0
    cols, rows = min(per_row, n), -(-n // min(per_row, n))
    tile = min(140, max(88, (width - 100) // cols - 12))  # few maps: bigger tiles
    px = max(1, tile // max(h, w))  # pixels per cell
    gap, top, left, bar = 12, 20, 34, 64  # label line above each tile; colour bar on the right
    width = left + cols * (w * px + gap) + bar
    height = rows * (top + h * px + gap) + 22
    canvas = Image.new("RGB", (width, height), PAPER)
    draw, font = ImageDraw.Draw(canvas), ImageFont.load_default(size=13)
    for i in range(n):
        r, c = divmod(i, cols)
        x, y = left + c * (w * px + gap), r * (top + h * px + gap) + top
        rgb = coloured(maps[i], scale, low, high).repeat(px, axis=0).repeat(px, axis=1)
        canvas.paste(Image.fromarray(rgb), (x, y))
        draw.text((x + w * px / 2, y - 3), labels[i], fill=INK, font=font, anchor="ms")
    draw.text((left + cols * (w * px + gap) / 2, height - 4), "column", fill=INK, font=font,
              anchor="ms")  # fmt: skip
    draw.text((2, top + h * px / 2), "row", fill=INK, font=font, anchor="lm")
    x0, y0, y1 = width - bar + 4, top, height - 30  # the colour bar, high at the top
    ramp = np.linspace(high, low, max(2, y1 - y0))[:, None].repeat(14, axis=1)
    canvas.paste(Image.fromarray(coloured(ramp, scale, low, high)), (x0, y0))
    for value, y in ((high, y0), ((high + low) / 2, (y0 + y1) / 2), (low, y1)):
        draw.text((x0 + 18, y), f"{value:.2f}", fill=INK, font=font, anchor="lm")
    return canvas


def picture_html(picture: Image.Image, alt: str) -> str:
    """An inline <img>: no second request; its size set, so nothing below moves as it decodes."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)  # twice as fast as the default, ~as small
    data = base64.b64encode(buffer.getvalue()).decode()
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        f'width="{picture.width}" height="{picture.height}" style="max-width:100%;height:auto">'
    )


def picked_cell(event) -> tuple[int, int] | None:
    """The (row, column) of the clicked cell marker of a plotly selection event, if any."""
    try:
        point = event["selection"]["points"][0]
        return int(point["y"]), int(point["x"])  # the markers sit at (column, row)
    except (KeyError, IndexError, TypeError, ValueError):
        return None


@functools.cache
def palette(scale: str) -> np.ndarray:
    """256 RGB colours along a named plotly colour scale, from its low end to its high end."""
    colours = plotly.colors.sample_colorscale(
        plotly.colors.get_colorscale(scale), list(np.linspace(0, 1, 256))
    )
    return np.array([plotly.colors.unlabel_rgb(c) for c in colours]).round().astype(int)


def cell_colours(value: float, scale: str, low: float, high: float) -> str:
    """Inline CSS for one table cell: its value's colour on the scale, and text readable on it."""
    r, g, b = (int(c) for c in coloured(np.array(value), scale, low, high))
    # Black or white, whichever contrasts more (WCAG): on any colour one of them reaches 4.5:1.
    light = relative_luminance((r, g, b))
    ink = "#000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#fff"
    return f"background:rgb({r},{g},{b});color:{ink}"


def relative_luminance(rgb) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour given as 0–255 values."""
    c = np.asarray(rgb, dtype=float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


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
