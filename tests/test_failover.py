"""Two app processes behind nginx sharing PostgreSQL: one dies mid-class, the learner goes on.

The learner's tab (Chromium) reconnects by itself, nginx sends it to the other process, and
their workspace is there: the run they trained, its model on the Draw page, their answers.
"""

import re
import signal

import pytest
from playwright.sync_api import expect

from tests.browser import answer_the_data_page, open_app, train_quickly
from tests.load import loadtest
from tests.support import ONE_WORKER, streamlit_process, wait_idle

# Heavy, but it times nothing (generous waits): it runs beside one other test (pyproject.toml).
pytestmark = pytest.mark.browser
TTL = ("--server.disconnectedSessionTTL", "5")


def served_by(log) -> list[str]:
    """The app server that answered each request nginx has logged, in order."""
    return [tried[-1] for _, tried in loadtest.routed(log)]


@pytest.mark.timeout(600)
def test_a_killed_app_process_loses_nothing(postgres, tmp_path, browser):
    env = {"CNN_LESSON_DATABASE_URL": postgres.database("failover"), **ONE_WORKER}
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
            served = set(served_by(log))
            assert len(served) == 1, served  # sticky: one process served the learner
            dead, alive = (first, two) if one.endswith(served.pop()) else (second, one)
            before = len(served_by(log))
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
            since = served_by(log)[before:]
            assert since and since[-1] == alive.removeprefix("http://"), since  # the other one
    finally:
        context.close()
