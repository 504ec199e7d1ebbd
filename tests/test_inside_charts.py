"""The Inside page's number tables say what the numbers say."""

import re

import numpy as np
from PIL import ImageColor

from lesson.parts import inside_charts as charts
from lesson.parts import pictures

ORANGE = ImageColor.getrgb(pictures.HIGHLIGHT)


def test_the_arithmetic_tables_hold_every_number_and_where_it_sits():
    patch = np.array([[0.0, 0.5, 1.0], [0.25, 0.0, 0.0], [0.0, 0.0, 0.75]])
    weights = np.array([[0.1, -0.2, 0.3], [-0.4, 0.5, -0.6], [0.7, -0.8, 0.9]])
    html = charts.arithmetic_html(patch, weights, patch * weights, 2, (-1, 26))
    cells = re.findall(r"<td[^>]*>([-0-9.]+)</td>", html)
    assert len(cells) == 27
    assert cells[:9] == [f"{v:.3f}" for v in patch.ravel()]
    assert cells[9:18] == [f"{v:.3f}" for v in weights.ravel()]
    assert cells[18:] == [f"{v:.3f}" for v in (patch * weights).ravel() + 0.0]
    assert "-0.000" not in html
    assert "filter 3 (weights)" in html and "input patch (pixels)" in html
    # The patch starts one row above and two columns left of the image's edge ("same" padding).
    assert html.count(">pad<") == 4 and "row 0" in html and "col 27" in html
