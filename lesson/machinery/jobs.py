"""One training job: the lesson's steps, run in a worker process (or a thread) for a page.

`train_job` calls the lesson's own functions (lesson/step4_training.py: split, build, compile, fit,
evaluate) and adds a `Relay` callback that sends what they collect to the web process as plain
messages: `send(kind, payload)` with kind "running", "batch", "epoch" and "finished". It never
receives the model from anyone, only the hyperparameters and the network's config.
"""

import math
import time
from collections.abc import Callable

import keras

from lesson import step4_training
from lesson.step1_data import MNIST
from lesson.step3_network import NetworkConfig

Send = Callable[[str, dict], None]


class Relay(keras.callbacks.Callback):
    """Sends the curves and filters the lesson's callbacks collect; stops when asked to."""

    def __init__(self, filters, curves, send: Send, stop_asked: Callable[[], bool]):
        super().__init__()
        self.filters, self.curves, self.send, self.stop_asked = filters, curves, send, stop_asked
        self.points = self.snapshots = 0  # how many of each were sent

    def new_snapshots(self) -> list:
        new = self.filters.snapshots[self.snapshots :]
        self.snapshots += len(new)
        return new

    def on_train_begin(self, logs=None):
        self.send("running", {"parameters": self.model.count_params(),
                               "steps_per_epoch": self.curves.steps_per_epoch,
                               "snapshots": self.new_snapshots()})  # fmt: skip

    def on_train_batch_end(self, batch, logs=None):
        points = self.curves.batches[self.points :]
        self.points += len(points)
        self.send("batch", {"points": points, "epoch": self.curves.epoch,
                            "batch": self.curves.batch})  # fmt: skip
        if self.stop_asked():  # checked after each call into TensorFlow: ~0.3 s apart
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if len(self.curves.epochs) > epoch:  # a whole epoch (not one cut short)
            self.send("epoch", {"epoch": self.curves.epochs[epoch],
                                "snapshots": self.new_snapshots(),
                                "weights": self.model.get_weights()})  # fmt: skip


def train_job(
    mnist: MNIST,
    hp: step4_training.Hyperparameters,
    config: NetworkConfig,
    send: Send,
    stop_asked: Callable[[], bool],
    score_when_stopped: Callable[[], bool] = lambda: True,
) -> None:
    """Train one run with the lesson's steps; tell `send` everything, ending with "finished"."""
    outcome = {"status": "failed", "message": "", "test": None, "weights": None, "seconds": 0.0}
    relay = None
    try:
        x, y, x_val, y_val = step4_training.split(mnist.x_train, mnist.y_train, hp)
        steps_per_epoch = math.ceil(len(x) / hp.batch_size)
        net = step4_training.build(config, hp.seed)
        steps = step4_training.live_steps_per_execution(hp.batch_size, steps_per_epoch)
        step4_training.compile_model(net, hp.optimizer, hp.learning_rate, steps)
        filters, curves = (
            step4_training.FilterSnapshots(),
            step4_training.LiveCurves(steps_per_epoch),
        )
        relay = Relay(filters, curves, send, stop_asked)
        trains = not stop_asked()  # Stop may come while the job is handed to a worker
        if trains:  # filters first: an epoch's snapshot is taken before the relay sends it
            step4_training.fit(net, x, y, x_val, y_val, hp, [filters, curves, relay])
            outcome["seconds"] = time.monotonic() - curves.started  # training, not the test
        stopped = stop_asked()
        if curves.exploded:
            outcome["message"] = curves.exploded
        else:
            if trains and (not stopped or score_when_stopped()):
                outcome["test"] = step4_training.evaluate(net, mnist.x_test, mnist.y_test)
            outcome["status"] = "stopped" if stopped else "done"
            outcome["weights"] = net.get_weights() if trains else None
    except Exception as err:  # never lose a job silently: say what went wrong
        outcome.update(status="failed", message=f"Training failed: {err}")
    outcome["snapshots"] = relay.new_snapshots() if relay is not None else []
    send("finished", outcome)
