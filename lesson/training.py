"""Steps 5–7 of the lesson: compile, fit and evaluate."""

import keras

OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD,
              "rmsprop": keras.optimizers.RMSprop}  # fmt: skip
# Keras runs this many batches per call into TensorFlow: ~2× faster on CPU, same arithmetic.
STEPS_PER_EXECUTION = 200


def compile_model(model: keras.Model, optimizer: str = "adam", learning_rate: float = 1e-3):
    """Choose the loss, the optimizer and the metric the network is trained with."""
    model.compile(
        loss="categorical_crossentropy",  # compares 10 probabilities with a one-hot label
        optimizer=OPTIMIZERS[optimizer](learning_rate=learning_rate),
        metrics=["accuracy"],  # the share of images whose most likely digit is right
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


class FilterSnapshots(keras.callbacks.Callback):
    """Keep a copy of every conv layer's filters before training and after each epoch."""

    def __init__(self):
        super().__init__()
        self.snapshots: list[list] = []  # [epoch][conv layer] -> (k, k, in, out) array

    def _take(self) -> None:
        convs = [layer for layer in self.model.layers if isinstance(layer, keras.layers.Conv2D)]
        self.snapshots.append([layer.kernel.numpy().copy() for layer in convs])

    def on_train_begin(self, logs=None):
        if not self.snapshots:  # the random starting filters, once
            self._take()

    def on_epoch_end(self, epoch, logs=None):
        self._take()
