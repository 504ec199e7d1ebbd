"""The run a page polls: queued, training in a worker process, finished; at most N at once.

A `TrainingRun` lives in the web process. Its thread waits in the `Limiter`'s line, hands the
run to a worker (lesson/machinery/workers.py) and reads what the worker sends: the curves as
they grow, each epoch's filters and weights, the test scores. With no worker pool
($CNN_LESSON_WORKERS=0) the same job (lesson/machinery/jobs.py) runs in that thread instead.
The page reads `status`, `progress()`, `batches` and `epochs` whenever it likes and calls
`stop()`; a listener (the workspace's Saver) is told "running", "epoch" and "finished".
"""

import math
import threading
import time
from collections.abc import Callable

from lesson.machinery import workers
from lesson.machinery.capacity import MAX_TRAININGS_VARIABLE, max_trainings  # noqa: F401

DEAD_AFTER = 3.0  # seconds `alive()` may say no before the run stops


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


def slots() -> int:
    """Runs trained at once: $CNN_LESSON_MAX_TRAININGS, and no more than there are workers."""
    size = workers.pool_size()
    return min(max_trainings(), size) if size else max_trainings()


# This server's own measured speed, per network: (seconds from a free slot to the first
# batch, seconds per training image), from its latest run of that network. A run's time left
# is estimated from it until the run has measured its own rate; the quick run's label, too.
_SPEEDS: dict = {}


def measured_seconds(config, hp) -> float | None:
    """How long a run of `config` with `hp` takes on this server, as measured; None if unknown."""
    from lesson import step4_training

    if (speed := _SPEEDS.get(config)) is None:
        return None
    start, per_image = speed
    return start + per_image * hp.batch_size * step4_training.updates(hp)


LIMITER = Limiter(slots())
IN_THREADS = None  # pool=IN_THREADS: train in a thread of this process (no worker)
_DEFAULT = object()


class TrainingRun:
    """One learner's training run: network, hyperparameters, live curves, model and test score.

    `start()` queues it; a worker (or a thread) trains it while the page reads `status`,
    `progress()`, `batches` and `epochs` and may call `stop()`.
    """

    def __init__(self, name, mnist, hp=None, config=None, alive: Callable[[], bool] = lambda: True,
                 limiter: Limiter | None = None, listener=None,
                 gone: str = "Nobody is watching this run any more.", pool=_DEFAULT):  # fmt: skip
        from lesson import step3_network, step4_training

        self.name = name
        self.hp = hp if hp is not None else step4_training.QUICK
        self.config = config if config is not None else step3_network.LESSON
        self.status = "queued"  # then "running", and at last "done", "stopped" or "failed"
        self.message = ""  # why a run stopped or failed, in words
        self.parameters = 0
        self.batches: list[dict] = []  # training loss and accuracy, many points per epoch
        self.epochs: list[dict] = []  # training and validation loss and accuracy, per epoch
        self.test: dict | None = None  # evaluate() on the 10,000 test images
        # Known before the worker says so: the page shows "batch 0 of 844", never "of 1".
        self.epoch, self.batch = 0, 0
        images = len(mnist.x_train) if mnist is not None else 60_000
        self.steps_per_epoch = step4_training.batches_per_epoch(self.hp, images)
        self.seconds = 0.0  # training time so far
        self.score_when_stopped = True  # a run stopped for nobody needs no test score
        self.snapshots: list[list] = []  # every conv layer's filters, before and after each epoch
        self._mnist, self._alive, self._limiter = mnist, alive, limiter or LIMITER
        self._pool = workers.default_pool() if pool is _DEFAULT else pool
        self.worker_pid: int | None = None  # the worker process that trains it, once it does
        # Told "running", "epoch" and "finished" from the run's thread (the store saves then).
        self._listener, self._gone = listener, gone
        self._weights: list | None = None  # the latest weights the worker sent
        self._model = None  # built from them when a page asks
        self._model_lock = threading.Lock()
        self._outcome: dict | None = None  # the worker's last word
        self._stop = threading.Event()
        self._started = 0.0
        self._first: tuple[int, float] | None = None  # (batches done, time) at the first point
        self._slot_at: float | None = None  # when it got its slot: the start of its wait
        self._dead_since: float | None = None
        self._thread = threading.Thread(target=self._train, name=f"training {name}", daemon=True)

    @property
    def model(self):
        """The trained model, rebuilt here from the weights the worker sent (None before)."""
        with self._model_lock:
            if self._model is None and self._weights is not None:
                from lesson import step4_training

                net = step4_training.build(self.config, seed=0)  # random weights, replaced below
                net.set_weights(self._weights)
                self._model = net
            return self._model

    @model.setter
    def model(self, net) -> None:
        with self._model_lock:
            self._model, self._weights = net, None

    def weights(self) -> list | None:
        """The latest weights (what the Saver stores), without building a model for them."""
        if self._weights is not None:
            return self._weights
        return self._model.get_weights() if self._model is not None else None

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
        has = self._weights is not None or self._model is not None
        return self.status in ("done", "stopped") and has

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
        elif self.status == "running" and self._slot_at is not None:
            # Before its own rate: this server's last run of the network, if any.
            expected = measured_seconds(self.config, self.hp)
            if expected is not None:
                left = max(expected - (time.monotonic() - self._slot_at), 1.0)
        return {"epoch": min(self.epoch + 1, self.hp.epochs), "epochs": self.hp.epochs,
                "batch": self.batch, "batches": self.steps_per_epoch,
                "fraction": done / total, "seconds": elapsed, "seconds_left": left}  # fmt: skip

    def start(self) -> "TrainingRun":
        self._thread.start()
        return self

    def stop(self, message: str = "You stopped the run.", score: bool = True) -> None:
        """Ask the run to stop after the batches it is computing now (a fraction of a second)."""
        if not self._stop.is_set():
            self.message, self.score_when_stopped = message, score
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
                self.stop(self._gone, score=False)
        return self._stop.is_set()

    def receive(self, kind: str, payload: dict) -> None:
        """What the job reports: "running", "batch", "epoch" and at last "finished"."""
        if kind == "running":
            self.parameters = payload["parameters"]
            self.steps_per_epoch = payload["steps_per_epoch"]
            self.snapshots.extend(payload["snapshots"])
            self._started = time.monotonic()
            self._tell("running")
        elif kind == "batch":
            self.epoch, self.batch = payload["epoch"], payload["batch"]
            if payload["points"] and self._first is None:
                self._first = (self.epoch * self.steps_per_epoch + self.batch, time.monotonic())
            self._measure()
            self.batches.extend(payload["points"])
        elif kind == "epoch":
            self.snapshots.extend(payload["snapshots"])  # before the epoch: the Saver saves both
            self._set_weights(payload["weights"])
            self.seconds = payload["epoch"]["seconds"]
            self.epochs.append(payload["epoch"])
            self._tell("epoch")
        elif kind == "finished":
            self.snapshots.extend(payload["snapshots"])
            if payload["weights"] is not None:
                self._set_weights(payload["weights"])
            self.test = payload["test"]
            self._outcome = payload

    def _measure(self) -> None:
        """Record this server's speed for this network, from this run's rate so far."""
        if self._first is None or self._slot_at is None:
            return
        first, at = self._first
        done = self.epoch * self.steps_per_epoch + self.batch
        if done <= first:
            return
        per_batch = (time.monotonic() - at) / (done - first)
        start = max(at - self._slot_at - first * per_batch, 0.0)  # before its first batch
        _SPEEDS[self.config] = (start, per_batch / self.hp.batch_size)

    def _set_weights(self, weights: list) -> None:
        with self._model_lock:
            self._weights = weights
            if self._model is not None:
                self._model.set_weights(weights)

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
            self._started = self._slot_at = time.monotonic()
            self._tell("running")  # it has its slot; "running" comes again with its size
            if self._pool is None:
                from lesson.machinery import jobs

                jobs.train_job(self._mnist, self.hp, self.config, self.receive,
                               self.should_stop, lambda: self.score_when_stopped)  # fmt: skip
            else:
                self._pool.train(self)
            outcome = self._outcome or {"status": "failed", "message": "No result came back."}
            self.seconds = outcome.get("seconds", self.seconds)
            if outcome["status"] == "failed":
                self.fail(outcome["message"])
            else:
                self.status = "stopped" if self._stop.is_set() else "done"  # last: the page waits
        except workers.WorkerLost as err:  # its worker died or hung: this run alone fails
            self.fail(str(err))
        except Exception as err:  # never lose the thread silently: say what went wrong
            self.fail(f"Training failed: {err}")
        finally:
            self._limiter.release(self)
            self._mnist = None  # the run keeps its curves and model, not the images
            self._tell("finished")
