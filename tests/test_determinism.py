"""Same experiment, same result, whichever worker process trains it (issue 33).

A run that follows a shared training gets that training's weights, curves and scores; the app
may say "same seed, same result" only if training the experiment alone, in any other worker,
gives exactly the same numbers. Here two worker pools (two separate processes) train one tiny
experiment; the second pool's worker has trained another experiment first, as a worker of a
busy server has.
"""

import math
import threading

import numpy as np

from lesson import step4_training
from lesson.machinery import runs, workers

TINY = step4_training.Hyperparameters(epochs=1, train_images=2000, seed=3)
OTHER = step4_training.Hyperparameters(epochs=1, train_images=1000, seed=4, learning_rate=0.003)


def train(pool: workers.Pool, mnist, hp) -> runs.TrainingRun:
    """One run trained in `pool`'s worker, to its end."""
    run = runs.TrainingRun("determinism", mnist, hp, limiter=runs.Limiter(1), pool=pool)
    run.start().join(600)
    assert run.status == "done", (run.status, run.message)
    return run


def curves(run: runs.TrainingRun) -> tuple:
    """The curves by batch and by epoch, without the seconds (a clock, not a result)."""
    epochs = [{k: v for k, v in e.items() if k != "seconds"} for e in run.epochs]
    return run.batches, epochs


def same_numbers(a, b) -> bool:
    """Equal, with NaN equal to NaN (the curves' validation fields may be NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_numbers(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_numbers(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_one_experiment_in_two_worker_processes_gives_identical_results(mnist, monkeypatch):
    # At the pages' priority: on a shared machine a worker at nice 10 may not start in time,
    # and this test is about the numbers, not the priority.
    monkeypatch.setenv(workers.NICE_VARIABLE, "0")
    one, two = workers.Pool(1), workers.Pool(1)
    try:
        results = {}

        def first():
            try:
                results["one"] = train(one, mnist, TINY)
            except AssertionError as err:  # a run that did not end "done": say how it ended
                results["problem one"] = str(err)

        def second():  # this worker has a run behind it, as a server's workers do
            try:
                train(two, mnist, OTHER)
                results["two"] = train(two, mnist, TINY)
            except AssertionError as err:
                results["problem two"] = str(err)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(900)
        assert "one" in results and "two" in results, f"a run did not end done: {results}"
        assert one.pids() != two.pids(), "the two runs must train in different processes"
    finally:
        one.shutdown()
        two.shutdown()
    a, b = results["one"], results["two"]
    wa, wb = a.weights(), b.weights()
    assert len(wa) == len(wb) == 8  # two conv layers, two dense layers: kernel and bias each
    different = [i for i, (x, y) in enumerate(zip(wa, wb, strict=True)) if not np.array_equal(x, y)]
    assert not different, (
        f"weights {different} differ; largest difference "
        f"{max(float(np.max(np.abs(wa[i] - wb[i]))) for i in different):.3g}"
    )
    assert len(a.batches) >= 4 and same_numbers(curves(a), curves(b)), (curves(a), curves(b))
    assert a.test is not None and a.test == b.test, (a.test, b.test)
    assert len(a.snapshots) == 2 and all(
        np.array_equal(x, y)
        for sa, sb in zip(a.snapshots, b.snapshots, strict=True)
        for x, y in zip(sa, sb, strict=True)
    )
