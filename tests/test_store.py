"""The store against real databases: SQLite files and a PostgreSQL server on loopback."""

import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from lesson.machinery import store as storage

# `store`, an empty store on SQLite and on PostgreSQL, is a fixture of tests/conftest.py.


def run_values(n: int = 1, status: str = "done") -> dict:
    return {
        "status": status,
        "message": "",
        "experiment": {"epochs": "3", "filters": "6,16"},
        "results": {"epochs": [{"epoch": 1, "loss": 0.2}], "test": {"accuracy": 0.98}, "n": n},
    }


def test_a_workspace_is_found_again_by_its_token_only(store):
    ws = store.create_workspace({"page": "train"})
    assert len(ws.token) == 32 and storage.valid_token(ws.token)
    again = store.open_workspace(ws.token)
    assert again.id == ws.id and again.state == {"page": "train"}
    other = store.create_workspace()
    assert store.open_workspace(other.token).id == other.id != ws.id
    swapped = ws.token.swapcase() if ws.token.swapcase() != ws.token else "A" * 32
    for bad in [None, "", 42, "x" * 32, ws.token[:-1], ws.token + "a", "' OR 1=1 --" * 3,
                "a" * 10_000, swapped]:  # fmt: skip
        assert store.open_workspace(bad) is None


def test_only_the_tokens_hash_is_stored(store):
    ws = store.create_workspace()
    with store._connect().connect() as conn:
        rows = [tuple(map(str, row)) for row in conn.execute(sa.select(storage.workspaces))]
    assert rows and not any(ws.token in value for row in rows for value in row)


def test_state_parts_merge_and_another_process_sees_them(store):
    ws = store.create_workspace()
    store.save_workspace(ws, answers={"q": "13"}, page="build")
    store.save_workspace(ws, page="train")
    other = storage.Store(store.url)  # a second app process on the same database
    assert other.open_workspace(ws.token).state == {"answers": {"q": "13"}, "page": "train"}
    other.close()


def test_runs_keep_curves_snapshots_and_weights(store):
    ws = store.create_workspace()
    weights = [np.arange(6, dtype="float32").reshape(2, 3), np.ones(4, "float32")]
    store.save_run(ws, 1, **run_values(), snapshots=storage.pack(weights[:1]),
                   weights=storage.pack(weights))  # fmt: skip
    store.save_run(ws, 2, **run_values(2, "running"))
    listed = store.list_runs(ws.id)
    assert [r.number for r in listed] == [1, 2]
    assert listed[0].results == run_values()["results"] and listed[0].has_weights
    assert listed[1].status == "running" and not listed[1].has_weights
    back = store.weights(ws.id, 1)
    assert all(np.array_equal(a, b) for a, b in zip(back, weights, strict=True))
    assert np.array_equal(storage.unpack(store.snapshots(ws.id, 1))[0], weights[0])
    assert store.weights(ws.id, 2) is None and store.weights(ws.id, 99) is None


def test_only_the_last_ten_models_are_kept_and_the_learners_own(store):
    ws = store.create_workspace()
    blob = storage.pack([np.zeros(3, "float32")])
    for n in range(1, 13):
        store.save_run(ws, n, **run_values(n), weights=blob, keep=1)
    listed = {r.number: r for r in store.list_runs(ws.id)}
    assert [n for n, r in listed.items() if not r.has_weights] == [2]
    assert listed[2].model_dropped and listed[2].results["n"] == 2  # curves and scores stay
    assert listed[1].has_weights and not listed[1].model_dropped


def test_forget_me_deletes_everything(store):
    ws, other = store.create_workspace(), store.create_workspace()
    store.save_run(ws, 1, **run_values(), weights=storage.pack([np.zeros(2)]))
    store.save_run(other, 1, **run_values())
    store.delete_workspace(ws.id)
    assert store.open_workspace(ws.token) is None and store.list_runs(ws.id) == []
    assert len(store.list_runs(other.id)) == 1


def test_unused_workspaces_expire(store):
    old, recent = store.create_workspace(), store.create_workspace()
    store.save_run(old, 1, **run_values())
    with store._connect().begin() as conn:
        conn.execute(
            storage.workspaces.update()
            .where(storage.workspaces.c.id == old.id)
            .values(touched=time.time() - 31 * 86400)
        )
    assert store.purge() == 1
    assert store.open_workspace(old.token) is None and store.list_runs(old.id) == []
    assert store.open_workspace(recent.token) is not None


def test_a_run_nobody_trains_any_more_is_interrupted(store):
    ws, other = store.create_workspace(), store.create_workspace()  # one live run each at most
    store.save_run(ws, 1, **run_values(status="running"))
    store.save_run(other, 2, **run_values(status="running"))
    with store._connect().begin() as conn:
        conn.execute(
            storage.runs.update()
            .where(storage.runs.c.number == 1)
            .values(updated=time.time() - storage.STALE_AFTER - 1)
        )
    (first,), (second,) = store.list_runs(ws.id), store.list_runs(other.id)
    assert first.status == "interrupted" and "server stopped" in first.message
    assert second.status == "running"  # heard from lately: still training somewhere


def test_thirty_learners_saving_at_once_lose_nothing(store):
    spaces = [store.create_workspace() for _ in range(30)]
    errors = []

    def learner(i: int) -> None:
        try:
            for n in range(1, 4):
                store.save_run(spaces[i], n, **run_values(i * 10 + n),
                               weights=storage.pack([np.full(1000, i, "float32")]))  # fmt: skip
                store.save_workspace(spaces[i], page=f"p{i}", answers={"n": n})
        except Exception as err:  # collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i, ws in enumerate(spaces):
        assert store.open_workspace(ws.token).state == {"page": f"p{i}", "answers": {"n": 3}}
        listed = store.list_runs(ws.id)
        assert [r.results["n"] for r in listed] == [i * 10 + 1, i * 10 + 2, i * 10 + 3]
        assert set(store.weights(ws.id, 3)[0]) == {i}


# --- faults ------------------------------------------------------------------------------


def test_a_damaged_sqlite_file_is_said_and_not_overwritten(tmp_path):
    path = tmp_path / "lesson.db"
    path.write_bytes(b"this is not a database" * 100)
    s = storage.Store(f"sqlite:///{path}")
    with pytest.raises(storage.StoreError, match="damaged"):
        s.create_workspace()
    assert path.read_bytes() == b"this is not a database" * 100


def test_a_read_only_database_is_said(tmp_path, monkeypatch):
    path = tmp_path / "lesson.db"
    storage.Store(f"sqlite:///{path}").create_workspace()
    monkeypatch.chdir(tmp_path)
    s = storage.Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(storage.StoreError, match="read-only"):
        s.create_workspace()
    assert not (tmp_path / "file:").exists()  # the URI names the file; no folder made for it


def test_an_sqlite_url_names_its_file():
    assert storage.sqlite_file("sqlite:////srv/lesson.db") == Path("/srv/lesson.db")
    assert storage.sqlite_file("sqlite:///file:/srv/l.db?mode=ro&uri=true") == Path("/srv/l.db")
    assert storage.sqlite_file("sqlite://") is None
    assert storage.sqlite_file("sqlite:///:memory:") is None


def test_a_full_disk_is_said(tmp_path):
    path = tmp_path / "lesson.db"
    s = storage.Store(f"sqlite:///{path}")
    ws = s.create_workspace()
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    @sa.event.listens_for(s._connect(), "connect")
    def _small(connection, _record):  # the disk fills up: no page more than now
        connection.execute(f"PRAGMA max_page_count={pages + 1}")

    s._connect().dispose()
    with pytest.raises(storage.StoreError, match="full"):
        s.save_run(ws, 1, **run_values(), weights=storage.pack([np.zeros(100_000, "float32")]))


def test_the_sqlite_file_deleted_while_running_is_made_again_with_this_learners_work(tmp_path):
    path = tmp_path / "lesson.db"
    s = storage.Store(f"sqlite:///{path}")
    ws = s.create_workspace()
    s.save_workspace(ws, page="build")
    path.unlink()
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    s.save_workspace(ws, page="train")  # the page saves what its browser holds
    assert path.exists()
    assert s.open_workspace(ws.token).state == {"page": "train"}


def test_postgresql_down_then_back(postgres):
    s = storage.Store(postgres.url)
    s.retry_after = 0.5
    ws = s.create_workspace()
    postgres.stop()
    try:
        with pytest.raises(storage.StoreError, match="cannot be reached") as caught:
            s.save_workspace(ws, page="train")
        assert "postgres@" not in str(caught.value) and ws.token not in str(caught.value)
        tried = []
        s._connect = lambda: tried.append(1)  # any attempt to reach the server is counted
        with pytest.raises(storage.StoreError):  # at once: no page waits for a dead server
            s.open_workspace(ws.token)
        assert tried == []  # answered from the failure just seen, without trying the server
        del s._connect
    finally:
        postgres.start()
    time.sleep(0.6)
    s.save_workspace(ws, page="mistakes")
    assert s.open_workspace(ws.token).state == {"page": "mistakes"}
    storage.metadata.drop_all(s._connect())
    s.close()


def test_postgresql_that_is_not_there_at_start():
    s = storage.Store("postgresql+psycopg://postgres@127.0.0.1:9/lesson")
    with pytest.raises(storage.StoreError, match="cannot be reached"):
        s.create_workspace()


def test_a_database_from_a_newer_app_is_refused(tmp_path):
    path = tmp_path / "lesson.db"
    storage.Store(f"sqlite:///{path}").create_workspace()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE store_version SET version = 99")
    with pytest.raises(storage.StoreError, match="newer version"):
        storage.Store(f"sqlite:///{path}").create_workspace()


def test_curves_without_validation_are_stored_on_every_database(store):
    """PostgreSQL's JSON has no NaN: a run without validation images still saves."""
    ws = store.create_workspace()
    epochs = [{"epoch": 1, "loss": 0.2, "val_loss": float("nan"), "val_accuracy": float("inf")}]
    store.save_run(ws, 1, status="done", message="", experiment={}, results={"epochs": epochs})
    assert store.list_runs(ws.id)[0].results["epochs"] == [
        {"epoch": 1, "loss": 0.2, "val_loss": None, "val_accuracy": None}
    ]
