"""Step 4 of the lesson: the network, Conv-Pool-Conv-Pool-Dropout-Flatten-Dense-Dropout-Dense."""

import os
from dataclasses import dataclass
from pathlib import Path

import keras
from keras import layers

from lesson.data import ASSETS

PRETRAINED_PATH = ASSETS / "pretrained.keras"
PATH_VARIABLE = "CNN_LESSON_MODEL"  # set it to use another pre-trained model file
INPUT_SHAPE = (28, 28, 1)  # one grey channel
NUM_CLASSES = 10


@dataclass(frozen=True)
class NetworkConfig:
    """Everything a learner can change about the network; the defaults are the lesson's."""

    conv_blocks: int = 2  # Conv2D + MaxPooling2D pairs
    filters: tuple[int, ...] = (6, 16, 32)  # per block; only the first `conv_blocks` are used
    kernel_size: int = 3  # a 3×3 filter
    activation: str = "relu"
    padding: str = "valid"  # "valid" shrinks the image by kernel_size - 1; "same" keeps it
    pool_size: int = 2
    conv_dropout: float = 0.25  # after the last pooling layer
    dense_units: int = 128
    dense_dropout: float = 0.5  # after the hidden dense layer

    def block_filters(self) -> tuple[int, ...]:
        """The filters of the conv layers actually used."""
        return tuple(self.filters[: self.conv_blocks])


LESSON = NetworkConfig()


def build_model(config: NetworkConfig = LESSON) -> keras.Sequential:
    """Build the CNN described by `config` (the lesson's network by default)."""
    model = keras.Sequential(name="mnist_cnn")
    model.add(keras.Input(shape=INPUT_SHAPE))  # (batch, 28, 28, 1)
    for filters in config.block_filters():
        model.add(
            layers.Conv2D(
                filters,
                kernel_size=config.kernel_size,
                activation=config.activation,
                padding=config.padding,
            )
        )
        model.add(layers.MaxPooling2D(pool_size=config.pool_size))
    if config.conv_dropout > 0:
        model.add(layers.Dropout(config.conv_dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(config.dense_units, activation="relu"))
    if config.dense_dropout > 0:
        model.add(layers.Dropout(config.dense_dropout))
    model.add(layers.Dense(NUM_CLASSES, activation="softmax"))
    return model


class ModelFileError(RuntimeError):
    """A model file is missing, unsafe or not a Keras model; the message says what to do."""


def pretrained_path() -> Path:
    """Where the pre-trained model is read from: $CNN_LESSON_MODEL or assets/pretrained.keras."""
    return Path(os.environ.get(PATH_VARIABLE) or PRETRAINED_PATH)


def load_trained(path: Path | str) -> keras.Model:
    """Load a saved .keras model safely: no code inside the file is ever run."""
    path = Path(path)
    fix = (
        "Restore it with `git checkout -- assets/pretrained.keras` or `python -m lesson.pretrain`."
    )
    if not path.is_file():
        raise ModelFileError(f"The model file {path} is missing. {fix}")
    try:
        net = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # not a zip, not a Keras model, asks to run code, ...
        raise ModelFileError(f"{path} is not a usable Keras model ({err}). {fix}") from err
    if tuple(net.input_shape[1:]) != INPUT_SHAPE or tuple(net.output_shape[1:]) != (NUM_CLASSES,):
        raise ModelFileError(
            f"{path} does not read 28×28×1 digits into 10 probabilities "
            f"(it takes {net.input_shape}, gives {net.output_shape}). {fix}"
        )
    return net
