"""Honest answers: does an input look like the digits the network learned from?

The softmax always shares 100 % among the ten digits, even for noise or a letter, so the
network's answer alone cannot say "this is not a digit". These measures can:

- **distance to the training images**: how far the prepared 28×28 image is from the nearest
  training images of the digit the network picked, pixel by pixel (the mean of the 5 nearest,
  among 10,000 training images);
- **distance in the network's eyes**: the same, measured on the 128 numbers the network's hidden
  dense layer makes of each image (what the last layer decides from);
- **top probability**: how sure the network is of its best digit;
- **shape**: how much wider than tall the ink is (several digits side by side), how much of
  it is solid, more than a pen stroke wide (a blot), and how much is grey, neither stroke nor
  background (noise).

Each measure gets a limit from 4,000 training images the measures never compare against:
the value that only `SHARE` of them pass (a digit from MNIST hardly ever goes past it). An
input past any limit, or inked like a blot, is called unfamiliar. The limits depend on the
model, so each model gets its own, worked out once.
"""

from typing import NamedTuple

import keras
import numpy as np

from lesson import step5_drawing
from lesson.tools.words import percent

REFERENCE = 10_000  # training images the distances are measured to
CALIBRATION = 4_000  # other training images that set the limits
NEAREST = 5  # the distance to an image is the mean over its 5 nearest training images
SHARE = 0.003  # the share of MNIST digits past each limit: tuned for ≤ 2 % false alarms in all
SEED = 7
# Measured with the bundled model (tests/test_unfamiliar.py, tests/test_not_digits.py check them):
FALSE_ALARMS = 0.016  # the share of MNIST's 10,000 test digits doubted
DOUBTED_DRAWN = 0.4  # the share of capital letters and doodles drawn with a mouse doubted
MEASURES = ("pixels", "features", "top", "wide", "solid", "grey")


class Measures(NamedTuple):
    """An input's measures; as limits, the value only SHARE of MNIST's training digits pass."""

    pixels: float  # distance to the nearest training images, pixel by pixel
    features: float  # the same distance in the hidden dense layer's numbers
    top: float  # the top probability; as a limit, a floor: fewer digits fall below it
    wide: float  # the ink's width / height
    solid: float  # the share of the ink whose 3×3 neighbourhood is all ink
    grey: float  # the share of the ink that is mid-grey, neither stroke nor background


def apart(value: float, limit: float, kind: str = "f", least: int = 0) -> tuple[str, str]:
    """A value and its limit rounded alike, with enough decimals that they differ if they do.

    "56% … at most 56%" contradicted itself: 0.5564 is past 0.5556, but not once rounded.
    `kind` is "f" (a number) or "%" (a share); `least` is the fewest decimals shown.
    """
    for decimals in range(least, least + 5):
        shown = f"{value:.{decimals}{kind}}", f"{limit:.{decimals}{kind}}"
        if shown[0] != shown[1] or value == limit:
            return shown
    return shown


class Verdict(NamedTuple):
    """One input's measures, the limits, and whether it looks like a digit the network knows."""

    measures: Measures
    limits: Measures
    ink: float  # the share of the 20×20 box that is ink
    units: int = 128  # numbers in the hidden dense layer, what "features" measures

    @property
    def reasons(self) -> list[str]:
        """The measures past their limits, by name ("ink": a blot's worth of ink)."""
        out = [
            name
            for name, value, limit in zip(MEASURES, self.measures, self.limits, strict=True)
            if (value < limit if name == "top" else value > limit)
        ]
        return out + (["ink"] if self.ink > step5_drawing.BLOB else [])

    @property
    def unfamiliar(self) -> bool:
        return bool(self.reasons)

    def why(self, digit: int) -> list[str]:
        """Each reason the input looks unfamiliar as the network's answer `digit`, in words."""
        m, lim = self.measures, self.limits
        pixels, pixels_limit = apart(m.pixels, lim.pixels, least=1)
        features, features_limit = apart(m.features, lim.features, least=1)
        wide, wide_limit = apart(m.wide, lim.wide, least=1)
        solid, solid_limit = apart(m.solid, lim.solid, "%")
        grey, grey_limit = apart(m.grey, lim.grey, "%")
        top, top_limit = (percent(m.top), percent(lim.top))
        if top == top_limit:
            top, top_limit = apart(m.top, lim.top, "%", least=1)
        words = {
            "pixels": f"It is far from every training {digit}: {pixels} from the nearest "
            f"ones, pixel by pixel, where MNIST digits are within {pixels_limit}.",
            "features": f"Inside the network it looks unlike the training {digit}s: the "
            f"{self.units:,} numbers its hidden layer makes of it are {features} from "
            f"theirs (MNIST digits: within {features_limit}).",
            "top": f"The network is unsure: its best guess gets only {top}, less than {top_limit}.",
            "wide": f"The ink is {wide} times as wide as it is tall (MNIST digits: at "
            f"most {wide_limit}): several digits side by side? Draw one at a time.",
            "solid": f"Of the ink, {solid} is solid, wider than a pen stroke (MNIST "
            f"digits: at most {solid_limit}): a blot?",
            "grey": f"Of the ink, {grey} is grey rather than stroke (MNIST digits: at "
            f"most {grey_limit}): noise, or a photo with little contrast?",
            "ink": f"The ink covers {self.ink:.0%} of the 20×20 box: MNIST digits cover about "
            "a quarter, hardly ever more than half.",
        }
        return [words[name] for name in self.reasons]

    def table(self) -> list[dict]:
        """Every measure: this input's value, its limit, and whether it is past it."""
        names = {
            "pixels": "distance to the nearest training images of that digit, pixel by pixel",
            "features": f"the same distance in the hidden layer's {self.units:,} numbers",
            "top": "top probability (a floor)",
            "wide": "width ÷ height of the ink",
            "solid": "share of the ink that is solid",
            "grey": "share of the ink that is grey",
        }
        rows = []
        for name, value, limit in zip(MEASURES, self.measures, self.limits, strict=True):
            shown = apart(
                value, limit, *(("%", 0) if name in ("top", "solid", "grey") else ("f", 2))
            )
            rows.append({"measure": names[name], "this input": shown[0], "limit": shown[1],
                         "past the limit": "yes" if name in self.reasons else "no"})  # fmt: skip
        return rows


def grey_share(image: np.ndarray) -> float:
    """The share of an image's ink (0..1) that is mid-grey, neither stroke nor background."""
    return float(((image > 0.25) & (image < 0.75)).sum() / max(int((image > 0.1).sum()), 1))


def shape(stages: step5_drawing.Stages) -> tuple[float, float, float]:
    """(width / height of the ink, its solid share, its mid-grey share) for one prepared input."""
    h, w = stages.cropped.shape
    fitted = stages.fitted / max(float(stages.fitted.max()), 1e-6)  # 0..1
    ink = fitted > 0.5
    # Grey in the input itself, not made by shrinking it: a thin pen's stroke, crisp on the
    # canvas, is half grey once shrunk into the 20×20 box; noise is grey at both sizes.
    grey = min(
        grey_share(fitted), grey_share(stages.cropped / max(float(stages.cropped.max()), 1e-6))
    )
    p = np.pad(ink, 1)
    solid = ink.copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            solid &= p[dy : dy + ink.shape[0], dx : dx + ink.shape[1]]
    return w / h, float(solid.sum() / max(int(ink.sum()), 1)), float(grey)


def per_digit(queries: np.ndarray, reference: np.ndarray, labels: np.ndarray, k: int = NEAREST):
    """Each query row's mean distance to its k nearest reference rows of each digit (N, 10)."""
    q = queries.reshape(len(queries), -1).astype(np.float32)
    norms = (reference**2).sum(1)
    out = np.empty((len(q), 10), np.float32)
    for start in range(0, len(q), 500):  # 500 rows at a time: 20 MB of distances, not 160 MB
        part = q[start : start + 500]
        d2 = (part**2).sum(1)[:, None] + norms[None] - 2 * part @ reference.T
        for digit in range(10):
            near = np.partition(d2[:, labels == digit], k, axis=1)[:, :k]
            out[start : start + 500, digit] = np.sqrt(np.maximum(near, 0)).mean(axis=1)
    return out


class Reference(NamedTuple):
    """What every model is measured against: training images, and others that set the limits."""

    index: np.ndarray  # training image numbers the distances go to
    pixels: np.ndarray  # (REFERENCE, 784) 0..1
    labels: np.ndarray  # (REFERENCE,)
    calibration: np.ndarray  # (CALIBRATION, 28, 28): other training images, prepared
    calibration_pixels: np.ndarray  # (CALIBRATION, 10): per_digit distances, pixel by pixel
    calibration_shapes: np.ndarray  # (CALIBRATION, 3): wide, solid, grey


_REFERENCES: dict[int, Reference] = {}


def reference(x_train: np.ndarray, y_train: np.ndarray) -> Reference:
    """The reference images for this MNIST, worked out once per process (a few seconds)."""
    if id(x_train) not in _REFERENCES:  # MNIST is loaded once per process and never changes
        order = np.random.default_rng(SEED).permutation(len(x_train))
        index = order[:REFERENCE]
        pixels = (x_train[index] / 255).reshape(REFERENCE, -1).astype(np.float32)
        # Through the Draw page's preprocessing, as every input is.
        picked = order[REFERENCE:][:CALIBRATION]
        stages = [step5_drawing.mnist_stages(x, ink="light") for x in x_train[picked]]
        digits = np.stack([s.digit for s in stages])
        _REFERENCES[id(x_train)] = Reference(
            index, pixels, y_train[index], digits,
            per_digit(digits, pixels, y_train[index]), np.array([shape(s) for s in stages]),
        )  # fmt: skip
    return _REFERENCES[id(x_train)]


def _in_batches(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """A model's outputs for many images, 1,000 at a time (predict_on_batch: safe in threads)."""
    x = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
    parts = [np.asarray(model.predict_on_batch(x[i : i + 1000])) for i in range(0, len(x), 1000)]
    return np.concatenate(parts).astype(np.float32)


def hidden_model(model: keras.Model) -> keras.Model:
    """The network up to what its last layer reads: the hidden dense layer's numbers."""
    return keras.Model(model.inputs[0], model.layers[-1].input)


class Judge:
    """A model's measures and limits; built once per model (a few seconds).

    The distances are to the training images of the digit the network picked: an input far
    from every training 4 is suspect as a 4, even if it is near some 8s.
    """

    def __init__(self, model: keras.Model, x_train: np.ndarray, y_train: np.ndarray):
        self.ref = ref = reference(x_train, y_train)
        self.model, self.hidden = model, hidden_model(model)
        self.units = int(self.hidden.outputs[0].shape[-1])
        self.ref_features = self._features(ref.pixels)
        digits = ref.calibration
        probs = self._probabilities(digits)
        picked = probs.argmax(axis=1)
        pixels = ref.calibration_pixels[np.arange(len(picked)), picked]
        features = per_digit(self._features(digits), self.ref_features, ref.labels)
        features = features[np.arange(len(picked)), picked]
        values = [pixels, features, probs.max(axis=1), *ref.calibration_shapes.T]
        self.limits = Measures(
            *(
                float(np.quantile(v, SHARE if name == "top" else 1 - SHARE))
                for name, v in zip(MEASURES, values, strict=True)
            )
        )

    def _features(self, images: np.ndarray) -> np.ndarray:
        return _in_batches(self.hidden, images)

    def _probabilities(self, images: np.ndarray) -> np.ndarray:
        return _in_batches(self.model, images)

    def judge(self, stages: list) -> list[Verdict]:
        """A verdict for each prepared input (step5_drawing.Stages: the Draw page's preparation)."""
        digits = np.stack([s.digit for s in stages])  # (N, 28, 28) 0..1
        probs = self._probabilities(digits)
        picked = probs.argmax(axis=1)
        rows = np.arange(len(picked))
        pixels = per_digit(digits, self.ref.pixels, self.ref.labels)[rows, picked]
        features = per_digit(self._features(digits), self.ref_features, self.ref.labels)
        features = features[rows, picked]
        return [
            Verdict(
                Measures(
                    float(pixels[i]),
                    float(features[i]),
                    float(probs[i].max()),
                    *shape(s),
                ),
                self.limits,
                step5_drawing.ink_share(s.fitted),
                self.units,
            )
            for i, s in enumerate(stages)
        ]

    def nearest_of(self, digit: np.ndarray, label: int, k: int = 4) -> np.ndarray:
        """The training image numbers of the `k` `label`s nearest to `digit`, pixel by pixel."""
        mine = np.flatnonzero(self.ref.labels == label)
        d2 = ((self.ref.pixels[mine] - np.asarray(digit, np.float32).reshape(1, -1)) ** 2).sum(1)
        return self.ref.index[mine[np.argsort(d2)[:k]]]
