"""Two app processes behind nginx sharing PostgreSQL: one dies mid-class, the learner goes on.

The learner's next page comes from the other process, with their workspace: the run they
trained, its model on the Draw page and their answers (websocket sessions that send the
workspace cookie, as a browser does).
"""

import signal
import time

import pytest

from lesson.machinery import store as storage
from tests.load import loadtest
from tests.load.client import Session, run_sync
from tests.support import ONE_WORKER, streamlit_process

# Heavy, but it times nothing (generous waits): it runs beside one other test (pyproject.toml).

TTL = ("--server.disconnectedSessionTTL", "5")
ADDRESS = "127.0.0.61"


async def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio_sleep(0.2)


async def asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def train_and_answer(url: str, cookie: str) -> Session:
    s = Session(url, (ADDRESS, 0), cookie=cookie, query="epochs=1&train_images=1000")
    await s.connect()
    await s.rerun("train", timeout=180)
    await s.click("Train")
    await wait_for(lambda: any("run 1 finished" in a for a in s.alerts))
    await asyncio_sleep(1)  # the page's own rerun after the run ended
    s.query = ""
    await s.rerun("", timeout=60)
    await s.set("How many numbers describe one MNIST image?", "784")
    assert any("Right!" in a for a in s.alerts), s.alerts
    await s.close()
    return s


async def come_back(url: str, cookie: str) -> Session:
    s = Session(url, (ADDRESS, 0), cookie=cookie)
    await s.connect()
    await s.rerun("train", timeout=180)
    await s.rerun("draw", timeout=180)
    await s.rerun("", timeout=60)
    await s.close()
    return s


@pytest.mark.timeout(600)
def test_a_killed_app_process_loses_nothing(postgres, tmp_path):
    database = postgres.database("failover")
    token = storage.Store(database).create_workspace().token
    cookie = f"cnn_lesson_workspace={token}"
    env = {"CNN_LESSON_DATABASE_URL": database, **ONE_WORKER}
    log = tmp_path / "routed.log"
    with (
        streamlit_process(env, options=TTL) as (one, first),
        streamlit_process(env, options=TTL) as (two, second),
        loadtest.nginx_proxy([one, two], access_log=log) as url,
    ):
        before = run_sync(train_and_answer(url, cookie))
        assert not before.errors, before.errors
        time.sleep(1)  # nginx logs a websocket when it closes
        served = {line.split()[1] for line in log.read_text().splitlines()}
        assert len(served) == 1, served  # sticky: one process served the learner
        dead, alive = (first, two) if one.endswith(served.pop()) else (second, one)
        dead.send_signal(signal.SIGKILL)  # the process dies mid-class
        dead.wait(10)
        after = run_sync(come_back(url, cookie))
        assert not after.errors, after.errors
        assert any("run 1 finished" in a for a in after.alerts), after.alerts
        assert any("Right!" in a for a in after.alerts), after.alerts  # the answer is back
        last = log.read_text().splitlines()[-1]  # "client tried, ..., served"
        assert last.split()[-1] == alive.removeprefix("http://"), last  # the other one served


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_in_chromium_the_page_comes_back_from_the_other_process(postgres, tmp_path, browser):
    """The same, as a learner sees it: the tab reconnects by itself and their work is there."""
    import re

    from playwright.sync_api import expect

    from tests.browser import answer_the_data_page, train_quickly
    from tests.support import wait_idle

    env = {"CNN_LESSON_DATABASE_URL": postgres.database("failover_chromium"), **ONE_WORKER}
    log = tmp_path / "routed.log"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        with (
            streamlit_process(env, options=TTL) as (one, first),
            streamlit_process(env, options=TTL) as (two, second),
            loadtest.nginx_proxy([one, two], access_log=log) as url,
        ):
            train_quickly(page, url)
            expect(page.get_by_text(re.compile("run 1 finished"))).to_be_visible(timeout=120_000)
            answer_the_data_page(page, url)
            page.get_by_test_id("stSidebarNav").get_by_text("5 · Draw a digit").click()
            wait_idle(page)
            served = {line.split()[-1] for line in log.read_text().splitlines()}
            dead = first if any(one.endswith(s) for s in served) else second
            dead.send_signal(signal.SIGKILL)
            dead.wait(10)
            # Streamlit's page reconnects by itself; nginx sends it to the other process.
            main = page.get_by_test_id("stMain")
            expect(main.get_by_text(re.compile(r"your model \(run 1")).first).to_be_visible(
                timeout=60_000
            )
            nav = page.get_by_test_id("stSidebarNav")
            expect(nav.get_by_text("1 · The data ✓")).to_be_visible()
    finally:
        context.close()
