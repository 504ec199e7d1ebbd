"""One live run per workspace, in Chromium: every tab shows it with its progress and Stop."""

import re

from playwright.sync_api import expect

from lesson.machinery import store as storage
from lesson.parts import workspace
from tests.browser import open_app, train_button
from tests.support import wait_idle

LONG = "train?epochs=20&train_images=60000"  # longer than the test on any machine: stopped
STOP = re.compile("Stop$")


def runs_of(context) -> list:
    """The stored runs of the context's workspace (the test server shares this data folder)."""
    token = next(c["value"] for c in context.cookies() if c["name"] == workspace.COOKIE)
    store = storage.Store()
    try:
        return store.list_runs(store.open_workspace(token).id)
    finally:
        store.close()


def shows_the_run(main, where: str) -> None:
    """The tab shows the run training, a Stop button, and a Train button it cannot press."""
    progress = main.get_by_test_id("stProgress")
    expect(progress, f"{where}: the run's progress").to_contain_text("epoch", timeout=60_000)
    stop = main.get_by_role("button", name=re.compile("Stop$"))
    expect(stop, f"{where}: Stop").to_be_visible(timeout=60_000)
    expect(train_button(main), f"{where}: Train, not pressable").to_be_disabled(timeout=60_000)


def test_a_second_tab_shows_the_run_with_stop_and_cannot_start_another(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        first = context.new_page()
        main = open_app(first, server_url, LONG, title="Train")
        first.wait_for_function(
            f"document.cookie.includes('{workspace.COOKIE}=')", timeout=60_000
        )  # the workspace's cookie: every later tab opens the same workspace
        idle = context.new_page()  # open and idle since before the run: no poll of a run yet
        idle_main = open_app(idle, server_url, "train", title="Train")
        expect(train_button(idle_main)).to_be_enabled()
        train_button(main).click()
        shows_the_run(main, "the tab that pressed Train")
        shows_the_run(idle_main, "a tab open before the run, untouched")  # its poll finds it
        later = context.new_page()  # opened while the run trains
        later_main = open_app(later, server_url, "train", title="Train")
        shows_the_run(later_main, "a tab opened while the run trains")
        assert len(runs_of(context)) == 1
        # Stop from another tab than the one that started it: the run stops for every tab.
        later_main.get_by_role("button", name=re.compile("Stop$")).click()
        for tab_main in (main, idle_main, later_main):
            expect(tab_main.get_by_text(re.compile("You stopped the run"))).to_be_visible(
                timeout=60_000
            )
            expect(train_button(tab_main)).to_be_enabled(timeout=60_000)
        wait_idle(first)
        assert [r.status for r in runs_of(context)] == ["stopped"]
    finally:
        context.close()
