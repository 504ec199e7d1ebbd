"""The app's colours, and the pictures the server draws: a digit, a grid with row and column
numbers, many feature maps, the shape flow. Pictures, not plotly charts: they repaint at once."""

import base64
import collections
import dataclasses
import functools
import hashlib
import html
import io
import math
import threading
import weakref

import numpy as np
import plotly.colors
from PIL import Image, ImageDraw, ImageFont
from plotly.basedatatypes import BaseFigure

from lesson.parts import workarounds

DIVERGING = "RdBu"  # blue = positive, red = negative, white = 0; readable for colour-blind eyes
SEQUENTIAL = "Viridis"
HIGHLIGHT = "#e69f00"  # Okabe-Ito orange
GREY = "gray"
INK, PAPER = (31, 41, 51), (251, 250, 247)  # the app theme's text and background colours
LAYER_COLOURS = {"Input": "#666666", "Conv2D": "#0072b2", "MaxPooling2D": "#009e73",
                 "Dropout": "#cc79a7", "Flatten": "#e69f00", "Dense": "#d55e00"}  # fmt: skip


MARGIN = {"l": 60, "r": 20, "t": 60, "b": 50}  # every plotly chart's, in pixels
DRAWN_KEPT = 128  # pictures kept per kind: a class looks at the same digits and maps


def _fingerprint(key, value) -> None:
    """Feed a value into a hash by its contents: arrays by their numbers (repr abbreviates)."""
    if isinstance(value, np.ndarray):
        key.update(f"array{value.dtype}{value.shape}".encode())
        key.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (list, tuple)):
        key.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _fingerprint(key, item)
    elif dataclasses.is_dataclass(value):  # e.g. a player's frames: field by field
        key.update(type(value).__name__.encode())
        for field in dataclasses.fields(value):
            _fingerprint(key, getattr(value, field.name))
    else:
        key.update(repr(value).encode())


def drawn_once(draw):
    """Keep the pictures `draw` made: the same numbers again give the same picture at once."""
    kept: collections.OrderedDict[bytes, object] = collections.OrderedDict()
    lock = threading.Lock()

    @functools.wraps(draw)
    def remembered(*args, **kwargs):
        key = hashlib.blake2b(digest_size=16)
        _fingerprint(key, (args, sorted(kwargs.items())))
        digest = key.digest()
        with lock:
            if digest in kept:
                kept.move_to_end(digest)
                return kept[digest]
        picture = draw(*args, **kwargs)
        for part in picture if isinstance(picture, tuple) else (picture,):
            if isinstance(part, BaseFigure):  # shared and never changed: its JSON neither
                workarounds.encode_once(part)
        with lock:
            kept[digest] = picture
            while len(kept) > DRAWN_KEPT:
                kept.popitem(last=False)
        return picture

    return remembered


def symmetric(values) -> float:
    """The largest absolute value, so a diverging scale can run from −m to +m around 0."""
    m = float(np.nanmax(np.abs(values))) if np.size(values) else 1.0
    return m if m > 0 else 1.0


@functools.cache
def palette(scale: str) -> np.ndarray:
    """256 RGB colours along a named plotly colour scale, from its low end to its high end."""
    colours = plotly.colors.sample_colorscale(
        plotly.colors.get_colorscale(scale), list(np.linspace(0, 1, 256))
    )
    return np.array([plotly.colors.unlabel_rgb(c) for c in colours]).round().astype(int)


def coloured(z: np.ndarray, scale: str, low: float, high: float) -> np.ndarray:
    """Values → (..., 3) RGB bytes on a colour scale, `low` at one end and `high` at the other."""
    t = np.clip((np.nan_to_num(z, nan=low) - low) / ((high - low) or 1.0), 0, 1)
    return palette(scale)[np.round(t * 255).astype(int)].astype("uint8")


def enlarged(z: np.ndarray, scale: str, low: float, high: float, px: int) -> Image.Image:
    """A grid coloured on a scale, each cell a square of px×px pixels."""
    return Image.fromarray(coloured(z, scale, low, high).repeat(px, axis=0).repeat(px, axis=1))


def digit_picture(image: np.ndarray, width: int = 120) -> np.ndarray:
    """A grey image (0..255 or 0..1) with square pixels, centred in a see-through square."""
    # The square is width×width whatever the image's shape, so pictures in a row line up.
    z = np.asarray(image, dtype=np.float32)
    h, w = z.shape
    scale = width / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    high = 255.0 if z.max() > 1 else 1.0
    grey = enlarged(z, GREY, 0.0, high, 1).resize(size, Image.Resampling.NEAREST)
    out = np.zeros((width, width, 4), np.uint8)  # transparent
    top, left = (width - size[1]) // 2, (width - size[0]) // 2
    out[top : top + size[1], left : left + size[0], :3] = np.asarray(grey)
    out[top : top + size[1], left : left + size[0], 3] = 255
    return out


def relative_luminance(rgb) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour given as 0–255 values."""
    c = np.asarray(rgb, dtype=float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


@functools.cache
def cell_styles(scale: str) -> tuple[str, ...]:
    """The scale's 256 colours as table-cell CSS, each with the ink readable on it."""
    styles = []
    for r, g, b in palette(scale).tolist():
        # Black or white, whichever contrasts more (WCAG): on any colour one of them reaches 4.5:1.
        light = relative_luminance((r, g, b))
        ink = "#000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#fff"
        styles.append(f"background:rgb({r},{g},{b});color:{ink}")
    return tuple(styles)


def cell_colours(value: float, scale: str, low: float, high: float) -> str:
    """Inline CSS for one table cell: its value's colour on the scale, and text readable on it."""
    v = low if math.isnan(value) else float(value)  # as `coloured` does, for one number
    t = min(max((v - low) / ((high - low) or 1.0), 0.0), 1.0)
    return cell_styles(scale)[round(t * 255)]


GRID_MARGIN = (46, 44)  # room left of and above a grid for its row and column numbers


@functools.lru_cache(maxsize=64)
def grid_frame(h: int, w: int, px: int) -> Image.Image:
    """The paper around an (h, w) grid of px-pixel cells, with its row and column numbers."""
    # Made once per size: drawing the numbers took longer than the rest of the picture.
    left, top = GRID_MARGIN
    canvas = Image.new("RGB", (left + w * px + 8, top + h * px + 8), PAPER)
    draw, font = ImageDraw.Draw(canvas), ImageFont.load_default(size=13)
    draw.text((left + w * px / 2, 2), "column", fill=INK, font=font, anchor="ma")
    draw.text((4, 2), "row", fill=INK, font=font)
    step = 5 if max(h, w) > 15 else 2
    for t in range(0, max(h, w), step):
        if t < w:
            draw.text((left + (t + 0.5) * px, top - 4), str(t), fill=INK, font=font, anchor="ms")
        if t < h:
            draw.text((left - 6, top + (t + 0.5) * px), str(t), fill=INK, font=font, anchor="rm")
    return canvas


@drawn_once  # a class on one digit: the same picture, and its PNG, at once
def grid_picture(
    z: np.ndarray, box: tuple[int, int, int] | None = None, scale: str = GREY,
    low: float = 0.0, high: float = 1.0, px: int = 11,
) -> Image.Image:  # fmt: skip
    """One (h, w) grid with row and column numbers, and an orange box of (row, column, size)."""
    # A picture, not a plotly chart: it repaints at once when the box moves or the grid changes.
    left, top = GRID_MARGIN
    h, w = z.shape
    canvas = grid_frame(h, w, px).copy()
    canvas.paste(enlarged(z, scale, low, high, px), (left, top))
    draw = ImageDraw.Draw(canvas)
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


@drawn_once
def maps_picture(maps: np.ndarray, labels: list[str], per_row: int = 8, width: int = 780):
    """Many (h, w) maps as one picture: tiles with their labels, one colour bar, axis words."""
    # A picture, not a plotly chart: a new digit repaints it in a few milliseconds.
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
        canvas.paste(enlarged(maps[i], scale, low, high, px), (x, y))
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


_encoded: collections.OrderedDict[bytes, str] = collections.OrderedDict()
_encoded_lock = threading.Lock()
_encoded_objects: dict[int, tuple[weakref.ref, str]] = {}  # id(picture) -> (picture, its PNG)
ENCODED_KEPT = 256  # pictures whose PNG is kept: a class looks at the same digits (~5 MB)


def _png(picture: Image.Image) -> str:
    """The picture as base64 PNG, encoded now."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)  # twice as fast as the default, ~as small
    return base64.b64encode(buffer.getvalue()).decode()


def png_base64(picture: Image.Image) -> str:
    """The picture as base64 PNG, encoded once: the same picture again costs a hash, not a PNG."""
    seen = _encoded_objects.get(id(picture))
    if seen is not None and seen[0]() is picture:  # a picture kept by drawn_once: no hash
        return seen[1]
    key = hashlib.blake2b(picture.tobytes(), digest_size=16)
    key.update(f"{picture.mode}{picture.size}".encode())
    digest = key.digest()
    with _encoded_lock:
        if digest in _encoded:
            _encoded.move_to_end(digest)
            return _encoded[digest]
    data = _png(picture)
    with _encoded_lock:
        _encoded[digest] = data
        while len(_encoded) > ENCODED_KEPT:
            _encoded.popitem(last=False)
        _encoded_objects[id(picture)] = (weakref.ref(picture), data)
        while len(_encoded_objects) > ENCODED_KEPT:
            _encoded_objects.pop(next(iter(_encoded_objects)))
    return data


@drawn_once
def digit_url(image: np.ndarray, width: int = 84) -> str:
    """A digit as a PNG address for st.image (see digit_picture), drawn and encoded once."""
    # drawn_once keeps the address: png_base64's cache would keep the same PNG a second time.
    return "data:image/png;base64," + _png(Image.fromarray(digit_picture(image, width)))


def picture_html(picture: Image.Image, alt: str) -> str:
    """An inline <img>: no second request; its size set, so nothing below moves as it decodes."""
    data = png_base64(picture)
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        f'width="{picture.width}" height="{picture.height}" style="max-width:100%;height:auto">'
    )


def stage_svg(kind: str, shape: tuple[int, ...], tallest: int, longest: int, arrow: bool) -> str:
    """One array drawn to scale: stacked squares for feature maps, a bar for a row of values."""
    colour, mid = LAYER_COLOURS[kind], 12 + 31  # an arrow of 12 px, then the stage, 62 px wide
    dash = ' stroke-dasharray="3 2"' if kind == "Dropout" else ""
    parts = []
    if len(shape) == 3:  # (height, width, feature maps): side ∝ height, up to 8 squares deep
        side, depth = 8 + 36 * shape[0] / tallest, min(shape[2], 8)
        for j in reversed(range(depth)):  # the back squares first, paler
            x, y = mid - side / 2 + 2 * j - 7, 36 - side / 2 - 2 * j + 7
            look = 'fill-opacity="0.35" stroke="white"' if j else f'stroke="{colour}"{dash}'
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{side:.1f}" height="{side:.1f}" '
                f'fill="{colour}" {look}/>'
            )
    else:  # a row of values: height ∝ log(length)
        height = 8 + 50 * math.log10(max(shape[0], 2)) / math.log10(max(longest, 10))
        opacity = ' fill-opacity="0.5"' if kind == "Dropout" else ""
        parts.append(
            f'<rect x="{mid - 6}" y="{36 - height / 2:.1f}" width="12" height="{height:.1f}" '
            f'fill="{colour}"{opacity} stroke="{colour}"{dash}/>'
        )
    if arrow:
        parts.append('<path d="M1 36 H10 M6 32 L10 36 L6 40" stroke="#888" fill="none"/>')
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="74" height="72" viewBox="0 0 74 72">'
        + "".join(parts)
        + "</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def shape_flow(stages: list[tuple[str, str, tuple[int, ...]]]) -> str:
    """The (name, kind, shape) of each array, input first, drawn side by side as HTML."""
    # A flex row: on a narrow screen it wraps onto more lines.
    tallest = stages[0][2][0]  # squares are drawn to the input's scale
    longest = max(n for *_, shape in stages if len(shape) == 1 for n in shape)
    figures = []
    for i, (name, kind, shape) in enumerate(stages):
        label = "MaxPool" if kind == "MaxPooling2D" else kind
        size = "×".join(map(str, shape)) if len(shape) == 3 else f"{shape[0]:,}"
        figures.append(
            '<figure style="margin:0;flex:none;width:74px;text-align:center;font-size:0.75rem">'
            f'<div style="padding-left:12px;font-weight:600">{label}</div>'
            f'<img src="{stage_svg(kind, shape, tallest, longest, i > 0)}" width="74" '
            f'height="72" alt="{name}: {size}"/>'
            f'<figcaption style="padding-left:12px">{size}</figcaption></figure>'
        )
    return '<div style="display:flex;flex-wrap:wrap;row-gap:0.8rem">' + "".join(figures) + "</div>"
