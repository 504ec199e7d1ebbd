"""Step 9 of the lesson: any drawing or photo of a digit made to look like an MNIST digit.

MNIST's digits were prepared this way: light ink on a dark background, cropped to the ink,
scaled to fit a 20×20 box keeping their shape, then placed in 28×28 so that their centre of
mass is at the centre. A drawing goes through the same steps before the network reads it.
Only Pillow and numpy here: the command line and the tests use it without Streamlit.
"""

import io
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

SIZE = 28  # the network's input: 28×28
BOX = 20  # MNIST's digits fit a 20×20 box inside that
EMPTY = 25  # brightest pixel below this (of 255): nothing drawn
INK = 0.2  # a pixel is ink if it is brighter than 20 % of the brightest pixel
BLOB = 0.6  # more of the 20×20 box inked than this: no MNIST digit looks like it
MIN_INK = 8  # pixels: ink less tall and wide than this is too small to hold a digit
MAX_BYTES = 20_000_000  # larger files are refused before decoding
MAX_SIDE = 1024  # larger images are shrunk first: plenty for one digit, and fast
MAX_PIXELS = 40_000_000  # more pixels than this are refused before decoding (a 40-megapixel photo)


class Steps(NamedTuple):
    """Each step of the preprocessing, to show; pixel values 0..255 until the last step."""

    grey: np.ndarray  # (H, W) grey, light ink on a dark background
    cropped: np.ndarray  # (h, w) the box around the ink
    fitted: np.ndarray  # at most 20×20, the same shape as the ink
    centred: np.ndarray  # (28, 28) centre of mass at the centre
    digit: np.ndarray  # (28, 28) float32 0..1: what the network reads
    inverted: bool  # the image was dark ink on a light background


class ImageFileError(ValueError):
    """A file or upload that cannot be read as an image; the message says what to do."""


def load_image(source: str | Path | bytes) -> Image.Image:
    """Open an image file (a path or its bytes), upright, at most MAX_SIDE pixels a side."""
    name = "The upload" if isinstance(source, bytes) else f"{source}"
    try:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as err:
        raise ImageFileError(f"{name} cannot be read ({err.strerror or err}).") from err
    if not raw:
        raise ImageFileError(f"{name} is empty (0 bytes): choose a PNG or JPG of a digit.")
    if len(raw) > MAX_BYTES:
        raise ImageFileError(
            f"{name} is {len(raw) / 1e6:.0f} MB, too large: use an image under "
            f"{MAX_BYTES / 1e6:.0f} MB (a photo of one digit needs far less)."
        )
    try:
        image = Image.open(io.BytesIO(raw))  # reads the header only: the size, not the pixels
        if image.width * image.height > MAX_PIXELS:
            raise Image.DecompressionBombError(f"Image size ({image.width * image.height} pixels)")
        image.draft("L", (MAX_SIDE, MAX_SIDE))  # JPEGs decode smaller, much faster
        image = ImageOps.exif_transpose(image)  # phone photos: the right way up
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        image.load()  # decode now: a damaged file fails here, not later
    except Image.DecompressionBombError as err:  # a small file that unpacks to a huge image
        pixels = re.search(r"\((\d+) pixels\)", str(err))
        size = f" ({int(pixels[1]) / 1e6:,.0f} megapixels)" if pixels else ""
        raise ImageFileError(
            f"{name} is too large{size} to unpack safely. Use an image under "
            f"{MAX_PIXELS / 1e6:.0f} megapixels (a photo of one digit needs far less)."
        ) from err
    except UnidentifiedImageError as err:
        raise ImageFileError(f"{name} is not an image Pillow can read: use a PNG or JPG.") from err
    except (OSError, ValueError, SyntaxError) as err:  # truncated or corrupt image data
        raise ImageFileError(f"{name} is a damaged image ({err}): try another file.") from err
    return image


def as_grey(image: Image.Image | np.ndarray) -> np.ndarray:
    """Any image as grey pixel values 0..255, (H, W) float32; transparent parts become paper."""
    try:
        return _as_grey(image)
    except (ValueError, OSError) as err:  # an unusual colour mode Pillow cannot convert
        raise ImageFileError(f"This image cannot be turned into grey ({err}).") from err


def _as_grey(image: Image.Image | np.ndarray) -> np.ndarray:
    """as_grey, without the friendly error."""
    if isinstance(image, np.ndarray):
        a = np.asarray(image)
        if a.ndim == 3 and a.shape[2] == 4:
            image = Image.fromarray(a.astype(np.uint8), "RGBA")
        elif a.ndim == 3:
            image = Image.fromarray(a[..., :3].astype(np.uint8), "RGB")
        else:
            grey = a.astype(np.float32)
            if a.dtype.kind == "f" and grey.max() <= 1:  # already 0..1, like x_test / 255
                return grey * 255
            return grey * (255 / grey.max()) if grey.max() > 255 else grey
    if image.mode in ("I", "I;16", "F"):  # 16-bit or float images: scale to 0..255
        grey = np.asarray(image, dtype=np.float32)
        return grey * (255 / grey.max()) if grey.max() > 255 else grey
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
        grey, alpha = rgba[..., :3].mean(axis=2), rgba[..., 3] / 255
        if alpha.min() == 1:
            return grey
        # Ink on a transparent background: put the paper behind it, dark ink on light paper.
        ink_is_dark = (grey * alpha).sum() < 127.5 * alpha.sum()
        paper = 255.0 if ink_is_dark else 0.0
        return grey * alpha + paper * (1 - alpha)
    return np.asarray(image.convert("L"), dtype=np.float32)


def even_background(grey: np.ndarray, cells: int = 64) -> np.ndarray:
    """The image with its background made even: a phone photo's paper is darker in the corners
    (vignetting), which would otherwise read as ink.

    A smooth surface (a quadratic in x and y: the shape of vignetting) is fitted to the image
    seen at 64×64, then again to the pixels near it, so the ink drops out and the surface
    follows the paper; the image is then lifted by the paper's shortfall from its lightest.
    Small images, drawings and MNIST digits have an even background: nothing changes.
    """
    h, w = grey.shape
    if min(h, w) < cells:
        return grey
    small = np.asarray(
        Image.fromarray(grey.astype(np.float32), "F").resize((cells, cells), Image.Resampling.BOX)
    ).ravel()
    y, x = (v.ravel() for v in np.mgrid[-1 : 1 : cells * 1j, -1 : 1 : cells * 1j])
    basis = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)
    keep = np.ones(small.shape, bool)
    for _ in range(5):  # each fit leaves out what lies far from the last: the ink
        coef = np.linalg.lstsq(basis[keep], small[keep], rcond=None)[0]
        off = np.abs(small - basis @ coef)
        keep = off <= max(8.0, 3 * float(np.median(off[keep])))
    yy, xx = np.mgrid[-1 : 1 : h * 1j, -1 : 1 : w * 1j]
    c0, cx, cy, cxx, cxy, cyy = coef
    surface = c0 + cx * xx + cy * yy + cxx * xx * xx + cxy * xx * yy + cyy * yy * yy
    fits = keep.mean() > 0.5 and float(np.median(off[keep])) < 4  # most of it, and closely
    if not fits or surface.max() - surface.min() < 8:  # no smooth paper, or even already
        return grey
    return np.clip(grey + (surface.max() - surface), 0, 255).astype(np.float32)


def light_on_dark(grey: np.ndarray, ink: str = "auto") -> tuple[np.ndarray, bool]:
    """Light ink on a dark background, like MNIST; ink is "light", "dark" or "auto" (guess).

    Returns (image, inverted).
    """
    if ink == "light":
        return grey, False
    if ink == "dark":
        return 255 - grey, True
    grey = even_background(grey)  # a photo's darker corners are no ink
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    inverted = bool(np.median(border) > 127.5)  # the border is background: light paper?
    grey = 255 - grey if inverted else grey
    background = np.median(border if not inverted else 255 - border)
    # Grey paper, photos: the background becomes black and the ink keeps its contrast.
    grey = np.clip(grey - background, 0, None) * (255 / max(255 - background, 1))
    return grey, inverted


def crop_to_ink(grey: np.ndarray) -> np.ndarray | None:
    """The smallest box around the ink, or None if nothing is drawn."""
    if grey.max() < EMPTY:
        return None
    rows = np.flatnonzero((grey > INK * grey.max()).any(axis=1))
    cols = np.flatnonzero((grey > INK * grey.max()).any(axis=0))
    return grey[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def fit_in_box(cropped: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale so the longer side is `box` pixels, keeping the aspect ratio (a 1 stays thin)."""
    h, w = cropped.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # PIL wants (width, height)
    fitted = Image.fromarray(cropped.astype(np.float32), "F").resize(size, Image.Resampling.BOX)
    return np.asarray(fitted, dtype=np.float32)


def centre_by_mass(fitted: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Place in a size×size black image with the ink's centre of mass at the centre."""
    h, w = fitted.shape
    mass = fitted.sum()
    rows, cols = np.indices(fitted.shape)
    centre_row, centre_col = (rows * fitted).sum() / mass, (cols * fitted).sum() / mass
    middle = size // 2  # MNIST's centres of mass sit on pixel (14, 14), measured on x_test
    top = int(np.clip(round(middle - centre_row), 0, size - h))
    left = int(np.clip(round(middle - centre_col), 0, size - w))
    centred = np.zeros((size, size), np.float32)
    centred[top : top + h, left : left + w] = fitted
    return centred


def scale_to_unit(centred: np.ndarray) -> np.ndarray:
    """Pixel values 0..1, the brightest pixel 1, like x_test / 255."""
    return (centred / centred.max()).astype(np.float32)


def ink_share(fitted: np.ndarray, box: int = BOX) -> float:
    """How much of the 20×20 box is ink, 0..1: about 0.23 for a typical MNIST digit, < 0.6.

    Measured against the brightest pixel, as the network's input is: faint ink counts in full.
    """
    return float(fitted.sum() / (max(float(fitted.max()), 1e-6) * box * box))


def too_small(steps: Steps) -> bool:
    """Is the ink too few pixels to be a digit (a 3×3 image, a speck)? Step 3 would blow it
    up into a few big blocks."""
    return max(steps.cropped.shape) < MIN_INK


def mnist_steps(image: Image.Image | np.ndarray, ink: str = "auto") -> Steps | None:
    """Every step from an image to an MNIST-style 28×28 digit, or None if nothing is drawn."""
    grey, inverted = light_on_dark(as_grey(image), ink)
    cropped = crop_to_ink(grey)
    if cropped is None:
        return None
    fitted = fit_in_box(cropped)
    centred = centre_by_mass(fitted)
    return Steps(grey, cropped, fitted, centred, scale_to_unit(centred), inverted)


def to_mnist(image: Image.Image | np.ndarray, ink: str = "auto") -> np.ndarray | None:
    """An image as the network's input, (28, 28) float32 0..1, or None if nothing is drawn."""
    steps = mnist_steps(image, ink)
    return None if steps is None else steps.digit
