"""Steps 5–7 of the lesson: compile, fit and evaluate, live and in the background.

A `TrainingRun` trains one learner's network in its own thread. A Keras callback collects the
loss and accuracy while it trains, so a page can draw the curves as they grow and stop it at
any moment. A process-wide `Limiter` lets only a few runs train at once; the others wait in line.
"""

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from lesson import augmentation, data
from lesson import model as lesson_model

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
    """How the network is trained. The defaults: a quick run for class (≈ 15 s, ≥ 98 %)."""

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

# Bounds the page's widgets keep to, so no combination is impossible.
EPOCHS = (1, 20)
BATCH_SIZES = (16, 32, 64, 128, 256, 512)
LEARNING_RATES = (1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
VALIDATION_SPLITS = (0.0, 0.3)
TRAIN_IMAGES = (1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000)


def split(x: np.ndarray, y: np.ndarray, hp: Hyperparameters):
    """A random subset of `train_images` images; the last `validation_split` of it validates."""
    order = np.random.default_rng(hp.seed).permutation(len(x))[: hp.train_images]
    n_val = round(len(order) * hp.validation_split)
    train, val = order[: len(order) - n_val], order[len(order) - n_val :]
    return x[train], y[train], x[val], y[val]  # uint8 images, digit labels


def _prepare(images, digits):
    """The lesson's preprocessing and one-hot labels, for one batch inside TensorFlow."""
    x = tf.cast(tf.expand_dims(images, -1), "float32") / 255.0  # (batch, 28, 28, 1), 0..1
    return x, tf.one_hot(tf.cast(digits, "int32"), lesson_model.NUM_CLASSES)  # (batch, 10)


def batches(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    seed: int | None = None,
    augment: keras.Layer | None = None,
):
    """Images and one-hot labels, `batch_size` at a time, prepared while the network computes.

    With a seed the images come in a new random order every epoch; with `augment` (layers from
    lesson.augmentation) every batch is randomly changed on its way. Why tf.data: the raw uint8
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


def did_not_learn(test: dict | None, hp: Hyperparameters) -> str | None:
    """None if a trained network learned; else, in words, what happened and what to change.

    A network that learned nothing reads about one test digit in ten right (guessing) and its
    loss stays near −log(1/10) ≈ 2.30; one whose weights ran away (diverged) does worse still.
    """
    if not test or test["accuracy"] > 2 * CHANCE_ACCURACY:
        return None
    loss, accuracy = test["loss"], test["accuracy"]
    if math.isfinite(loss) and loss <= 1.5 * CHANCE_LOSS:
        what = (
            f"its test loss, {loss:.2f}, is near {CHANCE_LOSS:.2f} = −log(0.1), the loss of "
            "giving every digit 10 %"
        )
    else:
        shown = f"{loss:.3g}" if math.isfinite(loss) else "not a number"
        what = f"its test loss, {shown}, is even worse than that: the weights ran away (diverged)"
    change = rate_problem(hp) or "Try a smaller learning rate, more images or more epochs."
    return (
        f"**The network did not learn.** Its test accuracy, {accuracy:.2%}, is what guessing "
        f"gets (one digit in ten), and {what}. {change}"
    )


# --- At most N trainings at once ---------------------------------------------------------------

MAX_TRAININGS_VARIABLE = "CNN_LESSON_MAX_TRAININGS"


def max_trainings() -> int:
    """How many runs this server trains at once: $CNN_LESSON_MAX_TRAININGS, default 2."""
    try:
        return max(1, int(os.environ.get(MAX_TRAININGS_VARIABLE, "2")))
    except ValueError:
        return 2


class Limiter:
    """At most `slots` runs train at once in this process; the others wait, first come first."""

    def __init__(self, slots: int):
        self.slots = slots
        self._changed = threading.Condition()
        self._running: list = []
        self._waiting: list = []

    def position(self, run) -> int:
        """1 for the next run in line, 2 for the one after, ...; 0 if `run` is not waiting."""
        with self._changed:
            return self._waiting.index(run) + 1 if run in self._waiting else 0

    def running(self) -> int:
        """How many runs are training now."""
        with self._changed:
            return len(self._running)

    def wait_for_slot(self, run, give_up: Callable[[], bool]) -> bool:
        """Wait until `run` may train (True), or until `give_up()` says so (False)."""
        with self._changed:
            self._waiting.append(run)
            try:
                while self._waiting[0] is not run or len(self._running) >= self.slots:
                    if give_up():
                        return False
                    self._changed.wait(0.2)
                self._running.append(run)
                return True
            finally:
                self._waiting.remove(run)
                self._changed.notify_all()

    def release(self, run) -> None:
        """`run` has finished: let the next one in."""
        with self._changed:
            if run in self._running:
                self._running.remove(run)
            self._changed.notify_all()


LIMITER = Limiter(max_trainings())
_SEED_LOCK = threading.Lock()  # the random seed is global: one run at a time sets it and builds
DEAD_AFTER = 3.0  # seconds `alive()` may say no before the run stops
EXPLODED = 100.0  # a loss this large (guessing gives 2.3) only comes from runaway weights
NAN_MESSAGE = (
    "The loss exploded in epoch {epoch} (it reached {loss}): the learning rate {lr:g} is so "
    "large that each update overshoots, the weights grow without limit and the arithmetic "
    "overflows to NaN, not a number. Training stopped. Try a learning rate 10 or 100 times smaller."
)


def build(config: lesson_model.NetworkConfig, seed: int) -> keras.Model:
    """The network with the starting weights `seed` gives: the same seed, the same weights."""
    for attempt in range(5):
        with _SEED_LOCK:
            keras.utils.set_random_seed(seed)
            try:
                return lesson_model.build_model(config)
            except ValueError:
                # Streamlit resets Keras's layer-name counters after every script run, in every
                # thread; a build caught in between gets two layers named alike: build again.
                if attempt == 4:
                    raise
    raise AssertionError("unreachable")


# --- One training run --------------------------------------------------------------------------


class LiveMetrics(keras.callbacks.Callback):
    """Collect loss and accuracy while the network trains; stop it on request or on NaN."""

    def __init__(self, run: "TrainingRun"):
        super().__init__()
        self.run = run
        self.seen = (0, 0.0, 0.0)  # (batches, mean loss, mean accuracy) so far this epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.run.epoch, self.run.batch = epoch, 0
        self.seen = (0, 0.0, 0.0)

    def on_train_batch_end(self, batch, logs=None):
        # Keras calls this once per call into TensorFlow with the epoch's running means; the
        # mean over just the batches since the last call is what the curve shows.
        run = self.run
        n0, loss0, acc0 = self.seen
        n = min(batch + 1, run.steps_per_epoch)  # Keras counts a short last call as a full one
        loss, acc = float(logs["loss"]), float(logs["accuracy"])
        self.seen = (n, loss, acc)
        run.batch = n
        if not loss < EXPLODED:  # also True for NaN
            shown = "NaN" if math.isnan(loss) else f"{loss:.3g}"
            run.fail(NAN_MESSAGE.format(epoch=run.epoch + 1, loss=shown, lr=run.hp.learning_rate))
            self.model.stop_training = True
            return
        if run._first is None:
            run._first = (run.epoch * run.steps_per_epoch + n, time.monotonic())
        run.batches.append(
            {
                "epoch": run.epoch + n / run.steps_per_epoch,  # 2.5 = half-way through epoch 3
                "loss": (loss * n - loss0 * n0) / (n - n0),
                "accuracy": (acc * n - acc0 * n0) / (n - n0),
            }
        )
        if run.should_stop():
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.run.status == "failed" or self.run.batch < self.run.steps_per_epoch:
            return  # an epoch cut short by Stop or NaN is not a whole epoch
        self.run.epochs.append(
            {
                "epoch": epoch + 1,
                "seconds": time.monotonic() - self.run._started,  # since training began
                "loss": float(logs.get("loss", math.nan)),
                "accuracy": float(logs.get("accuracy", math.nan)),
                "val_loss": float(logs.get("val_loss", math.nan)),
                "val_accuracy": float(logs.get("val_accuracy", math.nan)),
            }
        )
        self.run.seconds = time.monotonic() - self.run._started
        self.run._tell("epoch")


class TrainingRun:
    """One learner's training run: network, hyperparameters, live curves, model and test score.

    `start()` trains in a background thread that never touches the page; the page reads
    `status`, `progress()`, `batches` and `epochs` whenever it likes and calls `stop()`.
    """

    def __init__(
        self,
        name: str,
        mnist: data.MNIST,
        hp: Hyperparameters = QUICK,
        config: lesson_model.NetworkConfig = lesson_model.LESSON,
        alive: Callable[[], bool] = lambda: True,
        limiter: Limiter | None = None,
        listener: Callable[["TrainingRun", str], None] | None = None,
        gone: str = "Nobody is watching this run any more.",
    ):
        self.name, self.hp, self.config = name, hp, config
        self.status = "queued"  # then "running", and at last "done", "stopped" or "failed"
        self.message = ""  # why a run stopped or failed, in words
        self.model: keras.Model | None = None
        self.parameters = 0
        self.batches: list[dict] = []  # training loss and accuracy, many points per epoch
        self.epochs: list[dict] = []  # training and validation loss and accuracy, per epoch
        self.test: dict | None = None  # evaluate() on the 10,000 test images
        self.epoch, self.batch, self.steps_per_epoch = 0, 0, 1
        self.seconds = 0.0  # training time so far
        self._mnist, self._alive, self._limiter = mnist, alive, limiter or LIMITER
        # Told "running", "epoch" and "finished" from the training thread (the store saves then).
        self._listener, self._gone = listener, gone
        self._filters = FilterSnapshots()
        self._stop = threading.Event()
        self._started = 0.0
        self._first: tuple[int, float] | None = None  # (batches done, time) at the first point
        self._dead_since: float | None = None
        self._thread = threading.Thread(target=self._train, name=f"training {name}", daemon=True)

    @property
    def snapshots(self) -> list[list]:
        """Every conv layer's filters before training and after each epoch; grows live."""
        return self._filters.snapshots

    @property
    def finished(self) -> bool:
        return self.status in ("done", "stopped", "failed")

    @property
    def stopping(self) -> bool:
        """Stop was asked for; the run ends after the batches it is computing now."""
        return self._stop.is_set()

    @property
    def usable(self) -> bool:
        """Has a model the other pages can use: trained to the end, or stopped on the way."""
        return self.status in ("done", "stopped") and self.model is not None

    def queue_position(self) -> int:
        """Where this run waits in line (1 = next), or 0."""
        return self._limiter.position(self) if self.status == "queued" else 0

    def progress(self) -> dict:
        """Epoch and batch reached, the share done, and an estimate of the seconds left."""
        total = self.hp.epochs * self.steps_per_epoch
        done = min(self.epoch * self.steps_per_epoch + self.batch, total)
        elapsed = time.monotonic() - self._started if self.status == "running" else self.seconds
        left = math.nan
        if self._first is not None and done > self._first[0]:  # the rate since the first point
            rate = (done - self._first[0]) / (time.monotonic() - self._first[1])
            left = (total - done) / rate
        return {"epoch": min(self.epoch + 1, self.hp.epochs), "epochs": self.hp.epochs,
                "batch": self.batch, "batches": self.steps_per_epoch,
                "fraction": done / total, "seconds": elapsed, "seconds_left": left}  # fmt: skip

    def start(self) -> "TrainingRun":
        self._thread.start()
        return self

    def stop(self, message: str = "You stopped the run.") -> None:
        """Ask the run to stop after the batches it is computing now (a fraction of a second)."""
        if not self._stop.is_set():
            self.message = message
            self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def fail(self, message: str) -> None:
        self.status, self.message = "failed", message

    def should_stop(self) -> bool:
        """True once Stop was pressed or the learner's session has been closed for a while."""
        if self._alive():
            self._dead_since = None
        else:
            now = time.monotonic()
            self._dead_since = self._dead_since or now
            if now - self._dead_since > DEAD_AFTER:
                self.stop(self._gone)
        return self._stop.is_set() or self.status == "failed"

    def _tell(self, event: str) -> None:
        if self._listener is not None:
            self._listener(self, event)

    def _train(self) -> None:
        if not self._limiter.wait_for_slot(self, self.should_stop):
            self.status = "stopped"
            self._tell("finished")
            return
        try:
            self.status = "running"
            self._fit()
            if self.status == "failed":
                return
            if not self._stop.is_set() or self._alive():  # a closed session needs no score
                self.test = evaluate(self.model, self._mnist.x_test, self._mnist.y_test)
            self.status = "stopped" if self._stop.is_set() else "done"  # last: the page waits
        except Exception as err:  # never lose the thread silently: say what went wrong
            self.fail(f"Training failed: {err}")
        finally:
            self._limiter.release(self)
            self._mnist = None  # the run keeps its curves and model, not the images
            self._tell("finished")

    def _fit(self) -> None:
        hp = self.hp
        x, y, x_val, y_val = split(self._mnist.x_train, self._mnist.y_train, hp)
        self.steps_per_epoch = math.ceil(len(x) / hp.batch_size)
        net = build(self.config, hp.seed)
        steps = live_steps_per_execution(hp.batch_size, self.steps_per_epoch)
        self.model = compile_model(net, hp.optimizer, hp.learning_rate, steps)
        self.parameters = net.count_params()
        augment = augmentation.augmenter(hp.augmentation, hp.seed) if hp.augmentation else None
        self._started = time.monotonic()
        self._tell("running")
        try:
            net.fit(
                batches(x, y, hp.batch_size, seed=hp.seed, augment=augment),
                validation_data=batches(x_val, y_val, 1000) if len(x_val) else None,
                epochs=hp.epochs,
                callbacks=[self._filters, LiveMetrics(self)],  # filters first: "epoch" saves them
                shuffle=False,  # batches() shuffles
                verbose=0,
            )
        finally:
            self.seconds = time.monotonic() - self._started
