"""Worker processes that train the runs, so the web process only serves pages.

A `Pool` starts up to `size` workers, each a fresh Python that imports TensorFlow and reads
MNIST once and then trains one run after another. A worker is started with exec (like
multiprocessing's "spawn"), never forked from a process that has TensorFlow's threads, and not
through multiprocessing itself, which would re-run Streamlit's `__main__` (the app script) in
it. The web process and a worker talk over a socket pair, in pickled tuples:

    web → worker: ("train", job, hp, config), ("stop", job, score), ("quit",)
    worker → web: (None, "ready", pid) once, then (job, kind, payload) as jobs.train_job sends

A worker runs at lower CPU priority (nice 10, $CNN_LESSON_WORKER_NICE), so pages stay quick
while it trains. It exits when the web process closes the pipe, says "quit", or is gone (its
parent's id changes), so a stopped server (SIGTERM, SIGINT, even SIGKILL) leaves no worker
behind. A worker that dies (SIGKILL, out of memory), or sends nothing and uses no CPU for
`timeout` seconds, fails only its own run; a fresh worker takes the next one. A worker holding
more than $CNN_LESSON_WORKER_MAX_MB after a run is replaced too.
"""

import atexit
import contextlib
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from lesson.machinery import capacity, workarounds

WORKERS_VARIABLE = "CNN_LESSON_WORKERS"
TIMEOUT_VARIABLE = "CNN_LESSON_WORKER_TIMEOUT"
MAX_MB_VARIABLE = "CNN_LESSON_WORKER_MAX_MB"
MAX_MB = 2000  # a worker past this (resident MB) after a run is replaced by a fresh one
TIMEOUT = 120.0  # seconds a training worker may send nothing and compute nothing
STARTUP = 180.0  # seconds a new worker may take to import TensorFlow and read MNIST
NICE_VARIABLE = "CNN_LESSON_WORKER_NICE"
NICE = 10  # the workers' CPU priority below the web process's (0)
POLL = 0.2  # seconds between looks at Stop, the learner's presence and the worker's health
ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the `lesson` package

CRASHED = (
    "The training process stopped unexpectedly (perhaps the server ran out of memory), so "
    "this run could not finish. Nothing else was affected: press Train to try again, perhaps "
    "with fewer training images or a smaller network."
)
HUNG = (
    "The training process stopped answering for {seconds:.0f} s, so it was ended to free its "
    "place for others. Press Train to try again."
)
BROKEN = "The training process could not start: {error}"


class WorkerLost(RuntimeError):
    """The worker of a run died or hung; the message says so in words."""


def pool_size() -> int:
    """$CNN_LESSON_WORKERS: worker processes (0: train in threads of the web process).

    The default is one per training allowed at once ($CNN_LESSON_MAX_TRAININGS).
    """
    try:
        return max(0, int(os.environ.get(WORKERS_VARIABLE, capacity.max_trainings())))
    except ValueError:
        return capacity.max_trainings()


def timeout() -> float:
    """$CNN_LESSON_WORKER_TIMEOUT: seconds a training worker may send and compute nothing."""
    try:
        return max(1.0, float(os.environ.get(TIMEOUT_VARIABLE, TIMEOUT)))
    except ValueError:
        return TIMEOUT


def max_mb() -> float:
    """$CNN_LESSON_WORKER_MAX_MB: a worker that holds more memory after a run is replaced."""
    try:
        return float(os.environ.get(MAX_MB_VARIABLE, MAX_MB))
    except ValueError:
        return MAX_MB


def resident_mb(pid: int) -> float:
    """A process's resident memory in MB (VmRSS), 0 if it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines()
                 if line.startswith("VmRSS:")), 0.0)  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (user + system, all threads), 0 if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """One worker process and the web process's end of its pipe."""

    def __init__(self):
        mine, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notes, once is enough
        # One thread inside each operation (TensorFlow still runs two operations at once): for
        # the lesson's small network at batch 32 an epoch is ~18 % faster alone, and two runs
        # side by side on 2 cores too; batches of 128 or more are ~5-15 % slower (README, Speed).
        env.setdefault("TF_NUM_INTRAOP_THREADS", "1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lesson.machinery.workers", str(theirs.fileno()),
             str(os.getpid())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        theirs.close()
        self.conn = Connection(mine.detach())
        self.pid = self.process.pid
        self.ready = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, message: tuple) -> None:
        self.conn.send(message)

    def wait_ready(self, give_up: Callable[[], bool]) -> bool:
        """Wait until the worker has TensorFlow and MNIST (True), or `give_up()` (False)."""
        deadline = time.monotonic() + STARTUP
        while not self.ready:
            try:
                if self.conn.poll(POLL):
                    _, kind, payload = self.conn.recv()
                    if kind == "broken":
                        raise WorkerLost(BROKEN.format(error=payload))
                    self.ready = kind == "ready"
                    continue
            except (EOFError, OSError) as err:
                raise WorkerLost(CRASHED) from err
            if not self.alive():
                raise WorkerLost(CRASHED)
            if time.monotonic() > deadline:
                raise WorkerLost(HUNG.format(seconds=STARTUP))
            if give_up():
                return False
        return True

    def kill(self) -> None:
        """End the process at once and collect it."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self.conn.close()

    def close(self, wait: float = 3.0) -> None:
        """Ask the worker to quit; end it if it does not within `wait` seconds."""
        with contextlib.suppress(OSError):
            self.send(("quit",))
        self.conn.close()
        try:
            self.process.wait(wait)
        except subprocess.TimeoutExpired:
            self.kill()


class Pool:
    """Up to `size` worker processes, started when first needed and reused run after run."""

    def __init__(self, size: int, timeout: float = TIMEOUT, max_mb: float = MAX_MB):
        self.size, self.timeout, self.max_mb = size, timeout, max_mb
        self._changed = threading.Condition()
        self._workers: list[Worker] = []  # every worker of the pool
        self._idle: list[Worker] = []  # those free for a run
        self._jobs = itertools.count(1)
        self._closed = False

    def pids(self) -> list[int]:
        """The process ids of the pool's workers."""
        with self._changed:
            return [w.pid for w in self._workers]

    def _checkout(self, give_up: Callable[[], bool]) -> Worker | None:
        worker = None
        while worker is None:
            with self._changed:
                if self._closed:
                    raise WorkerLost("The server is shutting down.")
                for dead in [w for w in self._idle if not w.alive()]:  # killed while idle
                    self._idle.remove(dead)
                    self._workers.remove(dead)
                if self._idle:
                    worker = self._idle.pop(0)
                elif len(self._workers) < self.size:
                    worker = Worker()
                    self._workers.append(worker)
                else:
                    self._changed.wait(POLL)
            if worker is None and give_up():  # outside the lock: it may write to the store
                return None
        try:
            if worker.wait_ready(give_up):
                return worker
        except WorkerLost:
            self._discard(worker)
            raise
        self._checkin(worker)  # Stop came while it started: it waits for the next run
        return None

    def _checkin(self, worker: Worker) -> None:
        with self._changed:
            self._idle.append(worker)
            self._changed.notify_all()

    def _discard(self, worker: Worker, replace: bool = False) -> None:
        worker.kill()
        with self._changed:
            if worker in self._workers:
                self._workers.remove(worker)
            if replace and not self._closed:  # a fresh worker for the next run, starting now
                fresh = Worker()
                self._workers.append(fresh)
                self._idle.append(fresh)
            self._changed.notify_all()

    def warm(self) -> None:
        """Start every worker now (they take seconds to import TensorFlow), without waiting."""
        with self._changed:
            while not self._closed and len(self._workers) < self.size:
                worker = Worker()
                self._workers.append(worker)
                self._idle.append(worker)

    def train(self, run) -> None:
        """Train `run` in a worker, feeding `run.receive` with what the worker sends.

        Raises WorkerLost (the run fails with its message) if the worker dies or hangs.
        """
        worker = self._checkout(run.should_stop)
        if worker is None:  # stopped while it was handed to a worker
            run.receive("finished", {"status": "stopped", "message": "", "test": None,
                                     "weights": None, "snapshots": []})  # fmt: skip
            return
        job, run.worker_pid = next(self._jobs), worker.pid
        stop_sent = False
        try:
            worker.send(("train", job, run.hp, run.config))
            heard, cpu = time.monotonic(), cpu_seconds(worker.pid)
            while True:
                if not stop_sent and run.should_stop():
                    worker.send(("stop", job, run.score_when_stopped))
                    stop_sent = True
                if worker.conn.poll(POLL):
                    sent_for, kind, payload = worker.conn.recv()
                    heard, cpu = time.monotonic(), cpu_seconds(worker.pid)
                    if sent_for == job:
                        run.receive(kind, payload)
                        if kind == "finished":
                            break
                elif not worker.alive():
                    raise WorkerLost(CRASHED)
                elif time.monotonic() - heard > self.timeout:
                    # Silent, but is it computing? A worker starved of CPU by a busy machine
                    # (it runs at low priority) is slow, not hung: give it another period.
                    if cpu_seconds(worker.pid) - cpu < 0.5:
                        raise WorkerLost(HUNG.format(seconds=self.timeout))
                    heard, cpu = time.monotonic(), cpu_seconds(worker.pid)
        except (EOFError, OSError) as err:
            self._discard(worker, replace=True)
            raise WorkerLost(CRASHED) from err
        except WorkerLost:
            self._discard(worker, replace=True)
            raise
        if resident_mb(worker.pid) > self.max_mb:  # memory a long day of runs left behind
            worker.close()
            self._discard(worker, replace=True)
        else:
            self._checkin(worker)

    def shutdown(self) -> None:
        """Stop every worker (the server is stopping)."""
        with self._changed:
            self._closed = True
            workers, self._workers, self._idle = list(self._workers), [], []
            self._changed.notify_all()
        for worker in workers:
            worker.close()


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def default_pool() -> Pool | None:
    """This process's pool, made on first use; None when $CNN_LESSON_WORKERS is 0."""
    global _POOL
    size = pool_size()
    if size == 0:
        return None
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = Pool(size, timeout(), max_mb())
            atexit.register(_POOL.shutdown)
        return _POOL


def warm() -> None:
    """Start this process's workers in the background, if it has a pool (the Train page)."""
    if (pool := default_pool()) is not None:
        pool.warm()


# --- The worker process ----------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """Exit as soon as the web process is gone (it may have been killed with no goodbye)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main(fd: int, parent: int) -> None:
    """A worker: read jobs from the pipe and train them one after another."""
    import gc
    import queue

    try:
        os.nice(int(os.environ.get(NICE_VARIABLE, NICE)))
    except ValueError:
        os.nice(NICE)
    workarounds.parse_one_at_a_time()  # autograph parses; a finalizer may log mid-parse
    conn = Connection(fd)

    def tell(message: tuple) -> None:
        try:
            conn.send(message)
        except OSError:  # the web process is gone (stopped while this worker started): so is it
            os._exit(0)

    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        import keras

        from lesson import step1_data
        from lesson.machinery import jobs  # TensorFlow: imported once per worker

        mnist = step1_data.load_mnist()
    except Exception as err:  # a missing MNIST file: the web process says so
        tell((None, "broken", str(err)))
        os._exit(1)
    inbox: queue.Queue = queue.Queue()
    stops: dict[int, bool] = {}  # job -> whether the stopped run still gets a test score

    def read() -> None:
        try:
            while (message := conn.recv())[0] != "quit":
                if message[0] == "train":
                    inbox.put(message[1:])
                elif message[0] == "stop":
                    stops[message[1]] = message[2]
        except (EOFError, OSError):
            pass  # the web process closed the pipe: it is gone
        os._exit(0)

    threading.Thread(target=read, daemon=True).start()
    tell((None, "ready", os.getpid()))
    while True:
        job, hp, config = inbox.get()
        jobs.train_job(
            mnist, hp, config,
            send=lambda kind, payload, job=job: tell((job, kind, payload)),
            stop_asked=lambda job=job: job in stops,
            score_when_stopped=lambda job=job: stops.get(job, True),
        )  # fmt: skip
        stops.pop(job, None)
        # One run at a time here, so what Keras keeps of the last one (its graphs) can go:
        # without this a worker grew by ~50 MB a run.
        keras.backend.clear_session()
        gc.collect()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
