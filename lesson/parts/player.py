"""The convolution player: the filter (or the pooling window) slides, the map fills in.

The frames come from the lesson's core (`step6_inside.conv_frames`, `step6_inside.pool_frames`); the
browser animates them (player.js), so playing costs no server round trip per step.
"""

import functools
import json

import numpy as np
import streamlit as st

from lesson.parts import pictures
from lesson.parts.access import asset
from lesson.tools import words

_player = st.components.v2.component(
    "lesson_player", css=asset("player.css"), js=asset("player.js"), isolate_styles=False
)
SPEED = 10  # positions per second at the start


@functools.cache
def _hex(scale: str) -> tuple[str, ...]:
    """256 colours of a plotly scale as CSS hex strings, as the pictures use them."""
    return tuple("#" + "".join(f"{int(v):02x}" for v in c) for c in pictures.palette(scale))


def _grid(z: np.ndarray, px: int, title: str, alt: str) -> dict:
    """One grid for the player: its values, size, colour scale and words."""
    negative = float(z.min()) < 0
    top = pictures.symmetric(z)
    scale = pictures.DIVERGING if negative else pictures.SEQUENTIAL
    return {
        "z": np.round(z, 4).ravel().tolist(), "h": z.shape[0], "w": z.shape[1], "px": px,
        "lo": -top if negative else 0.0, "hi": top, "palette": _hex(scale),
        "title": title, "alt": alt,
    }  # fmt: skip


def _payload(data: dict) -> bytes:
    """The player's data as JSON bytes: Streamlit forwards bytes as they are, not encoded again."""
    return json.dumps(data, separators=(",", ":")).encode()


@pictures.drawn_once  # a class on one digit and model: the same frames, encoded once
def _conv_data(frames, f: int, what: str, key: str) -> bytes:
    """What the convolution player plays: the frames, the colours and the words."""
    h, w = frames.values.shape
    k = frames.filter.shape[0]
    image = {
        **_grid(frames.image, 10, f"The input: {what}", ""),
        "lo": 0.0, "hi": 1.0, "palette": _hex(pictures.GREY),
    }  # fmt: skip
    image["alt"] = f"{what.capitalize()}, {frames.image.shape[0]}×{frames.image.shape[1]} pixels"
    data = {
        "id": f"{key}:{f}:{hash(frames.image.tobytes())}:{hash(frames.filter.tobytes())}",
        "mode": "conv", "label": f"Convolution player: filter {f + 1} sliding over {what}",
        "speed": SPEED, "size": k, "stride": 1, "cellWord": "Feature map,",
        "input": image,
        "output": _grid(frames.values, 10, f"Feature map {f + 1} ({h}×{w}), filling in",
                        f"Feature map {f + 1}, {h}×{w}, filled up to the current position"),
        "weights": np.round(frames.filter, 3).ravel().tolist(),
        "cells": np.round(frames.products, 3).ravel().tolist(),
        "sums": np.round(frames.sums, 4).ravel().tolist(),
        "bias": round(frames.bias, 4), "activation": frames.activation,
    }  # fmt: skip
    return _payload(data)


def conv_player(frames, f: int, what: str, key: str) -> None:
    """Play the first layer's filter `f` sliding over the digit, its map filling in."""
    h, w = frames.values.shape
    k = frames.filter.shape[0]
    _player(data=_conv_data(frames, f, what, key), key=key)
    strongest = np.unravel_index(int(frames.values.argmax()), frames.values.shape)
    st.caption(
        f"The {k}×{k} filter {f + 1} visits {words.plural(h * w, 'position')}, row by row; at "
        f"each it multiplies the {words.plural(k * k, 'pixel')} under it by its weights, adds "
        "them and the bias, and applies "
        f"{frames.activation}: one cell of the feature map. The map's values run from "
        f"{frames.values.min():.3f} to {frames.values.max():.3f} (largest at row "
        f"{strongest[0]}, column {strongest[1]}). Play, pause, step, or move the Position "
        "slider; a click on a cell of the feature map jumps there."
    )


@pictures.drawn_once
def _pool_data(frames, f: int, key: str) -> bytes:
    """What the pooling player plays: the windows, the colours and the words."""
    h, w = frames.source.shape
    ph, pw = frames.values.shape
    p = frames.size
    source = _grid(frames.source, 10, f"Feature map {f + 1} ({h}×{w})",
                   f"Feature map {f + 1}, {h}×{w}")  # fmt: skip
    pooled = _grid(frames.values, 10 * frames.stride, f"After pooling ({ph}×{pw}), filling in",
                   f"Pooled map {f + 1}, {ph}×{pw}, filled up to the current position")  # fmt: skip
    pooled.update(lo=source["lo"], hi=source["hi"], palette=source["palette"])  # same colours
    data = {
        "id": f"{key}:{f}:{hash(frames.source.tobytes())}",
        "mode": "pool", "label": f"Pooling player: the {p}×{p} window over feature map {f + 1}",
        "speed": SPEED // 2, "size": p, "stride": frames.stride, "cellWord": "Pooled map,",
        "input": source, "output": pooled,
        "cells": np.round(frames.windows, 4).ravel().tolist(),
    }  # fmt: skip
    return _payload(data)


def pool_player(frames, f: int, key: str) -> None:
    """Play the first pooling window sliding over feature map `f`, the pooled map filling in."""
    ph, pw = frames.values.shape
    p = frames.size
    _player(data=_pool_data(frames, f, key), key=key)
    st.caption(
        f"The {p}×{p} window jumps {words.plural(frames.stride, 'cell')} at a time over feature "
        f"map {f + 1}: {words.plural(ph * pw, 'position')}, each keeping the largest of its "
        f"{words.plural(p * p, 'value')} (outlined in the table). The pooled map runs from "
        f"{frames.values.min():.3f} to "
        f"{frames.values.max():.3f}."
    )
