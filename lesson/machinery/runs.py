"""The run a page polls: queued, training in a worker process, finished; at most N at once.

A `Training` is one computation of an experiment; a `TrainingRun` is one learner's run, which
follows a training: its own, or (lesson/machinery/experiments.py) one it shares with every run
of the same experiment.

Both live in the web process. A training's thread waits in the `Limiter`'s line, hands the
run to a worker (lesson/machinery/workers.py) and reads what the worker sends: the curves as
they grow, each epoch's filters and weights, the test scores. With no worker pool
($CNN_LESSON_WORKERS=0) the same job (lesson/machinery/jobs.py) runs in that thread instead.
Each run that follows it reads those messages from the first, in its own thread. The page
reads a run's `status`, `progress()`, `batches` and `epochs` whenever it likes and calls
`stop()`; a listener (the workspace's Saver) is told "running", "epoch" and "finished".
"""

import contextlib
import itertools
import math
import threading
import time
from collections.abc import Callable

from lesson.machinery import workers
from lesson.machinery.capacity import MAX_TRAININGS_VARIABLE, max_trainings  # noqa: F401

DEAD_AFTER = 3.0  # seconds `alive()` may say no before the run stops
POLL = 0.2  # seconds a follower waits for news before it looks at Stop and its learner again


class Limiter:
    """At most `slots` runs train at once in this process; the others wait in line.

    The line is fair: a run whose workspace has started fewer runs before it (its `rank`) goes
    first, so nobody's second run starts before everyone's first; then first come, first served.
    It also measures this server's speed (seconds per image-epoch of the runs it let train) to
    say when a waiting run should start.
    """

    MEASURED = 10  # recent runs whose speed is averaged

    def __init__(self, slots: int):
        self.slots = slots
        self._changed = threading.Condition()
        self._running: list = []
        self._began: dict[int, float] = {}  # id(run) -> when it got its slot
        self._waiting: list = []
        self._arrivals = itertools.count()
        self._order: dict[int, tuple] = {}  # id(run) -> (rank, arrival)
        self._pressed: dict[int, tuple] = {}  # arrival -> ((rank, arrival), when): not in line yet
        self._speeds: list[float] = []  # seconds per image-epoch of recent runs

    def position(self, run) -> int:
        """1 for the next run in line, 2 for the one after, ...; 0 if `run` is not waiting."""
        with self._changed:
            return self._waiting.index(run) + 1 if run in self._waiting else 0

    def running(self) -> int:
        """How many runs are training now."""
        with self._changed:
            return len(self._running)

    # A press whose thread never reaches the line (an error before it) holds it up no longer.
    PRESSED_FOR = 10.0

    def ticket(self, rank: int = 0) -> int:
        """A place in the order of arrival, taken when Train is pressed (see wait_for_slot).

        Until its run joins the line (or `discard` says it will not), no later press may take a
        slot: the thread of the earlier press may just not have got here yet.
        """
        with self._changed:
            arrival = next(self._arrivals)
            self._pressed[arrival] = ((rank, arrival), time.monotonic())
            return arrival

    def discard(self, arrival: int | None) -> None:
        """The press with this ticket will not join the line (it follows another training)."""
        with self._changed:
            if self._pressed.pop(arrival, None) is not None:
                self._changed.notify_all()

    def _pressed_before(self, order: tuple) -> bool:
        """Is a press ahead of `order` still on its way to the line?"""
        now = time.monotonic()
        return any(o < order and now - t < self.PRESSED_FOR for o, t in self._pressed.values())

    def wait_for_slot(self, run, give_up: Callable[[], bool]) -> bool:
        """Wait until `run` may train (True), or until `give_up()` says so (False).

        Its arrival is its `arrival` ticket if it has one: the press, not the moment its thread
        got here (a thread a busy machine starts late would let a later press go first).
        """
        with self._changed:
            arrival = getattr(run, "arrival", None)
            arrival = next(self._arrivals) if arrival is None else arrival
            order = self._order[id(run)] = (getattr(run, "rank", 0), arrival)
            self._pressed.pop(arrival, None)  # in line now
            at = next((i for i, w in enumerate(self._waiting) if self._order[id(w)] > order),
                      len(self._waiting))  # fmt: skip
            self._waiting.insert(at, run)
            try:
                while (self._waiting[0] is not run or len(self._running) >= self.slots
                       or self._pressed_before(order)):  # fmt: skip
                    if give_up():
                        return False
                    self._changed.wait(0.2)
                self._running.append(run)
                self._began[id(run)] = time.monotonic()
                return True
            finally:
                self._waiting.remove(run)
                del self._order[id(run)]
                self._changed.notify_all()

    def release(self, run, seconds: float | None = None) -> None:
        """`run` has finished (training `seconds`, if it ran to its end): let the next one in."""
        with self._changed:
            if run in self._running:
                self._running.remove(run)
            self._began.pop(id(run), None)
            work = image_epochs(getattr(run, "hp", None))
            if seconds and work:
                self._speeds = [*self._speeds, seconds / work][-self.MEASURED :]
            self._changed.notify_all()

    def speed(self) -> float | None:
        """Measured seconds per image-epoch (the mean of recent runs), None before any."""
        with self._changed:
            return sum(self._speeds) / len(self._speeds) if self._speeds else None

    def expected_start(self, run) -> float | None:
        """Seconds from now until waiting `run` should start, from the measured speed, or None.

        Each slot frees when its run's image-epochs at the measured speed are done; the runs
        ahead in line take the slots as they free.
        """
        speed = self.speed()
        with self._changed:
            if speed is None or run not in self._waiting:
                return None
            now = time.monotonic()
            free = sorted(
                max(
                    0.0,
                    self._began.get(id(r), now)
                    + speed * image_epochs(getattr(r, "hp", None))
                    - now,
                )
                for r in self._running
            )
            free += [0.0] * max(0, self.slots - len(free))
            for ahead in self._waiting[: self._waiting.index(run)]:
                free.sort()
                free[0] += speed * image_epochs(getattr(ahead, "hp", None))
            return min(free)


def image_epochs(hp) -> float:
    """How many images a run trains on, times its epochs: the work its time is measured by."""
    if hp is None:
        return 0.0
    images = min(hp.train_images, 60_000) * (1 - hp.validation_split)
    return images * hp.epochs


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


class Training:
    """One computation of an experiment: queued, trained in a worker (or a thread), ended.

    Every `TrainingRun` that follows it reads the same messages, in order, from the first: so
    all of them show the same curves, filters, weights and test scores. It waits in the
    `Limiter`'s line for a slot and stops only when every run that follows it wants to stop.
    """

    WAITS_FOR_SLOT = True  # it trains here, so it takes its first follower's place in line

    def __init__(self, mnist, hp, config, limiter: "Limiter", pool, rank: int = 0):
        self.hp, self.config, self.rank = hp, config, rank
        self.status = "queued"  # then "running", then "ended"
        self.events: list[tuple[str, dict]] = []  # everything it said, for late followers too
        self.followers: list = []  # the runs following it now (not those that left)
        self.joined = 0  # how many runs have followed it
        self.worker_pid: int | None = None
        self.score_when_stopped = True
        self.ended: str | None = None  # "done", "stopped" or "failed", at the end
        self.on_done: list[Callable[[Training], None]] = []  # told before a "done" end is posted
        self.on_undone: list[Callable[[Training], None]] = []  # before a stopped or failed end
        self.on_end: list[Callable[[Training], None]] = []  # told after any end is posted
        self.on_event: list[Callable[[str, dict], None]] = []  # told each message it posts
        self.key: str | None = None  # the experiment's key, if it is shared
        self.arrival: int | None = None  # its first follower's place in the line (its press)
        self._mnist, self._limiter, self._pool = mnist, limiter, pool
        self._changed = threading.Condition()
        self._stopped = False  # latched: once everyone wanted it stopped, nobody joins
        self._outcome: dict | None = None
        self._thread = threading.Thread(target=self._train, name="training", daemon=True)

    def start(self) -> "Training":
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def follow(self, run) -> bool:
        """Let `run` follow this training (False if it is stopping or over: train anew)."""
        with self._changed:
            if self._stopped or self.ended is not None:
                return False
            self.followers.append(run)
            self.joined += 1
            if self.arrival is None:
                self.arrival = getattr(run, "arrival", None)
            self._changed.notify_all()
            return True

    def leave(self, run, alone_ok: bool = False) -> bool:
        """`run` stops following, if others follow still (or `alone_ok`): True if it left."""
        with self._changed:
            others = [r for r in self.followers if r is not run and not r.stopping]
            if run not in self.followers or not (others or alone_ok):
                return False
            self.followers.remove(run)
            self._changed.notify_all()
            return True

    def should_stop(self) -> bool:
        """True once every run that follows it has asked to stop (or none is left)."""
        with self._changed:
            if not self._stopped and all(r.stopping for r in self.followers):
                self._stopped = True
                self.score_when_stopped = any(r.score_when_stopped for r in self.followers)
            return self._stopped

    def position(self) -> int:
        return self._limiter.position(self) if self.status == "queued" else 0

    def events_from(self, start: int, wait: float) -> list[tuple[str, dict]]:
        """The messages from number `start` on, waiting up to `wait` seconds for one."""
        with self._changed:
            if len(self.events) <= start and self.ended is None:
                self._changed.wait(wait)
            return self.events[start:]

    def receive(self, kind: str, payload: dict) -> None:
        """What the job reports ("running", "batch", "epoch", "finished"), for every follower."""
        if kind == "finished":
            self._outcome = payload
        self._post(kind, payload)

    def _post(self, kind: str, payload: dict) -> None:
        with self._changed:
            self.events.append((kind, payload))
            self._changed.notify_all()
        for tell in self.on_event:
            with contextlib.suppress(Exception):  # e.g. the store: the runs go on without it
                tell(kind, payload)

    def _train(self) -> None:
        status, message, seconds = "failed", "", 0.0
        try:
            if not self._limiter.wait_for_slot(self, self.should_stop):
                status = "stopped"
                return
            self.status = "running"
            self._post("slot", {})
            if self._pool is None:
                from lesson.machinery import jobs

                jobs.train_job(self._mnist, self.hp, self.config, self.receive,
                               self.should_stop, lambda: self.score_when_stopped)  # fmt: skip
            else:
                self._pool.train(self)
            outcome = self._outcome or {"status": "failed", "message": "No result came back."}
            seconds = outcome.get("seconds", 0.0)
            status, message = outcome["status"], outcome.get("message", "")
            if status != "failed" and self._stopped:
                status = "stopped"
        except workers.WorkerLost as err:  # its worker died or hung: every follower fails
            status, message = "failed", str(err)
        except Exception as err:  # never lose the thread silently: say what went wrong
            status, message = "failed", f"Training failed: {err}"
        finally:
            try:
                self._finish(status, message, seconds)
            finally:  # after the end is posted: the next training starts once this one ended
                self._limiter.release(self, seconds if status == "done" else None)

    def _finish(self, status: str, message: str, seconds: float) -> None:
        """Post the end for every follower, once the store is settled: a "done" training kept,
        any other one's record gone (a follower that sees the end may read the store at once)."""
        self._mnist = None
        for tell in self.on_done if status == "done" else self.on_undone:
            # Keeping it for later is a bonus: the runs go on without it.
            with contextlib.suppress(Exception):
                tell(self)
        with self._changed:
            self.ended = status
            self.status = "ended"
            self.events.append(("end", {"status": status, "message": message,
                                        "seconds": seconds}))  # fmt: skip
            self._changed.notify_all()
        for tell in self.on_end:
            with contextlib.suppress(Exception):
                tell(self)


class TrainingRun:
    """One learner's training run: network, hyperparameters, live curves, model and test score.

    `start()` queues it; a worker (or a thread) trains it while the page reads `status`,
    `progress()`, `batches` and `epochs` and may call `stop()`.
    """

    def __init__(self, name, mnist, hp=None, config=None, alive: Callable[[], bool] = lambda: True,
                 limiter: Limiter | None = None, listener=None,
                 gone: str = "Nobody is watching this run any more.", pool=_DEFAULT,
                 share=None, rank: int = 0, asked: Callable[[], bool] = lambda: False):  # fmt: skip
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
        # Who decides whether it follows a training of the same experiment (None: it trains
        # alone); `rank`: how many runs its workspace started before it (the line's order).
        self._share, self.rank = share, rank
        self.arrival: int | None = None  # its place in the line, taken by start()
        self.training: Training | None = None  # the computation it follows, once it does
        self.reused: dict | None = None  # {"runs", "trained"}: a finished experiment, kept
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
        self._measures = False  # measures this server's speed: it started the training
        self._dead_since: float | None = None
        self._asked = asked  # Stop pressed elsewhere: a tab another app process serves
        self._thread = threading.Thread(target=self._train, name=f"training {name}", daemon=True)

    @property
    def worker_pid(self) -> int | None:
        """The worker process that trains it, once one does."""
        return self.training.worker_pid if self.training is not None else None

    def classmates(self) -> int:
        """How many other runs follow (or followed) the same training, or were given its result."""
        if self.reused is not None:
            return self.reused["runs"]
        return max(self.training.joined - 1, 0) if self.training is not None else 0

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
        training = self.training
        return training.position() if training is not None and self.status == "queued" else 0

    def expected_start(self) -> float | None:
        """Seconds until this waiting run should start, from the server's measured speed."""
        training = self.training
        if training is None or self.status != "queued":
            return None
        return training._limiter.expected_start(training)

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
        self.arrival = self._limiter.ticket(self.rank)  # the press, not the thread, is its place
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
        """True once Stop was pressed (in any tab) or the session has been closed for a while."""
        if not self._stop.is_set() and self._asked():
            self.stop()  # as if pressed here: the same message, and a test score
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
            if self._measures:  # a follower that joined late replays old news
                self._measure()
            self.batches.extend(payload["points"])
        elif kind == "epoch":
            self.snapshots.extend(payload["snapshots"])  # before the epoch: the Saver saves both
            if payload["weights"] is not None:  # a kept experiment has its final weights only
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
        try:
            training = self._share.training_for(self) if self._share is not None else None
            if training is None:  # its own training, followed by this run alone
                training = Training(self._mnist, self.hp, self.config, self._limiter,
                                    self._pool, self.rank)  # fmt: skip
                training.follow(self)
                training.start()
                self._measures = True  # it reads the training's news live, not replayed
            self.training = training
            if not (training.WAITS_FOR_SLOT and training.arrival == self.arrival):
                self._limiter.discard(self.arrival)  # it follows a training that has its place
            self._follow(training)
        except Exception as err:  # never lose the thread silently: say what went wrong
            self.fail(f"Training failed: {err}")
        finally:
            self._limiter.discard(self.arrival)
            if not self.finished:
                self.fail("Training failed: it ended with no word.")
            self._mnist = None  # the run keeps its curves and model, not the images
            self._tell("finished")

    def _follow(self, training: Training) -> None:
        """Read what the training says, from its first word: the same run, point by point."""
        seen = 0
        while True:
            events = training.events_from(seen, POLL)
            seen += len(events)
            for kind, payload in events:
                if kind == "slot":
                    self.status = "running"
                    self._started = self._slot_at = time.monotonic()
                    self._tell("running")  # it has its slot; "running" comes again with its size
                elif kind == "end":
                    self.seconds = payload["seconds"] or self.seconds
                    if payload["status"] == "failed":
                        self.fail(payload["message"])
                    elif payload["status"] == "stopped":  # last: the page waits for it
                        self.message = self.message or payload["message"]
                        self.status = "stopped"
                    else:
                        self.status = "done"
                    return
                else:
                    self.receive(kind, payload)
            # Stop: leave a training that others still follow, kept at its last whole epoch;
            # the last one to stop stops the training itself (and gets its test score).
            if self.should_stop() and self._outcome is None and training.leave(self):
                self.test = None
                self.status = "stopped"
                return
