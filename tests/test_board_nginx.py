"""The class board behind nginx: two app processes share PostgreSQL; learners on each post runs,
and the board on either process shows both as it refreshes (websocket sessions, no browser)."""

import asyncio
import http.client
import time

import pytest

from tests.load import board, loadtest
from tests.load.client import Session, run_sync
from tests.pages import INSTRUCTOR_KEY
from tests.support import ONE_WORKER, streamlit_process

# How soon a post shows is a figure of the bench (`python -m lesson.tools.bench --load`, the
# board's post_visible; target 5 s): here only that it shows, by refreshes, on both boards.

TTL = ("--server.disconnectedSessionTTL", "5")


def served_by(url: str, address: str, log) -> str:
    """The app process nginx sends `address` to (it keeps sending it there): host:port."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(address, 0))
    try:
        conn.request("GET", "/_stcore/health")
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    for _ in range(50):  # nginx writes the line as the request ends
        if mine := [tried[-1] for client, tried in loadtest.routed(log) if client == address]:
            return mine[-1]
        time.sleep(0.1)
    raise AssertionError(f"nginx did not log {address}")


def one_address_per_process(url: str, log, upstreams: list[str]) -> list[str]:
    """A loopback address that nginx sends to each app process, in the order of `upstreams`."""
    found: dict[str, str] = {}
    for last in range(70, 130):
        address = f"127.0.0.{last}"
        found.setdefault(served_by(url, address, log), address)
        if len(found) == len(upstreams):
            return [found[u.removeprefix("http://")] for u in upstreams]
    raise AssertionError(f"all 60 addresses went to {set(found)}")


async def warm(url: str) -> None:
    """One process's first Train page and board: MNIST loaded, Keras imported."""
    s = Session(url)
    await s.connect()
    for path in ("train", board.PATH):
        await s.rerun(path, timeout=180)
    assert not s.errors, s.errors
    await s.close()


async def learners_behind(url: str, addresses: list[str]) -> list[str]:
    """Each address opens the app over HTTP, runs pages, then reloads (a second session)."""
    errors = []
    for address in addresses:
        for _ in range(2):
            s = Session(url, (address, 0))
            await s.connect()
            await s.rerun("one-hot")
            errors += s.errors
            await s.close()
    return errors


async def post_a_run(url: str, address: str, code: str, name: str) -> Session:
    """A learner joins the class and trains a tiny run; it is posted when it finishes."""
    s = Session(url, (address, 0), query="epochs=1&train_images=1000")
    await s.connect()
    await s.rerun("train", timeout=180)  # the process's first Train page imports Keras
    await board.join(s, code, name)
    await s.click("Train")
    deadline = time.monotonic() + 180
    while not any("run 1 finished" in a for a in s.alerts):
        assert time.monotonic() < deadline, (s.alerts, s.errors)
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # the page's own rerun after the run ended
    await s.close()
    return s


async def class_on_two_processes(url: str, addresses: list[str], database: str) -> tuple:
    code = await board.open_class(url, INSTRUCTOR_KEY, addresses[0], "Two processes")
    watches, stop = [board.Watch(), board.Watch()], asyncio.Event()
    viewers = [
        asyncio.create_task(board.viewer(url, INSTRUCTOR_KEY, address, watch, stop, 3600))
        for address, watch in zip(addresses, watches, strict=True)
    ]
    since = time.time()
    try:
        learners = await asyncio.gather(
            post_a_run(url, addresses[0], code, "Ada"), post_a_run(url, addresses[1], code, "Bob")
        )
        posts = await board.wait_seen(database, code, since, watches, timeout=90)
    finally:
        stop.set()
        await asyncio.gather(*viewers)
    return learners, posts, watches


@pytest.mark.timeout(600)
def test_runs_posted_on_two_app_processes_show_on_the_board_of_either(postgres, tmp_path):
    database = postgres.database("board_nginx")
    env = {
        "CNN_LESSON_DATABASE_URL": database, "CNN_LESSON_INSTRUCTOR_KEY": INSTRUCTOR_KEY,
        **ONE_WORKER,
    }  # fmt: skip
    log = tmp_path / "routed.log"
    with (
        streamlit_process(env, options=TTL) as (one, _),
        streamlit_process(env, options=TTL) as (two, _),
        loadtest.nginx_proxy([one, two], access_log=log) as url,
    ):
        for backend in (one, two):  # as in class: each process has imported Keras already
            run_sync(warm(backend))
        addresses = one_address_per_process(url, log, [one, two])
        learners, posts, watches = run_sync(class_on_two_processes(url, addresses, database))
        others = [f"127.0.0.{30 + i}" for i in range(6)]  # more learners: pages, a reload
        assert run_sync(learners_behind(url, others)) == []
        time.sleep(1)  # nginx logs a websocket when it closes
        routes = loadtest.servers_by_client(log)
    # Each learner, and the board beside them, stayed on their own process: one each.
    assert [routes[a] for a in addresses] == [{one[7:]}, {two[7:]}], routes
    assert set(others) <= set(routes), routes
    assert all(len(routes[a]) == 1 for a in others), routes  # sticky, through a reload too
    for s in learners:
        assert not s.errors, s.errors
        assert not [a for a in s.alerts if "was not posted" in a], s.alerts
    assert sorted((who, run) for who, run, _ in posts) == [("Ada", 1), ("Bob", 1)]
    for process, watch in zip((one, two), watches, strict=True):
        assert not watch.errors and watch.shown == 2, (process, watch)
        for who, run, _ in posts:
            assert (who, run) in watch.seen, (process, who, watch.seen)
        assert len(watch.opens) == 1 and watch.refreshes  # shown by refreshes, not a reload
