"""A learner's runs belong to their workspace: trained by this process, saved as they go.

`Trainings` knows the runs this server process is training, by workspace, so a reload or a
second tab finds its run still training. Each run is saved when it starts, after every epoch
(curves, filters and that epoch's weights) and when it ends. `RestoredRun` is a run read back
from the store; it reads its model only when a page asks for it.
"""

import atexit
import contextlib
import math
import os
import threading
import time

import numpy as np

from lesson.machinery import store as storage
from lesson.machinery.records import (  # noqa: F401 (the names callers know)
    classmates,
    experiment_of,
    pack_snapshots,
    results_of,
    unpack_snapshots,
    weights_of,
)
from lesson.machinery.records import numbers as _numbers

UNATTENDED_VARIABLE = "CNN_LESSON_UNATTENDED_MINUTES"
UNATTENDED_MINUTES = 30  # a run nobody has looked at for this long stops and frees its slot
HEARTBEAT = 5.0  # seconds between "still training" notes in the store
STOP_CHECK = 1.0  # seconds between looks for a Stop pressed in a tab another process serves


def unattended_seconds() -> float:
    """$CNN_LESSON_UNATTENDED_MINUTES (default 30) in seconds."""
    try:
        return max(0.05, float(os.environ.get(UNATTENDED_VARIABLE, UNATTENDED_MINUTES))) * 60
    except ValueError:
        return UNATTENDED_MINUTES * 60


class Saver:
    """Saves one run into its workspace from the run's thread; a failure is kept, not raised."""

    def __init__(self, store: storage.Store, ws: storage.Workspace, number: int, keep=None):
        self.store, self.ws, self.number = store, ws, number
        self.keep = keep  # the run whose model the learner uses (it keeps its weights)
        self.error: str | None = None  # why the last save failed, in words
        self.saved_final = False
        self.posted: str | None = None  # what became of posting it to the class board
        self.post_again: float | None = None  # refused for too many posts: when it can again
        self._beat = -math.inf  # the first heartbeat is due at once, however long the uptime
        self._looked = -math.inf  # when `stop_asked` last read the store
        self._finishing = threading.Lock()  # the training thread and a page may both finish it
        self._saving = threading.Lock()
        self.closed = False  # the workspace was deleted: nothing more is saved for it

    def close(self) -> None:
        """Save nothing more (Forget me): waits for a save under way, so none comes after."""
        with self._saving:
            self.closed = True

    def save(self, run, weights: bool) -> None:
        with self._saving:
            if not self.closed:
                self._save(run, weights)

    def _save(self, run, weights: bool) -> None:
        try:
            kept = weights_of(run) if weights else None
            self.store.save_run(
                self.ws,
                self.number,
                status=run.status,
                message=run.message,
                experiment=experiment_of(run.config, run.hp),
                results=results_of(run),
                snapshots=pack_snapshots(list(run.snapshots)) if weights else None,
                weights=storage.pack(kept) if kept is not None else None,
                keep=self.keep,
            )
            self.error = None
            self._beat = time.monotonic()
        except storage.StoreError as err:
            self.error = str(err)

    def __call__(self, run, event: str) -> None:
        """TrainingRun's listener: save at the start, after each epoch and at the end."""
        if event == "finished":
            with self._finishing:  # one at a time: a post twice at once would break a key
                self.save(run, weights=run.status in ("done", "stopped"))
                if self.error is None and not self.closed and run.status in ("done", "stopped"):
                    self.post(run)
                self.saved_final = self.error is None  # last: a page waits for the post too
        else:
            self.save(run, weights=event == "epoch")

    def post(self, run) -> None:
        """A finished or stopped run goes to the board of the learner's class, if they joined."""
        from lesson.machinery import classes

        try:
            posted = classes.post_run(
                self.store, self.ws.id, self.number, experiment_of(run.config, run.hp),
                results_of(run), run.status,
            )  # fmt: skip
            if posted == "too many posts":
                self.post_again = classes.next_post(self.store, self.ws.id)
        except storage.StoreError as err:
            posted = f"not posted: {err}"
        if posted != "already posted" or self.posted is None:  # a second save keeps the first word
            self.posted = posted

    def stop_asked(self) -> bool:
        """Has a tab of another app process pressed Stop? (The store says; read once a second.)"""
        if time.monotonic() - self._looked < STOP_CHECK or self.closed:
            return False
        self._looked = time.monotonic()
        try:
            return self.store.stop_requested(self.ws.id, self.number)
        except storage.StoreError:
            return False  # the heartbeat says that the database cannot be used

    def heartbeat(self) -> None:
        if time.monotonic() - self._beat < HEARTBEAT:
            return
        self._beat = time.monotonic()
        try:
            self.store.heartbeat(self.ws, self.number)
        except storage.StoreError as err:
            self.error = str(err)


class Trainings:
    """The runs this process trains, one at most per workspace, and when each was last seen."""

    def __init__(self):
        self._lock = threading.Lock()
        self._live: dict[str, object] = {}  # workspace id -> TrainingRun
        self._seen: dict[str, float] = {}  # workspace id -> time a page last looked
        self._starting: set[str] = set()  # workspaces whose run the store is asked for now
        self._exit_hook = False

    def live(self, workspace_id: str):
        """The run training (or waiting) for this workspace in this process, or None."""
        self.forget_finished()  # a finished, saved run lives on in its sessions and the store
        with self._lock:
            run = self._live.get(workspace_id)
            return run if run is not None and not run.finished else None

    def seen(self, workspace_id: str) -> None:
        """A page of this workspace is open: its run is watched."""
        self._seen[workspace_id] = time.monotonic()

    def start(self, store, ws, number: int, mnist, hp, config, keep=None):
        """Train run `number` (or the next free one) for `ws`; None if it has a live run.

        The store decides, in one transaction, for every process sharing the database; this
        process's own lock decides while the database cannot be used (work goes on from memory).
        """
        from lesson.machinery import experiments, runs

        with self._lock:
            current = self._live.get(ws.id)
            if (current is not None and not current.finished) or ws.id in self._starting:
                return None
            self._starting.add(ws.id)
        try:
            try:
                number = store.begin_run(ws, number, experiment_of(config, hp))
            except storage.StoreError:
                pass  # the Saver says that work is not being saved
            else:
                if number is None:  # another tab's run, perhaps on another app process
                    return None
            saver = Saver(store, ws, number, keep)
            limit = unattended_seconds()
            self._seen[ws.id] = time.monotonic()

            def alive() -> bool:  # called from the training thread several times a second
                saver.heartbeat()
                return time.monotonic() - self._seen.get(ws.id, -math.inf) < limit

            run = runs.TrainingRun(
                f"run {number}", mnist, hp, config, alive=alive, listener=saver,
                gone=f"Nobody looked at this run for {limit / 60:g} minutes, so it stopped to "
                "free the server for others.", share=experiments.Sharing(store), rank=number - 1,
                asked=saver.stop_asked,
            )  # fmt: skip
            run.number, run.saver = number, saver
            saver.save(run, weights=False)  # the run exists from the press of Train
            with self._lock:
                self._live[ws.id] = run
                self._interrupt_at_exit()
        finally:
            with self._lock:
                self._starting.discard(ws.id)
        return run.start()

    def _interrupt_at_exit(self) -> None:
        """Once: a server that stops marks its live runs interrupted, so none blocks a new one."""
        if not self._exit_hook:
            self._exit_hook = True
            atexit.register(self.interrupt_all)

    def interrupt_all(self) -> None:
        """Mark every run this process trains as interrupted in the store (the server stops)."""
        with self._lock:
            live = [run for run in self._live.values() if not run.finished]
        for run in live:  # (if the store fails, it marks them after STALE_AFTER seconds)
            run.saver.close()  # first: a save of the still-training run must not come after
            with contextlib.suppress(storage.StoreError):
                run.saver.store.interrupt(run.saver.ws.id, run.number, storage.INTERRUPTED)

    def stop(self, workspace_id: str, message: str, forget: bool = False) -> None:
        """Stop the workspace's run; with `forget` (its workspace is deleted) save no more."""
        with self._lock:
            run = self._live.pop(workspace_id, None)
        if run is not None:
            if forget:  # a save after the delete would bring the workspace back
                run.saver.close()
            run.stop(message)

    def forget_finished(self) -> None:
        """Let go of runs that have ended and are saved (their sessions keep what they need)."""
        with self._lock:
            for key, run in list(self._live.items()):
                if run.finished and run.saver.saved_final:
                    del self._live[key]


TRAININGS = Trainings()


class RestoredRun:
    """A run read back from the store: the same face as a TrainingRun that has ended."""

    def __init__(self, store: storage.Store, workspace_id: str, row: storage.StoredRun):
        self._store, self._workspace_id, self.row = store, workspace_id, row
        self.number = row.number
        self.name = f"run {row.number}"
        self.status = "interrupted" if row.status in storage.LIVE else row.status
        self.message = row.message
        if row.status in storage.LIVE:
            self.message = (
                "This run is training in another app process, or its server stopped: "
                "reload the page in a minute to see it."
            )
        results = row.results or {}
        self.parameters = int(results.get("parameters", 0))
        self.seconds = float(results.get("seconds", 0.0))
        self.batches = [_numbers(p) for p in results.get("batches", [])]
        self.epochs = [_numbers(e) for e in results.get("epochs", [])]
        self.test = results.get("test")
        self.steps_per_epoch = int(results.get("steps_per_epoch", 1))
        self._layers = int(results.get("layers", 0))
        shared = results.get("shared") or {}
        self._classmates = int(shared.get("classmates", 0))
        self.reused = {"runs": self._classmates} if shared.get("before") else None
        self.model_dropped = row.model_dropped
        self.load_error: str | None = None  # why the stored model could not be used
        self._model = self._snapshots = self._settings = None
        self.epoch, self.batch = len(self.epochs), 0

    @property
    def updated(self) -> float:
        return self.row.updated

    def _experiment(self):
        if self._settings is None:
            from lesson.tools import settings

            self._settings, _ = settings.from_query(self.row.experiment)
        return self._settings

    @property
    def hp(self):
        return self._experiment().hp

    @property
    def config(self):
        return self._experiment().network

    @property
    def finished(self) -> bool:
        return True

    @property
    def usable(self) -> bool:
        """Has a model the pages can use: a stored one that loads."""
        return self.status in ("done", "stopped", "interrupted") and self.model is not None

    @property
    def model(self):
        """The trained model, rebuilt from its stored weights on first use (None if none)."""
        if self._model is None and self.row.has_weights and self.load_error is None:
            try:
                weights = self._store.weights(self._workspace_id, self.number)
                if weights is None:
                    return None
                from lesson import step4_training

                net = step4_training.build(self.config, seed=0)  # random weights, replaced below
                net.set_weights(weights)
                self._model = net
            except storage.StoreError as err:
                self.load_error = f"its model could not be read: {err}"
                return None
            except (ValueError, OSError, KeyError) as err:
                self.load_error = f"its stored model no longer loads ({str(err)[:80]})"
                return None
        return self._model

    @property
    def snapshots(self) -> list[list]:
        if self._snapshots is None:
            try:
                blob = self._store.snapshots(self._workspace_id, self.number)
                self._snapshots = unpack_snapshots(blob, self._layers)
            except (storage.StoreError, ValueError, OSError):
                self._snapshots = []
        return self._snapshots

    @property
    def stopping(self) -> bool:
        """Still live in another app process, and a tab has asked it to stop."""
        return self.row.status in storage.LIVE and self.row.stop_requested is not None

    def classmates(self) -> int:
        """How many other runs shared its training (as saved)."""
        return self._classmates

    def queue_position(self) -> int:
        return 0

    def progress(self) -> dict:
        epochs = self.hp.epochs
        return {"epoch": min(len(self.epochs) + 1, epochs), "epochs": epochs, "batch": 0,
                "batches": self.steps_per_epoch, "fraction": len(self.epochs) / max(epochs, 1),
                "seconds": self.seconds, "seconds_left": np.nan}  # fmt: skip

    def stop(self, message: str = "") -> None:
        """Nothing to stop: the run is not training in this process."""

    def join(self, timeout=None) -> None:
        """Nothing to wait for."""
