"""A learner's work survives a server restart, a reload mid-training and a second browser
(Chromium); a reload of a finished run in a new session: tests/test_workspace_pages.py."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser import answer_the_data_page, open_app, train_quickly
from tests.support import ONE_WORKER, streamlit_server, wait_idle

# Heavy, but it times nothing (generous waits): it runs beside one other test (pyproject.toml).
pytestmark = pytest.mark.browser
FINISHED = re.compile(r"run 1 finished")


def assert_everything_is_back(page, url: str) -> None:
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("1 · The data ✓")).to_be_visible()
    open_app(page, url, "train")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(FINISHED)).to_be_visible()
    expect(main.get_by_text("Test accuracy").first).to_be_visible()
    plots = "Array.from(document.querySelectorAll('.js-plotly-plot'))"
    page.wait_for_function(f"() => {plots}.filter(p => p.data).length >= 2", timeout=30_000)
    curves = page.evaluate(f"() => {plots}.map(p => p.data[0].x.length)")
    assert curves and min(curves) >= 2, curves  # the loss and accuracy curves are back
    expect(main.get_by_test_id("stDataFrame")).to_have_count(1)  # the runs compared
    open_app(page, url, "draw")
    expect(main.get_by_text(re.compile(r"your model \(run 1")).first).to_be_visible()


def test_a_run_and_answers_survive_a_server_restart(browser, tmp_path):
    data = {"CNN_LESSON_DATA": str(tmp_path), **ONE_WORKER}
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        with streamlit_server(env=data) as url:
            train_quickly(page, url)
            expect(page.get_by_text(FINISHED)).to_be_visible(timeout=120_000)
            answer_the_data_page(page, url)
            open_app(page, url, "draw")  # the page the learner is on when the server stops
        with streamlit_server(env=data) as url:  # the same data folder, a new server process
            open_app(page, url)  # the first page sends the learner back to where they were
            expect(page).to_have_url(re.compile(r"/draw$"))
            expect(page.get_by_text(re.compile(r"your model \(run 1")).first).to_be_visible()
            assert_everything_is_back(page, url)
    finally:
        context.close()


def batches_done(progress) -> int:
    """Batches trained so far, read from "run 1: epoch 2 of 20 · batch 310 of 1,875 · …"."""
    text = progress.inner_text().replace(",", "")
    epoch, batch, batches = (
        int(n) for n in re.search(r"epoch (\d+) of \d+ · batch (\d+) of (\d+)", text).groups()
    )
    return (epoch - 1) * batches + batch


def test_a_run_trains_on_across_a_reload_and_a_network_drop_and_is_shown(page, server_url):
    """The learner reloads the tab, then the connection goes for 6 s (Wi-Fi, a closed lid)."""
    # Longer than the test on any machine: the learner stops it once back.
    train_quickly(page, server_url, "epochs=20&train_images=60000")
    main = page.get_by_test_id("stMain")
    progress = main.get_by_test_id("stProgress")
    expect(progress).to_be_visible(timeout=60_000)
    page.reload()
    page.wait_for_selector("[data-testid=stMain]")
    expect(progress).to_contain_text("batch", timeout=30_000)  # still training
    before = batches_done(progress)
    page.context.set_offline(True)
    page.wait_for_timeout(6_000)
    page.context.set_offline(False)
    deadline = time.monotonic() + 60
    while batches_done(progress) <= before:  # the tab, back, shows the run further on
        assert time.monotonic() < deadline, progress.inner_text()
        page.wait_for_timeout(250)
    main.get_by_role("button", name=re.compile("Stop$")).click()
    expect(main.get_by_text(re.compile("You stopped the run"))).to_be_visible(timeout=30_000)
    expect(main.get_by_text("Test accuracy").first).to_be_visible()


def test_continue_elsewhere_opens_the_same_workspace_and_forget_me_deletes_it(browser, server_url):
    first = browser.new_context(viewport={"width": 1280, "height": 800})
    second = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = first.new_page()
        answer_the_data_page(page, server_url)
        page.get_by_test_id("stSidebar").get_by_text("Continue elsewhere").click()
        link = page.get_by_test_id("stSidebar").get_by_test_id("stCode").inner_text().strip()
        link = next(line for line in link.splitlines() if "workspace=" in line)
        assert "/#workspace=" in link  # after "#": never sent to a server or a proxy's log
        token = link.split("workspace=")[1]
        assert len(token) == 32
        other = second.new_page()
        other.goto(link)
        other.wait_for_selector("[data-testid=stMain]")
        wait_idle(other)
        expect(other.get_by_text("Welcome back")).to_be_visible()
        expect(other.get_by_test_id("stSidebarNav").get_by_text("1 · The data ✓")).to_be_visible()
        assert "workspace=" not in other.url  # the token leaves the address bar at once
        # Forget me, in the second browser: the first one's next visit starts afresh.
        sidebar = other.get_by_test_id("stSidebar")
        wait_idle(other)  # the page's first run has ended: every widget of it is live
        sidebar.get_by_text("Forget me").click()
        sure = sidebar.get_by_role("checkbox", name="Yes, delete my work")
        sidebar.get_by_text("Yes, delete my work").click()
        expect(sure).to_be_checked()  # the click reached the box (its words are its label)
        delete = sidebar.get_by_role("button", name=re.compile("Delete my"))
        expect(delete).to_be_enabled(timeout=30_000)  # the server has it too
        delete.click()
        wait_idle(other)
        expect(other.get_by_text("Your workspace was deleted")).to_be_visible()
        expect(other.get_by_test_id("stSidebarNav").get_by_text("1 · The data ✓")).to_have_count(0)
        page.reload()
        page.wait_for_selector("[data-testid=stMain]")
        wait_idle(page)
        expect(page.get_by_text("was not found")).to_be_visible()
        expect(page.get_by_test_id("stSidebarNav").get_by_text("1 · The data ✓")).to_have_count(0)
    finally:
        first.close()
        second.close()
