"""One live run per workspace, kept by the store itself: across processes, on both databases."""

import threading
import time

import pytest
import sqlalchemy as sa

from lesson.machinery import store as storage

EXPERIMENT = {"epochs": "1", "train_images": "1000"}
ROUNDS = 12


def second_store(store: storage.Store) -> storage.Store:
    """Another process's store on the same database: its own engine and connections."""
    return storage.Store(store.url, retention=30)


def race(stores: list[storage.Store], ws: storage.Workspace, number: int) -> list:
    """Every store starts run `number` of `ws` at the same instant; what each got."""
    barrier = threading.Barrier(len(stores))
    got: list = [None] * len(stores)
    errors: list = []

    def start(i: int) -> None:
        barrier.wait()
        try:
            got[i] = stores[i].begin_run(ws, number, EXPERIMENT)
        except Exception as err:  # a failure would be a refusal in words: the test says which
            errors.append(err)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return got


def finish(store: storage.Store, ws: storage.Workspace, number: int) -> None:
    store.save_run(ws, number, status="done", message="", experiment=EXPERIMENT, results={})


def test_two_processes_starting_a_run_at_once_start_exactly_one(store):
    other = second_store(store)
    try:
        ws = store.create_workspace()
        for round_ in range(ROUNDS):
            got = race([store, other, store, other], ws, round_ + 1)
            winners = [n for n in got if n is not None]
            assert len(winners) == 1, f"round {round_}: the four starts got {got}"
            assert store.live_run(ws.id) == winners[0] == other.live_run(ws.id)
            assert other.begin_run(ws, winners[0] + 1, EXPERIMENT) is None  # still refused
            finish(other if round_ % 2 else store, ws, winners[0])
        statuses = [r.status for r in store.list_runs(ws.id)]
        assert statuses == ["done"] * ROUNDS
    finally:
        other.close()


def test_a_new_run_takes_the_next_free_number_and_other_workspaces_are_free(store):
    ws, neighbour = store.create_workspace(), store.create_workspace()
    assert store.begin_run(ws, 1, EXPERIMENT) == 1
    assert store.begin_run(neighbour, 1, EXPERIMENT) == 1  # one live run each
    finish(store, ws, 1)
    # A tab that had not seen run 1 asks for number 1 again: it gets 2, run 1 stays as it was.
    assert store.begin_run(ws, 1, EXPERIMENT) == 2
    assert [r.status for r in store.list_runs(ws.id)] == ["done", "queued"]
    # The rule holds for any writer, not only begin_run: a second live row is refused.
    with pytest.raises(storage.StoreError):
        store.save_run(ws, 3, status="running", message="", experiment=EXPERIMENT, results={})


def test_a_run_of_a_stopped_server_does_not_block_a_new_one(store, monkeypatch):
    ws = store.create_workspace()
    assert store.begin_run(ws, 1, EXPERIMENT) == 1
    assert store.begin_run(ws, 2, EXPERIMENT) is None
    # Its server stopped: no heartbeat since. After STALE_AFTER it is interrupted, not live.
    later = time.time() + storage.STALE_AFTER + 1
    monkeypatch.setattr(storage.time, "time", lambda: later)
    assert store.live_run(ws.id) is None
    assert store.begin_run(ws, 2, EXPERIMENT) == 2
    rows = store.list_runs(ws.id)
    assert [(r.number, r.status) for r in rows] == [(1, "interrupted"), (2, "queued")]
    assert rows[0].message == storage.INTERRUPTED


def test_a_database_from_before_the_rule_gets_it_and_keeps_the_newest_live_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = storage.Store(url)
    ws = old.create_workspace()
    engine = old._connect()
    with engine.begin() as conn:  # as an older app left it: two runs marked as training
        conn.execute(sa.text("DROP INDEX runs_one_live_per_workspace"))
        for number in (1, 2):
            conn.execute(
                storage.runs.insert().values(
                    workspace_id=ws.id, number=number, status="running", message="",
                    experiment=EXPERIMENT, results={}, model_dropped=False, owner="old",
                    created=time.time(), updated=time.time(),
                )
            )  # fmt: skip
    old.close()
    new = storage.Store(url)
    try:
        assert [(r.number, r.status) for r in new.list_runs(ws.id)] == [
            (1, "interrupted"), (2, "running"),
        ]  # fmt: skip
        assert new.begin_run(ws, 3, EXPERIMENT) is None
        names = [i["name"] for i in sa.inspect(new._connect()).get_indexes("runs")]
        assert "runs_one_live_per_workspace" in names
    finally:
        new.close()


def test_a_server_that_stops_marks_its_runs_interrupted_so_none_blocks(store, mnist, monkeypatch):
    from lesson import step3_network, step4_training
    from lesson.machinery import workers, workspaces

    monkeypatch.setenv(workers.WORKERS_VARIABLE, "0")  # in a thread: no worker to start
    ws = store.create_workspace()
    trainings = workspaces.Trainings()
    long = step4_training.Hyperparameters(epochs=20, train_images=60_000)
    run = trainings.start(store, ws, 1, mnist, long, step3_network.LESSON)
    try:
        assert store.live_run(ws.id) == 1
        assert trainings.start(store, ws, 2, mnist, long, step3_network.LESSON) is None
        trainings.interrupt_all()  # what the server does as it exits (atexit)
        assert store.live_run(ws.id) is None
        assert store.list_runs(ws.id)[0].status == "interrupted"
    finally:
        run.stop()
        run.join(120)
    assert run.finished, f"waited 120 s for the stopped run to end; it is {run.status}"
    assert store.begin_run(ws, 2, EXPERIMENT) == 2  # the next process's first run
