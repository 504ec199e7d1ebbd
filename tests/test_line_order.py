"""The line for a training slot is in the order Train was pressed, whenever each run's thread
gets to it (a busy machine may start the later press's thread first)."""

import threading
from types import SimpleNamespace

from lesson.machinery import runs
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
