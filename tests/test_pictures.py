"""The server's pictures say what the numbers say: one renderer per concept."""

import base64
import re

import numpy as np
import pytest
from PIL import ImageColor

from lesson.parts import pictures

ORANGE = ImageColor.getrgb(pictures.HIGHLIGHT)


def test_colours_run_from_one_end_of_the_scale_to_the_other():
    z = np.array([[-1.0, 0.0, 1.0]])
    rgb = pictures.coloured(z, pictures.DIVERGING, -1.0, 1.0)  # (1, 3, 3)
    ends = pictures.palette(pictures.DIVERGING)
    assert rgb.shape == (1, 3, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == tuple(ends[0]) and tuple(rgb[0, 2]) == tuple(ends[255])
    assert tuple(pictures.coloured(np.array([5.0]), pictures.GREY, 0, 1)[0]) == tuple(
        pictures.palette(pictures.GREY)[255]
    )  # values outside the range take the nearest end


def test_a_grid_picture_outlines_its_box_in_orange():
    z = np.zeros((28, 28))
    px = 11
    picture = pictures.grid_picture(z, (3, 5, 3), px=px)
    left, top = 46, 44  # the margins for the row and column numbers
    assert picture.size == (left + 28 * px + 8, top + 28 * px + 8)
    assert picture.getpixel((left + 5 * px + px, top + 3 * px)) == ORANGE  # the box's top edge
    assert picture.getpixel((left + 6 * px + 5, top + 4 * px + 5)) == (0, 0, 0)  # inside: black
    plain = pictures.grid_picture(z, px=px)
    assert ORANGE not in {plain.getpixel((x, top + 4 * px)) for x in range(plain.width)}


def test_a_maps_picture_lays_its_maps_in_rows_of_eight():
    def size(n: int) -> tuple[int, int]:  # maps of one size: from 8 maps on, tiles of one size
        return pictures.maps_picture(np.random.rand(n, 11, 11), [f"map {i}" for i in range(n)]).size

    (w8, h8), (w9, h9), (w16, h16), (w17, h17) = size(8), size(9), size(16), size(17)
    assert w8 == w9 == w16 == w17  # never more than eight across
    row = h9 - h8  # the 9th map starts a second row
    assert row > 0 and h16 == h9 and h17 == h16 + row  # 8: one row; 9 to 16: two; 17: three
    assert size(6)[1] < h9  # six maps: one row (of larger tiles), not two


def test_a_picture_is_inline_with_its_size_and_text_equivalent():
    picture = pictures.grid_picture(np.zeros((5, 5)), px=4)
    html = pictures.picture_html(picture, 'A 5×5 grid, "all zero"')
    assert html.startswith('<img src="data:image/png;base64,')
    assert f'width="{picture.width}" height="{picture.height}"' in html
    assert 'alt="A 5×5 grid, &quot;all zero&quot;"' in html


def tile_colours(maps: np.ndarray) -> np.ndarray:
    """The colour of each cell of the first tile of maps_picture, read back from the picture."""
    picture = np.asarray(pictures.maps_picture(maps, [f"map {i + 1}" for i in range(len(maps))]))
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
    come from this renderer, which the Inside page uses too (issue 18)."""
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


def test_a_digit_picture_has_square_pixels_and_lines_up_any_shape():
    digit = np.zeros((28, 28), np.uint8)
    digit[10, 3] = 255  # one white pixel
    out = pictures.digit_picture(digit, 84)  # three screen pixels per image pixel
    assert out.shape == (84, 84, 4) and out.dtype == np.uint8
    white, black = pictures.palette(pictures.GREY)[[255, 0]]  # the grey scale's ends
    assert (out[30:33, 9:12, :3] == white).all() and (out[30:33, 12:15, :3] == black).all()
    assert (out[..., 3] == 255).all()  # a square image fills its square
    assert (pictures.digit_picture(digit / 255.0, 84) == out).all()  # 0..1 or 0..255 alike
    wide = pictures.digit_picture(np.ones((10, 20)), 120)  # centred, see-through above and below
    assert (wide[:30, :, 3] == 0).all() and (wide[90:, :, 3] == 0).all()
    assert (wide[30:90, :, :3] == white).all() and (wide[30:90, :, 3] == 255).all()
    big = pictures.digit_picture(np.ones((400, 300)), 168)  # a large upload shrinks to fit
    assert big.shape == (168, 168, 4) and (big[:, 21:147, 3] == 255).all()


def test_the_shape_flow_draws_each_array_with_its_shape_and_words():
    stages = [("input", "Input", (28, 28, 1)), ("conv2d", "Conv2D", (26, 26, 6)),
              ("max_pooling2d", "MaxPooling2D", (13, 13, 6)), ("flatten", "Flatten", (1014,)),
              ("dropout", "Dropout", (1014,)), ("dense", "Dense", (10,))]  # fmt: skip
    html = pictures.shape_flow(stages)
    assert re.findall(r'alt="([^"]+)"', html) == [
        "input: 28×28×1", "conv2d: 26×26×6", "max_pooling2d: 13×13×6", "flatten: 1,014",
        "dropout: 1,014", "dense: 10",
    ]  # fmt: skip
    assert re.findall(r"<figcaption[^>]*>([^<]+)<", html)[1] == "26×26×6"
    assert ">MaxPool<" in html  # the short name fits under its picture
    # Six maps: six squares stacked; smaller maps, smaller squares.
    assert all(svg(pictures.stage_svg("Conv2D", (n, n, 6), 28, 10, False)).count(b"<rect") == 6
               for n in (26, 13))  # fmt: skip
    assert side(26) > side(13) > side(1) > 0


def svg(data_url: str) -> bytes:
    """The SVG inside a data: URL."""
    return base64.b64decode(data_url.split(",", 1)[1])


def side(n: int) -> float:
    """The width of the front square the shape flow draws for n×n feature maps."""
    front = svg(pictures.stage_svg("Conv2D", (n, n, 6), 28, 10, False)).split(b"<rect")[-1]
    return float(re.search(rb'width="([0-9.]+)"', front).group(1))


def test_a_picture_shown_again_is_not_encoded_again(monkeypatch):
    """A class looks at the same digits: the second showing costs a hash, not a PNG encode."""
    saves = []
    real_save = pictures.Image.Image.save
    monkeypatch.setattr(
        pictures.Image.Image,
        "save",
        lambda self, *a, **k: saves.append(1) or real_save(self, *a, **k),
    )
    z = np.random.default_rng(3).random((9, 9))
    first = pictures.picture_html(pictures.grid_picture(z, (1, 2, 3), px=5), "a grid")
    again = pictures.picture_html(pictures.grid_picture(z, (1, 2, 3), px=5), "the same grid")
    moved = pictures.picture_html(pictures.grid_picture(z, (2, 2, 3), px=5), "its box moved")
    assert len(saves) == 2  # the moved box is a new picture; the same one is not encoded twice
    assert first.split('" alt=')[0] == again.split('" alt=')[0] != moved.split('" alt=')[0]
    assert 'alt="the same grid"' in again


def test_a_picture_drawn_from_the_same_numbers_is_drawn_once():
    """drawn_once keys pictures by their numbers: arrays whose repr is the same are told apart."""
    drawn = []

    @pictures.drawn_once
    def draw(maps, labels, width=10):
        drawn.append(1)
        return object()

    a = np.zeros(5000, np.float32)  # repr() abbreviates it: "[0. 0. 0. ... 0. 0. 0.]"
    b = a.copy()
    b[2500] = 1e-9
    first = draw(a, ["map 1"])
    assert draw(a.copy(), ["map 1"]) is first  # the same numbers: the same picture
    assert draw(b, ["map 1"]) is not first
    assert draw(a, ["map 2"]) is not first
    assert draw(a, ["map 1"], width=11) is not first
    assert draw([a], ["map 1"]) is not draw([b], ["map 1"])  # inside a list too
    assert len(drawn) == 6


def test_a_dataclass_of_arrays_is_keyed_by_its_numbers_field_by_field():
    """A player's frames (a dataclass) differing in one value deep inside are told apart."""
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Frames:
        values: np.ndarray
        bias: float

    @pictures.drawn_once
    def encode(frames, f):
        return object()

    a = Frames(np.zeros((26, 26, 9), np.float32), 0.5)  # its repr abbreviates the array
    b = Frames(a.values.copy(), 0.5)
    b.values[13, 13, 4] = 1e-9
    first = encode(a, 0)
    assert encode(Frames(a.values.copy(), 0.5), 0) is first
    assert encode(b, 0) is not first
    assert encode(Frames(a.values, 0.25), 0) is not first


def test_a_digit_url_is_the_digit_as_png():
    from io import BytesIO

    from PIL import Image

    url = pictures.digit_url(np.eye(28, dtype=np.uint8) * 255, 84)
    assert url.startswith("data:image/png;base64,")
    picture = Image.open(BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert picture.size == (84, 84)
    pixels = np.asarray(picture)[..., :3]
    assert pixels[1, 1].min() > 250 and pixels[1, 10].max() < 5  # the diagonal, 3× larger
    assert pictures.digit_url(np.eye(28, dtype=np.uint8) * 255, 84) is url  # drawn once


def test_a_table_cell_has_the_colour_the_pictures_give_its_value():
    """cell_colours reads a kept table of the scale's colours: the same as `coloured` gives."""
    values = [*np.random.default_rng(0).normal(size=500) * 2, np.nan, -1e9, 1e9, -1.0, 0.0, 1.0]
    for scale in (pictures.GREY, pictures.DIVERGING, pictures.SEQUENTIAL):
        for v in values:
            r, g, b = pictures.coloured(np.array(v), scale, -1.0, 1.0)
            assert pictures.cell_colours(v, scale, -1.0, 1.0).startswith(
                f"background:rgb({r},{g},{b});"
            ), (scale, v)
