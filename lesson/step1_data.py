"""Step 1 · The data: load MNIST from the bundled file and prepare it for a CNN.

Only numpy here, so the data pages never wait for TensorFlow to import.
"""

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from lesson import paths

ASSETS = paths.ASSETS  # assets/ of a checkout, or the installed package's copy
MNIST_PATH = ASSETS / "mnist.npz"
PATH_VARIABLE = "CNN_LESSON_MNIST"  # set it to read MNIST from somewhere else

# What keras.datasets.mnist.load_data() returns: name -> (shape, dtype).
EXPECTED = {
    "x_train": ((60000, 28, 28), np.uint8),
    "y_train": ((60000,), np.uint8),
    "x_test": ((10000, 28, 28), np.uint8),
    "y_test": ((10000,), np.uint8),
}


class DataFileError(RuntimeError):
    """The MNIST file is missing or unreadable; the message says how to fix it."""


class MNIST(NamedTuple):
    """The four arrays of MNIST, in the order load_data() returns them."""

    x_train: np.ndarray  # (60000, 28, 28) uint8, 0..255
    y_train: np.ndarray  # (60000,) uint8, 0..9
    x_test: np.ndarray  # (10000, 28, 28) uint8, 0..255
    y_test: np.ndarray  # (10000,) uint8, 0..9


def mnist_path() -> Path:
    """Where MNIST is read from: $CNN_LESSON_MNIST, or the bundled assets/mnist.npz."""
    return Path(os.environ.get(PATH_VARIABLE) or MNIST_PATH)


def load_mnist(path: Path | str | None = None) -> MNIST:
    """Load MNIST like keras.datasets.mnist.load_data(), from a local file, read-only."""
    path = Path(path) if path else mnist_path()
    fix = (
        f"Copy a good MNIST file to {path} (the project ships one as assets/mnist.npz: "
        "`git checkout -- assets/mnist.npz` restores it)."
    )
    if not path.is_file():
        raise DataFileError(f"The MNIST file {path} is missing. {fix}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in EXPECTED}
    except Exception as err:  # a truncated zip, a missing array, not an npz at all...
        raise DataFileError(f"The MNIST file {path} cannot be read ({err}). {fix}") from err
    for name, (shape, dtype) in EXPECTED.items():
        a = arrays[name]
        if a.shape != shape or a.dtype != dtype:
            raise DataFileError(
                f"In {path}, {name} is {a.shape} {a.dtype}, but MNIST's is {shape} "
                f"{np.dtype(dtype)}. {fix}"
            )
        a.flags.writeable = False  # shared by every learner: nobody may change it
    return MNIST(**arrays)


def reshape_for_cnn(x: np.ndarray) -> np.ndarray:
    """Add the channel axis a Conv2D layer expects: one grey channel."""
    return x.reshape(x.shape[0], 28, 28, 1)  # (N, 28, 28) -> (N, 28, 28, 1)


def to_float(x: np.ndarray) -> np.ndarray:
    """Turn whole-number pixels into float32, the type the network computes in."""
    return x.astype("float32")


def scale(x: np.ndarray) -> np.ndarray:
    """Map pixel values from 0..255 to 0..1."""
    return x / np.float32(255)


def preprocess(x: np.ndarray) -> np.ndarray:
    """The three preprocessing steps in the lesson's order."""
    x = reshape_for_cnn(x)  # (N, 28, 28, 1) uint8
    x = to_float(x)  # float32, still 0..255
    return scale(x)  # float32, 0..1


def array_facts(x: np.ndarray) -> dict:
    """Shape, dtype and value range of an array, as the lesson prints them."""
    return {
        "shape": str(tuple(x.shape)),
        "dtype": str(x.dtype),
        "min": float(x.min()),
        "max": float(x.max()),
    }


def label_counts(y: np.ndarray) -> np.ndarray:
    """How many images of each digit 0..9 the labels hold."""
    return np.bincount(y, minlength=10)
