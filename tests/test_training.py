"""The training worker on its own: live curves, stop, NaN, the queue, learners kept apart."""

import time
from dataclasses import replace

import numpy as np
import pytest

from lesson import step1_data, step4_training, step5_prediction
from lesson.machinery import runs
from tests.support import waited_for

TINY = step4_training.Hyperparameters(
    epochs=2, batch_size=32, train_images=1_000, validation_split=0.2
)


def wait_for(condition, timeout: float = 180, seen=lambda: "") -> None:
    """Wait until `condition()`; on a timeout, say what it waited for and what `seen()` says."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, (
            f"timed out after {timeout} s waiting for {waited_for(condition)}; saw {seen()}"
        )
        time.sleep(0.05)


def test_a_run_collects_curves_snapshots_and_a_test_score(mnist):
    run = runs.TrainingRun("run 1", mnist, TINY, limiter=runs.Limiter(2)).start()
    run.join(120)
    assert run.status == "done" and run.usable, run.message
    assert len(run.snapshots) == TINY.epochs + 1  # the random filters, then one per epoch
    assert run.snapshots[0][0].shape == (3, 3, 1, 6)
    assert [e["epoch"] for e in run.epochs] == [1, 2]
    assert all(0 <= e["val_accuracy"] <= 1 for e in run.epochs)
    assert len(run.batches) >= 2 * 4  # at least four points per epoch
    positions = [p["epoch"] for p in run.batches]
    assert positions == sorted(positions) and positions[-1] == pytest.approx(2.0)
    assert run.parameters == 53_558
    t = run.test
    assert 0.5 < t["accuracy"] <= 1  # 800 images, 2 epochs: far better than guessing
    assert t["error_rate"] == pytest.approx(1 - t["accuracy"])
    assert t["five_in_a_row"] == pytest.approx(t["accuracy"] ** 5)
    assert run.progress()["fraction"] == 1.0


def test_stop_keeps_a_usable_model(mnist):
    hp = step4_training.Hyperparameters(epochs=20, batch_size=16, train_images=2_000)
    run = runs.TrainingRun("run 1", mnist, hp, limiter=runs.Limiter(1)).start()
    wait_for(lambda: run.batches)
    run.stop()
    run.join(120)
    assert run.status == "stopped" and run.usable
    assert len(run.epochs) < hp.epochs
    p = step5_prediction.probabilities(run.model, step1_data.preprocess(mnist.x_test[:20])[..., 0])
    assert p.shape == (20, 10) and np.allclose(p.sum(axis=1), 1, atol=1e-4)
    assert run.test is not None  # a stopped model is scored too


def test_a_loss_that_explodes_stops_the_run_with_an_explanation(mnist):
    hp = step4_training.Hyperparameters(
        epochs=3, batch_size=32, train_images=1_000, learning_rate=1e6
    )
    run = runs.TrainingRun("run 1", mnist, hp, limiter=runs.Limiter(1)).start()
    run.join(120)
    assert run.status == "failed" and not run.usable
    assert "exploded" in run.message and "learning rate" in run.message
    assert len(run.epochs) == 0 and run.test is None


def test_the_limiter_queues_the_second_run_until_the_first_is_done(mnist):
    limiter = runs.Limiter(1)
    first = runs.TrainingRun("a", mnist, TINY, limiter=limiter).start()
    wait_for(lambda: first.status == "running")
    second = runs.TrainingRun("b", mnist, TINY, limiter=limiter).start()
    wait_for(lambda: second.queue_position() == 1)
    seen = set()
    while first.training.ended is None:  # the training holds the slot until it has ended
        seen.add(second.status)
        time.sleep(0.05)
    assert seen == {"queued"} and limiter.running() <= 1
    second.join(120)
    assert first.status == second.status == "done"


def test_a_queued_run_can_be_stopped_before_it_starts(mnist):
    limiter = runs.Limiter(1)
    limiter._running.append("someone else")  # the only slot is taken
    run = runs.TrainingRun("run 1", mnist, TINY, limiter=limiter).start()
    wait_for(lambda: run.queue_position() == 1)
    run.stop()
    run.join(120)
    assert run.status == "stopped" and run.model is None and limiter.position(run) == 0


def test_two_learners_training_at_once_never_share_a_model_or_curves(mnist):
    limiter = runs.Limiter(2)
    a = runs.TrainingRun("run 1", mnist, TINY, limiter=limiter).start()
    b = runs.TrainingRun("run 1", mnist, replace(TINY, seed=7), limiter=limiter).start()
    a.join(120)
    b.join(120)
    assert a.status == b.status == "done", (a.message, b.message)
    assert a.model is not b.model and a.batches is not b.batches
    assert a.snapshots is not b.snapshots and len(a.snapshots) == len(b.snapshots) == 3
    assert not np.allclose(a.snapshots[0][0], b.snapshots[0][0])  # other seed, other filters
    assert [p["loss"] for p in a.batches] != [p["loss"] for p in b.batches]


def test_a_run_nobody_wants_any_more_stops_within_seconds_and_says_why(mnist, monkeypatch):
    monkeypatch.setattr(runs, "DEAD_AFTER", 0.2)
    hp = step4_training.Hyperparameters(epochs=20, batch_size=16, train_images=2_000)
    run = runs.TrainingRun("run 1", mnist, hp, alive=lambda: False,
                               limiter=runs.Limiter(1), gone="Nobody looked.")  # fmt: skip
    run.start().join(120)  # it stops within seconds; 20 epochs would take minutes
    assert run.status == "stopped" and run.message == "Nobody looked.", (run.status, run.message)
    assert len(run.epochs) < hp.epochs and run.test is None


@pytest.mark.parametrize(("value", "slots"), [(None, 2), ("1", 1), ("4", 4), ("0", 1), ("x", 2)])
def test_how_many_runs_train_at_once_comes_from_the_environment(monkeypatch, value, slots):
    if value is None:
        monkeypatch.delenv(runs.MAX_TRAININGS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(runs.MAX_TRAININGS_VARIABLE, value)
    assert runs.max_trainings() == slots


def test_split_keeps_a_random_subset_and_its_validation_share(mnist):
    hp = step4_training.Hyperparameters(train_images=1_000, validation_split=0.25, seed=3)
    x, y, x_val, y_val = step4_training.split(mnist.x_train, mnist.y_train, hp)
    assert (
        x.shape == (750, 28, 28)
        and x_val.shape == (250, 28, 28)
        and len(y) == 750
        and len(y_val) == 250
    )
    again = step4_training.split(mnist.x_train, mnist.y_train, hp)
    assert np.array_equal(x, again[0])


@pytest.mark.parametrize(
    ("test", "hp", "said"),
    [
        ({"loss": 0.05, "accuracy": 0.98}, step4_training.QUICK, None),
        ({"loss": 2.31, "accuracy": 0.1135}, replace(step4_training.QUICK, optimizer="sgd",
         learning_rate=10.0), "far too large for sgd"),
        ({"loss": 2.30, "accuracy": 0.098}, replace(step4_training.QUICK, learning_rate=1e-5),
         "so small that the weights hardly move in 3 epochs"),
        ({"loss": 41.0, "accuracy": 0.1}, replace(step4_training.QUICK, learning_rate=0.3),
         "diverged"),
        ({"loss": 2.2, "accuracy": 0.15}, step4_training.QUICK, "another random seed"),
    ],
)  # fmt: skip
def test_a_run_that_did_not_learn_is_recognised_and_said_in_words(test, hp, said):
    verdict = step4_training.did_not_learn(test, hp)
    if said is None:
        assert verdict is None
    else:
        assert verdict.startswith("**The network did not learn.**") and said in verdict
        assert "what guessing gets" in verdict


def test_a_cut_short_epochs_filters_are_not_called_a_whole_epoch(mnist):
    """Stop in epoch 1: Keras still ends the epoch, and its filters were labelled "after
    epoch 1" on the Inside page (issue 18)."""
    from lesson import step6_inside

    hp = step4_training.Hyperparameters(epochs=20, batch_size=16, train_images=2_000)
    # Stop as soon as the first batches are in, asked from the run's own thread (as a Stop in
    # another tab is): this test's thread, asking, lost the race on a loaded machine.
    run = runs.TrainingRun(
        "run 1", mnist, hp, limiter=runs.Limiter(1), asked=lambda: bool(run.batches)
    )
    run.start()
    run.join(120)
    assert run.status == "stopped" and len(run.epochs) == 0, (run.status, run.epochs)
    labels = [step6_inside.snapshot_label(i, len(run.epochs)) for i in range(len(run.snapshots))]
    assert labels[0] == "before training (random)"
    assert not [label for label in labels if label.startswith("after epoch")]
    if len(labels) > 1:  # the cut-short epoch's snapshot: the filters the model has now
        assert labels[-1] == "when it stopped, part-way through epoch 1"
        assert np.allclose(run.snapshots[-1][0], run.model.layers[0].kernel.numpy())
