"""Every colour map and colour set of the app, seen through a deuteranopia simulation.

Ordered maps must stay ordered (their simulated lightness J' changes in one direction), the
diverging map's two signs must stay apart, and colours that tell categories apart must stay
apart: at least 10 CAM02-UCS units (about ten just-noticeable differences).
"""

import itertools
from pathlib import Path

import numpy as np
import pytest
from colorspacious import cspace_convert

from lesson.parts import pictures

DEUTERANOPIA = {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100}
LESSON = Path(__file__).resolve().parent.parent / "lesson"
APART = 10  # CAM02-UCS units
# Colours drawn side by side to tell things apart (Okabe-Ito), by the module that draws them
CATEGORIES = {
    "run_display": ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000"),
    "pictures": ("#666666", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#d55e00"),
    "data_charts": ("#0072b2", "#e69f00"),
    "board_charts": ("#0072b2", "#e69f00", "#009e73"),
    "prediction": ("#0072b2", "#e69f00", "#c8c8c8"),
}


def seen(rgb255) -> np.ndarray:
    """Colours (0–255 RGB) as a deuteranope sees them, in CAM02-UCS (J', a', b')."""
    simulated = np.clip(cspace_convert(np.asarray(rgb255) / 255, DEUTERANOPIA, "sRGB1"), 0, 1)
    return cspace_convert(simulated, "sRGB1", "CAM02-UCS")


def rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]


@pytest.mark.parametrize("scale", [pictures.SEQUENTIAL, pictures.GREY, "Blues"])
def test_an_ordered_map_keeps_its_order(scale):
    lightness = seen(pictures.palette(scale))[::8, 0]  # 32 steps along the map
    steps = np.diff(lightness)
    assert (steps > 0).all() or (steps < 0).all(), (scale, lightness.round(1))


def test_the_diverging_map_keeps_its_two_signs_apart():
    colours = seen(pictures.palette(pictures.DIVERGING))
    low, high = colours[:128, 0], colours[128:, 0]
    assert (np.diff(low) > 0).all() and (np.diff(high) < 0).all()  # each half darkens outwards
    for share in (0.25, 0.5, 0.75, 1.0):  # a value and its negative, a quarter of the way on
        i, j = round(127.5 - 127.5 * share), round(127.5 + 127.5 * share)
        assert np.linalg.norm(colours[i] - colours[j]) >= APART, share


@pytest.mark.parametrize("name", list(CATEGORIES))
def test_colours_that_mark_categories_stay_apart(name):
    (path,) = [*LESSON.glob(f"pages/{name}.py"), *LESSON.glob(f"parts/{name}.py")]
    source = path.read_text(encoding="utf-8").lower()
    assert all(c in source for c in CATEGORIES[name]), "the page draws other colours now"
    colours = seen([rgb(c) for c in CATEGORIES[name]])
    for a, b in itertools.combinations(range(len(colours)), 2):
        distance = np.linalg.norm(colours[a] - colours[b])
        assert distance >= APART, (CATEGORIES[name][a], CATEGORIES[name][b], distance)
