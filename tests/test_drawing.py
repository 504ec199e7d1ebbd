"""Drawings and photos become MNIST-style digits: cropped, fitted in 20×20, centred by mass."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from lesson import step5_drawing
from tests.support import ROOT

DIGITS = range(12)  # the first twelve test images: every digit 0–9 at least once


def canvas(size: int = 280) -> np.ndarray:
    """An empty canvas as the drawing page gets it: opaque black RGBA."""
    c = np.zeros((size, size, 4), np.uint8)
    c[..., 3] = 255
    return c


def drawn_on_canvas(digit: np.ndarray, size: int = 200, top: int = 70, left: int = 15):
    """An MNIST digit drawn large and off-centre on a 280×280 canvas, white on black."""
    c = canvas()
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BICUBIC))
    c[top : top + size, left : left + size, :3] = big[..., None]
    return c


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(image.shape)
    return (rows * image).sum() / image.sum(), (cols * image).sum() / image.sum()


def png_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()


def test_a_test_digit_drawn_large_and_off_centre_comes_back_close_and_reads_the_same(mnist, net):
    from lesson import step5_prediction

    for i in DIGITS:
        original = mnist.x_test[i] / 255
        digit = step5_drawing.to_mnist(drawn_on_canvas(mnist.x_test[i]), ink="light")
        assert digit.shape == (28, 28) and digit.dtype == np.float32
        assert digit.min() >= 0 and digit.max() == 1
        assert np.abs(digit - original).mean() < 0.1, i  # pixel by pixel, close
        assert np.corrcoef(digit.ravel(), original.ravel())[0, 1] > 0.7, i
        ours, theirs = step5_prediction.probabilities(net, np.stack([digit, original]))
        assert ours.argmax() == theirs.argmax() == mnist.y_test[i], i


def test_every_step_has_the_promised_shape(mnist):
    steps = step5_drawing.mnist_steps(drawn_on_canvas(mnist.x_test[0]), ink="light")
    assert steps.grey.shape == (280, 280)
    h, w = steps.cropped.shape
    assert max(steps.fitted.shape) == 20
    assert steps.fitted.shape[0] / steps.fitted.shape[1] == pytest.approx(h / w, rel=0.15)
    assert steps.centred.shape == steps.digit.shape == (28, 28)
    assert centre_of_mass(steps.digit) == pytest.approx((14, 14), abs=0.5)
    assert not steps.inverted


def test_dark_ink_on_light_paper_any_size_is_inverted_to_the_same_digit(mnist):
    light = step5_drawing.to_mnist(drawn_on_canvas(mnist.x_test[0]), ink="light")
    paper = Image.fromarray(255 - drawn_on_canvas(mnist.x_test[0])[..., 0]).resize((600, 600))
    photo = paper.convert("RGB").point(lambda v: 40 + v * 0.7)  # grey paper, grey ink: a photo
    for image in (paper, photo):
        steps = step5_drawing.mnist_steps(image)  # ink="auto" guesses from the border
        assert steps.inverted
        assert np.abs(steps.digit - light).mean() < 0.05


def test_dark_ink_on_a_transparent_background(mnist):
    ink = drawn_on_canvas(mnist.x_test[0])[..., 0]
    rgba = np.zeros((280, 280, 4), np.uint8)  # black ink, only the alpha channel says where
    rgba[..., 3] = ink
    digit = step5_drawing.to_mnist(rgba)
    assert (
        np.abs(digit - step5_drawing.to_mnist(drawn_on_canvas(mnist.x_test[0]), "light")).mean()
        < 0.05
    )


def test_mnist_arrays_pass_through_almost_unchanged(mnist):
    for i in DIGITS:
        digit = step5_drawing.to_mnist(mnist.x_test[i], ink="light")
        assert np.abs(digit - mnist.x_test[i] / 255).mean() < 0.03
        assert np.array_equal(step5_drawing.to_mnist(mnist.x_test[i] / 255, ink="light"), digit)


@pytest.mark.parametrize("ink", ["light", "auto"])
def test_an_empty_canvas_is_nothing_drawn(ink):
    assert step5_drawing.mnist_steps(canvas(), ink=ink) is None
    assert step5_drawing.to_mnist(np.zeros((280, 280, 4), np.uint8), ink=ink) is None  # transparent
    faint = canvas()
    faint[100:120, 100:120, :3] = 10  # a smudge too faint to be ink
    assert step5_drawing.to_mnist(faint, ink=ink) is None


def test_one_dot_is_blown_up_to_a_centred_blob_that_fills_the_box():
    dot = canvas()
    dot[20:40, 230:250, :3] = 255
    steps = step5_drawing.mnist_steps(dot, ink="light")
    assert steps.cropped.shape == (20, 20)
    assert centre_of_mass(steps.digit) == pytest.approx((14, 14), abs=0.5)
    assert (
        step5_drawing.ink_share(steps.fitted) > step5_drawing.BLOB
    )  # the page: "don't trust this answer"


def test_a_full_canvas_and_a_scribble_are_read_but_flagged(mnist, net):
    from lesson import step5_prediction

    full = canvas()
    full[..., :3] = 255
    scribble = Image.fromarray(canvas())
    pen = ImageDraw.Draw(scribble)
    rng = np.random.default_rng(0)
    pen.line([tuple(rng.integers(0, 280, 2)) for _ in range(60)], fill="white", width=25)
    for image in (full, np.asarray(scribble)):
        steps = step5_drawing.mnist_steps(image, ink="light")
        assert steps.digit.shape == (28, 28)
        assert step5_prediction.probabilities(net, steps.digit).shape == (1, 10)
        assert step5_drawing.ink_share(steps.fitted) > step5_drawing.BLOB
    shares = [
        step5_drawing.ink_share(step5_drawing.mnist_steps(x, "light").fitted)
        for x in mnist.x_test[:500]
    ]
    assert max(shares) < step5_drawing.BLOB  # real digits are never flagged


def test_a_thin_line_stays_thin_and_visible(net):
    from lesson import step5_prediction

    thin = canvas()
    thin[40:240, 139:141, :3] = 255  # 2 pixels wide, 200 tall
    steps = step5_drawing.mnist_steps(thin, ink="light")
    assert steps.fitted.shape == (20, 1)  # the aspect ratio is kept: not stretched to a square
    assert steps.digit.max() == 1
    assert step5_prediction.probabilities(net, steps.digit).argmax() == 1
    across = canvas()
    across[139:141, 40:240, :3] = 255
    assert step5_drawing.mnist_steps(across, ink="light").fitted.shape == (1, 20)


def test_load_image_reads_png_jpg_16_bit_and_any_size(tmp_path, mnist):
    digit = Image.fromarray(mnist.x_test[0])
    for fmt in ("PNG", "JPEG"):
        image = step5_drawing.load_image(png_bytes(digit.resize((300, 300)), fmt))
        assert step5_drawing.to_mnist(image).shape == (28, 28)
    wide = Image.fromarray(mnist.x_test[0]).resize((4000, 3000))
    assert max(step5_drawing.load_image(png_bytes(wide)).size) <= step5_drawing.MAX_SIDE
    deep = Image.fromarray(mnist.x_test[0].astype(np.uint16) * 257)  # 16-bit grey
    path = tmp_path / "deep.png"
    deep.save(path)
    assert (
        np.abs(
            step5_drawing.to_mnist(step5_drawing.load_image(path)) - mnist.x_test[0] / 255
        ).mean()
        < 0.03
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", r"empty \(0 bytes\)"),
        (b"this is not a picture", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not an image"),
        (b"x" * (step5_drawing.MAX_BYTES + 1), "too large"),
    ],
    ids=["zero-bytes", "text", "broken-png", "huge"],
)
def test_bad_files_give_a_clear_error(tmp_path, content, message):
    with pytest.raises(step5_drawing.ImageFileError, match=message):
        step5_drawing.load_image(content)
    path = tmp_path / "digit.png"
    path.write_bytes(content)
    with pytest.raises(step5_drawing.ImageFileError, match=message):
        step5_drawing.load_image(path)


def test_a_truncated_png_and_a_missing_file_give_a_clear_error(tmp_path, mnist):
    whole = png_bytes(Image.fromarray(mnist.x_test[0]).resize((200, 200)))
    with pytest.raises(step5_drawing.ImageFileError, match=r"damaged|not an image"):
        step5_drawing.mnist_steps(step5_drawing.load_image(whole[: len(whole) // 2]))
    with pytest.raises(step5_drawing.ImageFileError, match="cannot be read"):
        step5_drawing.load_image(tmp_path / "nowhere.png")


def test_the_core_never_imports_keras_or_streamlit():
    import subprocess
    import sys

    code = "import sys, lesson.step5_drawing; print('keras' in sys.modules, 'streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def photo_of_a_seven(vignette: float, noise: float = 0.0, seed: int = 0) -> Image.Image:
    """A clear dark 7 on grey paper, as a phone photographs it: corners darker by `vignette`
    (a share of the paper's brightness), with sensor noise."""
    img = Image.new("L", (400, 400), 170)
    ImageDraw.Draw(img).line([(120, 110), (290, 110), (190, 310)], fill=40, width=22)
    a = np.asarray(img, np.float32)
    yy, xx = np.mgrid[0:400, 0:400] / 399 - 0.5
    a = a * (1 - vignette * (xx**2 + yy**2) / 0.5)
    a += np.random.default_rng(seed).normal(0, noise, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


@pytest.mark.parametrize(("vignette", "noise"), [(0.0, 0), (0.45, 0), (0.6, 0), (0.5, 8)])
def test_a_photo_with_darker_corners_reads_like_one_on_even_paper(net, vignette, noise):
    """The 7 with vignetting read "A 0 or a 7?" (issue 18): its dark corners became ink."""
    from lesson import step5_prediction

    steps = step5_drawing.mnist_steps(photo_of_a_seven(vignette, noise))
    p = step5_prediction.probabilities(net, steps.digit)[0]
    assert p.argmax() == 7 and p[7] > 0.9, p.round(3)
    assert steps.inverted
    if not noise:  # the crop is the 7, not the whole photo (noise specks may widen it)
        assert max(steps.cropped.shape) < 250


def test_an_even_background_is_left_alone(mnist):
    digit = mnist.x_test[0].astype(np.float32)
    assert step5_drawing.even_background(digit) is digit  # small: nothing to even out
    square = np.zeros((280, 280), np.float32)
    square[20:260, 20:260] = 255  # mostly ink, no paper to fit
    assert np.array_equal(step5_drawing.even_background(square), square)
    paper = np.full((300, 300), 200, np.float32)
    assert np.array_equal(step5_drawing.even_background(paper), paper)


def test_a_tiny_image_is_too_small_to_be_a_digit():
    tiny = np.array([[0, 255, 0], [0, 255, 0], [0, 255, 0]], np.uint8)
    assert step5_drawing.too_small(step5_drawing.mnist_steps(tiny, ink="light"))
    assert not step5_drawing.too_small(step5_drawing.mnist_steps(np.asarray(photo_of_a_seven(0))))
