"""See the difference: test images shifted, turned, scaled or re-inked, and a model's accuracy.

Each set is made from the test images with a fixed seed, so every model meets the same images.
The changes go further than augmentation's (at most ±3 pixels, ±20°, ±20 % zoom), to see
whether a network learned the digits or only MNIST's way of drawing them.
Only numpy and Pillow here.
"""

from typing import NamedTuple

import numpy as np
from PIL import Image

SEED = 2026  # the sets never change


class Change(NamedTuple):
    """One kind of change to the test images, as the chart names it."""

    name: str  # the chart's label
    says: str  # the change in words


CHANGES = (
    Change("as is", "the test images unchanged"),
    Change("shifted", "moved up to 5 pixels in a random direction"),
    Change("rotated", "turned by up to 25° either way"),
    Change("scaled", "shrunk to 60 % or grown to 120 % of their size"),
    Change("thicker", "every stroke about 1 pixel thicker"),
    Change("thinner", "every stroke about 1 pixel thinner"),
    Change("all at once", "shifted up to 3 pixels, turned up to 20°, scaled 70–115 %"),
)


def affine(image: np.ndarray, dx: float = 0, dy: float = 0, degrees: float = 0, scale=1.0):
    """One image (28, 28) turned by `degrees`, scaled about its centre, then shifted (dx, dy)."""
    cx, cy = image.shape[1] / 2, image.shape[0] / 2
    t = np.deg2rad(degrees)
    a, b = np.cos(t) / scale, np.sin(t) / scale
    # Pillow asks where each output pixel (x, y) comes from: undo the shift, turn and scale.
    x0, y0 = cx + dx, cy + dy
    coeffs = (a, b, cx - a * x0 - b * y0, -b, a, cy + b * x0 - a * y0)
    picture = Image.fromarray(np.asarray(image, np.float32), "F")
    out = picture.transform(picture.size, Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR)
    return np.asarray(out, np.float32)


def thicker(images: np.ndarray) -> np.ndarray:
    """Each pixel becomes its brightest 2×2 neighbour: strokes grow by about a pixel."""
    p = np.pad(images, ((0, 0), (0, 1), (0, 1)))
    return np.maximum.reduce([p[:, :-1, :-1], p[:, 1:, :-1], p[:, :-1, 1:], p[:, 1:, 1:]])


def thinner(images: np.ndarray) -> np.ndarray:
    """Each pixel becomes its darkest 2×2 neighbour: strokes shrink by about a pixel."""
    p = np.pad(images, ((0, 0), (0, 1), (0, 1)))
    return np.minimum.reduce([p[:, :-1, :-1], p[:, 1:, :-1], p[:, :-1, 1:], p[:, 1:, 1:]])


def changed(images: np.ndarray, change: str, seed: int = SEED) -> np.ndarray:
    """The images (N, 28, 28) with one of CHANGES applied, the same every time for a seed."""
    x = np.asarray(images, np.float32)
    rng = np.random.default_rng([seed, [c.name for c in CHANGES].index(change)])
    n = len(x)
    if change == "as is":
        return x.copy()
    if change == "thicker":
        return thicker(x)
    if change == "thinner":
        return thinner(x)
    if change == "shifted":
        angle, length = rng.uniform(0, 2 * np.pi, n), rng.uniform(2, 5, n)
        params = [(r * np.cos(a), r * np.sin(a), 0, 1) for a, r in zip(angle, length, strict=True)]
    elif change == "rotated":
        params = [(0, 0, d, 1) for d in rng.uniform(-25, 25, n)]
    elif change == "scaled":
        params = [(0, 0, 0, s) for s in rng.uniform(0.6, 1.2, n)]
    elif change == "all at once":
        params = list(
            zip(rng.uniform(-3, 3, n), rng.uniform(-3, 3, n), rng.uniform(-20, 20, n),
                rng.uniform(0.7, 1.15, n), strict=True)
        )  # fmt: skip
    else:
        raise ValueError(f"no change called {change!r}")
    return np.stack([affine(img, *p) for img, p in zip(x, params, strict=True)])


def test_sample(y: np.ndarray, count: int, seed: int = SEED) -> np.ndarray:
    """`count` test image numbers, the same for every model."""
    return np.sort(np.random.default_rng(seed).permutation(len(y))[:count])


def accuracies(predict, x: np.ndarray, y: np.ndarray, seed: int = SEED) -> dict[str, float]:
    """Accuracy on each changed set; `predict` maps images (N, 28, 28) 0..1 to probabilities."""
    result = {}
    for change in CHANGES:
        images = changed(x, change.name, seed)
        images = np.clip(images / 255 if x.max() > 1 else images, 0, 1)
        guesses = np.asarray(predict(images)).argmax(axis=1)
        result[change.name] = float((guesses == y).mean())
    return result


def main() -> None:
    """python -m lesson.step4_robustness [MODEL ...]: accuracy on all 10,000 test images, each change."""
    import argparse
    import json

    from lesson import step1_data, step3_network, step5_prediction

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("models", nargs="*", help=".keras files (default: the pre-trained model)")
    args = ap.parse_args()
    m = step1_data.load_mnist()
    for path in args.models or [str(step3_network.pretrained_path())]:
        net = step3_network.load_trained(path)
        acc = accuracies(
            lambda x, net=net: step5_prediction.probabilities(net, x), m.x_test, m.y_test
        )
        print(json.dumps({"model": path, **{k: round(v, 4) for k, v in acc.items()}}))


if __name__ == "__main__":
    main()
