"""Step 4 · Train: compile, fit and evaluate, with curves that grow while it trains.

Plain Keras, as a teacher writes it: `fit` calls `model.fit` with `LiveCurves`, a callback that
collects the loss and accuracy as the network learns. Running it for a whole class (a queue,
worker processes, Stop) is machinery, in lesson/machinery/runs.py and workers.py.
"""

import math
import threading
import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from lesson import step3_network, step4_augmentation

OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD,
              "rmsprop": keras.optimizers.RMSprop}  # fmt: skip
# Keras runs this many batches per call into TensorFlow: ~2× faster on CPU, same arithmetic.
STEPS_PER_EXECUTION = 200


def compile_model(
    model: keras.Model,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    steps_per_execution: int = STEPS_PER_EXECUTION,
):
    """Choose the loss, the optimizer and the metric the network is trained with."""
    model.compile(
        loss="categorical_crossentropy",  # compares 10 probabilities with a one-hot label
        optimizer=OPTIMIZERS[optimizer](learning_rate=learning_rate),
        metrics=["accuracy"],  # the share of images whose most likely digit is right
        steps_per_execution=steps_per_execution,
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


# --- The hyperparameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class Hyperparameters:
    """How the network is trained. The defaults: a quick run for class (3 epochs, ≥ 98 %)."""

    epochs: int = 3
    batch_size: int = 64
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    validation_split: float = 0.1  # the share of the training images kept aside to validate
    train_images: int = 60_000  # a random subset of the 60,000, for quick demos
    seed: int = 1  # same seed, same starting weights and order: the same run again
    augmentation: float = 0.0  # strength of the random changes to training images; 0 = none


QUICK = Hyperparameters()
RECIPE = Hyperparameters(epochs=10, batch_size=32, validation_split=0.0, seed=123)  # the lesson's


def split(x: np.ndarray, y: np.ndarray, hp: Hyperparameters):
    """A random subset of `train_images` images; the last `validation_split` of it validates."""
    order = np.random.default_rng(hp.seed).permutation(len(x))[: hp.train_images]
    n_val = round(len(order) * hp.validation_split)
    train, val = order[: len(order) - n_val], order[len(order) - n_val :]
    return x[train], y[train], x[val], y[val]  # uint8 images, digit labels


def batches_per_epoch(hp: Hyperparameters, images: int = 60_000) -> int:
    """The batches in one epoch of `split`'s training part, out of `images` training images."""
    n = min(hp.train_images, images)
    return math.ceil((n - round(n * hp.validation_split)) / hp.batch_size)


def _prepare(images, digits):
    """The lesson's preprocessing and one-hot labels, for one batch inside TensorFlow."""
    x = tf.cast(tf.expand_dims(images, -1), "float32") / 255.0  # (batch, 28, 28, 1), 0..1
    return x, tf.one_hot(tf.cast(digits, "int32"), step3_network.NUM_CLASSES)  # (batch, 10)


def batches(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    seed: int | None = None,
    augment: keras.Layer | None = None,
):
    """Images and one-hot labels, `batch_size` at a time, prepared while the network computes.

    With a seed the images come in a new random order every epoch; with `augment` (layers from
    lesson.step4_augmentation) every batch is randomly changed on its way. Why tf.data: the raw
    images stay small, each batch is picked and scaled in one step, and the next batches are
    ready in advance, so the network never waits for data.
    """
    images, digits = tf.constant(x), tf.constant(y)  # (N, 28, 28) uint8, (N,) uint8
    order = tf.data.Dataset.range(len(x))
    if seed is not None:  # shuffle the image numbers, not the images: much faster
        order = order.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = order.batch(batch_size).map(
        lambda i: _prepare(tf.gather(images, i), tf.gather(digits, i)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if augment is not None:  # new random changes every epoch
        changed = lambda i, o: (augment(i, training=True), o)  # noqa: E731
        ds = ds.map(changed)  # one at a time: the same seed gives the same changes
    return ds.prefetch(tf.data.AUTOTUNE)


def live_steps_per_execution(batch_size: int, steps_per_epoch: int) -> int:
    """Batches per call into TensorFlow: fast, yet new points for the curves every ~0.3 s."""
    steps = max(1, (STEPS_PER_EXECUTION * 32) // batch_size)  # ~6,400 images per call
    return max(1, min(steps, steps_per_epoch // 4))  # at least 4 points per epoch


EXPLODED = 100.0  # a loss this large (guessing gives 2.3) only comes from runaway weights
NAN_MESSAGE = (
    "The loss exploded in epoch {epoch} (it reached {loss}): the learning rate {lr:g} is so "
    "large that each update overshoots, the weights grow without limit and the arithmetic "
    "overflows to NaN, not a number. Training stopped. Try a learning rate 10 or 100 times smaller."
)


def fit(model: keras.Model, x, y, x_val, y_val, hp: Hyperparameters, callbacks: list) -> None:
    """Train the network on the training images, `hp.epochs` times over, batch by batch."""
    augment = step4_augmentation.augmenter(hp.augmentation, hp.seed) if hp.augmentation else None
    model.fit(
        batches(x, y, hp.batch_size, seed=hp.seed, augment=augment),
        validation_data=batches(x_val, y_val, 1000) if len(x_val) else None,
        epochs=hp.epochs,
        callbacks=callbacks,  # e.g. LiveCurves: the curves, drawn while the network trains
        shuffle=False,  # batches() shuffles
        verbose=0,
    )


class LiveCurves(keras.callbacks.Callback):
    """Collect loss and accuracy while the network trains; stop it if the loss explodes."""

    def __init__(self, steps_per_epoch: int):
        super().__init__()
        self.steps_per_epoch = steps_per_epoch
        self.batches: list[dict] = []  # training loss and accuracy, several points per epoch
        self.epochs: list[dict] = []  # training and validation loss and accuracy, per epoch
        self.epoch, self.batch = 0, 0  # where training is now
        self.exploded: str | None = None  # why the loss ran away, in words
        self.seen = (0, 0.0, 0.0)  # (batches, mean loss, mean accuracy) so far this epoch

    def on_train_begin(self, logs=None):
        self.started = time.monotonic()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.batch, self.seen = epoch, 0, (0, 0.0, 0.0)

    def on_train_batch_end(self, batch, logs=None):
        # Keras calls this once per call into TensorFlow with the epoch's running means; the
        # mean over just the batches since the last call is what the curve shows.
        n0, loss0, acc0 = self.seen
        n = min(batch + 1, self.steps_per_epoch)  # Keras counts a short last call as a full one
        loss, acc = float(logs["loss"]), float(logs["accuracy"])
        self.seen, self.batch = (n, loss, acc), n
        if not loss < EXPLODED:  # also True for NaN
            shown = "NaN" if math.isnan(loss) else f"{loss:.3g}"
            rate = float(self.model.optimizer.learning_rate)
            self.exploded = NAN_MESSAGE.format(epoch=self.epoch + 1, loss=shown, lr=rate)
            self.model.stop_training = True
            return
        self.batches.append(
            {
                "epoch": self.epoch + n / self.steps_per_epoch,  # 2.5 = half-way through epoch 3
                "loss": (loss * n - loss0 * n0) / (n - n0),
                "accuracy": (acc * n - acc0 * n0) / (n - n0),
            }
        )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.exploded or self.batch < self.steps_per_epoch:
            return  # an epoch cut short by Stop or NaN is not a whole epoch
        self.epochs.append(
            {
                "epoch": epoch + 1,
                "seconds": time.monotonic() - self.started,  # since training began
                "loss": float(logs.get("loss", math.nan)),
                "accuracy": float(logs.get("accuracy", math.nan)),
                "val_loss": float(logs.get("val_loss", math.nan)),
                "val_accuracy": float(logs.get("val_accuracy", math.nan)),
            }
        )


FIT_CODE = (fit, LiveCurves, batches)  # what the Train page shows: what the workers run


def evaluate(model: keras.Model, x_test: np.ndarray, y_test: np.ndarray) -> dict:
    """Test loss and accuracy, the error rate, and the chance of getting 5 digits in a row right."""
    loss, accuracy = model.evaluate(batches(x_test, y_test, 1000), verbose=0)
    return {
        "loss": loss,
        "accuracy": accuracy,
        "error_rate": 1 - accuracy,
        "five_in_a_row": accuracy**5,  # five independent digits, all right
    }


CHANCE_LOSS = math.log(10)  # 2.30: the loss of giving each of the ten digits 10 %
CHANCE_ACCURACY = 0.1  # guessing gets one digit in ten
USUAL_RATE = {"adam": 1e-3, "rmsprop": 1e-3, "sgd": 1e-2}  # each optimizer's common default


def rate_problem(hp: Hyperparameters) -> str | None:
    """What is wrong with a learning rate far from its optimizer's usual one, or None."""
    usual, rate = USUAL_RATE[hp.optimizer], hp.learning_rate
    if rate >= 10 * usual:
        return (
            f"The learning rate {rate:g} is far too large for {hp.optimizer} (its usual one is "
            f"{usual:g}): each update overshoots, so the weights jump past every low point of "
            "the loss instead of settling in one. Try a learning rate 10 or 100 times smaller."
        )
    if rate <= usual / 10:
        return (
            f"The learning rate {rate:g} is so small that the weights hardly move in "
            f"{hp.epochs} epoch{'s' if hp.epochs != 1 else ''}. Try a larger learning rate "
            "or more epochs."
        )
    return None


FEW_UPDATES = 100  # fewer weight updates than this in a whole run: too few to learn from


def updates(hp: Hyperparameters) -> int:
    """How many times a run updates the weights: batches per epoch × epochs."""
    return batches_per_epoch(hp) * hp.epochs


def causes(hp: Hyperparameters, config: step3_network.NetworkConfig | None, diverged: bool):
    """What in the network and settings explains a run that did not learn, each with its cure.

    Each cure must not make another cause worse: sigmoid wants a larger rate, so it is only
    named when the rate is not already too large.
    """
    out = []
    rate = rate_problem(hp)
    too_large = hp.learning_rate >= 10 * USUAL_RATE[hp.optimizer]
    if rate:
        out.append(rate)
    if config is not None and config.dense_units < step3_network.NUM_CLASSES:
        units = config.dense_units
        out.append(
            f"The hidden Dense layer has only {units} unit{'s' if units != 1 else ''}: all the "
            f"last layer learns from is {units} number{'s' if units != 1 else ''} per image, "
            "too few to tell ten digits apart (a ReLU unit can also switch off for good). "
            "Give it more units, e.g. the lesson's 128."
        )
    if (
        config is not None
        and config.conv_blocks
        and config.activation == "sigmoid"
        and not (too_large)
    ):
        out.append(
            "Sigmoid saturates: its slope is at most 0.25 and nearly 0 for large inputs, so the "
            "updates that reach the first layers are tiny and a smaller learning rate makes that "
            "worse. Try relu, or a larger learning rate (10 times the usual "
            f"{USUAL_RATE[hp.optimizer]:g})."
        )
    if diverged and not too_large:
        out.append("The weights ran away: try a learning rate 10 times smaller.")
    if (n := updates(hp)) < FEW_UPDATES and not diverged:
        out.append(
            f"It updated its weights only {n} times ({hp.train_images:,} images, batch "
            f"{hp.batch_size}, {hp.epochs} epoch{'s' if hp.epochs != 1 else ''}): too few to "
            "learn from. Try more images, more epochs or a smaller batch."
        )
    return out


def did_not_learn(
    test: dict | None, hp: Hyperparameters, config: step3_network.NetworkConfig | None = None
) -> str | None:
    """None if a trained network learned; else, in words, what happened and what to change.

    A network that learned nothing reads about one test digit in ten right (guessing) and its
    loss stays near −log(1/10) ≈ 2.30; one whose weights ran away (diverged) does worse still.
    The cause named is the one that fits the network (`config`) and the settings (`hp`).
    """
    if not test or test["accuracy"] > 2 * CHANCE_ACCURACY:
        return None
    loss, accuracy = test["loss"], test["accuracy"]
    diverged = not (math.isfinite(loss) and loss <= 1.5 * CHANCE_LOSS)
    if not diverged:
        what = (
            f"its test loss, {loss:.2f}, is near {CHANCE_LOSS:.2f} = −log(0.1), the loss of "
            "giving every digit 10 %"
        )
    else:
        shown = f"{loss:.3g}" if math.isfinite(loss) else "not a number"
        what = f"its test loss, {shown}, is even worse than that: the weights ran away (diverged)"
    change = " ".join(causes(hp, config, diverged)) or (
        "Nothing in its network or settings explains it: perhaps an unlucky start. Train it "
        "again with another random seed; if it still does not learn, go back to the quick run "
        "and the lesson's network and change one thing at a time."
    )
    return (
        f"**The network did not learn.** Its test accuracy, {accuracy:.2%}, is what guessing "
        f"gets (one digit in ten), and {what}. {change}"
    )


_SEED_LOCK = threading.Lock()  # the random seed is global: one build at a time sets it


def build(config: step3_network.NetworkConfig, seed: int) -> keras.Model:
    """The network with the starting weights `seed` gives: the same seed, the same weights."""
    for attempt in range(5):
        with _SEED_LOCK:
            keras.utils.set_random_seed(seed)
            try:
                return step3_network.build_model(config)
            except ValueError:
                # Streamlit resets Keras's layer-name counters after every script run, in every
                # thread; a build caught in between gets two layers named alike: build again.
                if attempt == 4:
                    raise
    raise AssertionError("unreachable")
