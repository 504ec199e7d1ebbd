"""The line for a training slot is in the order Train was pressed, whenever each run's thread
gets to it (a busy machine may start the later press's thread first)."""

import threading
from types import SimpleNamespace

from lesson.machinery import runs
from lesson.step4_training import Hyperparameters
from tests.support import wait_for


def test_the_earlier_press_trains_first_though_its_thread_comes_later():
    limiter = runs.Limiter(1)
    busy = SimpleNamespace(rank=0, arrival=None)
    assert limiter.wait_for_slot(busy, lambda: False)  # the one slot is taken
    first = SimpleNamespace(rank=0, arrival=limiter.ticket())  # pressed first
    second = SimpleNamespace(rank=0, arrival=limiter.ticket())
    got: list = []

    def wait(run) -> None:
        if limiter.wait_for_slot(run, lambda: False):
            got.append(run)
            limiter.release(run)

    late = threading.Thread(target=wait, args=(second,))
    late.start()  # the second press's thread reaches the line first
    wait_for(lambda: limiter.position(second) == 1, "the second press in line", timeout=30)
    early = threading.Thread(target=wait, args=(first,))
    early.start()
    wait_for(lambda: limiter.position(first) == 1, "the first press ahead of it", timeout=30)
    assert limiter.position(second) == 2
    limiter.release(busy)
    late.join(30)
    early.join(30)
    assert got == [first, second]


def test_a_run_takes_its_place_when_train_is_pressed(mnist):
    limiter = runs.Limiter(1)
    a = runs.TrainingRun("run 1", mnist, limiter=limiter, pool=runs.IN_THREADS)
    b = runs.TrainingRun("run 1", mnist, limiter=limiter, pool=runs.IN_THREADS)
    assert a.arrival is None and b.arrival is None
    a.start()
    b.start()  # tickets are taken in start(), before either thread has run a line
    assert a.arrival < b.arrival
    for run in (a, b):
        run.stop()
        run.join(120)
    assert a.training.arrival == a.arrival and b.training.arrival == b.arrival


def test_a_free_slot_waits_for_an_earlier_press_whose_thread_is_not_in_line_yet():
    limiter = runs.Limiter(1)
    first = SimpleNamespace(rank=0, arrival=limiter.ticket())  # pressed; its thread is slow
    second = SimpleNamespace(rank=0, arrival=limiter.ticket())
    got: list = []

    def wait(run) -> None:
        if limiter.wait_for_slot(run, lambda: False):
            got.append(run)

    late = threading.Thread(target=wait, args=(second,))
    late.start()
    wait_for(lambda: limiter.position(second) == 1, "the second press in line", timeout=30)
    late.join(1.0)  # the slot is free, yet the second press waits for the first
    assert got == [] and late.is_alive()
    wait(first)  # the first press's thread arrives: it trains first
    assert got == [first]
    limiter.release(first)
    late.join(30)
    assert got == [first, second]


def test_a_press_that_follows_another_training_or_never_arrives_holds_nobody_up(monkeypatch):
    limiter = runs.Limiter(1)
    follower = limiter.ticket()  # will follow a training already under way: no place needed
    lost = limiter.ticket()  # its thread failed before the line
    run = SimpleNamespace(rank=0, arrival=limiter.ticket())
    limiter.discard(follower)
    monkeypatch.setattr(runs.Limiter, "PRESSED_FOR", 0.5)
    assert limiter.wait_for_slot(run, lambda: False)  # once the lost press is too old to wait for
    limiter.discard(lost)  # said again later: nothing happens
    limiter.release(run)


def test_the_earlier_press_trains_first_when_both_are_runs_of_the_page(mnist):
    """Two learners' runs (different seeds), one slot: the first press trains first."""
    limiter = runs.Limiter(1)
    a, b = (
        runs.TrainingRun(
            "run 1",
            mnist,
            Hyperparameters(epochs=1, seed=seed, train_images=1000),
            limiter=limiter,
            pool=runs.IN_THREADS,
        )
        for seed in (1, 2)
    )
    a.start()
    b.start()
    wait_for(lambda: a.status == "running" or b.status == "running", "a run training", timeout=60)
    assert a.status == "running" and b.status == "queued", (a.status, b.status)
    for run in (a, b):
        run.stop()
        run.join(120)
