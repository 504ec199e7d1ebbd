"""Data augmentation: new training images made from the old ones, a little changed each time.

Each time the network sees a training image it sees it turned, shifted, zoomed, or with thicker
or thinner strokes, by a random amount. The digit stays the same digit, so the network learns
that these changes do not matter. Two Keras layers do the changing; they only change images
while the network trains and pass images through untouched when it predicts.
"""

import inspect

import keras
import numpy as np
from keras import layers, ops

# At strength 1 (the most): turned up to ±20°, shifted up to ±10 % (about 3 pixels), zoomed in
# or out by up to 20 %, strokes up to a pixel thicker or thinner. Strength 0.5 is half of each.
MAX_DEGREES = 20
MAX_SHIFT = 0.1  # a share of the image's height or width
MAX_ZOOM = 0.2
MAX_STROKE = 0.8


class RandomTurnZoomShift(layers.Layer):
    """Turn, zoom and shift each image by random amounts, in one resampling (training only).

    Keras' RandomRotation, RandomZoom and RandomTranslation make the same changes, but each
    resamples the image: three times the work, and three times the blur.
    """

    def __init__(self, degrees: float, zoom: float, shift: float, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.degrees, self.zoom, self.shift = degrees, zoom, shift
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=True):
        if not training:
            return images  # predicting: the image as it is
        n, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]

        def uniform(limit):  # one random amount per image, from -limit to +limit
            return keras.random.uniform((n,), -limit, limit, seed=self.seed_generator)

        turn = ops.deg2rad(uniform(self.degrees))
        scale = 1 + uniform(self.zoom)  # > 1: bigger
        dx, dy = uniform(self.shift * width), uniform(self.shift * height)  # in pixels
        # For each pixel of the new image, where to read the old one: undo the shift, the turn
        # and the zoom about the centre. affine_transform wants [a0, a1, a2, b0, b1, b2, 0, 0]:
        # old x = a0·x + a1·y + a2, old y = b0·x + b1·y + b2.
        cx, cy = (width - 1) / 2, (height - 1) / 2
        cos, sin = ops.cos(turn) / scale, ops.sin(turn) / scale
        x0, y0 = cx + dx, cy + dy  # where the centre goes
        zero = ops.zeros_like(cos)
        transform = ops.stack(
            [cos, sin, cx - cos * x0 - sin * y0, -sin, cos, cy + sin * x0 - cos * y0, zero, zero],
            axis=1,
        )
        return ops.image.affine_transform(images, transform, fill_mode="constant")

    def get_config(self):
        return {**super().get_config(), "degrees": self.degrees, "zoom": self.zoom,
                "shift": self.shift}  # fmt: skip


class RandomStrokeWidth(layers.Layer):
    """Make each image's strokes thicker or thinner by a random amount (training only)."""

    def __init__(self, factor: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=True):
        if not training or self.factor == 0:
            return images  # predicting: the image as it is
        amount = keras.random.uniform(
            (ops.shape(images)[0], 1, 1, 1), -self.factor, self.factor, seed=self.seed_generator
        )  # one amount per image: > 0 thicker, < 0 thinner
        # Each pixel becomes its brightest (thicker) or darkest (thinner) 2×2 neighbour; the
        # padding never wins (images are 0..1). Four shifted views: faster than two max_pools.
        low = ops.pad(images, [[0, 0], [0, 1], [0, 1], [0, 0]])
        high = ops.pad(images, [[0, 0], [0, 1], [0, 1], [0, 0]], constant_values=1e9)
        corners = ((slice(None, -1), slice(None, -1)), (slice(1, None), slice(None, -1)),
                   (slice(None, -1), slice(1, None)), (slice(1, None), slice(1, None)))  # fmt: skip
        lows = [low[:, r, c] for r, c in corners]
        highs = [high[:, r, c] for r, c in corners]
        thicker = ops.maximum(ops.maximum(lows[0], lows[1]), ops.maximum(lows[2], lows[3]))
        thinner = ops.minimum(ops.minimum(highs[0], highs[1]), ops.minimum(highs[2], highs[3]))
        return ops.where(
            amount > 0, images + amount * (thicker - images), images - amount * (thinner - images)
        )

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def augmenter(strength: float, seed: int | None = None) -> keras.Sequential:
    """The augmentation layers at `strength` (0 to 1); the same seed gives the same changes."""
    s = float(strength)
    seeds = [None] * 2 if seed is None else [seed, seed + 1]
    return keras.Sequential(
        [
            RandomTurnZoomShift(MAX_DEGREES * s, MAX_ZOOM * s, MAX_SHIFT * s, seed=seeds[0]),
            RandomStrokeWidth(MAX_STROKE * s, seed=seeds[1]),
        ],
        name="augmentation",
    )


def variants(image: np.ndarray, strength: float, count: int, seed: int) -> np.ndarray:
    """`count` random variants of one image (28, 28) 0..255 or 0..1, as (count, 28, 28) 0..1."""
    x = np.asarray(image, dtype=np.float32)
    x = x / 255 if x.max() > 1 else x
    batch = np.repeat(x[None, :, :, None], count, axis=0)  # (count, 28, 28, 1)
    out = augmenter(strength, seed)(batch, training=True)
    return np.clip(ops.convert_to_numpy(out)[..., 0], 0, 1)


def keras_code(strength: float) -> str:
    """The augmentation layers at `strength` as plain Keras code (for the exported script)."""
    s = float(strength)
    return (
        "from keras import ops\n\n\n"
        + inspect.getsource(RandomTurnZoomShift)
        + "\n\n"
        + inspect.getsource(RandomStrokeWidth)
        + f"""

# Strength {s:g}: turned up to ±{MAX_DEGREES * s:.0f}°, zoomed up to ±{MAX_ZOOM * s:.0%}, \
shifted up to ±{MAX_SHIFT * s:.0%},
# strokes up to {MAX_STROKE * s:.2g} pixel thicker or thinner.
augmentation = keras.Sequential(
    [
        RandomTurnZoomShift(
            {MAX_DEGREES * s:.4g}, {MAX_ZOOM * s:.4g}, {MAX_SHIFT * s:.4g}, seed=SEED
        ),
        RandomStrokeWidth({MAX_STROKE * s:.4g}, seed=SEED + 1),
    ],
    name="augmentation",
)"""
    )
