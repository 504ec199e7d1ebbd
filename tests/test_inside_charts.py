"""The look-inside pages' pictures and number tables say what the numbers say."""

import re

import numpy as np
import pytest
from PIL import ImageColor

from lesson.pages import inside_charts as charts

ORANGE = ImageColor.getrgb(charts.HIGHLIGHT)


def test_colours_run_from_one_end_of_the_scale_to_the_other():
    z = np.array([[-1.0, 0.0, 1.0]])
    rgb = charts.coloured(z, charts.DIVERGING, -1.0, 1.0)  # (1, 3, 3)
    ends = charts.palette(charts.DIVERGING)
    assert rgb.shape == (1, 3, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == tuple(ends[0]) and tuple(rgb[0, 2]) == tuple(ends[255])
    assert tuple(charts.coloured(np.array([5.0]), charts.GREY, 0, 1)[0]) == tuple(
        charts.palette(charts.GREY)[255]
    )  # values outside the range take the nearest end


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


def test_a_grid_picture_outlines_its_box_in_orange():
    z = np.zeros((28, 28))
    px = 11
    picture = charts.grid_picture(z, (3, 5, 3), px=px)
    left, top = 46, 44  # the margins for the row and column numbers
    assert picture.size == (left + 28 * px + 8, top + 28 * px + 8)
    assert picture.getpixel((left + 5 * px + px, top + 3 * px)) == ORANGE  # the box's top edge
    assert picture.getpixel((left + 6 * px + 5, top + 4 * px + 5)) == (0, 0, 0)  # inside: black
    plain = charts.grid_picture(z, px=px)
    assert ORANGE not in {plain.getpixel((x, top + 4 * px)) for x in range(plain.width)}


def test_a_maps_picture_lays_its_maps_in_rows_of_eight():
    def size(n: int) -> tuple[int, int]:  # maps of one size: from 8 maps on, tiles of one size
        return charts.maps_picture(np.random.rand(n, 11, 11), [f"map {i}" for i in range(n)]).size

    (w8, h8), (w9, h9), (w16, h16), (w17, h17) = size(8), size(9), size(16), size(17)
    assert w8 == w9 == w16 == w17  # never more than eight across
    row = h9 - h8  # the 9th map starts a second row
    assert row > 0 and h16 == h9 and h17 == h16 + row  # 8: one row; 9 to 16: two; 17: three
    assert size(6)[1] < h9  # six maps: one row (of larger tiles), not two


def test_a_picture_is_inline_with_its_size_and_text_equivalent():
    picture = charts.grid_picture(np.zeros((5, 5)), px=4)
    html = charts.picture_html(picture, 'A 5×5 grid, "all zero"')
    assert html.startswith('<img src="data:image/png;base64,')
    assert f'width="{picture.width}" height="{picture.height}"' in html
    assert 'alt="A 5×5 grid, &quot;all zero&quot;"' in html


def tile_colours(maps: np.ndarray) -> np.ndarray:
    """The colour of each cell of the first tile of maps_picture, read back from the picture."""
    picture = np.asarray(charts.maps_picture(maps, [f"map {i + 1}" for i in range(len(maps))]))
    left, top = 34, 20  # where maps_picture starts its first tile
    h, w = maps.shape[1:]
    px = max(1, min(140, max(88, (780 - 100) // min(8, len(maps)) - 12)) // max(h, w))
    return picture[top : top + h * px : px, left : left + w * px : px]


@pytest.mark.parametrize(
    "maps",
    [np.array([[[1.0, 0.0], [-0.05, 0.5]]]), np.array([[[-1.0, -0.5], [-0.05, -0.2]]]),
     np.zeros((2, 2, 2)), np.array([[[-0.05, 0.0], [0.0, 0.0]]])],
    ids=["mixed", "all-negative", "all-zero", "one-small-negative"],
)  # fmt: skip
def test_one_feature_map_renderer_for_every_sign(maps):
    """The Draw page's uint8 cast painted −0.05 nearly white (it wrapped to 227); its maps now
    come from this renderer, which the Filters page uses too (issue 18)."""
    colours = tile_colours(maps).astype(int)
    values = maps[0]
    for (r, c), v in np.ndenumerate(values):
        red, _, blue = colours[r, c]
        if v < 0:
            assert red > blue, (v, colours[r, c])  # red: below 0
        elif v > 0 and values.min() < 0:
            assert blue > red, (v, colours[r, c])  # blue: above 0
    zero = [tuple(colours[r, c]) for (r, c), v in np.ndenumerate(values) if v == 0]
    assert len(set(zero)) <= 1  # every 0 looks alike
    if values.min() < 0:
        assert all(min(z) > 200 for z in zero)  # white, between red and blue
