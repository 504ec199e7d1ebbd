"""Inputs that are not one digit: noise, letters, blots and several digits, made with a seed."""

import numpy as np
from PIL import Image, ImageDraw

from lesson import step5_drawing
from tests import strokes

SEED = 16
SIZE = strokes.CANVAS


def noise(rng) -> np.ndarray:
    """Random pixels: even grey noise, sparse specks, or coarse blocks."""
    kind = rng.integers(3)
    if kind == 0:
        return rng.uniform(0, 255, (SIZE, SIZE))
    if kind == 1:
        return (rng.uniform(size=(SIZE, SIZE)) < rng.uniform(0.03, 0.5)) * 255.0
    cells = int(rng.integers(4, 15))
    return np.kron(rng.uniform(0, 255, (cells, cells)), np.ones((SIZE // cells + 1,) * 2))[
        :SIZE, :SIZE
    ]


def blot(rng) -> np.ndarray:
    """Ink spilled: filled ellipses, a lump of overlapping discs, or a filled shape."""
    image = Image.new("L", (SIZE, SIZE))
    draw = ImageDraw.Draw(image)
    kind = rng.integers(3)
    if kind == 0:
        x, y = rng.uniform(80, 200, 2)
        rx, ry = rng.uniform(30, 100, 2)
        draw.ellipse([x - rx, y - ry, x + rx, y + ry], fill=255)
    elif kind == 1:
        for _ in range(rng.integers(4, 12)):
            x, y, r = *rng.uniform(70, 210, 2), rng.uniform(15, 50)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    else:
        centre, n = rng.uniform(100, 180, 2), int(rng.integers(5, 9))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = rng.uniform(50, 120, n)
        draw.polygon(
            [
                tuple(centre + r * np.array([np.cos(a), np.sin(a)]))
                for a, r in zip(angles, radii, strict=True)
            ],
            fill=255,
        )
    return np.asarray(image, np.float32)


def letter(rng) -> np.ndarray:
    """One capital letter drawn with the mouse, at a random size, place and slant."""
    name = list(strokes.LETTERS)[rng.integers(len(strokes.LETTERS))]
    size = float(rng.uniform(120, 250))
    x, y = rng.uniform(10, SIZE - size - 10, 2) if size < SIZE - 20 else (15.0, 15.0)
    drawn = strokes.place(
        strokes.LETTERS[name], size, x, y, rng.uniform(-0.2, 0.3), rng.uniform(-8, 8)
    )
    return strokes.rasterize(drawn, pen=int(rng.choice([14, 20, 26])))


def several(rng, x_test: np.ndarray) -> np.ndarray:
    """Two or three MNIST test digits side by side."""
    picked = rng.integers(0, len(x_test), rng.integers(2, 4))
    return np.concatenate([x_test[i] for i in picked], axis=1).astype(np.float32)


def examples(kind: str, count: int, x_test: np.ndarray | None = None, seed: int = SEED):
    """`count` inputs of one kind, each through the Draw page's preprocessing (step5_drawing.Steps)."""
    rng = np.random.default_rng([seed, ["noise", "letters", "blots", "several"].index(kind)])
    make = {"noise": noise, "letters": letter, "blots": blot}.get(kind)
    images = [make(rng) if make else several(rng, x_test) for _ in range(count)]
    ink = "auto" if kind == "noise" else "light"  # noise arrives as an upload
    return [step5_drawing.mnist_steps(image, ink=ink) for image in images]
