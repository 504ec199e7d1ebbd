"""How fast the app trains and answers: `python -m lesson.bench` prints one JSON object.

Each entry is one measurement in seconds (`_s`) or milliseconds (`_ms`) on this machine.
"""

import json
import os
import platform
import statistics
import time

import keras
import numpy as np

from lesson import data, features, labels, model, predict, training

EPOCHS = 2  # the first epoch also traces the graph; the second is the steady speed


def epoch_seconds_live(mnist: data.MNIST) -> list[float]:
    """Epochs of the lesson's network, batch 32, all 60,000 images, through the app's own run."""
    hp = training.Hyperparameters(epochs=EPOCHS, batch_size=32, validation_split=0.0, seed=123)
    run = training.TrainingRun("bench", mnist, hp, limiter=training.Limiter(1)).start()
    run.join()
    assert run.status == "done", run.message
    ends = [e["seconds"] for e in run.epochs]
    return [b - a for a, b in zip([0.0, *ends], ends, strict=False)]


class EpochTimer(keras.callbacks.Callback):
    """Seconds per epoch."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def epoch_seconds_keras_default(mnist: data.MNIST) -> list[float]:
    """The same epochs with a plain model.fit(batch_size=32) and Keras's defaults."""
    keras.utils.set_random_seed(123)
    net = model.build_model(model.LESSON)
    net.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    timer = EpochTimer()
    x, y = data.preprocess(mnist.x_train), labels.one_hot(mnist.y_train)
    net.fit(x, y, batch_size=32, epochs=EPOCHS, verbose=0, callbacks=[timer])
    return timer.seconds


def median_ms(function, repeats: int = 50) -> float:
    """Median milliseconds of `function()`, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure() -> dict:
    """Every measurement, by name."""
    mnist = data.load_mnist()
    live = epoch_seconds_live(mnist)
    default = epoch_seconds_keras_default(mnist)
    net = model.load_trained(model.pretrained_path())
    digit = data.preprocess(mnist.x_test[:1])[0, :, :, 0]  # (28, 28)
    return {
        "epoch_s_live": round(live[-1], 2),
        "epoch_s_keras_default": round(default[-1], 2),
        "first_epoch_s_live": round(live[0], 2),
        "first_epoch_s_keras_default": round(default[0], 2),
        "predict_ms": round(median_ms(lambda: features.probabilities(net, digit)), 2),
        "feature_maps_ms": round(median_ms(lambda: features.feature_maps(net, digit)), 2),
        **predict.measure(net),  # canvas image data -> probabilities, and its feature maps
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": platform.processor() or platform.machine(),
        "numpy": np.__version__,
        "keras": keras.__version__,
    }


if __name__ == "__main__":
    print(json.dumps(measure()))
