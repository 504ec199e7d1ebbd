"""Two app processes sharing one PostgreSQL store, started once for this file's three tests.

- One browser's two tabs, one on each process, press Train at once: one run, and Stop in the tab
  of the process that does not train it stops it (through the store).
- The class board behind nginx: learners on each process post runs, and the board on either
  process shows both as it refreshes (websocket sessions, no browser).
- One process is killed mid-class (last, it ends the pair): the learner's tab reconnects, nginx
  sends it to the other process, and the workspace is there: the run, its model, the answers.

Each test puts its own nginx (its own access log) in front of the pair.
"""

import asyncio
import contextlib
import http.client
import re
import signal
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from lesson.machinery import store as storage
from lesson.parts import workspace
from tests.browser import (
    answer_the_data_page,
    open_app,
    progress_of,
    train_button,
    train_quickly,
)
from tests.load import board, loadtest
from tests.load.client import Session, run_sync
from tests.pages import INSTRUCTOR_KEY
from tests.support import ONE_WORKER, streamlit_process, wait_idle

pytestmark = pytest.mark.browser
# How soon a post shows is a figure of the bench (`python -m lesson.tools.bench --load`, the
# board's post_visible; target 5 s): here only that it shows, by refreshes, on both boards.
TTL = ("--server.disconnectedSessionTTL", "5")
LONG = "train?epochs=20&train_images=60000"  # longer than the test on any machine: stopped
STOP = re.compile("Stop$")


@dataclass
class Pair:
    """The two app processes: their addresses, their Popen objects, the store they share."""

    database: str
    one: str
    two: str
    first: object
    second: object


@pytest.fixture(scope="module")
def pair(postgres):
    database = postgres.database("two_processes")
    env = {
        "CNN_LESSON_DATABASE_URL": database, "CNN_LESSON_INSTRUCTOR_KEY": INSTRUCTOR_KEY,
        **ONE_WORKER,
    }  # fmt: skip
    with (
        streamlit_process(env, options=TTL) as (one, first),
        streamlit_process(env, options=TTL) as (two, second),
    ):
        yield Pair(database, one, two, first, second)


def test_two_app_processes_start_one_run_for_two_tabs_pressing_at_once(browser, pair):
    """One browser's two tabs reach two app processes (a cookie is the same on every port);
    Stop in the tab whose process does not train the run stops it."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        one, two = pair.one, pair.two
        first = context.new_page()
        main = open_app(first, one, LONG, title="Train")
        first.wait_for_function(f"document.cookie.includes('{workspace.COOKIE}=')", timeout=60_000)
        second = context.new_page()
        other = open_app(second, two, LONG, title="Train")
        train_button(main).click(no_wait_after=True)  # both in the same instant
        train_button(other).click(no_wait_after=True)
        wait_idle(first)
        wait_idle(second)
        store = storage.Store(pair.database)
        try:
            token = next(c["value"] for c in context.cookies() if c["name"] == workspace.COOKIE)
            ws_id = store.open_workspace(token).id
            rows = store.list_runs(ws_id)
            assert len(rows) == 1, [(r.number, r.status) for r in rows]
        finally:
            store.close()
        # Each tab shows the one run with Stop: the process that trains it live, the other
        # with the progress it saved; neither lets Train start a second.
        for tab_main in (main, other):
            progress = tab_main.get_by_test_id("stProgress")
            expect(progress).to_contain_text("epoch", timeout=60_000)
            expect(tab_main.get_by_role("button", name=STOP)).to_be_visible(timeout=60_000)
            expect(train_button(tab_main)).to_be_disabled(timeout=60_000)
        away = [m for m in (main, other) if "another app process" in progress_of(m)]
        assert len(away) == 1, "one tab is served by the process that does not train it"
        # Its Stop reaches the other process through the store: the run stops for both.
        away[0].get_by_role("button", name=STOP).click()
        for tab_main in (main, other):
            expect(tab_main.get_by_text(re.compile("You stopped the run"))).to_be_visible(
                timeout=120_000
            )  # its test score first: two servers and their workers share the machine
            expect(train_button(tab_main)).to_be_enabled(timeout=60_000)
            expect(tab_main.get_by_role("button", name=STOP)).to_have_count(0)
        with contextlib.closing(storage.Store(pair.database)) as s:
            assert [r.status for r in s.list_runs(ws_id)] == ["stopped"]
    finally:
        context.close()


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
def test_runs_posted_on_two_app_processes_show_on_the_board_of_either(pair, tmp_path):
    database, one, two = pair.database, pair.one, pair.two
    log = tmp_path / "routed.log"
    with loadtest.nginx_proxy([one, two], access_log=log) as url:
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


def routed_to(log) -> list[str]:
    """The app server that answered each request nginx has logged, in order."""
    return [tried[-1] for _, tried in loadtest.routed(log)]


@pytest.mark.timeout(600)
def test_a_killed_app_process_loses_nothing(pair, tmp_path, browser):
    """Last in this file: it kills one of the pair."""
    one, two, first, second = pair.one, pair.two, pair.first, pair.second
    log = tmp_path / "routed.log"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        with loadtest.nginx_proxy([one, two], access_log=log) as url:
            train_quickly(page, url)
            expect(page.get_by_text(re.compile("run 1 finished"))).to_be_visible(timeout=120_000)
            answer_the_data_page(page, url)
            page.get_by_test_id("stSidebarNav").get_by_text("5 · Draw a digit").click()
            wait_idle(page)
            served = set(routed_to(log))
            assert len(served) == 1, served  # sticky: one process served the learner
            dead, alive = (first, two) if one.endswith(served.pop()) else (second, one)
            before = len(routed_to(log))
            dead.send_signal(signal.SIGKILL)  # the process dies mid-class
            dead.wait(10)
            # Streamlit's page reconnects by itself; nginx sends it to the other process.
            main = page.get_by_test_id("stMain")
            expect(main.get_by_text(re.compile(r"your model \(run 1")).first).to_be_visible(
                timeout=60_000
            )
            nav = page.get_by_test_id("stSidebarNav")
            expect(nav.get_by_text("1 · The data ✓")).to_be_visible()  # the answers are back
            open_app(page, url, "train")
            expect(main.get_by_text(re.compile("run 1 finished"))).to_be_visible()
            expect(main.get_by_text("Test accuracy").first).to_be_visible()
            since = routed_to(log)[before:]
            assert since and since[-1] == alive.removeprefix("http://"), since  # the other one
    finally:
        context.close()
