"""Accessibility checks that need no browser: table contrast, what screen readers are told."""

import re
from types import SimpleNamespace

import numpy as np
import pytest

from lesson.parts import access, pictures


def contrast(a, b) -> float:
    """WCAG contrast ratio of two 0–255 RGB colours."""
    la, lb = sorted([pictures.relative_luminance(a), pictures.relative_luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("scale", [pictures.DIVERGING, pictures.SEQUENTIAL, pictures.GREY])
def test_numbers_on_every_colour_of_a_scale_reach_4_5_to_1(scale):
    for value in np.linspace(-1, 1, 257):
        css = pictures.cell_colours(float(value), scale, -1.0, 1.0)
        back = [int(v) for v in re.search(r"rgb\((\d+),(\d+),(\d+)\)", css).groups()]
        ink = (0, 0, 0) if css.endswith("#000") else (255, 255, 255)
        assert contrast(back, ink) >= 4.5, (scale, value, css)


def test_the_end_of_a_run_is_told_in_words():
    run = SimpleNamespace(
        name="run 2", status="done", epochs=[{}, {}, {}], test={"accuracy": 0.98241}, message=""
    )
    assert access.run_news(run) == "Training finished: run 2, 3 epochs. Test accuracy 98.24%."
    stopped = SimpleNamespace(**{**vars(run), "status": "stopped", "epochs": [{}], "test": None})
    assert access.run_news(stopped) == "Training was stopped: run 2, 1 epoch."
    failed = SimpleNamespace(**{**vars(run), "status": "failed", "message": "Out of memory."})
    assert access.run_news(failed) == "Training failed: run 2. Out of memory."
