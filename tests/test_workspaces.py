"""Runs belong to workspaces: saved as they train, read back, interrupted, left unattended."""

import time

import numpy as np
import pytest

from lesson import step3_network, step4_training
from lesson.machinery import runs, workspaces
from lesson.machinery import store as storage

TINY = step4_training.Hyperparameters(epochs=2, batch_size=64, train_images=1_000, seed=3)


@pytest.fixture
def store(tmp_path):
    """A SQLite store with the default retention (in place of conftest's store on both kinds)."""
    s = storage.Store(f"sqlite:///{tmp_path / 'lesson.db'}")
    yield s
    s.close()


def test_a_run_is_saved_as_it_trains_and_read_back_the_same(store, mnist):
    ws = store.create_workspace()
    trainings = workspaces.Trainings()
    run = trainings.start(store, ws, 1, mnist, TINY, step3_network.LESSON)
    assert store.list_runs(ws.id)[0].status in ("queued", "running")  # saved from the press
    assert trainings.start(store, ws, 2, mnist, TINY, step3_network.LESSON) is None  # one at a time
    run.join(90)
    assert run.status == "done" and run.saver.saved_final and run.saver.error is None
    row = store.list_runs(ws.id)[0]
    back = workspaces.RestoredRun(store, ws.id, row)
    assert (back.name, back.status, back.hp, back.config) == (
        "run 1",
        "done",
        TINY,
        step3_network.LESSON,
    )
    assert back.epochs == run.epochs and back.test == run.test and back.batches == run.batches
    assert back.parameters == 53_558 and back.usable
    for mine, stored in zip(run.model.get_weights(), back.model.get_weights(), strict=True):
        assert np.array_equal(mine, stored)
    assert len(back.snapshots) == 3  # before training and after each of the 2 epochs
    for epoch_mine, epoch_back in zip(run.snapshots, back.snapshots, strict=True):
        assert all(np.array_equal(a, b) for a, b in zip(epoch_mine, epoch_back, strict=True))
    trainings.forget_finished()
    assert trainings.live(ws.id) is None


def test_a_run_cut_off_by_a_server_stop_keeps_its_last_whole_epoch(store, mnist):
    ws = store.create_workspace()
    net = step4_training.build(step3_network.LESSON, 5)
    saver = workspaces.Saver(store, ws, 1)
    run = runs.TrainingRun("run 1", mnist, TINY)
    run.model, run.status, run.epochs = net, "running", [{"epoch": 1, "loss": 0.5}]
    saver(run, "epoch")  # saved after epoch 1; then the server dies
    with store._connect().begin() as conn:
        conn.execute(storage.runs.update().values(updated=time.time() - storage.STALE_AFTER - 1))
    back = workspaces.RestoredRun(store, ws.id, store.list_runs(ws.id)[0])
    assert back.status == "interrupted" and "server stopped" in back.message
    assert back.usable and len(back.epochs) == 1
    assert np.array_equal(back.model.get_weights()[0], net.get_weights()[0])


def test_a_run_nobody_looks_at_stops_after_the_unattended_limit(store, mnist, monkeypatch):
    monkeypatch.setenv(workspaces.UNATTENDED_VARIABLE, "0.05")  # 3 s
    monkeypatch.setattr(runs, "DEAD_AFTER", 0.5)
    ws = store.create_workspace()
    long = step4_training.Hyperparameters(epochs=20, batch_size=16, train_images=5_000)
    run = workspaces.Trainings().start(store, ws, 1, mnist, long, step3_network.LESSON)
    run.join(90)
    assert run.status == "stopped" and "Nobody looked at this run" in run.message
    assert store.list_runs(ws.id)[0].status == "stopped"  # and saved, with its model
    assert store.weights(ws.id, 1) is not None


def test_saving_that_fails_is_kept_and_tried_again(store, mnist, tmp_path):
    ws = store.create_workspace()
    broken = storage.Store(f"sqlite:///file:{tmp_path / 'lesson.db'}?mode=ro&uri=true")
    run = workspaces.Trainings().start(broken, ws, 1, mnist, TINY, step3_network.LESSON)
    run.join(90)
    assert run.status == "done"  # training never waits for, nor fails with, the database
    assert run.saver.error == "the database file is read-only" and not run.saver.saved_final
    run.saver.store = store  # the database is back: the next page run saves it again
    run.saver(run, "finished")
    assert run.saver.saved_final and store.list_runs(ws.id)[0].status == "done"
