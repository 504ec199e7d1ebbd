"""Identical experiments train once: runs that follow one training, kept experiments, the line.

Core level, tiny experiments, in threads of this process (and one worker for the crash).
"""

import os
import signal
import threading
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from lesson import step3_network, step4_training
from lesson.machinery import experiments, runs, workers, workspaces
from lesson.machinery import store as storage
from tests.support import wait_for

TINY = step4_training.Hyperparameters(
    epochs=2, batch_size=64, train_images=1_000, validation_split=0.2, seed=5
)
LONG = step4_training.Hyperparameters(epochs=30, batch_size=32, train_images=2_000, seed=6)


def run_of(mnist, hp, share, limiter, name="run 1", pool=runs.IN_THREADS, **kwargs):
    return runs.TrainingRun(name, mnist, hp, share=share, limiter=limiter, pool=pool, **kwargs)


def same_run(a, b) -> None:
    """Two runs with the same curves, filters, weights and test scores, exactly."""
    assert a.batches == b.batches and a.epochs == b.epochs and a.test == b.test
    assert a.parameters == b.parameters and a.steps_per_epoch == b.steps_per_epoch
    assert len(a.snapshots) == len(b.snapshots)
    for x, y in zip(a.snapshots, b.snapshots, strict=True):
        assert all(np.array_equal(p, q) for p, q in zip(x, y, strict=True))
    assert all(np.array_equal(p, q) for p, q in zip(a.weights(), b.weights(), strict=True))


def test_the_key_changes_with_the_seed_the_network_and_the_data(mnist):
    key = experiments.key(step3_network.LESSON, TINY, mnist)
    assert key == experiments.key(step3_network.LESSON, replace(TINY), mnist)
    assert key != experiments.key(step3_network.LESSON, replace(TINY, seed=6), mnist)
    assert key != experiments.key(step3_network.LESSON, replace(TINY, augmentation=0.5), mnist)
    wider = replace(step3_network.LESSON, dense_units=64)
    assert key != experiments.key(wider, TINY, mnist)
    other = mnist._replace(y_test=mnist.y_test[::-1].copy())
    assert key != experiments.key(step3_network.LESSON, TINY, other)


def test_a_late_follower_gets_every_point_and_the_same_run(mnist):
    share, limiter = experiments.Sharing(), runs.Limiter(1)
    leader = run_of(mnist, TINY, share, limiter).start()
    wait_for(lambda: len(leader.batches) >= 2, "the leader's first points")
    follower = run_of(mnist, TINY, share, limiter).start()
    own = run_of(mnist, replace(TINY, seed=7), share, limiter).start()  # another seed: its own
    for run in (leader, follower, own):
        run.join(300)
    assert leader.status == follower.status == own.status == "done", own.message
    assert follower.training is leader.training and own.training is not leader.training
    same_run(leader, follower)
    assert leader.classmates() == follower.classmates() == 1 and own.classmates() == 0
    assert own.batches != leader.batches
    assert experiments.live() == 0  # the trainings are let go when they end


def test_stop_of_one_follower_leaves_the_other_training(mnist):
    share, limiter = experiments.Sharing(), runs.Limiter(1)
    a = run_of(mnist, LONG, share, limiter).start()
    b = run_of(mnist, LONG, share, limiter).start()
    wait_for(lambda: len(a.epochs) >= 1 and len(b.epochs) >= 1, "a whole epoch")
    a.stop()
    a.join(60)
    assert a.status == "stopped" and a.message == "You stopped the run." and a.usable
    assert a.test is None and len(a.snapshots) == len(a.epochs) + 1  # its last whole epoch
    kept = len(b.batches)
    wait_for(lambda: len(b.batches) > kept + 2, "the other run to go on training")
    assert b.status == "running" and b.training.ended is None
    b.stop()  # the last follower: it stops the training itself and gets a test score
    b.join(60)
    assert b.status == "stopped" and b.test is not None and b.training.ended == "stopped"


def test_a_crashed_worker_ends_every_followers_run_with_the_same_message(mnist):
    pool = workers.Pool(1, timeout=120)
    try:
        share, limiter = experiments.Sharing(), runs.Limiter(1)
        a = run_of(mnist, LONG, share, limiter, pool=pool).start()
        b = run_of(mnist, LONG, share, limiter, pool=pool).start()
        wait_for(lambda: a.batches and b.batches and a.worker_pid, "both runs training")
        assert a.worker_pid == b.worker_pid  # one training in one worker
        os.kill(a.worker_pid, signal.SIGKILL)
        a.join(60)
        b.join(60)
        assert a.status == b.status == "failed" and a.message == b.message == workers.CRASHED
    finally:
        pool.shutdown()


def test_a_finished_experiment_is_kept_and_given_again_from_a_new_store_object(mnist, store):
    limiter = runs.Limiter(1)
    first = run_of(mnist, TINY, experiments.Sharing(store), limiter).start()
    first.join(300)
    assert first.status == "done" and store.count_experiments() == 1
    again = storage.Store(store.url, retention=30)  # a restart, or another process
    try:
        later = run_of(mnist, TINY, experiments.Sharing(again), limiter).start()
        later.join(60)
        assert later.status == "done" and later.reused is not None and later.classmates() == 1
        assert later.training is not first.training
        same_run(first, later)
        third = run_of(mnist, TINY, experiments.Sharing(again), limiter).start()
        third.join(60)
        assert third.reused is not None and third.classmates() == 2
    finally:
        again.close()


def test_a_stopped_training_is_not_kept(mnist, tmp_path):
    store = storage.Store(f"sqlite:///{tmp_path / 'lesson.db'}")
    run = run_of(mnist, LONG, experiments.Sharing(store), runs.Limiter(1)).start()
    wait_for(lambda: run.batches, "the run's first points")
    run.stop()
    run.join(60)
    assert run.status == "stopped" and store.count_experiments() == 0
    store.close()


def test_two_workspaces_follow_one_training_and_forget_me_deletes_only_one_copy(
    mnist, tmp_path, monkeypatch
):
    monkeypatch.setattr(runs, "LIMITER", runs.Limiter(1))
    monkeypatch.setattr(workers, "_POOL", None)
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "0")  # in threads of this process
    store = storage.Store(f"sqlite:///{tmp_path / 'lesson.db'}")
    trainings = workspaces.Trainings()
    one, two, three = (store.create_workspace() for _ in range(3))
    hp = replace(LONG, epochs=3, train_images=1_000)
    a = trainings.start(store, one, 1, mnist, hp, step3_network.LESSON)
    b = trainings.start(store, two, 1, mnist, hp, step3_network.LESSON)
    c = trainings.start(store, three, 1, mnist, hp, step3_network.LESSON)
    wait_for(lambda: a.epochs and b.epochs and c.epochs, "every run's first epoch")
    assert a.training is b.training is c.training
    trainings.stop(one.id, "You deleted your workspace.", forget=True)
    store.delete_workspace(one.id)
    for run in (a, b, c):
        run.join(300)
    assert a.status == "stopped" and b.status == c.status == "done", b.message
    same_run(b, c)
    assert store.list_runs(one.id) == []
    for ws, run in ((two, b), (three, c)):
        [row] = store.list_runs(ws.id)
        assert row.status == "done" and row.results["batches"] == run.batches
        assert row.results["shared"] == {"classmates": 2, "before": False}
        stored = store.weights(ws.id, 1)
        assert all(np.array_equal(p, q) for p, q in zip(stored, run.weights(), strict=True))
    assert store.count_experiments() == 1  # the result is kept, with no learner's data
    store.close()


def test_the_line_is_fair_nobodys_second_run_before_everyones_first():
    limiter = runs.Limiter(1)
    limiter._running.append("someone else")  # the only slot is taken
    waiting = []
    order = []

    def wait(item) -> None:
        if limiter.wait_for_slot(item, lambda: False):
            order.append(item.name)
            limiter.release(item)

    for name, rank in (("ann 2", 1), ("bob 1", 0), ("ann 3", 2), ("cy 1", 0), ("bob 2", 1)):
        item = SimpleNamespace(name=name, rank=rank, hp=None)
        waiting.append(threading.Thread(target=wait, args=(item,)))
        waiting[-1].start()
        count = len(waiting)
        wait_for(lambda n=count: len(limiter._waiting) == n, f"{name} in line")
    assert [w.name for w in limiter._waiting] == ["bob 1", "cy 1", "ann 2", "bob 2", "ann 3"]
    limiter.release("someone else")
    for t in waiting:
        t.join(10)
    assert order == ["bob 1", "cy 1", "ann 2", "bob 2", "ann 3"]


def test_the_line_says_when_a_run_should_start_once_the_speed_is_measured():
    limiter = runs.Limiter(1)
    hp = step4_training.Hyperparameters(epochs=1, train_images=1_000, validation_split=0.2)
    first = SimpleNamespace(name="first", rank=0, hp=hp)
    assert limiter.wait_for_slot(first, lambda: False)
    second, third = (SimpleNamespace(name=name, rank=0, hp=hp) for name in ("second", "third"))
    for n, item in enumerate((second, third), 1):
        threading.Thread(target=limiter.wait_for_slot, args=(item, lambda: False),
                         daemon=True).start()  # fmt: skip
        wait_for(lambda n=n: len(limiter._waiting) == n, f"{n} runs in line")
    assert limiter.expected_start(second) is None  # nothing measured: no guess
    limiter._speeds = [0.01]  # 800 image-epochs: 8 s a run
    assert limiter.expected_start(second) == pytest.approx(8, abs=0.5)
    assert limiter.expected_start(third) == pytest.approx(16, abs=0.5)
    limiter.release(first, 16.0)  # measured: 0.02 s an image-epoch
    assert limiter.speed() == pytest.approx(0.015)


def test_a_training_under_way_in_another_process_is_followed_through_the_store(mnist, store):
    hp = replace(LONG, epochs=3, train_images=1_500, validation_split=0.2)
    here = run_of(mnist, hp, experiments.Sharing(store), runs.Limiter(1)).start()
    wait_for(lambda: len(here.epochs) >= 1, "the first process's first epoch")
    other = storage.Store(store.url, retention=30)  # another app process: its own store object
    try:
        # Its own process id and line: it cannot see this process's trainings, only the store.
        there = run_of(mnist, hp, experiments.Sharing(other, process="another process"),
                       runs.Limiter(1)).start()  # fmt: skip
        wait_for(lambda: there.training is not None, "the second run to find its training")
        assert isinstance(there.training, experiments.RemoteTraining)
        here.join(300)
        there.join(120)
        assert here.status == there.status == "done", there.message
        same_run(here, there)
        assert there.epochs[0] == here.epochs[0] and there.snapshots[1][0].shape == (3, 3, 1, 6)
    finally:
        other.close()
    assert store.use_experiment(experiments.key(step3_network.LESSON, hp, mnist)).runs == 1
