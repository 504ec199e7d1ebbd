"""Digits drawn as with a mouse (tests/data/drawn_digits.json), read by the pre-trained model.

The same drawings the browser test draws on the canvas, painted here with Pillow: any pen width
from very thin to very thick, and digits at the canvas's very edge.
"""

import json

import numpy as np
import pytest

from lesson import step5_drawing, step5_prediction
from tests import strokes


def test_the_stored_drawings_are_the_templates_with_their_seed():
    stored = strokes.load()
    assert len(stored) == 100 and {d["digit"] for d in stored} == set(range(10))
    made = json.loads(json.dumps(strokes.drawn_digits()))  # points as lists, as stored
    assert stored == made  # regenerate with python -m tests.strokes


@pytest.mark.parametrize("pen", [6, 20, 40])  # the Draw page's thinnest, usual and thickest pens
def test_the_drawings_are_read_right_with_any_pen(net, pen):
    stored = strokes.load()
    x = np.stack(
        [step5_drawing.to_mnist(strokes.rasterize(d["strokes"], pen), ink="light") for d in stored]
    )
    right = step5_prediction.probabilities(net, x).argmax(1) == [d["digit"] for d in stored]
    wrong = [d["says"] for d, r in zip(stored, right, strict=True) if not r]
    assert right.mean() >= strokes.AGREED, wrong


@pytest.mark.parametrize("digit", [1, 4, 7])
@pytest.mark.parametrize("corner", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_a_digit_at_the_very_edge_is_read(net, digit, corner):
    size = 120
    x, y = (corner[0] * (strokes.CANVAS - size), corner[1] * (strokes.CANVAS - size))
    drawn = strokes.place(strokes.DIGITS[digit][0], size, x, y)  # touching two edges
    image = strokes.rasterize(drawn)
    assert any(edge.any() for edge in (image[0], image[-1], image[:, 0], image[:, -1]))
    steps = step5_drawing.mnist_steps(image, ink="light")
    assert int(step5_prediction.probabilities(net, steps.digit).argmax()) == digit
