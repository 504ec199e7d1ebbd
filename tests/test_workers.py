"""The worker pool on its own: curves across a process, Stop, NaN, the queue, and its faults
(a killed worker, a hung one, Stop while a run is handed over, 50 presses of Train, a server
that stops with no worker left behind)."""

import inspect
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lesson import step1_data, step3_network, step4_training, step5_prediction
from lesson.machinery import jobs, runs, workers, workspaces
from lesson.machinery import store as storage
from tests.support import waited_for

TINY = step4_training.Hyperparameters(
    epochs=1, batch_size=64, train_images=1_000, validation_split=0.2
)
LONG = step4_training.Hyperparameters(
    epochs=20, batch_size=16, train_images=5_000
)  # never ends alone
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pool():
    p = workers.Pool(2, timeout=60)
    yield p
    p.shutdown()


def wait_for(condition, timeout: float = 180, seen=lambda: "") -> None:
    """Wait until `condition()`; on a timeout, say what it waited for and what `seen()` says."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, (
            f"timed out after {timeout} s waiting for {waited_for(condition)}; saw {seen()}"
        )
        time.sleep(0.05)


def gone(pid: int) -> bool:
    """The process has ended (no such process, or a zombie its parent has not collected)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def train(pool, mnist, hp=TINY, name="run 1", limiter=None, **kwargs) -> runs.TrainingRun:
    limiter = limiter or runs.Limiter(2)
    return runs.TrainingRun(name, mnist, hp, limiter=limiter, pool=pool, **kwargs).start()


def test_a_runs_curves_filters_and_model_come_back_from_its_worker(pool, mnist):
    seen_live = []
    run = train(pool, mnist, replace(TINY, epochs=2))
    while not run.finished:
        if run.batches and run.status == "running":
            seen_live.append(len(run.batches))
        time.sleep(0.02)
    run.join(120)
    assert run.status == "done" and run.usable, run.message
    assert seen_live, "the curves grew while the run trained"
    assert [e["epoch"] for e in run.epochs] == [1, 2] and len(run.batches) >= 8
    assert len(run.snapshots) == 3 and run.snapshots[0][0].shape == (3, 3, 1, 6)
    assert run.parameters == 53_558 and 0.3 < run.test["accuracy"] <= 1
    assert set(pool.pids()) and os.getpid() not in pool.pids()  # trained elsewhere
    # The model rebuilt here from the worker's weights is the one that was scored there.
    x = step1_data.preprocess(mnist.x_test)
    accuracy = (
        step5_prediction.probabilities(run.model, x[..., 0]).argmax(1) == mnist.y_test
    ).mean()
    assert accuracy == pytest.approx(run.test["accuracy"], abs=1e-4)
    assert np.allclose(run.snapshots[-1][0], run.model.layers[0].kernel.numpy())


def test_the_same_run_in_a_thread_and_in_a_worker_gives_the_same_curves(pool, mnist):
    here = train(runs.IN_THREADS, mnist)
    there = train(pool, mnist)
    here.join(120)
    there.join(120)
    assert here.status == there.status == "done"
    assert [p["loss"] for p in here.batches] == pytest.approx([p["loss"] for p in there.batches])


def test_stop_reaches_the_worker_and_keeps_a_usable_model(pool, mnist):
    run = train(pool, mnist, LONG)
    wait_for(lambda: len(run.batches) >= 2)
    run.stop()
    run.join(120)
    assert run.status == "stopped" and run.usable and run.message == "You stopped the run.", (
        run.status,
        run.message,
    )
    assert len(run.epochs) < LONG.epochs and run.test is not None


def test_a_learning_rate_of_10_explodes_and_says_so(pool, mnist):
    hp = replace(TINY, batch_size=16, optimizer="sgd", learning_rate=10.0, validation_split=0.1)
    run = train(pool, mnist, hp)
    run.join(120)
    assert run.status == "failed" and not run.usable and run.test is None
    assert run.message.startswith("The loss exploded in epoch 1")
    assert "the learning rate 10 is so large" in run.message


def test_runs_queue_in_order_and_show_their_place(pool, mnist):
    limiter = runs.Limiter(1)
    first = train(pool, mnist, name="a", limiter=limiter)
    wait_for(lambda: first.status == "running")
    second = train(pool, mnist, name="b", limiter=limiter)
    wait_for(lambda: second.queue_position() == 1)
    third = train(pool, mnist, name="c", limiter=limiter)
    wait_for(lambda: third.queue_position() == 2)
    ended = []
    while len(ended) < 3:
        assert limiter.running() <= 1
        ended += [r.name for r in (first, second, third) if r.finished and r.name not in ended]
        time.sleep(0.02)
    assert ended == ["a", "b", "c"] and {first.status, second.status, third.status} == {"done"}


def test_a_killed_worker_fails_only_its_run_and_a_fresh_worker_takes_the_next(pool, mnist):
    other = train(pool, mnist, replace(TINY, epochs=3, train_images=2_000), name="other")
    victim = train(pool, mnist, LONG, name="victim")
    wait_for(lambda: victim.batches and other.batches)  # both have trained in their workers
    killed = victim.worker_pid
    assert killed != other.worker_pid and killed in pool.pids()
    os.kill(killed, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    victim.join(120)
    assert victim.status == "failed" and victim.message.startswith(
        "The training process stopped unexpectedly"
    )
    other.join(120)
    assert other.status == "done", other.message  # the other learner's run carried on
    assert gone(killed) and killed not in pool.pids() and len(pool.pids()) == 2
    after = train(pool, mnist, name="next")
    after.join(120)
    assert after.status == "done", after.message


def test_a_worker_that_hangs_is_ended_and_its_run_failed(pool, mnist, monkeypatch):
    run = train(pool, mnist, LONG, limiter=runs.Limiter(1))
    wait_for(lambda: run.batches)  # past its first call into TensorFlow (tracing is slow)
    monkeypatch.setattr(pool, "timeout", 2.0)
    hung = run.worker_pid
    os.kill(hung, signal.SIGSTOP)  # alive, but it will never answer again
    run.join(120)
    assert run.status == "failed" and "stopped answering for 2 s" in run.message
    wait_for(lambda: gone(hung), 60)
    assert hung not in pool.pids()


def test_stop_while_the_run_is_handed_to_a_starting_worker(mnist):
    fresh = workers.Pool(1, max_mb=1)  # and every worker is too big after its run
    try:
        run = train(fresh, mnist, LONG)
        wait_for(lambda: run.status == "running")  # it has a slot; its worker is starting
        assert run.batches == [] and run.worker_pid is None
        run.stop()
        run.join(120)
        assert run.status == "stopped" and run.model is None and not run.usable
        [starting] = fresh.pids()
        again = train(fresh, mnist)  # the worker that was starting serves the next run
        again.join(120)
        assert again.status == "done" and again.worker_pid == starting
        assert len(fresh.pids()) == 1 and fresh.pids() != [starting]  # replaced: too big
        wait_for(lambda: gone(starting), 60)
    finally:
        fresh.shutdown()


def test_fifty_presses_of_train_across_sessions_in_a_second(pool, mnist, tmp_path, monkeypatch):
    """10 learners press Train 5 times each at once: one run per workspace, the rest wait."""
    monkeypatch.setattr(runs, "LIMITER", runs.Limiter(2))
    monkeypatch.setattr(workers, "_POOL", pool)
    store = storage.Store(f"sqlite:///{tmp_path / 'lesson.db'}")
    spaces = [store.create_workspace() for _ in range(10)]
    trainings = workspaces.Trainings()
    started: list = []
    barrier = threading.Barrier(50)

    def press(ws, seed: int) -> None:
        barrier.wait()
        hp = replace(LONG, seed=seed)  # ten experiments: identical ones would train once
        started.append(trainings.start(store, ws, 1, mnist, hp, step3_network.LESSON))

    presses = [threading.Thread(target=press, args=(ws, i)) for i, ws in enumerate(spaces)
               for _ in range(5)]  # fmt: skip
    for t in presses:
        t.start()
    for t in presses:
        t.join(120)
    live = [r for r in started if r is not None]
    assert len(started) == 50 and len(live) == 10  # the other 40 presses were told "busy"
    wait_for(lambda: sum(r.queue_position() > 0 for r in live) == 8)
    assert sorted(r.queue_position() for r in live) == [0, 0, *range(1, 9)]
    for ws in spaces:
        trainings.stop(ws.id, "You deleted your workspace.")
    for run in live:
        run.join(120)
    assert {r.status for r in live} == {"stopped"}
    assert {store.list_runs(ws.id)[0].status for ws in spaces} == {"stopped"}
    store.close()


PARENT = """
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # as Streamlit: a clean stop
# Streamlit handles SIGINT itself; a plain Python would not if it inherited SIGINT ignored
# (pytest run in the background of a non-interactive shell): it slept on, and the test failed.
signal.signal(signal.SIGINT, signal.default_int_handler)
from lesson.machinery import workers
pool = workers.default_pool()
print(pool._checkout(lambda: False).pid, flush=True)
time.sleep(300)
"""


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_stopped_server_leaves_no_worker_behind(how):
    env = {**os.environ, "CNN_LESSON_WORKERS": "1", "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], env=env, stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        worker = int(parent.stdout.readline())
        assert not gone(worker)
        parent.send_signal(how)
        parent.wait(30)
        wait_for(lambda: gone(worker), 60)
    finally:
        parent.kill()
        parent.wait()


def test_a_worker_whose_server_stopped_while_it_started_leaves_quietly():
    mine, theirs = socket.socketpair()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "lesson.machinery.workers", str(theirs.fileno()), str(os.getpid())],
        pass_fds=[theirs.fileno()], env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    theirs.close()
    mine.close()  # the server is gone before the worker has said it is ready
    try:
        _, err = worker.communicate(timeout=120)
    finally:
        worker.kill()
    assert worker.returncode == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_the_fit_the_train_page_shows_is_the_fit_the_workers_run(monkeypatch, mnist):
    from tests.pages import app

    at = app("p4_train.py")
    box = next(e for e in at.expander if e.label == "Show the code: fit, with live curves")
    shown = [c.value for c in box.code]
    assert shown == [inspect.getsource(f).rstrip() for f in step4_training.FIT_CODE]
    assert (
        step4_training.fit,
        step4_training.LiveCurves,
        step4_training.batches,
    ) == step4_training.FIT_CODE
    for code in shown:
        for machinery in ("thread", "queue", "Queue", "multiprocessing", "Lock", "Event",
                          "Pipe", "socket", "send(", "pool", "Pool", "stop_asked"):  # fmt: skip
            assert machinery not in code, machinery
    # The job a worker runs calls exactly these: record what it calls.
    called = []
    fit = step4_training.fit
    monkeypatch.setattr(step4_training, "fit", lambda *a: called.append(a[-1]) or fit(*a))
    jobs.train_job(mnist, TINY, step3_network.LESSON, lambda kind, payload: None, lambda: False)
    assert len(called) == 1
    assert [type(c) for c in called[0][:2]] == [
        step4_training.FilterSnapshots,
        step4_training.LiveCurves,
    ]
    assert (
        Path(inspect.getfile(step4_training)).resolve()
        == workers.ROOT / "lesson" / "step4_training.py"
    )
