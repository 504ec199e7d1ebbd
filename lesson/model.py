"""Step 4 of the lesson: the network, Conv-Pool-Conv-Pool-Dropout-Flatten-Dense-Dropout-Dense."""

from dataclasses import dataclass

import keras
from keras import layers

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
