"""Stop from a tab that another app process serves: the request goes through the store."""

from dataclasses import replace

import sqlalchemy as sa

from lesson import step3_network, step4_training
from lesson.machinery import runs, workers, workspaces
from lesson.machinery import store as storage
from tests.pages import app, assert_clean
from tests.support import wait_for

EXPERIMENT = {"epochs": "1", "train_images": "1000"}
HP = step4_training.Hyperparameters(epochs=3, train_images=1_000)
RESULTS = {"epochs": [], "batches": [], "steps_per_epoch": 16, "parameters": 53558}


def test_a_stop_request_is_stored_for_the_live_run_and_read_by_another_process(store):
    other = storage.Store(store.url, retention=30)  # another app process on the same database
    try:
        ws = store.create_workspace()
        assert store.begin_run(ws, 1, EXPERIMENT) == 1
        assert not store.stop_requested(ws.id, 1)
        assert other.request_stop(ws.id, 1)  # a tab of the other process presses Stop
        assert store.stop_requested(ws.id, 1)  # the training process reads it
        [row] = other.list_runs(ws.id)
        first = row.stop_requested
        assert row.status == "queued" and first is not None
        assert other.request_stop(ws.id, 1)  # a second press: still live, the first time stays
        assert store.list_runs(ws.id)[0].stop_requested == first
        store.save_run(ws, 1, status="stopped", message="You stopped the run.",
                       experiment=EXPERIMENT, results={})  # fmt: skip
        assert not other.request_stop(ws.id, 1)  # over: nothing to stop
        assert store.begin_run(ws, 2, EXPERIMENT) == 2
        assert not store.stop_requested(ws.id, 2)  # the next run starts with no request
        assert not other.request_stop(ws.id, 3)  # no such run
    finally:
        other.close()


def test_a_database_from_before_stop_requests_gets_the_column(store):
    ws = store.create_workspace()
    assert store.begin_run(ws, 1, EXPERIMENT) == 1
    with store._connect().begin() as conn:  # as today's app left it: no such column
        conn.execute(sa.text("ALTER TABLE runs DROP COLUMN stop_requested"))
    store.close()
    later = storage.Store(store.url, retention=30)  # the new app starts on it
    try:
        assert [r.stop_requested for r in later.list_runs(ws.id)] == [None]
        assert later.request_stop(ws.id, 1) and store.stop_requested(ws.id, 1)
    finally:
        later.close()


def test_stop_pressed_in_another_process_ends_only_that_learners_run(mnist, tmp_path, monkeypatch):
    """Two learners follow one training; a stop request in the store for one of them ends that
    run as the local Stop would, and the training goes on for the other."""
    monkeypatch.setattr(runs, "LIMITER", runs.Limiter(1))
    monkeypatch.setattr(workers, "_POOL", None)
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "0")  # in threads of this process
    store = storage.Store(f"sqlite:///{tmp_path / 'lesson.db'}")
    other = storage.Store(store.url)  # the app process that serves the learners' other tabs
    trainings = workspaces.Trainings()
    one, two = store.create_workspace(), store.create_workspace()
    long = replace(HP, epochs=30, batch_size=32, train_images=2_000)  # stopped long before
    a = trainings.start(store, one, 1, mnist, long, step3_network.LESSON)
    b = trainings.start(store, two, 1, mnist, long, step3_network.LESSON)
    try:
        wait_for(lambda: a.batches and b.batches, "both runs' first points",
                 lambda: (a.status, b.status))  # fmt: skip
        assert a.training is b.training
        assert other.request_stop(one.id, 1)
        wait_for(lambda: a.finished, "run a to stop", lambda: (a.status, len(a.batches)))
        assert a.status == "stopped" and a.message == "You stopped the run."  # as a local Stop
        kept = len(b.batches)
        wait_for(lambda: len(b.batches) > kept + 2, "run b to go on training", lambda: b.status)
        assert not b.stopping and b.training.ended is None
        wait_for(lambda: a.saver.saved_final, "run a's last save", lambda: a.saver.error)
        assert [r.status for r in other.list_runs(one.id)] == ["stopped"]
        assert other.request_stop(two.id, 1)  # the last follower: the training itself stops
        b.join(120)
        assert b.status == "stopped" and b.training.ended == "stopped" and b.test is not None
    finally:
        for run in (a, b):
            run.stop()
            run.join(120)
        other.close()
        store.close()


def test_the_train_page_stops_a_run_that_another_process_trains():
    ada = app("p4_train.py")
    ws = ada.session_state["workspace"]
    other = storage.Store(storage.shared().url)  # the app process that trains the run
    try:
        experiment = workspaces.experiment_of(step3_network.LESSON, HP)
        assert other.begin_run(ws, 1, experiment) == 1
        other.save_run(ws, 1, status="running", message="", experiment=experiment,
                       results=RESULTS)  # fmt: skip
        ada.run()
        assert_clean(ada)
        assert ada.button(key="train_start").disabled
        assert not [c for c in ada.caption if "Stopping" in c.value]
        ada.button(key="train_stop").click().run()  # Stop, in this process's tab
        assert_clean(ada)
        assert other.stop_requested(ws.id, 1), "the press reached the store"
        captions = [c.value for c in ada.caption]
        assert any(c.endswith("Stopping after the batches being computed now…") for c in captions)
        assert ada.button(key="train_stop")  # still there until the run has ended
        # The process that trains it stops it and saves it: the page shows it stopped.
        other.save_run(ws, 1, status="stopped", message="You stopped the run.",
                       experiment=experiment, results=RESULTS)  # fmt: skip
        ada.run()
        assert_clean(ada)
        assert any("You stopped the run." in w.value for w in ada.warning), ada.warning
        assert not ada.button(key="train_start").disabled
        assert not [b for b in ada.button if b.key == "train_stop"]
    finally:
        other.close()
