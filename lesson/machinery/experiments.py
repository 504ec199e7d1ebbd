"""Identical experiments train once: their key, the trainings shared now, those kept for later.

An experiment is everything that decides a run's result: the network, every hyperparameter
(the seed, images, validation share and augmentation too), the data, and the code and versions
that train it. `key()` hashes all of that. When a learner presses Train for an experiment that
is training now in this process, their run follows that training (runs.Training): the same
curves from the first point, the same filters, weights and test scores, saved into their own
workspace as if it had trained alone. A finished experiment is kept in the store
(store.experiments), so the same experiment pressed again, after a restart or in another process
sharing the database, is given its result at once. Change the seed and it is a new experiment.
"""

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import threading
import time
from pathlib import Path

from lesson.machinery import records
from lesson.machinery import runs as training_runs
from lesson.machinery import store as storage

# The code that decides what a run computes: a change to it is a new experiment.
CODE = ("step1_data.py", "step3_network.py", "step4_training.py", "step4_augmentation.py",
        "machinery/jobs.py")  # fmt: skip
LESSON = Path(__file__).resolve().parents[1]
_data_lock = threading.Lock()
_data_hashes: dict[int, tuple[object, str]] = {}  # id(mnist) -> (mnist, the hash of its arrays)


@functools.cache
def versions() -> str:
    """The app's version and code, Keras's and TensorFlow's versions (read once per process)."""
    code = hashlib.sha256()
    for name in CODE:
        code.update((LESSON / name).read_bytes())
    parts = [importlib.metadata.version(p) for p in ("cnn-lesson", "keras", "tensorflow")]
    return " ".join([*parts, code.hexdigest()[:16]])


def data_hash(mnist) -> str:
    """The SHA-256 of the data's four arrays, computed once per data set in this process."""
    with _data_lock:
        known = _data_hashes.get(id(mnist))
        if known is not None and known[0] is mnist:
            return known[1]
        digest = hashlib.sha256()
        for array in mnist:
            digest.update(str((array.shape, array.dtype.str)).encode())
            digest.update(array.tobytes())
        if len(_data_hashes) > 4:  # a test makes several small data sets; the app has one
            _data_hashes.clear()
        _data_hashes[id(mnist)] = (mnist, digest.hexdigest())
        return digest.hexdigest()


def key(config, hp, mnist) -> str:
    """The experiment's key: a hash of the network, hyperparameters, data and versions."""
    what = {
        "network": dataclasses.asdict(config),
        "hyperparameters": dataclasses.asdict(hp),
        "data": data_hash(mnist),
        "versions": versions(),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=repr).encode()).hexdigest()


_live_lock = threading.Lock()
_live: dict[tuple, training_runs.Training] = {}  # (key, pool, limiter) -> the training now


class Sharing:
    """Finds the training a run follows: one training now, one kept in `store`, or a new one."""

    def __init__(self, store: storage.Store | None = None, process: str | None = None):
        self.store = store
        self.process = process or storage.PROCESS  # trainings of other processes are followed

    def training_for(self, run) -> training_runs.Training:
        """The training `run` follows (it is already following it), started if new."""
        experiment = key(run.config, run.hp, run._mnist)
        place = (experiment, id(run._pool), id(run._limiter))
        if (training := self._follow_live(place, run)) is not None:
            return training
        kept = self._kept(experiment)  # outside the lock: the database may take a while
        with _live_lock:
            if (training := self._follow_live(place, run, locked=True)) is not None:
                return training
            if kept is not None and kept.status == "training":
                if kept.owner != self.process and not kept.stale:  # under way elsewhere
                    training = RemoteTraining(self.store, experiment, run)
                    training.follow(run)
                    training.on_end.append(lambda t: _forget(place, t))
                    _live[place] = training
                    training.start()
                    return training
                kept = None  # its process is gone (or it is this one's): train it here
            if kept is not None:
                run.reused = {"runs": kept.runs, "trained": kept.created}
                return replay(kept, run)  # over already: the run reads it to its end
            training = training_runs.Training(run._mnist, run.hp, run.config, run._limiter,
                                              run._pool, run.rank)  # fmt: skip
            training.follow(run)
            training.key = experiment
            if self.store is not None:
                record = Record(self.store, experiment, training)
                training.on_event.append(record.receive)
                training.on_done.append(record.keep)
                training.on_undone.append(record.drop)
            training.on_end.append(lambda t: _forget(place, t))
            _live[place] = training
        training.start()
        return training

    @staticmethod
    def _follow_live(place, run, locked: bool = False) -> training_runs.Training | None:
        if not locked:
            with _live_lock:
                return Sharing._follow_live(place, run, locked=True)
        training = _live.get(place)
        if training is not None and training.follow(run):
            return training
        return None

    def _kept(self, experiment: str) -> storage.KeptExperiment | None:
        if self.store is None:
            return None
        try:
            return self.store.use_experiment(experiment)
        except storage.StoreError:  # no database now: the run trains, as it always could
            return None


class Record:
    """What a shared training has computed so far, written to the store for other processes
    (after each epoch and every few seconds) and kept there when it has run to its end."""

    EVERY = 5.0  # seconds between writes within an epoch: other processes see it is alive

    def __init__(self, store: storage.Store, experiment: str, training: training_runs.Training):
        self.store, self.experiment, self.training = store, experiment, training
        self.run = training_runs.TrainingRun("experiment", None, training.hp, training.config,
                                             pool=training_runs.IN_THREADS)  # fmt: skip
        self.written = 0.0

    def receive(self, kind: str, payload: dict) -> None:
        if kind in ("slot", "end"):
            return
        self.run.receive(kind, payload)
        if kind in ("running", "epoch") or time.monotonic() - self.written > self.EVERY:
            self.written = time.monotonic()
            weights = self.run.weights()
            with contextlib.suppress(storage.StoreError):  # others then train it themselves
                self.store.progress_experiment(
                    self.experiment, *self._parts(),
                    storage.pack(weights) if weights is not None else None,
                )  # fmt: skip

    def _parts(self) -> tuple:
        training, run = self.training, self.run
        return (records.experiment_of(training.config, training.hp), records.results_of(run),
                records.pack_snapshots(list(run.snapshots)))  # fmt: skip

    def drop(self, training: training_runs.Training) -> None:
        """A training that stopped or failed leaves no row: it is never kept as finished."""
        with contextlib.suppress(storage.StoreError):
            self.store.drop_training(self.experiment)

    def keep(self, training: training_runs.Training) -> None:
        """Keep a training that ran to its end (never a stopped or failed one) in the store."""
        weights = self.run.weights()
        if weights is None or self.run.test is None:
            return
        with contextlib.suppress(storage.StoreError):  # not kept: the next press trains it
            self.store.keep_experiment(self.experiment, *self._parts(), storage.pack(weights),
                                       training.joined)  # fmt: skip


LOST = (
    "This experiment was training in another app process, and that training stopped before it "
    "finished. Your run keeps its last whole epoch: press Train to train it again."
)
WATCH = 1.0  # seconds between looks at a training under way in another process


class RemoteTraining(training_runs.Training):
    """A training under way in another app process sharing the database, followed through
    the store epoch by epoch: the same curves, filters, weights and test scores."""

    WAITS_FOR_SLOT = False  # another process trains it

    def __init__(self, store: storage.Store, experiment: str, run):
        super().__init__(None, run.hp, run.config, run._limiter, None, run.rank)
        self.store, self.key = store, experiment

    def _train(self) -> None:
        status, message, seconds = "stopped", LOST, 0.0
        sent, quiet = -1, time.monotonic()  # whole epochs posted (-1: not started)
        try:
            while not self.should_stop():
                try:
                    row = self.store.peek_experiment(self.key)
                    quiet = time.monotonic()
                except storage.StoreError:
                    if time.monotonic() - quiet > storage.STALE_AFTER:
                        break
                    row = False  # not now: look again
                if row is None or (row and row.stale):
                    break
                if row and row.results.get("parameters"):
                    sent = self._post_new(row, sent)
                    if row.status == "done":
                        seconds = float(row.results.get("seconds", 0.0))
                        self.receive("finished", {
                            "status": "done", "message": "", "test": row.results.get("test"),
                            "weights": storage.unpack(row.weights), "snapshots": [],
                            "seconds": seconds})  # fmt: skip
                        status, message = "done", ""
                        break
                with self._changed:
                    self._changed.wait(WATCH)
            else:
                status, message = "stopped", ""
        except Exception as err:  # never lose the thread silently: say what went wrong
            status, message = "failed", f"Training failed: {err}"
        finally:
            self.on_done.clear()  # the process that trained it keeps it
            self._finish(status, message, seconds)

    def _post_new(self, row, sent: int) -> int:
        """Post what the row holds beyond the `sent` whole epochs; the new count."""
        results = row.results
        epochs = [records.numbers(e) for e in results.get("epochs", [])]
        layers = int(results.get("layers", 0))
        snapshots = records.unpack_snapshots(row.snapshots, layers)
        if sent < 0:
            self.status = "running"
            self._post("slot", {})
            self.receive("running", {"parameters": results["parameters"],
                                     "steps_per_epoch": results.get("steps_per_epoch", 1),
                                     "snapshots": snapshots[:1]})  # fmt: skip
            sent = 0
        if len(epochs) > sent:
            weights = storage.unpack(row.weights) if row.weights else None
            points = [records.numbers(p) for p in results.get("batches", [])]
            for i in range(sent, len(epochs)):
                self.receive("batch", {"points": [p for p in points if i < p["epoch"] <= i + 1],
                                       "epoch": i + 1, "batch": 0})  # fmt: skip
                self.receive("epoch", {
                    "epoch": epochs[i], "snapshots": snapshots[i + 1 : i + 2],
                    "weights": weights if i == len(epochs) - 1 else None})  # fmt: skip
        return len(epochs)


def _forget(place, training) -> None:
    with _live_lock:
        if _live.get(place) is training:
            del _live[place]


def live() -> int:
    """How many shared trainings this process holds now (for tests and the bench)."""
    with _live_lock:
        return len(_live)


def replay(kept: storage.KeptExperiment, run) -> training_runs.Training:
    """A training that has already ended: the kept experiment's messages, all at once."""
    results = kept.results
    layers = int(results.get("layers", 0))
    snapshots = records.unpack_snapshots(kept.snapshots, layers)
    epochs = [records.numbers(e) for e in results.get("epochs", [])]
    weights = storage.unpack(kept.weights)
    training = training_runs.Training(None, run.hp, run.config, run._limiter, None, run.rank)
    first, rest = (snapshots[:1], snapshots[1:]) if len(snapshots) == len(epochs) + 1 else (
        snapshots, [[] for _ in epochs])  # fmt: skip
    training.events = [
        ("slot", {}),
        ("running", {"parameters": results.get("parameters", 0),
                     "steps_per_epoch": results.get("steps_per_epoch", 1), "snapshots": first}),
        ("batch", {"points": [records.numbers(p) for p in results.get("batches", [])],
                   "epoch": len(epochs), "batch": 0}),
    ]  # fmt: skip
    for i, epoch in enumerate(epochs):
        last = i == len(epochs) - 1
        training.events.append(("epoch", {"epoch": epoch, "snapshots": [rest[i]] if rest[i] else [],
                                          "weights": weights if last else None}))  # fmt: skip
    seconds = float(results.get("seconds", 0.0))
    training.events += [
        ("finished", {"status": "done", "message": "", "test": results.get("test"),
                      "weights": weights, "snapshots": [], "seconds": seconds}),
        ("end", {"status": "done", "message": "", "seconds": seconds}),
    ]  # fmt: skip
    training.status, training.ended, training.joined = "ended", "done", 0
    return training
